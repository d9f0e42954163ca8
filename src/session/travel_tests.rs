//! Time travel's rules in the session: a jump shows the run as it was and pauses, played on it
//! retraces its history, a change in the past forks it and offers the old one as run B, and the
//! step to the next change stops at one.

use super::*;
use crate::sim::presets::preset;
use crate::sim::report::Report;
use crate::sim::{Algorithm, Command, Event, LogKind, SimTime, Simulation};

fn secs(s: f64) -> SimTime {
    SimTime::from_secs_f64(s)
}

/// Everything the run measured, and where it is.
fn fingerprint(sim: &Simulation) -> String {
    format!("{} {}", sim.now().0, Report::of(sim, Vec::new()).to_json())
}

/// A session of preset `id`, paused.
fn paused(id: &'static str) -> Session {
    let mut s = Session::new(preset(id).unwrap(), Display::default()).unwrap();
    s.dispatch(Action::TogglePlay);
    s
}

/// Moves a paused session on to `t` (seconds) with Skip and Step.
fn skip_to(s: &mut Session, t: f64) {
    while s.sim().now() + crate::playback::SKIP <= secs(t) {
        s.dispatch(Action::Skip);
    }
    while s.sim().now() < secs(t) {
        s.dispatch(Action::Step);
    }
    assert_eq!(s.sim().now(), secs(t));
}

/// A crash-recovery session taken to 40 s with commands on the way, and its fingerprints at
/// 10 s (after a kill there) and at 40 s.
fn travelled() -> (Session, String, String) {
    let mut s = paused("crash-recovery");
    skip_to(&mut s, 10.0);
    s.dispatch(Action::Apply(Command::Kill { server: 2 }));
    let at_10 = fingerprint(s.sim());
    skip_to(&mut s, 25.0);
    s.dispatch(Action::Apply(Command::Revive { server: 2 }));
    skip_to(&mut s, 40.0);
    let at_40 = fingerprint(s.sim());
    (s, at_10, at_40)
}

#[test]
fn a_jump_back_shows_the_run_as_it_was_and_pauses() {
    let (mut s, at_10, _) = travelled();
    s.dispatch(Action::TogglePlay);
    s.dispatch(Action::Seek(secs(10.0)));
    assert!(!s.clock().is_playing());
    assert_eq!(fingerprint(s.sim()), at_10);
    assert!(s.in_the_past());
    assert_eq!(s.reach(), secs(40.0));
    assert!(s.history().events().iter().all(|l| l.at <= secs(10.0)));
    assert!(
        s.history().events().iter().any(|l| matches!(
            &l.event,
            Event::Command(c) if c.command == Command::Kill { server: 2 }
        )),
        "the kill at 10 s is in the timeline"
    );
    assert!(s.error().is_none());
}

#[test]
fn played_on_from_the_past_the_run_retraces_its_history() {
    let (mut s, _, at_40) = travelled();
    s.dispatch(Action::Seek(secs(10.0)));
    skip_to(&mut s, 40.0);
    assert_eq!(
        fingerprint(s.sim()),
        at_40,
        "the revive at 25 s was given again"
    );
    assert!(!s.in_the_past());
    assert!(s.fork_offer().is_none(), "nothing was changed");
    // Forward jumps within the reach work too.
    s.dispatch(Action::Seek(secs(5.0)));
    s.dispatch(Action::Seek(secs(40.0)));
    assert_eq!(fingerprint(s.sim()), at_40);
}

#[test]
fn a_change_in_the_past_forks_and_the_old_history_can_be_run_b() {
    let (mut s, _, at_40) = travelled();
    s.dispatch(Action::Seek(secs(15.0)));
    s.dispatch(Action::Apply(Command::Kill { server: 0 }));
    assert_eq!(s.fork_offer(), Some(secs(15.0)));
    assert_eq!(
        s.reach(),
        secs(15.0),
        "the old future is no longer this run's"
    );
    s.dispatch(Action::KeepFork(true));
    assert!(s.fork_offer().is_none());
    skip_to(&mut s, 40.0);
    let b = s.compare().expect("the old history is run B");
    assert_eq!(
        fingerprint(b),
        at_40,
        "run B goes on as the old history went"
    );
    assert_ne!(
        fingerprint(s.sim()),
        at_40,
        "run A has a history of its own"
    );
    // Both go back together.
    s.dispatch(Action::Seek(secs(20.0)));
    assert_eq!(s.compare().unwrap().now(), secs(20.0));
    skip_to(&mut s, 40.0);
    assert_eq!(fingerprint(s.compare().unwrap()), at_40);
}

#[test]
fn a_fork_let_go_leaves_one_run() {
    let (mut s, _, _) = travelled();
    s.dispatch(Action::Seek(secs(15.0)));
    s.dispatch(Action::Apply(Command::SetRate(5.0)));
    s.dispatch(Action::KeepFork(false));
    assert!(s.fork_offer().is_none() && s.compare().is_none());
    // A refused command in the past changes nothing: no fork.
    s.dispatch(Action::Seek(secs(10.0)));
    s.dispatch(Action::Apply(Command::SetWeight {
        server: 99,
        weight: 1,
    }));
    assert!(s.error().is_some());
    assert!(s.fork_offer().is_none() && s.in_the_past());
}

#[test]
fn comparing_from_the_past_starts_there() {
    let (mut s, _, _) = travelled();
    s.dispatch(Action::Seek(secs(12.0)));
    s.dispatch(Action::Compare(Some(Algorithm::LeastConnections)));
    assert_eq!(s.reach(), secs(12.0));
    assert!(!s.sim().retracing());
}

#[test]
fn next_change_stops_at_the_next_change_of_state() {
    let mut s = paused("crash-recovery");
    skip_to(&mut s, 3.0);
    s.dispatch(Action::Apply(Command::Kill { server: 1 }));
    let before = s.history().events().len();
    s.dispatch(Action::NextChange);
    assert!(s.error().is_none(), "{:?}", s.error());
    let last = s.history().events().back().unwrap();
    assert!(s.history().events().len() > before);
    assert_eq!(last.at, s.sim().now(), "paused at the change");
    assert_ne!(last.event.kind(), LogKind::Retry);
    assert!(s.sim().now() > secs(3.0));
}

#[test]
fn a_quiet_run_says_nothing_changed() {
    let mut s = paused("equal-round-robin");
    s.dispatch(Action::NextChange);
    let error = s.error().expect("nothing changes in a healthy run");
    assert!(error.contains("10 minutes"), "{error}");
    assert_eq!(s.sim().now(), SimTime::ZERO + NEXT_CHANGE_WITHIN);
}

#[test]
fn time_travel_waits_for_the_lesson_to_close() {
    let mut s = paused("crash-recovery");
    let id = crate::lesson::LESSONS[0].id;
    s.dispatch(Action::LoadLesson(id));
    skip_to(&mut s, 2.0);
    s.dispatch(Action::Seek(secs(1.0)));
    assert!(s.error().unwrap().contains("lesson"));
}

#[test]
fn clicker_keys_step_through_time_outside_a_lesson() {
    let mut s = paused("crash-recovery");
    skip_to(&mut s, 2.0);
    s.dispatch(Shortcut::Backward.action());
    assert_eq!(s.sim().now(), secs(1.9), "100 ms back in time");
    s.dispatch(Shortcut::Forward.action());
    assert_eq!(s.sim().now(), secs(2.0));
    assert_eq!(s.dispatch(Shortcut::NextChange.action()), Vec::new());
}

#[test]
fn a_request_is_inspected_from_the_log_or_in_flight() {
    let (mut s, _, _) = travelled();
    let record = *s.history().finished().back().unwrap();
    s.dispatch(Action::Inspect(Some(record.seq)));
    let story = s.inspected().expect("a finished request");
    assert_eq!(story.finished, Some(record));
    assert_eq!(
        s.sim().now(),
        secs(40.0),
        "the run shown stays where it was"
    );
    let live = s.sim().requests().next().unwrap().seq.0;
    s.dispatch(Action::Inspect(Some(live)));
    assert!(s.inspected().unwrap().finished.is_none());
    s.dispatch(Action::Inspect(Some(u64::MAX)));
    assert!(s.error().unwrap().contains("neither on its way"));
    assert!(s.inspected().is_none());
    s.dispatch(Action::Inspect(Some(record.seq)));
    s.dispatch(Action::Inspect(None));
    assert!(s.inspected().is_none() && s.error().is_none());
}
