//! Captions: plain text with `*emphasis*` and `` `code` `` spans, nothing else (no HTML, no
//! links), so a lesson file can never put markup of its own on the page. Inside code, `*` is
//! text; emphasis holds no code. An unclosed span is an error naming where it opened.

/// A piece of a caption.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Span {
    /// Plain text.
    Text(String),
    /// Emphasised text (`*like this*`).
    Emphasis(String),
    /// Code (`` `like this` ``): a setting, a command, a name.
    Code(String),
}

/// The spans of `text`, or why it is not a caption (an unclosed `*` or `` ` ``, with the
/// character it opened at, counted from 1).
pub fn spans(text: &str) -> Result<Vec<Span>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(open) = rest.find(['*', '`']) {
        let marker = char::from(rest.as_bytes()[open]);
        let inside = &rest[open + 1..];
        let Some(close) = inside.find(marker) else {
            let at = text[..offset + open].chars().count() + 1;
            return Err(format!("the {marker} at character {at} is not closed"));
        };
        if open > 0 {
            out.push(Span::Text(rest[..open].to_string()));
        }
        let body = inside[..close].to_string();
        if marker == '*' && body.contains('`') {
            let at = text[..offset + open].chars().count() + 1;
            return Err(format!(
                "the emphasis at character {at} holds a ` (emphasis cannot hold code)"
            ));
        }
        out.push(if marker == '*' {
            Span::Emphasis(body)
        } else {
            Span::Code(body)
        });
        let used = open + 1 + close + 1;
        offset += used;
        rest = &rest[used..];
    }
    if !rest.is_empty() {
        out.push(Span::Text(rest.to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emphasis_and_code_are_spans() {
        assert_eq!(
            spans("Kill *server-3*, then set `fall` to 2.").unwrap(),
            vec![
                Span::Text("Kill ".into()),
                Span::Emphasis("server-3".into()),
                Span::Text(", then set ".into()),
                Span::Code("fall".into()),
                Span::Text(" to 2.".into()),
            ]
        );
        assert_eq!(
            spans("`a*b` x").unwrap(),
            vec![Span::Code("a*b".into()), Span::Text(" x".into())]
        );
        assert_eq!(spans("").unwrap(), vec![]);
    }

    #[test]
    fn an_unclosed_span_is_named_by_where_it_opens() {
        assert_eq!(
            spans("été *open").unwrap_err(),
            "the * at character 5 is not closed"
        );
        assert!(spans("*a `b` c*").unwrap_err().contains("cannot hold code"));
    }
}
