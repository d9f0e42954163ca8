//! "You are the balancer" in the session: an exercise starts, grades picks against the real
//! algorithm, shows the model answer, goes on request by request, and the score is kept across
//! exercises.

use super::*;
use crate::exercise::{Kind, ROUNDS, Score};
use crate::sim::Scenario;

fn session() -> Session {
    Session::new(Scenario::classroom(), Display::default()).unwrap()
}

/// The model answer and a wrong pick for the request on.
fn model_and_wrong(s: &Session) -> (usize, usize) {
    let round = &s.exercise().expect("an exercise is on").round;
    (round.model, (round.model + 1) % round.servers.len())
}

#[test]
fn every_kind_grades_a_right_and_a_wrong_pick_and_keeps_the_score() {
    let mut s = session();
    let mut expected = Score::default();
    for kind in Kind::ALL {
        s.dispatch(Action::StartExercise(kind));
        assert_eq!(s.exercise().unwrap().kind, kind);
        let (model, wrong) = model_and_wrong(&s);
        s.dispatch(Action::Pick(wrong));
        let answer = s.exercise().unwrap().answer.unwrap();
        assert!(!answer.right());
        assert_eq!(
            answer.model, model,
            "the model answer is the algorithm's pick"
        );
        s.dispatch(Action::Pick(model));
        assert_eq!(
            s.exercise().unwrap().answer,
            Some(answer),
            "one pick per request"
        );
        s.dispatch(Action::NextRequest);
        let (model, _) = model_and_wrong(&s);
        s.dispatch(Action::Pick(model));
        assert!(s.exercise().unwrap().answer.unwrap().right());
        expected.picks += 2;
        expected.right += 1;
        assert_eq!(s.exercise_score(), expected, "{kind:?}");
    }
    assert_eq!(s.error(), None);
}

#[test]
fn an_exercise_runs_to_its_end_and_a_new_one_has_a_fresh_seed() {
    let mut s = session();
    s.dispatch(Action::StartExercise(Kind::SmoothWeighted));
    let first = s.exercise().unwrap().clone();
    s.dispatch(Action::NextRequest);
    assert_eq!(
        s.exercise().unwrap(),
        &first,
        "no next request before an answer"
    );
    for _ in 0..ROUNDS {
        let (model, _) = model_and_wrong(&s);
        s.dispatch(Action::Pick(model));
        s.dispatch(Action::NextRequest);
    }
    let sheet = s.exercise().unwrap();
    assert!(sheet.done());
    assert_eq!(sheet.round.request + 1, ROUNDS);
    assert_eq!(sheet.score, Score { right: 5, picks: 5 });
    s.dispatch(Action::NewExercise);
    let fresh = s.exercise().unwrap();
    assert_eq!(fresh.kind, Kind::SmoothWeighted);
    assert_ne!(fresh.seed, first.seed);
    assert_eq!(
        fresh.score,
        Score::default(),
        "the new exercise starts its own count"
    );
    assert_eq!(
        s.exercise_score(),
        Score { right: 5, picks: 5 },
        "the session's stays"
    );
}

#[test]
fn a_lesson_and_an_exercise_take_turns() {
    let mut s = session();
    s.dispatch(Action::StartExercise(Kind::IpHash));
    s.dispatch(Action::LoadLesson("round-robin"));
    assert!(s.lesson().is_some() && s.exercise().is_none());
    s.dispatch(Action::StartExercise(Kind::TwoChoices));
    assert!(s.lesson().is_none() && s.exercise().is_some());
    s.dispatch(Action::CloseExercise);
    assert!(s.exercise().is_none());
    // Picks without an exercise change nothing.
    s.dispatch(Action::Pick(0));
    s.dispatch(Action::NewExercise);
    assert!(s.exercise().is_none());
    assert_eq!(s.exercise_score(), Score::default());
}
