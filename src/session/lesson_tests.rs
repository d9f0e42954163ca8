//! Lessons in the session, checked on its state: a question pauses the run until it is
//! answered, the run pauses where a step's wait ends, the reveal grades the guess, Continue,
//! Back and the chapter menu, and a bad lesson file leaves the page as it was.

use super::*;
use crate::lesson::{Guess, LESSONS, StepState, check, shipped};
use crate::sim::{Scenario, SimTime};

fn session() -> Session {
    Session::new(Scenario::classroom(), Display::default()).unwrap()
}

/// Plays frames at 100x until the run pauses (a minute of wall time at most).
fn play_until_paused(s: &mut Session) {
    s.dispatch(Action::SetSpeed(100.0));
    let mut wall = 0.0;
    while s.clock().is_playing() {
        wall += 16.0;
        s.frame(wall);
        assert!(wall < 60_000.0, "the run never paused");
    }
}

/// The lesson run.
fn run(s: &Session) -> &LessonRun {
    s.lesson().expect("a lesson is under way")
}

#[test]
fn a_question_waits_for_its_answer_and_the_reveal_grades_it() {
    let mut s = session();
    s.dispatch(Action::LoadLesson("round-robin"));
    assert_eq!(s.error(), None);
    assert_eq!(s.preset(), Some("equal-round-robin"));
    assert_eq!(run(&s).step(), 0);
    // The first step asks before the run goes on.
    assert!(!s.clock().is_playing());
    assert_eq!(run(&s).state(), StepState::Waiting);
    s.dispatch(Action::Continue);
    assert!(s.error().unwrap().starts_with("This step is not over yet"));
    s.dispatch(Action::Answer(Guess::Choice(1)));
    assert!(s.clock().is_playing());
    play_until_paused(&mut s);
    assert!(matches!(run(&s).state(), StepState::Met(_)));
    let reveal = run(&s).reveal().unwrap().as_ref().unwrap();
    assert_eq!(reveal.right, Some(0), "server-1 gets the first request");
    assert_eq!(run(&s).right(), Some(false), "server-2 was the guess");
    assert_eq!(run(&s).score(), (0, 1));
    // The page measured what the headless check measures.
    let lesson = shipped("round-robin").unwrap().lesson();
    assert_eq!(check(&lesson).unwrap()[0].reveal.as_ref(), Some(reveal));
}

#[test]
fn the_page_ends_every_step_where_the_headless_check_does() {
    for shipped in LESSONS {
        let lesson = shipped.lesson();
        let headless = check(&lesson).unwrap();
        let mut s = session();
        s.dispatch(Action::OpenLesson(Ok(shipped.json.into())));
        for (i, passed) in headless.iter().enumerate() {
            if lesson.steps[i].question.is_some() {
                s.dispatch(Action::Answer(Guess::Number(1.0)));
            }
            play_until_paused(&mut s);
            assert_eq!(
                run(&s).state(),
                StepState::Met(passed.at),
                "{} step {}",
                shipped.id,
                i + 1
            );
            let reveal = run(&s).reveal().map(|r| r.clone().unwrap());
            assert_eq!(reveal, passed.reveal, "{} step {}", shipped.id, i + 1);
            s.dispatch(Action::Continue);
        }
        assert!(run(&s).done());
    }
}

#[test]
fn continue_applies_the_next_steps_commands_and_back_replays_to_its_start() {
    let mut s = session();
    s.dispatch(Action::LoadLesson("round-robin"));
    s.dispatch(Action::Answer(Guess::Choice(0)));
    play_until_paused(&mut s);
    assert_eq!(run(&s).right(), Some(true));
    s.dispatch(Action::Continue);
    s.dispatch(Action::Answer(Guess::Number(25.0)));
    play_until_paused(&mut s);
    assert_eq!(run(&s).right(), Some(true));
    assert_eq!(run(&s).score(), (2, 2));
    s.dispatch(Action::Continue);
    // Step 3 replaces server-4 by a bigger server-5 and highlights it.
    assert_eq!(run(&s).step(), 2);
    assert_eq!(s.sim().servers().len(), 5);
    assert_eq!(s.sim().servers()[4].spec().workers, 8);
    assert_eq!(s.selected(), Some(4));
    let started = s.sim().now();
    assert!(started > SimTime::from_secs_f64(30.0));

    s.dispatch(Action::Back);
    assert_eq!(s.error(), None);
    assert_eq!(run(&s).step(), 1);
    assert_eq!(run(&s).guess(), None, "the step can be answered again");
    assert_eq!(run(&s).score(), (1, 2));
    assert_eq!(
        s.sim().servers().len(),
        4,
        "replayed to before the new server"
    );
    let lesson = shipped("round-robin").unwrap().lesson();
    let headless = check(&lesson).unwrap();
    assert!(s.sim().now() >= headless[0].at && s.sim().now() < started);

    // The chapter menu goes to the first step of a chapter.
    let chapters = run(&s).chapters();
    assert_eq!(chapters[1], (2, "A bigger server"));
    s.dispatch(Action::GoToStep(2));
    assert_eq!(run(&s).step(), 2);
    assert_eq!(s.sim().servers().len(), 5);
}

#[test]
fn the_last_continue_ends_the_lesson_and_another_run_closes_it() {
    let mut s = session();
    let last = shipped("round-robin").unwrap().lesson().steps.len() - 1;
    s.dispatch(Action::LoadLesson("round-robin"));
    s.dispatch(Action::GoToStep(last));
    // The closing step waits for nothing: Continue is offered at once, the run paused.
    assert!(matches!(run(&s).state(), StepState::Met(_)));
    assert!(!s.clock().is_playing());
    s.dispatch(Action::Continue);
    assert!(run(&s).done());
    s.dispatch(Action::LoadPreset("slow-server"));
    assert!(s.lesson().is_none());
}

#[test]
fn a_bad_lesson_file_says_why_and_the_run_goes_on() {
    let mut s = session();
    s.dispatch(Action::Step);
    let before = s.sim().now();
    let mut text = LESSONS[0]
        .json
        .replacen("\"within\": \"10s\"", "\"within\": \"3h\"", 1);
    assert_ne!(text, LESSONS[0].json);
    s.dispatch(Action::OpenLesson(Ok(text.clone())));
    assert_eq!(
        s.error(),
        Some("Cannot load the lesson file: steps[0].wait.within: 3h is above the maximum 1h.")
    );
    assert!(s.lesson().is_none());
    assert_eq!(s.sim().now(), before);
    text = "{\"id\": 1}".into();
    s.dispatch(Action::OpenLesson(Ok(text)));
    assert!(
        s.error()
            .unwrap()
            .starts_with("Cannot load the lesson file: id: invalid type: integer `1`"),
        "{:?}",
        s.error()
    );
    s.dispatch(Action::OpenLesson(Err("x.json could not be read".into())));
    assert_eq!(
        s.error(),
        Some("Cannot load the lesson file: x.json could not be read.")
    );
    // A good file starts.
    s.dispatch(Action::OpenLesson(Ok(LESSONS[1].json.into())));
    assert_eq!(s.error(), None);
    assert_eq!(run(&s).lesson().id, LESSONS[1].id);
    s.dispatch(Action::CloseLesson);
    assert!(s.lesson().is_none());
}

/// A lesson whose second step kills a server that does not exist, then waits two seconds.
const REFUSING: &str = r#"{"id": "refusing", "title": "Refusing", "start": {"preset": "equal-round-robin"},
  "steps": [
    {"caption": "Wait.", "wait": {"until": {"time": "2s"}, "within": "2s"}},
    {"caption": "Kill server 9.", "commands": [{"kill": {"server": 9}}, {"set_rate": 5.0}],
     "wait": {"until": {"time": "2s"}, "within": "2s"}},
    {"caption": "The end."}
  ]}"#;

#[test]
fn a_refused_command_is_said_and_the_lesson_goes_on() {
    let mut s = session();
    s.dispatch(Action::OpenLesson(Ok(REFUSING.into())));
    play_until_paused(&mut s);
    s.dispatch(Action::Continue);
    let error = s.error().unwrap().to_string();
    assert!(error.starts_with("Cannot kill server 9"), "{error}");
    assert_eq!(run(&s).step(), 1);
    assert_eq!(
        s.sim().traffic().rate,
        5.0,
        "the other commands are applied"
    );
    play_until_paused(&mut s);
    assert!(matches!(run(&s).state(), StepState::Met(_)));
    // Replaying past it says so, and the step asked for begins.
    s.dispatch(Action::GoToStep(2));
    assert!(
        s.error()
            .unwrap()
            .starts_with("In step 2 of the lesson, command 1 was refused: "),
        "{:?}",
        s.error()
    );
    assert_eq!(run(&s).step(), 2);
    // The headless check fails it, naming the step.
    let lesson = crate::lesson::Lesson::from_json(REFUSING).unwrap();
    assert_eq!(check(&lesson).unwrap_err().step, 1);
}

#[test]
fn a_lesson_whose_scenario_cannot_run_leaves_the_lesson_under_way() {
    let mut s = session();
    s.dispatch(Action::LoadLesson("round-robin"));
    let bad = LESSONS[0].json.replace(
        "\"start\": {\"preset\": \"equal-round-robin\"}",
        "\"start\": {\"scenario\": {\"servers\": [{\"name\": \"a\", \"weight\": 1, \"workers\": 1}], \
         \"traffic\": {\"rate\": 1, \"cost\": {\"kind\": \"exponential\", \"mean\": \"100ms\"}, \"clients\": 1}, \
         \"timeline\": [{\"at\": \"1s\", \"do\": {\"kill\": {\"server\": 2}}}]}}",
    );
    assert_ne!(bad, LESSONS[0].json);
    s.dispatch(Action::OpenLesson(Ok(bad)));
    assert!(
        s.error().unwrap().starts_with("Cannot start the lesson"),
        "{:?}",
        s.error()
    );
    assert_eq!(run(&s).lesson().id, "round-robin");
    assert_eq!(s.sim().servers().len(), 4);
}

#[test]
fn a_clicker_continues_and_goes_back_in_a_lesson() {
    let mut s = session();
    s.dispatch(Action::LoadLesson("round-robin"));
    s.dispatch(Action::Answer(Guess::Choice(0)));
    play_until_paused(&mut s);
    s.dispatch(Shortcut::of("PageDown").unwrap().action());
    assert_eq!(run(&s).step(), 1, "PageDown is Continue");
    s.dispatch(Shortcut::of("PageUp").unwrap().action());
    assert_eq!(run(&s).step(), 0, "PageUp is Back");
    assert_eq!(s.error(), None);
}
