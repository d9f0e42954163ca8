//! Share links: a scenario packed into a URL fragment, so a link reproduces a run exactly.
//!
//! The scenario's JSON, the same text a saved scenario file has, is deflated (miniz_oxide) and
//! written in URL-safe base64 without padding. (Compact JSON would make links about a tenth
//! shorter, but a second JSON writer in the browser bundle costs more than that saves.)
//! Unpacking limits the inflated size to the scenario file limit, so a crafted link cannot
//! exhaust memory, and then validates the scenario like any file.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::scenario::{MAX_FILE_BYTES, Scenario, ScenarioError};

/// The fragment key: links look like `https://host/#s=...`.
pub const FRAGMENT_KEY: &str = "s=";
/// The most characters a link's packed scenario may have.
pub const MAX_PACKED_CHARS: usize = 64 * 1024;

/// Packs a scenario for a URL fragment (without the `#s=`).
pub fn pack(scenario: &Scenario) -> String {
    let json = serde_json::to_vec_pretty(scenario).expect("a scenario always serialises");
    URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&json, 9))
}

/// Unpacks a scenario packed by [`pack`], checking sizes and every value.
pub fn unpack(packed: &str) -> Result<Scenario, ScenarioError> {
    let bad = ScenarioError::BadLink;
    if packed.len() > MAX_PACKED_CHARS {
        return Err(bad(format!(
            "{} characters is more than the maximum {MAX_PACKED_CHARS}",
            packed.len()
        )));
    }
    let deflated = URL_SAFE_NO_PAD
        .decode(packed.trim())
        .map_err(|e| bad(format!("not a scenario link ({e})")))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, MAX_FILE_BYTES)
        .map_err(|e| {
            bad(format!(
                "not a scenario link (cannot inflate: {:?})",
                e.status
            ))
        })?;
    let text = String::from_utf8(json).map_err(|_| bad("not a scenario link (not text)".into()))?;
    Scenario::from_json(&text)
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
        for p in &PRESETS {
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
    fn broken_or_hostile_links_are_refused() {
        assert!(
            unpack("!!!")
                .unwrap_err()
                .to_string()
                .starts_with("not a scenario link")
        );
        assert!(
            unpack("AAAA")
                .unwrap_err()
                .to_string()
                .contains("cannot inflate")
        );
        // A deflate bomb: 2 MiB of zeros packs small but inflates past the limit.
        let bomb = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(
            &vec![b'0'; 2 << 20],
            9,
        ));
        assert!(bomb.len() < MAX_PACKED_CHARS);
        assert!(
            unpack(&bomb)
                .unwrap_err()
                .to_string()
                .contains("cannot inflate")
        );
        assert!(
            unpack(&"A".repeat(MAX_PACKED_CHARS + 1))
                .unwrap_err()
                .to_string()
                .contains("maximum")
        );
        // Valid JSON of an invalid scenario is refused by validation.
        let invalid = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(
            br#"{"servers": []}"#,
            9,
        ));
        assert!(unpack(&invalid).is_err());
    }
}
