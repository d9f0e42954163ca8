//! The session's vocabulary: every [`Action`] a button, a control or a key can ask for, and every
//! [`Effect`] the session needs from the world outside it (the browser) to finish one.

use super::display::Display;
use super::layout::Layout;
use crate::config::Target;
use crate::exercise::Kind;
use crate::lesson::{Chart, Guess};
use crate::sim::{Algorithm, Command, SimTime};

/// Something the user asks the session to do. [`Session::dispatch`](super::Session::dispatch)
/// carries it out.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Play if paused, pause if playing.
    TogglePlay,
    /// Set the playback speed (simulated seconds per wall second; clamped to the offered range).
    SetSpeed(f64),
    /// The next slower of the offered speeds.
    Slower,
    /// The next faster of the offered speeds.
    Faster,
    /// Advance a paused run by [`STEP`](crate::playback::STEP) (ignored while playing).
    Step,
    /// Jump ahead by [`SKIP`](crate::playback::SKIP), playing or paused.
    Skip,
    /// Show the run at this time of its history (from zero to [`Session::reach`](super::Session::reach)),
    /// paused; played on, it retraces that history until something is changed.
    Seek(SimTime),
    /// Run on to the next change of state (not a retry), paused there.
    NextChange,
    /// Inspect the request with this sequence number (live, or among the latest finished),
    /// hop by hop; `None` closes the inspector.
    Inspect(Option<u64>),
    /// What a presenter's clicker "next" asks: Continue in a lesson, else [`Action::Step`].
    Forward,
    /// What a clicker's "previous" asks: Back in a lesson, else 100 ms back in time.
    Backward,
    /// Take (`true`) the history a change in the past left behind as compare mode's run B, or
    /// let it go.
    KeepFork(bool),
    /// Undo the server removal on offer ([`crate::session::Session::undo_offer`]): back to just
    /// before it, the history forked there.
    UndoRemove,
    /// Start the same scenario again from time zero with the same seed.
    Restart,
    /// Start the same scenario again from time zero with this seed.
    Reseed(u64),

    /// Apply a command to the run (and to the comparison run, unless it switches the algorithm).
    Apply(Command),
    /// Add a server with the default settings (weight 1, two workers).
    AddServer,
    /// Change the selected server (selecting the first one if none is), as its key does.
    Selected(ServerAction),
    /// Change this server (its index), as a button on its card does.
    ChangeServer {
        /// The server's index.
        server: usize,
        /// The change.
        change: ServerAction,
    },

    /// Select the server with this index (0-based); an index past the last server is ignored.
    Select(usize),
    /// Select the previous server, wrapping from the first to the last.
    PreviousServer,
    /// Select the next server, wrapping from the last to the first.
    NextServer,
    /// Show the previous page of server cards (selecting its first server).
    PreviousPage,
    /// Show the next page of server cards (selecting its first server).
    NextPage,

    /// Compare with this algorithm (`None` stops comparing).
    Compare(Option<Algorithm>),

    /// Start the preset with this id.
    LoadPreset(&'static str),
    /// Start the scenario in a file: its text, or why the browser could not read it (a sentence).
    Import(Result<String, String>),
    /// Start the scenario an nginx, HAProxy or Envoy config describes (`config::import`): its
    /// text (from a file or pasted), or why the browser could not read it (a sentence). What the
    /// scenario cannot reproduce is shown as a notice, each warning with its line. A config with
    /// several upstreams (backends, clusters) asks which one first ([`Session::config_choice`]).
    ImportConfig(Result<String, String>),
    /// Import the asked config's block with this name; `None` drops the question.
    ChooseConfigBlock(Option<String>),
    /// Download the session so far as a scenario file.
    Export,
    /// Download the nginx upstream or HAProxy backend that behaves like the session's scenario
    /// (`config::export`, with a comment for each part the target cannot say).
    ExportConfig(Target),
    /// Put the session in a share link.
    Share,
    /// The share link the browser made from [`Effect::Share`]'s fragment, to show.
    Shared(String),
    /// Download the sampled metrics as CSV.
    MetricsCsv,
    /// Download the request log as CSV.
    RequestLogCsv,
    /// Download the run's report as JSON.
    Report,
    /// Download the chart with this id as a PNG image.
    SavePng(&'static str),
    /// The browser could not carry out an effect; the sentence to show.
    Failed(String),
    /// Hide the error shown.
    DismissError,

    /// Change the look of the page.
    SetDisplay(Display),
    /// The next theme.
    NextTheme,
    /// Reduced motion on or off.
    ToggleMotion,
    /// Show or hide the list of keyboard shortcuts.
    ToggleHelp,
    /// Hide the list of keyboard shortcuts.
    CloseHelp,

    /// Start the shipped lesson with this id.
    LoadLesson(&'static str),
    /// Start the lesson in a file: its text, or why the browser could not read it (a sentence).
    OpenLesson(Result<String, String>),
    /// Go on to the lesson's next step (offered once the step's wait is over).
    Continue,
    /// Go back to the start of the lesson's previous step (the lesson is replayed to it).
    Back,
    /// Go to the start of this step (0-based), as the chapter menu does.
    GoToStep(usize),
    /// Answer the step's question; the run goes on and reveals the answer.
    Answer(Guess),
    /// Leave the lesson; the run stays as it is.
    CloseLesson,

    /// Start a "you are the balancer" exercise of this kind, from a fresh seed (leaving any
    /// lesson).
    StartExercise(Kind),
    /// Pick this server (its index) for the exercise's request on; the pick is graded.
    Pick(usize),
    /// Go on to the exercise's next request (once this one is answered).
    NextRequest,
    /// A fresh exercise of the same kind, from a fresh seed; the session's score stays.
    NewExercise,
    /// Leave the exercise; the session's score stays.
    CloseExercise,

    /// This layout on, or back to the standard page if it is on: stage mode (the flow canvas
    /// fills the screen) or the present layout (flow, two charts, the latest timeline entries).
    ToggleLayout(Layout),
    /// The present layout shows this chart in this place (0 at the top, 1 below it).
    PresentChart {
        /// The place, 0 or 1.
        slot: usize,
        /// The chart.
        chart: Chart,
    },
}

impl Action {
    /// Whether it changes the model (what runs, or how): what a page locked by the classroom
    /// kit's `lock=1` refuses. Playback, time travel, the look, downloads and a lesson's own
    /// steps do not.
    pub fn changes_model(&self) -> bool {
        matches!(
            self,
            Action::Reseed(_)
                | Action::Apply(_)
                | Action::AddServer
                | Action::Selected(_)
                | Action::ChangeServer { .. }
                | Action::Compare(_)
                | Action::LoadPreset(_)
                | Action::Import(_)
                | Action::ImportConfig(_)
                | Action::ChooseConfigBlock(_)
                | Action::LoadLesson(_)
                | Action::OpenLesson(_)
                | Action::KeepFork(_)
                | Action::UndoRemove
        )
    }
}

/// A change to one server whose command depends on the server's state (kill it or revive it?),
/// made by a key on the selected server or by a button on a server's card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerAction {
    /// Kill it if it is up, revive it if it is down.
    KillOrRevive,
    /// Its next slow-down factor in [`SLOWDOWN_CYCLE`](super::shortcut::SLOWDOWN_CYCLE).
    SlowDown,
    /// Its weight up by one (up to the maximum).
    WeightUp,
    /// Its weight down by one (down to 0).
    WeightDown,
    /// Drain it, or stop draining it.
    Drain,
}

impl From<Command> for Action {
    fn from(command: Command) -> Action {
        Action::Apply(command)
    }
}

/// What the browser must do to finish an action. Every dispatch also changes the session's
/// generation, which tells the adapter to re-render and redraw; that is not repeated here.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Put this look on the page and remember it for the next visit.
    ShowDisplay(Display),
    /// Offer a file for download.
    Download(Download),
    /// Put this fragment (with its `#`) in the address bar, copy the resulting address, and send
    /// it back as [`Action::Shared`].
    Share {
        /// The URL fragment that replays the session.
        fragment: String,
    },
    /// Take the share link out of the address bar: it could not be opened, and a reload or a
    /// copy of the address would only repeat the error.
    ClearLink,
    /// Offer what the chart with this id shows as a PNG download named `filename`.
    SavePng {
        /// The chart's id.
        chart: &'static str,
        /// The file name, stamped with the simulated time.
        filename: String,
    },
}

/// A file to offer for download.
#[derive(Clone, Debug, PartialEq)]
pub struct Download {
    /// Its name.
    pub filename: String,
    /// Its MIME type.
    pub mime: &'static str,
    /// Its text.
    pub contents: String,
}
