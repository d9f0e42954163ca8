//! The phone's control bar: on a narrow screen the server cards are a screen below the flow
//! canvas, so a compact bar right under the canvas (and stuck to the top of the screen while the
//! page scrolls) acts on the selected server, as its keyboard shortcuts do: pick the server, kill
//! or revive it, slow it down, change its weight, and play or pause. Wider screens hide it (the
//! cards are beside the picture there). Every button sends the session the same action as its key.

use yew::prelude::*;

use super::server_card::ServerView;
use crate::session::{Action, ServerAction};
use crate::sim::narrate;

/// Props of [`QuickBar`].
#[derive(Properties, PartialEq)]
pub struct QuickBarProps {
    /// The server the bar acts on ([`crate::session::Session::acted_on`]).
    pub server: ServerView,
    /// Whether time is running.
    pub playing: bool,
    /// Receives the actions.
    pub on_action: Callback<Action>,
}

/// The control bar for the selected server.
#[function_component]
pub fn QuickBar(props: &QuickBarProps) -> Html {
    let emit = |action: Action| props.on_action.reform(move |_: MouseEvent| action.clone());
    let change = |change: ServerAction| emit(Action::Selected(change));
    let v = &props.server;
    let slowdown = (1.0 / v.speed).round();
    let (play_label, play_tip) = if props.playing {
        ("Pause", "Stop simulated time (key space)")
    } else {
        ("Play", "Let simulated time run (key space)")
    };
    html! {
        <div class="quick-bar" role="toolbar" aria-label={format!("Controls for {}", v.name)}>
            <button onclick={emit(Action::PreviousServer)} aria-label="Previous server"
                title="Act on the previous server (key ↑)">{ "◀" }</button>
            <span class={classes!("quick-name", (!v.alive).then_some("down"))}
                title="The server these buttons act on; tap a server's card or the arrows to pick another">
                { format!("{} {}", v.name, narrate::process_word(v.alive)) }
            </span>
            <button onclick={emit(Action::NextServer)} aria-label="Next server"
                title="Act on the next server (key ↓)">{ "▶" }</button>
            <button class={if v.alive { "danger" } else { "primary" }} disabled={v.removed}
                onclick={change(ServerAction::KillOrRevive)}
                title="Kill the server if it is up, revive it if it is down (key k)">
                { if v.alive { "Kill" } else { "Revive" } }
            </button>
            <button disabled={v.removed} onclick={change(ServerAction::SlowDown)}
                title="Make every request on this server take longer: x1, x2, x5, x10, then x1 again (key s)">
                { format!("Slow x{slowdown}") }
            </button>
            <span class="quick-weight" role="group" aria-label="Weight">
                <button disabled={v.removed || v.weight == 0} onclick={change(ServerAction::WeightDown)}
                    aria-label="Weight down" title="Lower this server's weight by one (key -)">{ "−" }</button>
                <span title="The server's weight: its share of traffic for weighted algorithms">
                    { format!("w {}", v.weight) }
                </span>
                <button disabled={v.removed} onclick={change(ServerAction::WeightUp)}
                    aria-label="Weight up" title="Raise this server's weight by one (key +)">{ "+" }</button>
            </span>
            <button class="primary" onclick={emit(Action::TogglePlay)} title={play_tip}
                aria-pressed={(!props.playing).to_string()}>
                { play_label }
            </button>
        </div>
    }
}
