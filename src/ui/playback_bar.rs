//! Play / pause, speed, single step, and restarting with the same or a new seed.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::playback::SPEEDS;
use crate::session::Action;

/// Props of [`PlaybackBar`].
#[derive(Properties, PartialEq)]
pub struct PlaybackBarProps {
    /// Whether time is running.
    pub playing: bool,
    /// The current speed.
    pub speed: f64,
    /// The run's seed.
    pub seed: u64,
    /// The simulated time, in seconds.
    pub sim_seconds: f64,
    /// Receives the actions.
    pub on_action: Callback<Action>,
}

/// A new seed from the browser's randomness: only when the user asks for one. Kept to six digits
/// so it can be read out in class.
fn fresh_seed() -> u64 {
    getrandom::u64().map_or(1, |r| r % 1_000_000)
}

/// The playback controls.
#[function_component]
pub fn PlaybackBar(props: &PlaybackBarProps) -> Html {
    let emit = |action: Action| props.on_action.reform(move |_: MouseEvent| action.clone());
    let on_new_seed = {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Reseed(fresh_seed())))
    };
    let on_speed = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(speed) = select.value().parse::<f64>() {
                on_action.emit(Action::SetSpeed(speed));
            }
        })
    };
    let (play_label, play_tip) = if props.playing {
        ("Pause", "Stop simulated time")
    } else {
        ("Play", "Let simulated time run")
    };
    html! {
        <div class="playback" role="toolbar" aria-label="Playback">
            <button class="primary" onclick={emit(Action::TogglePlay)} title={play_tip} aria-pressed={(!props.playing).to_string()}>
                { play_label }
            </button>
            <button onclick={emit(Action::Step)} disabled={props.playing}
                title="Advance the paused simulation by 100 ms of simulated time">
                { "Step" }
            </button>
            <button class="skip" onclick={emit(Action::Skip)}
                title="Fast-forward: jump 10 s of simulated time ahead at once (key f)">
                { "+10 s" }
            </button>
            <label for="speed" title="Simulated seconds per real second">{ "Speed" }</label>
            <select id="speed" onchange={on_speed} title="Simulated seconds per real second">
                { for SPEEDS.iter().map(|&s| html! {
                    <option value={s.to_string()} selected={s == props.speed}>{ format!("{s}x") }</option>
                }) }
            </select>
            <span class="clock" title="Simulated time since the start of the run">
                { format!("t = {:.1} s", props.sim_seconds) }
            </span>
            <span class="seed" title="The seed of every random draw: the same seed and actions give the same run">
                { format!("seed {}", props.seed) }
            </span>
            <button onclick={emit(Action::Restart)}
                title="Start again from t = 0 with the same seed: the same traffic arrives again">
                { "Restart" }
            </button>
            <button class="new-seed" onclick={on_new_seed} title="Start again from t = 0 with a new random seed">
                { "New seed" }
            </button>
        </div>
    }
}
