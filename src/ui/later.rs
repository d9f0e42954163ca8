//! Parts of the page that mount after its first render, each in a task of its own.
//!
//! The first render builds what a visitor looks at first: the header, the lesson menu and the
//! flow canvas. The server cards, the controls, the charts and the timeline follow a few tens of
//! milliseconds later, one part at a time. One long task becomes several short ones, each laid
//! out and painted before the next arrives: on a slow phone the page answers a tap sooner
//! (Lighthouse's mobile profile runs the CPU four times slower and counts, as total blocking
//! time, each task's time past 50 ms). The parts come in page order, each below (or, on a wide
//! screen, beside) the ones before it, so nothing already on screen moves when one arrives.

use gloo_timers::callback::Timeout;
use yew::prelude::*;

/// How far apart the later parts mount, in wall milliseconds: time for the browser to lay out and
/// paint one part (a frame or two) before the next comes.
const SPACING_MS: u32 = 40;

/// Props of [`Later`].
#[derive(Properties, PartialEq)]
pub struct LaterProps {
    /// Which later part this is, from 1: part `turn` mounts `turn` x 40 ms after the first render.
    pub turn: u32,
    /// The part.
    pub children: Html,
}

/// Renders nothing at first, then its children, `turn` spacings after it first rendered.
#[function_component]
pub fn Later(props: &LaterProps) -> Html {
    let shown = use_state_eq(|| false);
    {
        let shown = shown.clone();
        use_effect_with(props.turn, move |&turn| {
            let timeout = Timeout::new(turn * SPACING_MS, move || shown.set(true));
            move || drop(timeout)
        });
    }
    if *shown {
        props.children.clone()
    } else {
        Html::default()
    }
}
