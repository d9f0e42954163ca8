//! The classroom kit: what a page's address asks for beside its share link, so a lecturer can
//! embed the playground in slides or a course page (PhET-style URL parameters).
//!
//! `?lesson=ID&step=N&lock=1&hide=controls,charts,totals,log&autoplay=0&theme=projector&speed=2&layout=present&charts=queues,latency`,
//! each optional, combined with a `#s=` share link as the page allows. `stage=1` is
//! `layout=stage`, the way links made before the present layout wrote it (and still write it).
//! A parameter that cannot be read is named in a sentence and left out; the others still apply.

use super::display::Theme;
use super::layout::{Layout, PresentCharts};
use super::lesson::LessonRun;
use super::state::Session;
use crate::lesson::shipped;
use crate::playback::SPEEDS;

/// The parts of the page `hide=` can take away, by their names in [`Hidden::PARTS`]:
/// `controls` (the panel of model controls beside the flow), `charts`, `totals` (under the
/// flow) and `log` (the event timeline and the request inspector).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Hidden([bool; 4]);

impl Hidden {
    /// The names `hide=` takes.
    pub const PARTS: [&'static str; 4] = ["controls", "charts", "totals", "log"];

    /// Whether the part called `name` is hidden.
    pub fn get(&self, name: &str) -> bool {
        Hidden::PARTS
            .iter()
            .position(|p| *p == name)
            .is_some_and(|i| self.0[i])
    }

    /// Hides (or shows) the part called `name`; `false` if there is no such part.
    pub fn set(&mut self, name: &str, on: bool) -> bool {
        let Some(i) = Hidden::PARTS.iter().position(|p| *p == name) else {
            return false;
        };
        self.0[i] = on;
        true
    }
}

/// What an address asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct Kit {
    /// Open this shipped lesson.
    pub lesson: Option<String>,
    /// At this step (0-based here; the address numbers steps from 1).
    pub step: Option<usize>,
    /// No control that changes the model.
    pub lock: bool,
    /// Parts of the page taken away.
    pub hide: Hidden,
    /// Start playing (the default) or paused.
    pub autoplay: bool,
    /// The colour theme, over the one the browser remembers.
    pub theme: Option<Theme>,
    /// The playback speed.
    pub speed: Option<f64>,
    /// The layout: the standard page, stage mode or the present layout.
    pub layout: Layout,
    /// The two charts the present layout shows.
    pub charts: PresentCharts,
}

impl Default for Kit {
    fn default() -> Kit {
        Kit {
            lesson: None,
            step: None,
            lock: false,
            hide: Hidden::default(),
            autoplay: true,
            theme: None,
            speed: None,
            layout: Layout::Standard,
            charts: PresentCharts::default(),
        }
    }
}

/// `%XX` escapes and `+` (a space) decoded; `None` if an escape is broken or not UTF-8.
fn decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.bytes();
    while let Some(b) = rest.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = [rest.next()?, rest.next()?];
                let hex = std::str::from_utf8(&hex).ok()?;
                bytes.push(u8::from_str_radix(hex, 16).ok()?);
            }
            b => bytes.push(b),
        }
    }
    String::from_utf8(bytes).ok()
}

/// A yes/no parameter: `1` or `0` (and `true` / `false`).
fn flag(key: &str, value: &str) -> Result<bool, String> {
    match value {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err(format!("{key}={value} should be 1 or 0")),
    }
}

impl Kit {
    /// The kit an address's query (`?a=b&c=d`, with or without the `?`) asks for, and a
    /// sentence for each parameter that could not be read (it is left out).
    pub fn parse(query: &str) -> (Kit, Vec<String>) {
        let mut kit = Kit::default();
        let mut problems = Vec::new();
        let query = query.strip_prefix('?').unwrap_or(query);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let Some(value) = decode(value) else {
                problems.push(format!("{key}= is not written correctly"));
                continue;
            };
            if let Err(problem) = kit.read(key, &value) {
                problems.push(problem);
            }
        }
        (kit, problems)
    }

    /// Reads parameter `key` with `value` into the kit.
    fn read(&mut self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "lesson" => self.lesson = Some(value.to_owned()),
            "step" => {
                let step = value.parse::<usize>().ok().filter(|&s| s >= 1);
                let step = step.ok_or(format!("step={value} should be a step number from 1"))?;
                self.step = Some(step - 1);
            }
            "lock" => self.lock = flag(key, value)?,
            "autoplay" => self.autoplay = flag(key, value)?,
            "stage" => {
                self.layout = if flag(key, value)? {
                    Layout::Stage
                } else {
                    Layout::Standard
                }
            }
            "layout" => {
                self.layout = Layout::from_id(value).ok_or(format!(
                    "layout={value} should be standard, stage or present"
                ))?
            }
            "charts" => self.charts = PresentCharts::parse(value)?,
            "theme" => {
                let theme = Theme::from_id(value);
                self.theme =
                    Some(theme.ok_or(format!("theme={value} should be light, dark or projector"))?);
            }
            "speed" => {
                let (low, high) = (SPEEDS[0], SPEEDS[SPEEDS.len() - 1]);
                let speed = value.parse::<f64>().ok();
                let speed = speed.filter(|s| (low..=high).contains(s));
                self.speed = Some(speed.ok_or(format!(
                    "speed={value} should be a number from {low} to {high}"
                ))?);
            }
            "hide" => {
                for part in value.split(',').filter(|p| !p.is_empty()) {
                    if !self.hide.set(part, true) {
                        return Err(format!(
                            "hide={value}: there is no part called {part} (there are {})",
                            Hidden::PARTS.join(", ")
                        ));
                    }
                }
            }
            _ => return Err(format!("{key} is not a parameter this page knows")),
        }
        Ok(())
    }

    /// The query that asks for this kit (`?` and all; empty when it asks for nothing).
    pub fn to_query(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(lesson) = &self.lesson {
            pairs.push(format!("lesson={lesson}"));
        }
        if let Some(step) = self.step {
            pairs.push(format!("step={}", step + 1));
        }
        if self.lock {
            pairs.push("lock=1".to_owned());
        }
        let hidden: Vec<_> = Hidden::PARTS
            .into_iter()
            .filter(|p| self.hide.get(p))
            .collect();
        if !hidden.is_empty() {
            pairs.push(format!("hide={}", hidden.join(",")));
        }
        if !self.autoplay {
            pairs.push("autoplay=0".to_owned());
        }
        if let Some(theme) = self.theme {
            pairs.push(format!("theme={}", theme.id()));
        }
        if let Some(speed) = self.speed {
            pairs.push(format!("speed={speed}"));
        }
        match self.layout {
            Layout::Standard => {}
            Layout::Stage => pairs.push("stage=1".to_owned()),
            Layout::Present => pairs.push("layout=present".to_owned()),
        }
        if self.charts != PresentCharts::default() {
            pairs.push(format!("charts={}", self.charts.to_param()));
        }
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        }
    }
}

/// A link for a class: the address, and an `<iframe>` that embeds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassLink {
    /// The address.
    pub url: String,
    /// An `<iframe>` snippet for a course page or slides (800 x 450).
    pub iframe: String,
}

impl Session {
    /// Takes what an address's kit asks for; a parameter that cannot be applied (a lesson
    /// that does not exist, a step past its end) joins `problems`, which the page shows.
    pub(super) fn take_kit(&mut self, kit: Kit, mut problems: Vec<String>) {
        if let Some(theme) = kit.theme {
            self.display.theme = theme;
        }
        if let Some(speed) = kit.speed {
            self.clock.set_speed(speed);
        }
        match (&kit.lesson, kit.step) {
            (Some(id), step) => match shipped(id) {
                None => problems.push(format!("lesson={id}: there is no such lesson")),
                Some(lesson) => {
                    if let Err(why) = self.start_lesson(lesson.lesson()) {
                        problems.push(why);
                    }
                    let steps = self.lesson.as_ref().map_or(0, |r| r.lesson().steps.len());
                    match step {
                        Some(step) if step >= steps => problems
                            .push(format!("step={}: the lesson has {steps} steps", step + 1)),
                        Some(step) => {
                            if let Err(why) = self.go_to_step(step) {
                                problems.push(why);
                            }
                        }
                        None => {}
                    }
                }
            },
            (None, Some(_)) => problems.push("step= needs a lesson= beside it".to_owned()),
            (None, None) => {}
        }
        if !kit.autoplay {
            self.clock.set_playing(false);
        }
        self.locked = kit.lock;
        self.hidden = kit.hide;
        self.layout = kit.layout;
        self.present = kit.charts;
        if !problems.is_empty() {
            let said = self
                .error
                .take()
                .map(|e| format!("{e} "))
                .unwrap_or_default();
            self.error = Some(format!(
                "{said}Some of this address's settings were left out: {}.",
                problems.join("; ")
            ));
        }
    }

    /// Whether the page is locked for the class (`lock=1`): it refuses every change to the model.
    pub fn locked(&self) -> bool {
        self.locked
    }

    /// The parts of the page `hide=` took away.
    pub fn hidden(&self) -> Hidden {
        self.hidden
    }

    /// The page's layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The two charts the present layout shows.
    pub fn present_charts(&self) -> PresentCharts {
        self.present
    }

    /// The kit that opens the page as it is now: the lesson at its step, the look, the pace,
    /// and the lock, the hidden parts, the layout and its charts as they are.
    pub fn kit(&self) -> Kit {
        Kit {
            lesson: self.lesson.as_ref().map(|r| r.lesson().id.clone()),
            step: self.lesson.as_ref().map(LessonRun::step),
            lock: self.locked,
            hide: self.hidden,
            autoplay: true,
            theme: Some(self.display.theme),
            speed: Some(self.clock.speed()),
            layout: self.layout,
            charts: self.present,
        }
    }

    /// The link for a class: `base` (the page's address without query or fragment) with
    /// `kit`'s query, and this run's share link when `with_run` (a lesson brings its own run).
    pub fn class_link(&self, base: &str, kit: &Kit, with_run: bool) -> ClassLink {
        let fragment = if with_run {
            self.share_fragment()
        } else {
            String::new()
        };
        let url = format!("{base}{}{fragment}", kit.to_query());
        let attribute = url.replace('&', "&amp;").replace('"', "&quot;");
        ClassLink {
            iframe: format!(
                r#"<iframe src="{attribute}" width="800" height="450" title="LB Playground" loading="lazy" allowfullscreen></iframe>"#
            ),
            url,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_is_read_and_written_back() {
        let query = "?lesson=round-robin&step=3&lock=1&hide=controls,log&autoplay=0&theme=projector&speed=2&stage=1";
        let (kit, problems) = Kit::parse(query);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(kit.lesson.as_deref(), Some("round-robin"));
        assert_eq!(kit.step, Some(2));
        assert!(kit.lock && kit.layout == Layout::Stage && !kit.autoplay);
        let hidden = Hidden::PARTS.map(|p| kit.hide.get(p));
        assert_eq!(hidden, [true, false, false, true]);
        assert_eq!(kit.theme, Some(Theme::Projector));
        assert_eq!(kit.speed, Some(2.0));
        assert_eq!(kit.to_query(), query);
        assert_eq!(Kit::parse(""), (Kit::default(), Vec::new()));
        assert_eq!(Kit::default().to_query(), "");
    }

    #[test]
    fn a_bad_parameter_is_named_and_the_others_still_apply() {
        let (kit, problems) =
            Kit::parse("theme=neon&step=0&speed=9000&hide=charts,ads&lock=yes&zoom=2&lesson=a%2");
        assert_eq!(
            problems,
            [
                "theme=neon should be light, dark or projector",
                "step=0 should be a step number from 1",
                "speed=9000 should be a number from 0.1 to 100",
                "hide=charts,ads: there is no part called ads (there are controls, charts, totals, log)",
                "lock=yes should be 1 or 0",
                "zoom is not a parameter this page knows",
                "lesson= is not written correctly",
            ]
        );
        assert!(kit.hide.get("charts"), "the parts before the bad one");
        assert_eq!(kit.theme, None);
        assert_eq!(
            Kit::parse("lesson=caf%C3%A9+bar").0.lesson.as_deref(),
            Some("café bar")
        );
    }

    #[test]
    fn the_present_layout_and_its_charts_are_read_and_written_back() {
        use crate::lesson::Chart;
        let query = "?layout=present&charts=queues,throughput";
        let (kit, problems) = Kit::parse(query);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(kit.layout, Layout::Present);
        assert_eq!(
            kit.charts,
            PresentCharts([Chart::Queues, Chart::Throughput])
        );
        assert_eq!(kit.to_query(), query);
        // The default charts are not written; stage=1 and layout=stage are the same.
        assert_eq!(Kit::parse("layout=present").0.to_query(), "?layout=present");
        assert_eq!(Kit::parse("layout=stage").0.to_query(), "?stage=1");
        assert_eq!(Kit::parse("stage=0&layout=standard").0, Kit::default());
        let (kit, problems) = Kit::parse("layout=slides&charts=latency,latency&theme=dark");
        assert_eq!(
            problems,
            [
                "layout=slides should be standard, stage or present",
                "charts=latency,latency names the same chart twice",
            ]
        );
        assert_eq!(
            (kit.layout, kit.theme),
            (Layout::Standard, Some(Theme::Dark))
        );
    }

    #[test]
    fn an_address_opens_the_present_layout_and_the_page_keeps_its_choices() {
        use super::super::Action;
        use crate::lesson::Chart;
        let (mut s, _) = opened("?layout=present&charts=latency,queues");
        assert_eq!(s.error(), None);
        assert_eq!(s.layout(), Layout::Present);
        assert_eq!(s.present_charts().0, [Chart::Latency, Chart::Queues]);
        s.dispatch(Action::PresentChart {
            slot: 1,
            chart: Chart::Servers,
        });
        assert!(
            s.kit()
                .to_query()
                .contains("layout=present&charts=latency,servers")
        );
        // The key p leaves it, v goes from it to stage mode.
        s.dispatch(super::super::Shortcut::of("p").unwrap().action());
        assert_eq!(s.layout(), Layout::Standard);
        s.dispatch(Action::ToggleLayout(Layout::Present));
        s.dispatch(super::super::Shortcut::of("v").unwrap().action());
        assert_eq!(s.layout(), Layout::Stage);
        assert!(
            s.kit()
                .to_query()
                .contains("stage=1&charts=latency,servers")
        );
    }

    /// A session opened at an address with `query`, and its first effects.
    fn opened(query: &str) -> (Session, Vec<super::super::Effect>) {
        Session::open("", query, super::super::Display::default())
    }

    #[test]
    fn an_address_opens_a_lesson_at_a_step_locked_and_looking_as_asked() {
        let (s, effects) = opened(
            "?lesson=round-robin&step=2&lock=1&hide=controls,charts&autoplay=0&theme=projector&speed=5",
        );
        assert_eq!(s.error(), None);
        let run = s.lesson().expect("the lesson is open");
        assert_eq!((run.lesson().id.as_str(), run.step()), ("round-robin", 1));
        assert!(s.locked() && !s.clock().is_playing());
        assert!(s.hidden().get("controls") && s.hidden().get("charts"));
        assert_eq!(s.display().theme, Theme::Projector);
        assert_eq!(effects[0], super::super::Effect::ShowDisplay(s.display()));
        assert_eq!(s.clock().speed(), 5.0);
        // What opens it again.
        assert_eq!(
            s.kit().to_query(),
            "?lesson=round-robin&step=2&lock=1&hide=controls,charts&theme=projector&speed=5"
        );
    }

    #[test]
    fn a_locked_page_refuses_changes_to_the_model_but_not_the_lesson() {
        use super::super::{Action, ServerAction};
        use crate::sim::Command;
        let (mut s, _) = opened("?lesson=round-robin&lock=1");
        let before = s.sim().recording().len();
        for action in [
            Action::Apply(Command::Kill { server: 0 }),
            Action::Selected(ServerAction::KillOrRevive),
            Action::AddServer,
            Action::LoadPreset("slow-server"),
        ] {
            s.dispatch(action);
            assert!(s.error().unwrap().contains("locked"));
        }
        assert_eq!(s.sim().recording().len(), before);
        s.dispatch(Action::DismissError);
        s.dispatch(Action::Answer(crate::lesson::Guess::Choice(0)));
        assert!(
            s.lesson().unwrap().guess().is_some(),
            "the class can still answer"
        );
        assert!(s.clock().is_playing(), "and the lesson's step goes on");
        assert_eq!(s.error(), None);
    }

    #[test]
    fn an_address_with_bad_settings_says_which_and_the_page_works() {
        let (mut s, _) = opened("?theme=neon&lesson=no-such-lesson&lock=1");
        let error = s.error().unwrap();
        assert_eq!(
            error,
            "Some of this address's settings were left out: theme=neon should be light, dark or projector; lesson=no-such-lesson: there is no such lesson."
        );
        assert!(s.lesson().is_none() && s.locked(), "the lock still applies");
        let (s2, _) = opened("?lesson=round-robin&step=99");
        assert!(s2.error().unwrap().contains("step=99: the lesson has"));
        assert_eq!(s2.lesson().unwrap().step(), 0);
        let (s3, _) = opened("?step=2");
        assert!(s3.error().unwrap().contains("step= needs a lesson="));
        s.dispatch(super::super::Action::Step);
        assert_eq!(s.sim().scenario(), &crate::sim::Scenario::classroom());
    }

    #[test]
    fn a_class_link_carries_the_kit_and_embeds_it() {
        let (s, _) = opened("?lesson=round-robin&hide=log");
        let mut kit = s.kit();
        kit.lock = true;
        let link = s.class_link("https://example.org/lb/", &kit, false);
        assert_eq!(
            link.url,
            "https://example.org/lb/?lesson=round-robin&step=1&lock=1&hide=log&theme=light&speed=1"
        );
        assert_eq!(
            link.iframe,
            r#"<iframe src="https://example.org/lb/?lesson=round-robin&amp;step=1&amp;lock=1&amp;hide=log&amp;theme=light&amp;speed=1" width="800" height="450" title="LB Playground" loading="lazy" allowfullscreen></iframe>"#
        );
        let with_run = s.class_link("https://example.org/lb/", &kit, true);
        assert!(with_run.url.contains("#s="));
        let (reopened, _) = Session::open(
            &with_run.url[with_run.url.find('#').unwrap()..],
            &with_run.url[with_run.url.find('?').unwrap()..with_run.url.find('#').unwrap()],
            super::super::Display::default(),
        );
        assert!(reopened.locked() && reopened.error().is_none());
    }
}
