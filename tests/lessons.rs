//! Every shipped lesson passes its headless check, and `lbsim lessons` / `lbsim lesson` keep
//! their contract: the list, exit 0 for a lesson that passes, 1 naming the step that fails, 2
//! naming the field of a file that does not validate; and a damaged lesson file is read or
//! refused in one line, never a panic (proptest).
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::{Command, Output};

use lb_playground::lesson::{self, LESSONS, Lesson};

fn lbsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lbsim"))
        .args(args)
        .output()
        .expect("lbsim starts")
}

/// Writes `text` to a scratch file and returns its path.
fn write(name: &str, text: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lessons");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn every_shipped_lesson_passes_its_check() {
    for shipped in LESSONS {
        let lesson = shipped.lesson();
        assert_eq!(
            shipped.title(),
            lesson.title,
            "{}: the menu's title",
            shipped.id
        );
        let passed = lesson::check(&lesson).unwrap_or_else(|f| panic!("{}: {f}", shipped.id));
        for (step, p) in lesson.steps.iter().zip(&passed) {
            assert_eq!(
                step.question.is_some(),
                p.reveal.is_some(),
                "{}",
                shipped.id
            );
        }
    }
}

#[test]
fn lessons_lists_id_title_and_steps() {
    let out = lbsim(&["lessons"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), LESSONS.len());
    for (line, shipped) in lines.iter().zip(LESSONS) {
        let lesson = shipped.lesson();
        assert_eq!(
            *line,
            format!("{}\t{}\t{}", lesson.id, lesson.title, lesson.steps.len())
        );
    }
}

#[test]
fn a_shipped_lesson_checks_by_id_and_prints_as_a_file() {
    let id = LESSONS[0].id;
    let out = lbsim(&["lesson", id, "--check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let steps = LESSONS[0].lesson().steps.len();
    assert!(text.starts_with("step 1\tmet at "), "{text}");
    assert!(
        text.ends_with(&format!("lesson {id}: all {steps} steps passed\n")),
        "{text}"
    );
    let out = lbsim(&["lesson", id]);
    let printed = Lesson::from_json(&String::from_utf8(out.stdout).unwrap()).unwrap();
    assert_eq!(printed, LESSONS[0].lesson());
}

/// A lesson whose second step waits for a breaker that never opens.
fn failing_lesson() -> String {
    r#"{"id": "never", "title": "Never", "start": {"preset": "equal-round-robin"},
        "steps": [
          {"caption": "Wait.", "wait": {"until": {"time": "2s"}, "within": "2s"}},
          {"caption": "No breaker is on.", "wait": {"until": {"event": {"kind": "breaker_open"}}, "within": "5s"}}
        ]}"#
    .to_string()
}

#[test]
fn a_wait_not_met_exits_1_naming_the_step() {
    let path = write("never.json", &failing_lesson());
    let out = lbsim(&["lesson", &path, "--check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        stderr(&out),
        format!("lbsim: lesson {path}: step 2: its wait was not met within 5s\n")
    );
}

#[test]
fn a_lesson_that_does_not_validate_exits_2_with_one_line_naming_the_field() {
    let bad = failing_lesson().replace(r#""within": "5s""#, r#""within": "2h""#);
    let path = write("too-long.json", &bad);
    let out = lbsim(&["lesson", &path, "--check"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "lbsim: steps[1].wait.within: 2h is above the maximum 1h\n"
    );
    let unparsable = failing_lesson().replace(r#""caption": "Wait.""#, r#""text": "Wait.""#);
    let path = write("unknown-field.json", &unparsable);
    let out = lbsim(&["lesson", &path, "--check"]);
    assert_eq!(out.status.code(), Some(2));
    let line = stderr(&out);
    assert!(
        line.starts_with(&format!(
            "lbsim: {path}: steps[0].text: unknown field `text`"
        )),
        "{line}"
    );
    assert_eq!(line.lines().count(), 1);
    let out = lbsim(&["lesson", "no-such-lesson", "--check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with(
            "lbsim: \"no-such-lesson\" is neither a lesson nor a file (the lessons are: round-robin, "
        ),
        "{}",
        stderr(&out)
    );
    let out = lbsim(&["lesson", LESSONS[0].id, "--check", "--fast"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "lbsim: unknown option \"--fast\" (lesson takes --check)\n"
    );
}

proptest::proptest! {
    /// A damaged lesson file (a byte replaced, inserted or removed, anywhere in any shipped
    /// lesson) never panics: it reads, or its refusal is one line, and one that still reads
    /// starts from a scenario that runs.
    #[test]
    fn a_damaged_lesson_file_is_read_or_refused_in_one_line(
        which in 0..LESSONS.len(),
        at in proptest::prelude::any::<proptest::sample::Index>(),
        byte in 0x20u8..0x7f,
        how in 0..3u8,
    ) {
        let mut bytes = LESSONS[which].json.as_bytes().to_vec();
        let i = at.index(bytes.len());
        match how {
            0 => bytes[i] = byte,
            1 => bytes.insert(i, byte),
            _ => {
                bytes.remove(i);
            }
        }
        let Ok(text) = String::from_utf8(bytes) else {
            return Ok(());
        };
        match Lesson::from_json(&text) {
            Ok(lesson) => {
                let scenario = lesson.scenario().expect("a valid lesson has its scenario");
                proptest::prop_assert!(lb_playground::sim::Simulation::new(scenario).is_ok());
            }
            Err(e) => {
                let line = e.to_string();
                proptest::prop_assert!(!line.is_empty() && !line.contains('\n'), "{line:?}");
            }
        }
    }
}
