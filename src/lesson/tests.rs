//! The lesson format's rules: what reads, what is refused and how the error names the field,
//! and how a step's wait and question play out.

use super::*;
use crate::sim::SimDuration;

/// A small valid lesson: round robin on the equal servers, a kill, a prediction.
const SMALL: &str = r#"{
  "id": "small",
  "title": "A small lesson",
  "start": {"preset": "equal-round-robin"},
  "steps": [
    {"chapter": "Turns", "caption": "Four *equal* servers.", "highlight": {"chart": "requests-per-server"},
     "wait": {"until": {"served": 40}, "within": "30s"},
     "question": {"prompt": "Who served most?", "why": "Turns.",
                  "answer": {"choice": {"measure": "busiest_server", "choices": [
                     {"text": "server-1", "is": 1}, {"text": "another", "from": 2}]}}}},
    {"caption": "Kill `server-3`.", "commands": [{"kill": {"server": 3}}],
     "highlight": {"server": 3},
     "wait": {"until": {"event": {"kind": "health_down", "server": 3}}, "within": "20s"}},
    {"caption": "Wait.", "wait": {"until": {"time": "5s"}, "within": "5s"},
     "question": {"prompt": "p95?", "why": "Queues.",
                  "answer": {"number": {"measure": "p95_ms", "min": 0, "max": 5000, "step": 10}}}},
    {"caption": "The end."}
  ]
}"#;

/// The small lesson's file with `from` replaced by `to` (which must be there).
fn edited(from: &str, to: &str) -> String {
    assert!(SMALL.contains(from), "{from}");
    SMALL.replacen(from, to, 1)
}

fn error(text: &str) -> String {
    Lesson::from_json(text).unwrap_err().to_string()
}

#[test]
fn a_lesson_file_reads_and_round_trips() {
    let lesson = Lesson::from_json(SMALL).unwrap();
    assert_eq!(lesson.steps.len(), 4);
    assert_eq!(
        lesson.steps[1].highlight,
        Some(Highlight::Server(ServerRef(2)))
    );
    assert_eq!(Lesson::from_json(&lesson.to_json()).unwrap(), lesson);
}

#[test]
fn a_bad_file_is_named_by_its_field() {
    let unknown = error(&edited(
        r#""caption": "Wait.""#,
        r#""caption": "Wait.", "colour": 1"#,
    ));
    assert!(
        unknown.starts_with("steps[2].colour: unknown field `colour`"),
        "{unknown}"
    );
    assert_eq!(
        error(&edited(r#""within": "5s""#, r#""within": "1s""#)),
        "steps[2].wait.until.time: 5s is above the maximum 1s"
    );
    assert_eq!(
        error(&edited("*equal* servers", "*equal servers")),
        "steps[0].caption: the * at character 6 is not closed"
    );
    assert_eq!(
        error(&edited("equal-round-robin", "nope"))
            .split(" (")
            .next()
            .unwrap(),
        "start.preset: there is no preset \"nope\""
    );
    assert!(
        error(&edited(r#""kind": "health_down""#, r#""kind": "down""#))
            .starts_with("steps[1].wait.until.event.kind: unknown variant `down`")
    );
    assert_eq!(
        error(&edited(
            r#"{"text": "another", "from": 2}"#,
            r#"{"text": "x", "is": 2, "from": 2}"#
        )),
        "steps[0].question.answer.choice.choices[1]: give either is, or from and/or below"
    );
    assert_eq!(
        error(&edited(r#""id": "small""#, r#""id": "Small one""#)),
        "id: must be 1 to 64 lower case letters, digits and dashes"
    );
    let scenario = r#"{"scenario": {"servers": [{"name": "a", "weight": 1, "workers": 0}],
        "traffic": {"rate": 1, "cost": {"kind": "exponential", "mean": "100ms"}, "clients": 1}}}"#;
    assert_eq!(
        error(&edited(r#"{"preset": "equal-round-robin"}"#, scenario)),
        "start.scenario.servers[0].workers: 0 is below the minimum 1"
    );
}

#[test]
fn the_check_plays_every_step_and_reveals_the_answers() {
    let lesson = Lesson::from_json(SMALL).unwrap();
    let passed = check(&lesson).unwrap();
    assert_eq!(passed.len(), 4);
    // Round robin over equal servers: server-1 is first among equals or ties.
    let first = passed[0].reveal.as_ref().unwrap();
    assert!(first.right.is_some());
    let p95 = passed[2].reveal.as_ref().unwrap().measured;
    assert!(p95 > 0.0 && p95 < 10_000.0, "{p95}");
    // A health check's DOWN is met at the event's own time; the next step starts within a
    // quantum of it and waits its five seconds.
    let waited = passed[2].at.saturating_since(passed[1].at);
    assert!(waited >= SimDuration::from_secs(5) && waited <= SimDuration::from_secs(5) + QUANTUM);
}

#[test]
fn a_wait_not_met_in_time_fails_the_check_naming_the_step() {
    let never = edited(
        r#"{"kind": "health_down", "server": 3}"#,
        r#"{"kind": "breaker_open"}"#,
    );
    let failed = check(&Lesson::from_json(&never).unwrap()).unwrap_err();
    assert_eq!(failed.step, 1);
    assert_eq!(
        failed.to_string(),
        "step 2: its wait was not met within 20s"
    );
    let no_choice = edited(
        r#"{"text": "server-1", "is": 1}"#,
        r#"{"text": "x", "is": 9}"#,
    );
    let failed = check(&Lesson::from_json(&no_choice).unwrap()).unwrap_err();
    assert_eq!(failed.step, 0);
    assert!(
        failed.why.contains("is none of the choices"),
        "{}",
        failed.why
    );
}

#[test]
fn every_shipped_lesson_is_valid_under_its_own_id() {
    for shipped in LESSONS {
        let lesson =
            Lesson::from_json(shipped.json).unwrap_or_else(|e| panic!("{}: {e}", shipped.id));
        assert_eq!(lesson.id, shipped.id);
        assert!((5..=12).contains(&lesson.steps.len()), "{}", shipped.id);
        assert!(
            lesson.steps.iter().any(|s| s.question.is_some()),
            "{} asks no prediction",
            shipped.id
        );
    }
}
