//! The session's rules, checked on its state and data (never on HTML): compare mode, refusals,
//! every shortcut, paging, loading, downloads.

use super::*;
use crate::playback::{SKIP, SPEEDS, STEP};
use crate::sim::presets::PRESETS;
use crate::sim::{Algorithm, Command, Scenario, SimDuration, SimTime, Simulation, share};

fn session() -> Session {
    Session::new(Scenario::classroom(), Display::default()).unwrap()
}

/// Presses `key` (as the browser names it) and returns what the browser must do.
fn press(s: &mut Session, key: &str) -> Vec<Effect> {
    let shortcut = Shortcut::of(key).unwrap_or_else(|| panic!("no shortcut for {key:?}"));
    s.dispatch(shortcut.action())
}

/// A paused session at `t` seconds with some traffic behind it.
fn paused_at(seconds: u64) -> Session {
    let mut s = session();
    s.dispatch(Action::TogglePlay);
    for _ in 0..seconds * 10 {
        s.dispatch(Action::Step);
    }
    assert_eq!(s.sim().now(), SimTime(seconds * 1_000_000));
    s
}

/// A sentence for people: capitalised, ended, and no `Debug` output in it.
fn assert_sentence(text: &str) {
    assert!(text.starts_with(char::is_uppercase), "{text}");
    assert!(text.ends_with('.'), "{text}");
    assert!(!text.contains(['{', '}']), "{text}");
    for debug in ["Command", "SetWeight", "Kill {", "server: ", "refused:"] {
        assert!(!text.contains(debug), "{text} contains {debug:?}");
    }
}

fn weight(s: &Session, server: usize) -> u32 {
    s.sim().servers()[server].spec().weight
}

#[test]
fn compare_mode_mirrors_every_command_except_algorithm_switches() {
    let mut s = paused_at(2);
    s.dispatch(Action::Compare(Some(Algorithm::LeastConnections)));
    let commands = [
        Command::Kill { server: 1 },
        Command::SetWeight {
            server: 2,
            weight: 5,
        },
        Command::SetAlgorithm(Algorithm::Random),
        Command::SetSpeed {
            server: 0,
            speed: 0.5,
        },
        Command::SetRate(15.0),
    ];
    for command in commands {
        s.dispatch(Action::Apply(command));
        s.dispatch(Action::Step);
    }
    s.dispatch(Action::Selected(ServerAction::Drain));
    s.dispatch(Action::AddServer);
    s.dispatch(Action::Skip);

    let b = s.compare().expect("compare mode is on");
    assert_eq!(s.sim().algorithm(), Algorithm::Random);
    assert_eq!(
        b.algorithm(),
        Algorithm::LeastConnections,
        "B keeps its own"
    );
    let without_switches: Vec<Command> = s
        .sim()
        .recording()
        .iter()
        .map(|t| t.command)
        .filter(|c| !matches!(c, Command::SetAlgorithm(_)))
        .collect();
    let b_commands: Vec<Command> = b.recording().iter().map(|t| t.command).collect();
    assert_eq!(b_commands, without_switches);
    assert_eq!(b_commands.len(), 6, "four commands, a drain and an add");
    assert!(!b.servers()[1].is_alive());
    assert_eq!(b.servers()[2].spec().weight, 5);
    assert!(b.backends()[0].draining());
    assert_eq!(b.servers().len(), 5);
    assert_eq!(b.now(), s.sim().now());
    assert_eq!(b.totals().generated, s.sim().totals().generated);
}

#[test]
fn compare_mode_replays_from_time_zero_with_identical_traffic() {
    let mut s = paused_at(3);
    s.dispatch(Action::Apply(Command::Kill { server: 3 }));
    s.dispatch(Action::Apply(Command::SetAlgorithm(Algorithm::Random)));
    s.dispatch(Action::Skip);
    s.dispatch(Action::Compare(Some(Algorithm::WeightedRandom)));
    let b = s.compare().unwrap();
    assert_eq!(b.now(), s.sim().now(), "B caught up with A");
    assert_eq!(b.algorithm(), Algorithm::WeightedRandom);
    assert_eq!(b.recording().len(), 1, "the kill, not the switch");
    assert_eq!(b.recording()[0], s.sim().recording()[0], "at the same time");
    assert!(s.sim().totals().generated > 0);
    assert_eq!(b.totals().generated, s.sim().totals().generated);

    // Time keeps them in lockstep, and turning compare mode off drops B.
    s.dispatch(Action::TogglePlay);
    s.frame(0.0);
    s.frame(50.0);
    assert_eq!(s.compare().unwrap().now(), s.sim().now());
    assert_eq!(s.sim().now(), SimTime(13_050_000));
    s.dispatch(Action::Compare(None));
    assert!(s.compare().is_none());
}

#[test]
fn a_refused_command_changes_nothing_and_says_why_in_a_sentence() {
    let mut s = paused_at(1);
    s.dispatch(Action::Compare(Some(Algorithm::LeastConnections)));
    let before = (
        s.sim().recording().len(),
        s.compare().unwrap().recording().len(),
    );
    s.dispatch(Action::Apply(Command::SetWeight {
        server: 2,
        weight: 2_000,
    }));
    let error = s.error().expect("the refusal is shown");
    assert_eq!(
        error,
        "Cannot set the weight of server-3 (server 3): weight: 2000 is above the maximum 1000."
    );
    assert_sentence(error);
    assert_eq!(weight(&s, 2), 1);
    assert_eq!(s.compare().unwrap().servers()[2].spec().weight, 1);
    let after = (
        s.sim().recording().len(),
        s.compare().unwrap().recording().len(),
    );
    assert_eq!(after, before);

    s.dispatch(Action::Apply(Command::Kill { server: 6 }));
    let error = s.error().unwrap();
    assert_eq!(
        error,
        "Cannot kill server 7: no server number 7 (there are 4)."
    );
    assert_sentence(error);

    // Choices that cannot fail leave the sentence; the next command that succeeds clears it.
    s.dispatch(Action::Select(1));
    s.dispatch(Action::ToggleHelp);
    assert!(s.error().is_some());
    s.dispatch(Action::Apply(Command::Kill { server: 1 }));
    assert_eq!(s.error(), None);
}

#[test]
fn a_removed_server_refuses_shortcuts_in_words() {
    let mut s = session();
    s.dispatch(Action::Apply(Command::RemoveServer { server: 1 }));
    s.dispatch(Action::Select(1));
    press(&mut s, "k");
    let error = s.error().unwrap();
    assert_eq!(
        error,
        "Cannot kill server-2 (server 2): server-2 was removed."
    );
    assert_sentence(error);
}

#[test]
fn keys_name_shortcuts() {
    assert_eq!(Shortcut::of(" "), Some(Shortcut::TogglePlay));
    assert_eq!(Shortcut::of("1"), Some(Shortcut::Select(0)));
    assert_eq!(Shortcut::of("9"), Some(Shortcut::Select(8)));
    assert_eq!(Shortcut::of("="), Some(Shortcut::WeightUp));
    assert_eq!(Shortcut::of("."), Some(Shortcut::Forward));
    assert_eq!(Shortcut::of("PageDown"), Some(Shortcut::Forward));
    assert_eq!(Shortcut::of("PageUp"), Some(Shortcut::Backward));
    assert_eq!(Shortcut::of("Escape"), Some(Shortcut::Close));
    assert_eq!(Shortcut::of("x"), None);
    let listed: Vec<Shortcut> = SHORTCUTS.iter().map(|(.., s)| *s).collect();
    assert_eq!(Shortcut::of("p"), Some(Shortcut::Present));
    assert_eq!(listed.len(), 24, "every shortcut is in the one list");
}

#[test]
fn k_kills_and_revives_the_selected_server_or_the_first() {
    let mut s = session();
    assert_eq!(s.acted_on(), 0, "the first server when none is selected");
    press(&mut s, "k");
    assert_eq!(
        s.selected(),
        Some(0),
        "the first server when none is selected"
    );
    assert!(!s.sim().servers()[0].is_alive());
    press(&mut s, "3");
    assert_eq!(s.acted_on(), 2);
    press(&mut s, "k");
    assert!(!s.sim().servers()[2].is_alive());
    press(&mut s, "k");
    assert!(s.sim().servers()[2].is_alive());
    assert!(!s.sim().servers()[0].is_alive(), "only the selected server");
    assert_eq!(s.error(), None);
}

#[test]
fn plus_and_minus_change_the_selected_weight_within_its_range() {
    let mut s = session();
    press(&mut s, "2");
    press(&mut s, "+");
    press(&mut s, "=");
    assert_eq!(weight(&s, 1), 3);
    for _ in 0..5 {
        press(&mut s, "-");
    }
    assert_eq!(weight(&s, 1), 0, "stops at 0");
    s.dispatch(Action::Apply(Command::SetWeight {
        server: 1,
        weight: crate::sim::server::MAX_WEIGHT,
    }));
    press(&mut s, "+");
    assert_eq!(
        weight(&s, 1),
        crate::sim::server::MAX_WEIGHT,
        "stops at the maximum"
    );
    assert_eq!(s.error(), None);
}

#[test]
fn s_cycles_the_selected_slow_down_and_d_drains() {
    let mut s = session();
    press(&mut s, "4");
    let slowdown = |s: &Session| (1.0 / s.sim().servers()[3].spec().speed).round();
    let mut seen = Vec::new();
    for _ in 0..SLOWDOWN_CYCLE.len() {
        press(&mut s, "s");
        seen.push(slowdown(&s));
    }
    assert_eq!(seen, [2.0, 5.0, 10.0, 1.0]);
    press(&mut s, "d");
    assert!(s.sim().backends()[3].draining());
    press(&mut s, "d");
    assert!(!s.sim().backends()[3].draining());
}

#[test]
fn digits_and_arrows_select_servers_wrapping_around() {
    let mut s = session();
    press(&mut s, "3");
    assert_eq!(s.selected(), Some(2));
    press(&mut s, "9");
    assert_eq!(
        s.selected(),
        Some(2),
        "there is no server 9: the selection stays"
    );
    press(&mut s, "ArrowDown");
    assert_eq!(s.selected(), Some(3));
    press(&mut s, "ArrowDown");
    assert_eq!(
        s.selected(),
        Some(0),
        "down from the last wraps to the first"
    );
    press(&mut s, "ArrowUp");
    assert_eq!(s.selected(), Some(3), "up from the first wraps to the last");
    let mut fresh = session();
    press(&mut fresh, "ArrowUp");
    assert_eq!(fresh.selected(), Some(0), "from no selection: the first");
}

#[test]
fn brackets_change_speed_along_the_offered_speeds() {
    let mut s = session();
    assert_eq!(s.clock().speed(), 1.0);
    press(&mut s, "]");
    assert_eq!(s.clock().speed(), 2.0);
    press(&mut s, "[");
    press(&mut s, "[");
    assert_eq!(s.clock().speed(), 0.5);
    for _ in 0..SPEEDS.len() {
        press(&mut s, "[");
    }
    assert_eq!(s.clock().speed(), SPEEDS[0]);
    for _ in 0..SPEEDS.len() + 1 {
        press(&mut s, "]");
    }
    assert_eq!(s.clock().speed(), SPEEDS[SPEEDS.len() - 1]);
    s.dispatch(Action::SetSpeed(25.0));
    assert_eq!(s.clock().speed(), 25.0);
}

#[test]
fn space_pauses_right_arrow_steps_only_while_paused_and_f_skips() {
    let mut s = session();
    press(&mut s, "ArrowRight");
    assert_eq!(s.sim().now(), SimTime::ZERO, "no step while playing");
    press(&mut s, " ");
    assert!(!s.clock().is_playing());
    press(&mut s, "ArrowRight");
    press(&mut s, ".");
    assert_eq!(s.sim().now(), SimTime::ZERO + STEP + STEP);
    press(&mut s, "f");
    assert_eq!(s.sim().now(), SimTime::ZERO + STEP + STEP + SKIP);
    s.frame(0.0);
    s.frame(500.0);
    assert_eq!(s.sim().now(), SimTime::ZERO + STEP + STEP + SKIP, "paused");
    press(&mut s, " ");
    assert!(s.clock().is_playing());
    press(&mut s, "f");
    assert_eq!(
        s.sim().now(),
        SimTime::ZERO + STEP + STEP + SKIP + SKIP,
        "f also while playing"
    );
}

#[test]
fn r_restarts_from_zero_with_the_same_seed_keeping_speed_and_compare_mode() {
    let mut s = paused_at(2);
    s.dispatch(Action::SetSpeed(10.0));
    s.dispatch(Action::Compare(Some(Algorithm::Random)));
    s.dispatch(Action::Apply(Command::Kill { server: 0 }));
    let generated = s.sim().totals().generated;
    press(&mut s, "r");
    assert_eq!(s.sim().now(), SimTime::ZERO);
    assert!(s.sim().recording().is_empty());
    assert_eq!(s.sim().scenario().seed, 1);
    assert_eq!(s.clock().speed(), 10.0);
    assert!(!s.clock().is_playing(), "still paused");
    assert_eq!(s.compare().map(|b| b.algorithm()), Some(Algorithm::Random));
    assert_eq!(s.compare().unwrap().now(), SimTime::ZERO);
    for _ in 0..20 {
        s.dispatch(Action::Step);
    }
    assert_eq!(
        s.sim().totals().generated,
        generated,
        "the same traffic again"
    );
    s.dispatch(Action::Reseed(7));
    assert_eq!(s.sim().scenario().seed, 7);
    assert_eq!(s.clock().speed(), 10.0);
}

#[test]
fn question_mark_toggles_the_help_and_escape_closes_it() {
    let mut s = session();
    assert!(!s.help_open());
    press(&mut s, "?");
    assert!(s.help_open());
    press(&mut s, "?");
    assert!(!s.help_open());
    press(&mut s, "?");
    press(&mut s, "Escape");
    assert!(!s.help_open());
    press(&mut s, "Escape");
    assert!(!s.help_open(), "Escape never opens it");
}

#[test]
fn t_cycles_the_theme_and_m_toggles_motion_and_the_browser_stores_them() {
    let mut s = session();
    let mut themes = Vec::new();
    for _ in 0..Theme::ALL.len() {
        let effects = press(&mut s, "t");
        assert_eq!(effects, [Effect::ShowDisplay(s.display())]);
        themes.push(s.display().theme);
    }
    assert_eq!(themes, [Theme::Dark, Theme::Projector, Theme::Light]);
    let effects = press(&mut s, "m");
    assert!(s.display().reduced_motion);
    assert_eq!(effects, [Effect::ShowDisplay(s.display())]);
    let chosen = Display {
        theme: Theme::Projector,
        reduced_motion: false,
    };
    assert_eq!(
        s.dispatch(Action::SetDisplay(chosen)),
        [Effect::ShowDisplay(chosen)]
    );
    assert_eq!(s.display(), chosen);
}

#[test]
fn a_adds_a_server_and_every_dispatch_moves_the_generation() {
    let mut s = session();
    let g = s.generation();
    press(&mut s, "a");
    assert_eq!(s.sim().servers().len(), 5);
    assert_eq!(s.sim().servers()[4].spec().workers, 2);
    press(&mut s, "1");
    s.dispatch(Action::ToggleHelp);
    assert_eq!(s.generation(), g + 3);
    s.frame(0.0);
    s.frame(16.0);
    assert_eq!(s.generation(), g + 3, "time passing is not a user change");
}

#[test]
fn cards_are_paged_by_the_selection() {
    let mut s = session();
    assert_eq!(
        s.page(),
        Page {
            start: 0,
            end: 4,
            total: 4
        }
    );
    assert!(!s.page().is_paged());
    for _ in 4..50 {
        s.dispatch(Action::AddServer);
    }
    let page = s.page();
    assert!(page.is_paged());
    assert_eq!((page.start, page.end, page.total), (0, CARDS_PER_PAGE, 50));
    assert_eq!(page.previous(), None);

    s.dispatch(Action::NextPage);
    assert_eq!(s.selected(), Some(24));
    assert_eq!((s.page().start, s.page().end), (24, 48));
    s.dispatch(Action::NextPage);
    assert_eq!((s.page().start, s.page().end), (48, 50));
    s.dispatch(Action::NextPage);
    assert_eq!(s.selected(), Some(48), "no page after the last");
    s.dispatch(Action::PreviousPage);
    assert_eq!(s.selected(), Some(24));

    // The arrows page as they select.
    s.dispatch(Action::PreviousServer);
    assert_eq!(s.page().start, 0);
    s.dispatch(Action::Select(0));
    s.dispatch(Action::PreviousServer);
    assert_eq!(s.selected(), Some(49));
    assert_eq!(s.page().start, 48);
}

#[test]
fn a_bad_scenario_keeps_the_current_run_and_says_why() {
    let mut s = paused_at(2);
    s.dispatch(Action::Apply(Command::Kill { server: 2 }));
    s.dispatch(Action::Select(3));
    let (now, recording) = (s.sim().now(), s.sim().recording().to_vec());

    let mut too_heavy = Scenario::classroom();
    too_heavy.servers[2].weight = 2_000;
    let attempts = [
        (
            Action::Import(Ok(too_heavy.to_json())),
            "Cannot load the file: servers[2].weight (server 3): 2000 is above the maximum 1000.",
        ),
        (
            Action::Import(Ok(
                r#"{"servers": [{"name": "a"}, {"name": "b"}, {"weight": 2}]}"#.into(),
            )),
            "Cannot load the file: servers[2] (server 3): missing field `name` at line 1 column 56.",
        ),
        (
            Action::Import(Ok("not json".into())),
            "Cannot load the file: it is not a scenario file (expected ident at line 1 column 2).",
        ),
        (
            Action::Import(Err("big.json is 9 bytes, more than the maximum 1".into())),
            "Cannot load the file: big.json is 9 bytes, more than the maximum 1.",
        ),
        (
            Action::LoadPreset("no-such-preset"),
            "There is no preset called no-such-preset.",
        ),
    ];
    for (action, expected) in attempts {
        s.dispatch(action);
        let error = s.error().unwrap();
        assert!(error.starts_with(expected), "{error}");
        assert_sentence(error);
        assert_eq!(s.sim().now(), now);
        assert_eq!(s.sim().recording(), recording);
        assert_eq!(s.selected(), Some(3));
    }
}

#[test]
fn a_preset_loads_from_zero_keeping_the_clock_and_clearing_the_error() {
    let mut s = paused_at(1);
    s.dispatch(Action::Apply(Command::Kill { server: 9 }));
    s.dispatch(Action::Select(2));
    s.dispatch(Action::Compare(Some(Algorithm::Random)));
    let id = PRESETS[1].id;
    s.dispatch(Action::LoadPreset(id));
    assert_eq!(s.error(), None);
    assert_eq!(s.preset(), Some(id));
    assert_eq!(s.sim().now(), SimTime::ZERO);
    assert_eq!(s.sim().scenario(), &(PRESETS[1].build)());
    assert_eq!(s.selected(), None, "a new run's servers");
    assert!(!s.clock().is_playing());
    assert_eq!(s.compare().map(|b| b.algorithm()), Some(Algorithm::Random));

    let saved = s.sim().export_scenario().to_json();
    s.dispatch(Action::Import(Ok(saved)));
    assert_eq!(s.error(), None);
    assert_eq!(s.preset(), None, "a file is no preset");
}

#[test]
fn downloads_and_links_are_effects_named_by_the_simulated_time() {
    let mut s = paused_at(3);
    let effects = s.dispatch(Action::Export);
    let [Effect::Download(file)] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(file.filename, "lb-session-3s.json");
    assert_eq!(file.mime, "application/json");
    assert_eq!(
        Scenario::from_json(&file.contents).unwrap(),
        s.sim().export_scenario()
    );
    let name = |s: &mut Session, action: Action| match s.dispatch(action).as_slice() {
        [Effect::Download(d)] => d.filename.clone(),
        [Effect::SavePng { filename, .. }] => filename.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(name(&mut s, Action::MetricsCsv), "lb-metrics-3s.csv");
    let config = |s: &mut Session, to| match s.dispatch(Action::ExportConfig(to)).as_slice() {
        [Effect::Download(d)] => (d.filename.clone(), d.contents.clone()),
        other => panic!("{other:?}"),
    };
    let (file, text) = config(&mut s, crate::config::Target::Nginx);
    assert_eq!(file, "lb-nginx-3s.conf");
    assert!(text.contains("upstream "), "{text}");
    let (file, text) = config(&mut s, crate::config::Target::Haproxy);
    assert_eq!(file, "lb-haproxy-3s.cfg");
    assert!(text.contains("backend "), "{text}");
    assert_eq!(name(&mut s, Action::Report), "lb-report-3s.json");
    assert_eq!(
        name(&mut s, Action::SavePng("latency")),
        "lb-latency-3s.png"
    );
    let effects = s.dispatch(Action::RequestLogCsv);
    let [Effect::Download(log)] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(log.filename, "lb-requests-3s.csv");
    assert!(log.contents.starts_with(crate::sim::report::TRACE_HEADER));
    assert!(
        log.contents.lines().count() > 1,
        "finished requests are logged"
    );

    let effects = s.dispatch(Action::Share);
    let [Effect::Share { fragment }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    let shared = share::from_fragment(fragment).unwrap().unwrap();
    assert_eq!(shared, s.sim().export_scenario());
    s.dispatch(Action::Shared("http://x/#s".into()));
    assert_eq!(s.link(), Some("http://x/#s"));

    s.dispatch(Action::Failed("The download of x.csv failed: blob.".into()));
    assert_eq!(s.error(), Some("The download of x.csv failed: blob."));
    let _ = s.dispatch(Action::Report);
    assert_eq!(s.error(), None, "the next attempt replaces it");
}

#[test]
fn a_page_opens_on_its_share_link_or_says_why_not() {
    let mut s = session();
    s.dispatch(Action::Apply(Command::Kill { server: 1 }));
    let effects = s.dispatch(Action::Share);
    let [Effect::Share { fragment }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    let (reopened, effects) = Session::open(fragment, "", Display::default());
    assert_eq!(reopened.error(), None);
    assert_eq!(effects, [Effect::ShowDisplay(Display::default())]);
    assert_eq!(reopened.sim().scenario(), &s.sim().export_scenario());
    let said = reopened.notice().unwrap_or_default();
    assert!(
        said.starts_with("This link replays a shared session") && said.contains("its one change"),
        "{said}"
    );

    let (plain, _) = Session::open("", "", Display::default());
    assert_eq!(plain.sim().scenario(), &Scenario::classroom());
    assert_eq!(plain.notice(), None, "a page without a link says nothing");
    let (mut broken, effects) = Session::open(
        &format!("#{}garbage", share::FRAGMENT_KEY),
        "",
        Display::default(),
    );
    assert!(
        effects.contains(&Effect::ClearLink),
        "the bad link leaves the address bar: {effects:?}"
    );
    assert_eq!(broken.sim().scenario(), &Scenario::classroom());
    let error = broken.error().unwrap();
    assert_eq!(
        error,
        "Cannot open the share link: this link is damaged or truncated."
    );
    assert_sentence(error);
    // A link cut short when it was copied says the same, in the page's words, not a library's.
    let (truncated, _) = Session::open(&fragment[..fragment.len() - 5], "", Display::default());
    assert_eq!(truncated.error(), broken.error());
    // The banner can be dismissed.
    broken.dispatch(Action::DismissError);
    assert_eq!(broken.error(), None);
}

#[test]
fn a_card_button_toggles_its_own_server_whatever_is_selected() {
    let mut s = session();
    s.dispatch(Action::Compare(Some(Algorithm::Random)));
    s.dispatch(Action::Select(0));
    let kill_or_revive = |server| Action::ChangeServer {
        server,
        change: ServerAction::KillOrRevive,
    };
    s.dispatch(kill_or_revive(2));
    assert!(!s.sim().servers()[2].is_alive());
    assert!(!s.compare().unwrap().servers()[2].is_alive(), "B too");
    assert_eq!(s.selected(), Some(0), "the selection stays");
    s.dispatch(kill_or_revive(2));
    assert!(s.sim().servers()[2].is_alive());
    s.dispatch(Action::ChangeServer {
        server: 1,
        change: ServerAction::Drain,
    });
    assert!(s.sim().backends()[1].draining());
    s.dispatch(kill_or_revive(7));
    let error = s.error().unwrap();
    assert_eq!(error, "There is no server 8 (there are 4).");
    assert_sentence(error);
}

/// The classroom default at `rate` requests per second with no network delays.
fn busy(rate: f64) -> Scenario {
    let mut scenario = Scenario {
        client_latency: SimDuration::ZERO,
        backend_latency: SimDuration::ZERO,
        ..Scenario::classroom()
    };
    scenario.traffic.rate = rate;
    scenario.traffic.cost = crate::sim::traffic::CostDistribution::Exponential {
        mean: SimDuration::from_micros(100),
    };
    scenario
}

#[test]
fn a_heavy_run_falls_behind_real_time_instead_of_freezing_the_page() {
    let mut s = Session::new(busy(1e6), Display::default()).unwrap();
    let warning = s.notice().expect("a heavy scenario opens with a warning");
    assert_sentence(warning);
    assert!(warning.contains("1,000,000 requests"), "{warning}");
    s.frame(0.0);
    let before = s.sim().events_processed();
    s.frame(100.0); // 100 ms of wall time at 1x: 100,000 requests' worth
    assert_eq!(
        s.sim().events_processed() - before,
        crate::playback::FIRST_FRAME_EVENTS
    );
    assert!(s.sim().now() < SimTime(100_000), "{:?}", s.sim().now());
    assert!(s.behind());
    // A light run never falls behind and opens without a warning.
    let mut light = session();
    assert_eq!(light.notice(), None);
    light.frame(0.0);
    light.frame(100.0);
    assert_eq!(light.sim().now(), SimTime(100_000));
    assert!(!light.behind());
}

#[test]
fn a_skip_the_budget_cannot_cover_at_once_goes_on_over_the_next_frames() {
    let mut s = Session::new(busy(5_000.0), Display::default()).unwrap();
    s.dispatch(Action::TogglePlay); // paused: only the skip moves time
    s.frame(0.0);
    s.dispatch(Action::Skip);
    assert!(
        s.sim().now() < SimTime::ZERO + SKIP,
        "more than one frame's work"
    );
    let mut frames = 0;
    while s.sim().now() < SimTime::ZERO + SKIP {
        frames += 1;
        s.frame(f64::from(frames) * 16.0);
        assert!(frames < 100, "stuck at {:?}", s.sim().now());
    }
    assert_eq!(
        s.sim().now(),
        SimTime::ZERO + SKIP,
        "exactly where it was sent"
    );
    s.frame(f64::from(frames + 1) * 16.0);
    assert_eq!(
        s.sim().now(),
        SimTime::ZERO + SKIP,
        "and no further while paused"
    );

    // The same run as one advanced without a budget.
    let mut whole = Simulation::new(busy(5_000.0)).unwrap();
    whole.advance_to(SimTime::ZERO + SKIP);
    assert_eq!(whole.totals(), s.sim().totals());
}

#[test]
fn a_config_with_several_upstreams_asks_which_and_imports_the_choice() {
    let mut s = paused_at(2);
    let before = s.sim().scenario().clone();
    let text = "upstream a {\n server 10.0.0.1;\n}\nupstream b {\n ip_hash;\n server 10.0.1.1;\n server 10.0.1.2;\n}\n";
    s.dispatch(Action::ImportConfig(Ok(text.into())));
    let choice = s.config_choice().expect("a question");
    assert_eq!(choice.names, ["a", "b"]);
    assert_eq!(choice.block(), "upstream");
    assert_eq!(s.error(), None);
    assert_eq!(s.sim().scenario(), &before, "the run is kept while asking");
    s.dispatch(Action::ChooseConfigBlock(Some("b".into())));
    assert_eq!(s.config_choice(), None);
    assert_eq!(s.sim().algorithm(), Algorithm::IpHash);
    assert_eq!(s.sim().scenario().servers.len(), 2);
    // Asked again and dismissed: nothing changes.
    s.dispatch(Action::ImportConfig(Ok(text.into())));
    s.dispatch(Action::ChooseConfigBlock(None));
    assert_eq!(s.config_choice(), None);
    assert_eq!(s.sim().algorithm(), Algorithm::IpHash);
}

#[test]
fn an_imported_config_starts_its_scenario_and_shows_its_warnings() {
    let mut s = paused_at(2);
    s.dispatch(Action::ImportConfig(Ok(
        "upstream app {\n    least_conn;\n    keepalive 8;\n    server 10.0.0.1 weight=2;\n    server 10.0.0.2;\n}\n".into(),
    )));
    assert_eq!(s.sim().algorithm(), Algorithm::LeastConnections);
    assert_eq!(s.sim().scenario().servers[0].name, "10.0.0.1");
    assert_eq!(
        s.notice(),
        Some("Imported with 1 warning: line 3: keepalive: not modelled, ignored.")
    );
    s.dispatch(Action::ImportConfig(Ok(
        "upstream app {\n server a weight=x;\n}".into(),
    )));
    assert_eq!(
        s.sim().scenario().servers[0].name,
        "10.0.0.1",
        "the run is kept"
    );
}

#[test]
fn the_live_region_announces_changes_in_the_timelines_words_at_most_every_two_seconds() {
    let mut s = session();
    s.dispatch(Action::SetSpeed(10.0));
    s.frame(0.0);
    s.dispatch(Action::ChangeServer {
        server: 1,
        change: ServerAction::KillOrRevive,
    });
    let mut wall = 0.0;
    while !s.announcement().contains("server-2 DOWN") {
        wall += 100.0;
        s.frame(wall);
        assert!(wall < 10_000.0, "never announced: {:?}", s.announcement());
    }
    let said = s.announcement().to_string();
    assert!(said.starts_with("server-2 DOWN after "), "{said}");
    assert!(
        !said.contains("killed"),
        "the user's own kill is not announced: {said}"
    );
    assert!(said.ends_with('.'), "{said}");

    // Scripted changes are announced too; several within the interval come as one.
    s.dispatch(Action::LoadPreset("crash-recovery"));
    let before = s.announcement().to_string();
    let start = wall;
    let mut changes = vec![];
    while s.sim().now() < SimTime(45_000_000) {
        wall += 100.0;
        s.frame(wall);
        if s.announcement() != changes.last().unwrap_or(&before) {
            changes.push(s.announcement().to_string());
        }
    }
    let all = changes.join(" | ");
    assert!(all.contains("server-3 killed"), "{all}");
    assert!(all.contains("server-3 DOWN"), "{all}");
    assert!(all.contains("server-3 UP"), "{all}");
    assert!(
        changes.len() <= ((wall - start) / ANNOUNCE_EVERY_MS) as usize + 1,
        "{} announcements in {} ms",
        changes.len(),
        wall - start
    );
}

#[test]
fn compare_labels_say_what_each_run_is_after_a_scripted_switch() {
    let mut s = session();
    s.dispatch(Action::LoadPreset("slow-server"));
    assert_eq!(s.run_labels(), None);
    s.dispatch(Action::Compare(Some(Algorithm::LeastConnections)));
    let a = s.sim().scenario().algorithm.about().name;
    let lc = Algorithm::LeastConnections.about().name;
    assert_eq!(
        s.run_labels().unwrap(),
        [format!("A: {a}"), format!("B: {lc}")]
    );
    // The preset switches run A to least connections at 30 s; B keeps its own name.
    s.dispatch(Action::Seek(SimTime(35_000_000)));
    for _ in 0..4 {
        s.dispatch(Action::Skip);
    }
    assert!(s.sim().now() >= SimTime(30_000_000));
    assert_eq!(s.sim().algorithm(), Algorithm::LeastConnections);
    let [label_a, label_b] = s.run_labels().unwrap();
    assert_eq!(label_a, format!("A: {a}, then {lc} at 30 s"));
    assert_eq!(label_b, format!("B: {lc}"));
    // A switch by hand is named too, at its time.
    let at = s.sim().now().as_secs_f64();
    s.dispatch(Action::Apply(Command::SetAlgorithm(Algorithm::Random)));
    let random = Algorithm::Random.about().name;
    assert!(
        s.run_labels().unwrap()[0].ends_with(&format!(", then {random} at {at:.0} s")),
        "{:?}",
        s.run_labels()
    );
}

#[test]
fn a_breaker_change_is_marked_on_its_gate_for_a_while_in_wall_time() {
    use crate::sim::breaker::BreakerState;
    let mut s = session();
    s.dispatch(Action::LoadPreset("cascading-failure"));
    s.dispatch(Action::SetSpeed(20.0));
    assert!(s.clock().is_playing());
    // 100 ms frames until some breaker changes (breakers come on at 60 s).
    let mut wall = 0.0;
    let marked = loop {
        s.frame(wall);
        if let Some(server) = (0..4).find(|&i| s.gates().mark(i, wall).is_some()) {
            break server;
        }
        assert!(
            wall < 10_000.0,
            "no breaker changed by {} s",
            s.sim().now().as_secs_f64()
        );
        wall += 100.0;
    };
    let mark = s.gates().mark(marked, wall).unwrap();
    assert_eq!(mark.strength, 1.0);
    assert_eq!(
        (mark.from, mark.to),
        (BreakerState::Closed, BreakerState::Open)
    );
    // Paused, the mark still fades in wall time and is gone after LINGER_MS.
    s.dispatch(Action::TogglePlay);
    s.frame(wall + LINGER_MS / 2.0);
    assert!(
        s.gates()
            .mark(marked, wall + LINGER_MS / 2.0)
            .unwrap()
            .strength
            <= 0.5
    );
    s.frame(wall + LINGER_MS);
    assert!(!s.gates().showing(wall + LINGER_MS));
}

#[test]
fn a_preset_brings_the_charts_that_show_its_point() {
    let mut s = session();
    s.dispatch(Action::PresentChart {
        slot: 1,
        chart: crate::lesson::Chart::Queues,
    });
    s.dispatch(Action::LoadPreset("metastable-retries"));
    assert_eq!(
        s.present_charts().0,
        [
            crate::lesson::Chart::Throughput,
            crate::lesson::Chart::Latency
        ]
    );
    s.dispatch(Action::LoadPreset("slow-server"));
    assert_eq!(s.present_charts(), PresentCharts::default());
}
