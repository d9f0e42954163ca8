//! Share links: a scenario packed into a URL fragment, so a link reproduces a run exactly.
//!
//! The scenario's JSON, the same text a saved scenario file has, is deflated (miniz_oxide) and
//! written in URL-safe base64 without padding. (Compact JSON would make links about a tenth
//! shorter, but a second JSON writer in the browser bundle costs more than that saves.)
//! Unpacking limits the inflated size to the scenario file limit, so a crafted link cannot
//! exhaust memory, and then validates the scenario like any file. What is wrong with a link is
//! said in a link's terms ([`LinkProblem`]): the decoder's and the inflater's own words mean
//! nothing to the person who clicked it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use miniz_oxide::inflate::TINFLStatus;

use super::scenario::{MAX_FILE_BYTES, ParseError, Scenario, ScenarioError};

/// The fragment key: links look like `https://host/#s=...`.
pub const FRAGMENT_KEY: &str = "s=";
/// The most characters a link's packed scenario may have.
pub const MAX_PACKED_CHARS: usize = 64 * 1024;

/// Why a share link holds no scenario. (A scenario it holds whose values are out of bounds is a
/// [`ScenarioError::Invalid`], as in a file.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkProblem {
    /// Not what [`pack`] makes: not base64, not a deflate stream, cut short, or not text. A link
    /// copied in part is the usual cause.
    Damaged,
    /// The packed scenario has more than [`MAX_PACKED_CHARS`] characters.
    TooLong {
        /// How many it has.
        chars: usize,
    },
    /// It inflates to more than a scenario file may have ([`MAX_FILE_BYTES`]).
    TooLarge,
    /// It holds JSON that is not a scenario this build reads (a field it does not know, or a
    /// value of the wrong shape): the field and the parser's words.
    Unreadable(ParseError),
}

impl std::fmt::Display for LinkProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkProblem::Damaged => f.write_str("this link is damaged or truncated"),
            LinkProblem::TooLong { chars } => write!(
                f,
                "this link is too long ({chars} characters; the most is {MAX_PACKED_CHARS})"
            ),
            LinkProblem::TooLarge => write!(
                f,
                "this link holds a scenario larger than {} MiB",
                MAX_FILE_BYTES >> 20
            ),
            // The line and column are of JSON nobody sees: the field says enough.
            LinkProblem::Unreadable(e) if e.field.is_empty() => {
                write!(f, "this link's scenario cannot be read ({})", e.problem)
            }
            LinkProblem::Unreadable(e) => write!(
                f,
                "this link's scenario cannot be read ({}: {})",
                e.field, e.problem
            ),
        }
    }
}

/// Packs a scenario for a URL fragment (without the `#s=`).
pub fn pack(scenario: &Scenario) -> String {
    let json = serde_json::to_vec_pretty(scenario).expect("a scenario always serialises");
    URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&json, 9))
}

/// Unpacks a scenario packed by [`pack`], checking sizes and every value.
pub fn unpack(packed: &str) -> Result<Scenario, ScenarioError> {
    let bad = ScenarioError::BadLink;
    if packed.len() > MAX_PACKED_CHARS {
        return Err(bad(LinkProblem::TooLong {
            chars: packed.len(),
        }));
    }
    let deflated = URL_SAFE_NO_PAD
        .decode(packed.trim())
        .map_err(|_| bad(LinkProblem::Damaged))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, MAX_FILE_BYTES)
        .map_err(|e| {
            bad(match e.status {
                // The only status that means "more than the limit"; the others, a broken stream.
                TINFLStatus::HasMoreOutput => LinkProblem::TooLarge,
                _ => LinkProblem::Damaged,
            })
        })?;
    let text = String::from_utf8(json).map_err(|_| bad(LinkProblem::Damaged))?;
    Scenario::from_json(&text).map_err(|e| match e {
        ScenarioError::Unreadable(e) => bad(LinkProblem::Unreadable(e)),
        ScenarioError::TooLarge { .. } => bad(LinkProblem::TooLarge),
        other => other,
    })
}

/// The scenario in a URL fragment such as `#s=...`, if it holds one.
pub fn from_fragment(fragment: &str) -> Option<Result<Scenario, ScenarioError>> {
    let packed = fragment
        .trim_start_matches('#')
        .strip_prefix(FRAGMENT_KEY)?;
    Some(unpack(packed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::presets::PRESETS;

    #[test]
    fn every_preset_survives_a_link_and_links_are_short() {
        for p in PRESETS {
            let scenario = (p.build)();
            let packed = pack(&scenario);
            assert!(
                packed.len() < 2_000,
                "{}: {} characters",
                p.id,
                packed.len()
            );
            assert!(
                packed
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            );
            assert_eq!(from_fragment(&format!("#s={packed}")), Some(Ok(scenario)));
        }
        assert_eq!(from_fragment("#other"), None);
    }

    #[test]
    fn broken_or_hostile_links_are_refused_in_plain_words() {
        let words = |packed: &str| unpack(packed).unwrap_err().to_string();
        let damaged = "this link is damaged or truncated";
        let link = pack(&Scenario::classroom());
        // Not base64, not a deflate stream, cut short, not text.
        let not_text = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&[0xff], 9));
        for broken in [
            "!!!",
            "AAAA",
            &link[..link.len() / 2],
            &link[..link.len() - 1],
            &not_text,
        ] {
            assert_eq!(words(broken), damaged, "{broken}");
        }
        // A deflate bomb: 2 MiB of zeros packs small but inflates past the limit.
        let bomb = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(
            &vec![b'0'; 2 << 20],
            9,
        ));
        assert!(bomb.len() < MAX_PACKED_CHARS);
        assert_eq!(words(&bomb), "this link holds a scenario larger than 1 MiB");
        assert_eq!(
            words(&"A".repeat(MAX_PACKED_CHARS + 1)),
            "this link is too long (65537 characters; the most is 65536)"
        );
        // JSON that is not a scenario: the field, without a line and column of a file.
        let packed =
            |json: &[u8]| URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(json, 9));
        assert_eq!(
            words(&packed(br#"{"servers": [{"nmae": "a"}]}"#)),
            "this link's scenario cannot be read (servers[0].nmae: unknown field `nmae`, \
             expected one of `name`, `weight`, `workers`, `speed`, `queue_limit`, `backup`, \
             `error_rate`, `database_down`, `down`, `health`, `startup`)"
        );
        // Valid JSON of an invalid scenario is refused by validation.
        assert_eq!(
            unpack(&packed(br#"{"servers": [], "traffic": {"rate": 1, "cost": {"kind": "constant", "cost": "1s"}, "clients": 1}}"#)),
            Err(ScenarioError::Invalid(crate::sim::ValidationError::new(
                "servers",
                "at least one server is needed"
            )))
        );
    }
}
