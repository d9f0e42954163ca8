//! nginx: a tokenizer for its configuration syntax (words, `"` and `'` quotes with backslash
//! escapes, `#` comments, `{ }` blocks, `;`), a tree of directives, and the mapping of one
//! `upstream` block (plus the file's `limit_req` / `limit_req_zone`) onto a scenario.
//!
//! Defaults are nginx's: smooth weighted round robin, `weight=1`, `max_fails=1`,
//! `fail_timeout=10s` (passive checks are on unless `max_fails=0`), no active checks.

use super::values::{nginx_time, number};
use super::{ConfigServer, Format, ImportError, Imported, Reason, Warning, choose, settle, syntax};
use crate::sim::passive::{NginxPassive, Passive};
use crate::sim::ratelimit::{LimitKey, NginxLimit, RateLimit};
use crate::sim::server::MAX_WEIGHT;
use crate::sim::{Algorithm, SimDuration, SlowStart};

/// Blocks nested deeper than this are refused (a hostile file cannot exhaust the stack).
const MAX_DEPTH: usize = 64;

/// One directive: its name, arguments and line, and its block if it has one.
#[derive(Clone, Debug, PartialEq)]
struct Directive {
    name: String,
    args: Vec<String>,
    line: usize,
    block: Option<Vec<Directive>>,
}

/// A token and the line it starts on.
#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String),
    Open,
    Close,
    End,
}

/// Splits nginx configuration text into tokens with their lines.
fn tokens(text: &str) -> Result<Vec<(Token, usize)>, ImportError> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while let Some(&c) = chars.peek() {
        match c {
            '\n' => {
                line += 1;
                chars.next();
            }
            c if c.is_whitespace() => {
                chars.next();
            }
            '#' => while chars.next_if(|&c| c != '\n').is_some() {},
            '{' | '}' | ';' => {
                chars.next();
                let t = match c {
                    '{' => Token::Open,
                    '}' => Token::Close,
                    _ => Token::End,
                };
                out.push((t, line));
            }
            '"' | '\'' => {
                let start = line;
                chars.next();
                let mut word = String::new();
                loop {
                    match chars.next() {
                        None => {
                            return Err(syntax(start, format!("the quote {c} is never closed")));
                        }
                        Some(q) if q == c => break,
                        Some('\\') => match chars.next() {
                            Some('n') => word.push('\n'),
                            Some('t') => word.push('\t'),
                            Some('r') => word.push('\r'),
                            Some(e) => {
                                line += usize::from(e == '\n');
                                word.push(e);
                            }
                            None => {
                                return Err(syntax(
                                    start,
                                    format!("the quote {c} is never closed"),
                                ));
                            }
                        },
                        Some(ch) => {
                            line += usize::from(ch == '\n');
                            word.push(ch);
                        }
                    }
                }
                out.push((Token::Word(word), start));
            }
            _ => {
                let mut word = String::new();
                while let Some(ch) =
                    chars.next_if(|&ch| !ch.is_whitespace() && !matches!(ch, '{' | '}' | ';'))
                {
                    if ch == '\\'
                        && let Some(e) = chars.next_if(|&e| e != '\n')
                    {
                        word.push(e);
                        continue;
                    }
                    word.push(ch);
                }
                out.push((Token::Word(word), line));
            }
        }
    }
    Ok(out)
}

/// Reads tokens into directives until the end of the block opened by `opener` (or the file).
fn directives(
    tokens: &mut std::iter::Peekable<std::vec::IntoIter<(Token, usize)>>,
    opener: Option<(&str, usize)>,
    depth: usize,
) -> Result<Vec<Directive>, ImportError> {
    if depth > MAX_DEPTH {
        let line = opener.map_or(1, |(_, l)| l);
        return Err(syntax(
            line,
            format!("blocks nested more than {MAX_DEPTH} deep"),
        ));
    }
    let mut out = Vec::new();
    loop {
        let Some((token, line)) = tokens.next() else {
            return match opener {
                None => Ok(out),
                Some((name, at)) => Err(syntax(
                    at,
                    format!("the {name:?} block opened here is never closed (\"}}\" missing)"),
                )),
            };
        };
        let name = match token {
            Token::Word(w) => w,
            Token::Close if opener.is_some() => return Ok(out),
            Token::Close => return Err(syntax(line, "unexpected \"}\"")),
            Token::Open => return Err(syntax(line, "unexpected \"{\"")),
            Token::End => return Err(syntax(line, "unexpected \";\"")),
        };
        let mut args = Vec::new();
        loop {
            match tokens.next() {
                Some((Token::Word(w), _)) => args.push(w),
                Some((Token::End, _)) => {
                    out.push(Directive {
                        name,
                        args,
                        line,
                        block: None,
                    });
                    break;
                }
                Some((Token::Open, _)) => {
                    let block = directives(tokens, Some((&name, line)), depth + 1)?;
                    out.push(Directive {
                        name,
                        args,
                        line,
                        block: Some(block),
                    });
                    break;
                }
                Some((Token::Close, at)) => {
                    return Err(syntax(
                        at,
                        format!("unexpected \"}}\": {name:?} needs a \";\" first"),
                    ));
                }
                None => {
                    return Err(syntax(
                        line,
                        format!("unexpected end of file: {name:?} needs a \";\" or a block"),
                    ));
                }
            }
        }
    }
}

/// Every directive of the tree, depth first, in file order.
fn walk<'a>(list: &'a [Directive], out: &mut Vec<&'a Directive>) {
    for d in list {
        out.push(d);
        if let Some(b) = &d.block {
            walk(b, out);
        }
    }
}

/// Imports the upstream named `select` (or the only one) of an nginx config.
pub(super) fn import(text: &str, select: Option<&str>) -> Result<Imported, ImportError> {
    let mut toks = tokens(text)?.into_iter().peekable();
    let tree = directives(&mut toks, None, 0)?;
    let mut all = Vec::new();
    walk(&tree, &mut all);
    let mut upstreams = Vec::new();
    for d in &all {
        if d.name == "upstream" {
            let (Some(block), [name]) = (&d.block, &d.args[..]) else {
                return Err(syntax(d.line, "\"upstream\" takes one name and a block"));
            };
            upstreams.push((name.clone(), block));
        }
    }
    let (name, block) = choose(Format::Nginx, upstreams, select)?;
    let mut warnings = Vec::new();
    let mut servers = Vec::new();
    let mut passive = Vec::new();
    let mut slow = Vec::new();
    let mut algorithm: Option<(usize, Algorithm)> = None;
    for d in block {
        let balancing = match d.name.as_str() {
            "server" => {
                server(d, &mut servers, &mut passive, &mut slow, &mut warnings)?;
                continue;
            }
            "least_conn" | "ip_hash" => {
                if !d.args.is_empty() {
                    return Err(syntax(d.line, format!("{:?} takes no arguments", d.name)));
                }
                Some(if d.name == "ip_hash" {
                    Algorithm::IpHash
                } else {
                    Algorithm::LeastConnections
                })
            }
            "hash" => hash(d, &mut warnings)?,
            "random" => random(d, &mut warnings)?,
            _ => {
                warnings.push(warn(d, d.name.clone(), Reason::NotModelled));
                continue;
            }
        };
        if algorithm.is_some() {
            warnings.push(warn(d, d.name.clone(), Reason::Repeated));
        } else if let Some(a) = balancing {
            algorithm = Some((d.line, a));
        } else {
            algorithm = Some((d.line, Algorithm::SmoothWeighted));
        }
    }
    let algorithm = algorithm.map_or(Algorithm::SmoothWeighted, |(_, a)| a);
    let mut scenario = super::scenario(
        format!("nginx upstream {name}"),
        &servers,
        algorithm,
        &mut warnings,
    );
    let (max_fails, fail_timeout) = settle(
        &passive,
        (1, SimDuration::from_secs(10)),
        |(m, t)| format!("max_fails={m} fail_timeout={}", t.to_message_string()),
        &mut warnings,
    );
    scenario.resilience.passive = Passive::Nginx(NginxPassive {
        max_fails,
        fail_timeout,
    });
    let ramp = settle(
        &slow,
        None,
        |s| {
            s.map_or("no slow_start".into(), |t| {
                format!("slow_start={}", t.to_message_string())
            })
        },
        &mut warnings,
    );
    if let Some(period) = ramp {
        scenario.slow_start = SlowStart::Linear { period };
    }
    scenario.rate_limit = rate_limit(&all, &mut warnings)?;
    Ok(Imported { scenario, warnings })
}

fn warn(d: &Directive, directive: String, reason: Reason) -> Warning {
    Warning {
        line: Some(d.line),
        directive,
        reason,
    }
}

/// One `server ADDRESS [parameters]` line.
fn server(
    d: &Directive,
    servers: &mut Vec<ConfigServer>,
    passive: &mut Vec<(usize, String, (u32, SimDuration))>,
    slow: &mut Vec<(usize, String, Option<SimDuration>)>,
    warnings: &mut Vec<Warning>,
) -> Result<(), ImportError> {
    let Some((address, params)) = d.args.split_first() else {
        return Err(syntax(d.line, "\"server\" needs an address"));
    };
    let mut s = ConfigServer {
        name: address.clone(),
        line: d.line,
        weight: 1,
        backup: false,
        down: false,
    };
    let (mut max_fails, mut fail_timeout, mut ramp) = (1, SimDuration::from_secs(10), None);
    let mut written = Vec::new();
    for p in params {
        let (key, value) = p.split_once('=').unwrap_or((p.as_str(), ""));
        match (key, p.contains('=')) {
            ("weight", true) => s.weight = number(value, 1, MAX_WEIGHT, "weight", d.line)?,
            ("max_fails", true) => {
                max_fails = number(value, 0, 1_000, "max_fails", d.line)?;
                written.push(p.clone());
            }
            ("fail_timeout", true) => {
                fail_timeout = nginx_time(value, "fail_timeout", d.line)?;
                written.push(p.clone());
            }
            ("slow_start", true) => {
                let period = nginx_time(value, "slow_start", d.line)?;
                ramp = (period > SimDuration::ZERO).then_some(period);
                warnings.push(warn(
                    d,
                    p.clone(),
                    Reason::Approximated {
                        used: "HAProxy's linear slow start".into(),
                        difference: "nginx ramps the weight up from zero, the model from 1/16 of it",
                    },
                ));
            }
            ("backup", false) => s.backup = true,
            ("down", false) => s.down = true,
            ("max_conns", true)
            | ("route", true)
            | ("service", true)
            | ("resolve", false)
            | ("drain", false) => warnings.push(warn(d, p.clone(), Reason::NotModelled)),
            _ => {
                return Err(syntax(
                    d.line,
                    format!("invalid parameter {p:?} of \"server\""),
                ));
            }
        }
    }
    let words = if written.is_empty() {
        "server".to_string()
    } else {
        written.join(" ")
    };
    // A down server takes no traffic: the defaults it leaves unsaid disagree with nothing.
    if !s.down || !written.is_empty() {
        passive.push((d.line, words, (max_fails, fail_timeout)));
    }
    if !s.down || ramp.is_some() {
        slow.push((d.line, format!("server {address}"), ramp));
    }
    servers.push(s);
    Ok(())
}

/// `hash KEY [consistent]`: the ring on the client address, the path or the session cookie.
fn hash(d: &Directive, warnings: &mut Vec<Warning>) -> Result<Option<Algorithm>, ImportError> {
    let (key, consistent) = match &d.args[..] {
        [key] => (key, false),
        [key, c] if c == "consistent" => (key, true),
        _ => {
            return Err(syntax(
                d.line,
                "\"hash\" takes a key and optionally \"consistent\"",
            ));
        }
    };
    let algorithm = match key.as_str() {
        "$remote_addr" | "$binary_remote_addr" => Algorithm::ConsistentHashIp,
        "$request_uri" | "$uri" => Algorithm::ConsistentHashUri,
        k if k.starts_with("$cookie_") => Algorithm::ConsistentHashSession,
        _ => {
            warnings.push(warn(d, format!("hash {key}"), Reason::NotModelled));
            return Ok(None);
        }
    };
    if !consistent {
        warnings.push(warn(
            d,
            format!("hash {key}"),
            Reason::Approximated {
                used: algorithm.id().into(),
                difference: "without \"consistent\" nginx maps keys modulo the total weight, so a server leaving moves most keys, not only its own",
            },
        ));
    }
    Ok(Some(algorithm))
}

/// `random [two [least_conn]]`.
fn random(d: &Directive, warnings: &mut Vec<Warning>) -> Result<Option<Algorithm>, ImportError> {
    let args: Vec<&str> = d.args.iter().map(String::as_str).collect();
    match args[..] {
        [] => Ok(Some(Algorithm::WeightedRandom)),
        ["two"] | ["two", "least_conn"] => Ok(Some(Algorithm::NginxRandomTwo)),
        ["two", m] if m.starts_with("least_time=") => {
            warnings.push(warn(
                d,
                format!("random two {m}"),
                Reason::Approximated {
                    used: Algorithm::NginxRandomTwo.id().into(),
                    difference: "the model compares active requests, not response times",
                },
            ));
            Ok(Some(Algorithm::NginxRandomTwo))
        }
        _ => Err(syntax(
            d.line,
            "\"random\" takes nothing, \"two\" or \"two least_conn\"",
        )),
    }
}

/// The file's first `limit_req` and the `limit_req_zone` it names (keyed by the client address
/// or by a constant), with `limit_req_status`.
fn rate_limit(all: &[&Directive], warnings: &mut Vec<Warning>) -> Result<RateLimit, ImportError> {
    let mut uses = all.iter().filter(|d| d.name == "limit_req");
    let Some(d) = uses.next() else {
        return Ok(RateLimit::Off);
    };
    for other in uses {
        warnings.push(warn(other, "limit_req".into(), Reason::Repeated));
    }
    let param = |list: &[String], key: &str| {
        list.iter()
            .find_map(|a| a.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
            .map(str::to_string)
    };
    let Some(zone) = param(&d.args, "zone") else {
        return Err(syntax(d.line, "\"limit_req\" needs zone=NAME"));
    };
    let Some(z) = all.iter().find(|z| {
        z.name == "limit_req_zone"
            && param(&z.args, "zone").is_some_and(|v| v.split(':').next() == Some(zone.as_str()))
    }) else {
        return Err(syntax(d.line, format!("no limit_req_zone named {zone:?}")));
    };
    let key = match z.args.first().map(String::as_str) {
        Some("$binary_remote_addr" | "$remote_addr") => LimitKey::ClientIp,
        Some(k) if !k.contains('$') => LimitKey::Global,
        Some(k) => {
            warnings.push(warn(z, format!("limit_req_zone {k}"), Reason::NotModelled));
            return Ok(RateLimit::Off);
        }
        None => return Err(syntax(z.line, "\"limit_req_zone\" needs a key")),
    };
    let Some(rate_text) = param(&z.args, "rate") else {
        return Err(syntax(z.line, "\"limit_req_zone\" needs rate=Nr/s"));
    };
    let rate = if let Some(n) = rate_text.strip_suffix("r/s") {
        f64::from(number(n, 1, 1_000_000, "rate", z.line)?)
    } else if let Some(n) = rate_text.strip_suffix("r/m") {
        f64::from(number(n, 1, 60_000_000, "rate", z.line)?) / 60.0
    } else {
        return Err(syntax(
            z.line,
            format!("rate: {rate_text:?} is not Nr/s or Nr/m"),
        ));
    };
    let mut limit = NginxLimit::new((rate * 1_000.0).round() / 1_000.0, 0, false, key);
    for a in &d.args[1..] {
        match a.split_once('=') {
            Some(("burst", v)) => limit.burst = number(v, 0, 1_000_000, "burst", d.line)?,
            Some(("delay", v)) => limit.delay = number(v, 0, 1_000_000, "delay", d.line)?,
            None if a == "nodelay" => limit.nodelay = true,
            _ if a.starts_with("zone=") => {}
            _ => {
                return Err(syntax(
                    d.line,
                    format!("invalid parameter {a:?} of \"limit_req\""),
                ));
            }
        }
    }
    if let Some(s) = all.iter().find(|s| s.name == "limit_req_status") {
        let code = s.args.first().map_or("", String::as_str);
        limit.status = number(code, 400, 599, "limit_req_status", s.line)? as u16;
    }
    Ok(RateLimit::Nginx(limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tokenizer_knows_quotes_comments_and_blocks() {
        let t = tokens("a \"b c\" 'd\\'e' # f ;\n{ g;}").unwrap();
        let words: Vec<Token> = t.into_iter().map(|(t, _)| t).collect();
        assert_eq!(
            words,
            vec![
                Token::Word("a".into()),
                Token::Word("b c".into()),
                Token::Word("d'e".into()),
                Token::Open,
                Token::Word("g".into()),
                Token::End,
                Token::Close,
            ]
        );
        assert_eq!(
            tokens("a;\n\"b").unwrap_err().to_string(),
            "line 2: the quote \" is never closed"
        );
    }

    #[test]
    fn syntax_errors_have_their_line() {
        let err = |t: &str| import(t, None).unwrap_err().to_string();
        assert_eq!(
            err("http {\n upstream a {\n server x;\n"),
            "line 2: the \"upstream\" block opened here is never closed (\"}\" missing)"
        );
        assert_eq!(
            err("upstream a {\n server x\n}"),
            "line 3: unexpected \"}\": \"server\" needs a \";\" first"
        );
        assert_eq!(err("}"), "line 1: unexpected \"}\"");
        assert_eq!(
            err("upstream a { server x weight=z; }"),
            "line 1: weight: \"z\" is not a whole number from 1 to 1000"
        );
        assert!(err(&"a {".repeat(100)).contains("nested more than 64"));
    }
}
