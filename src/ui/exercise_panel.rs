//! The exercise panel ("you are the balancer"): the rule, the request and what the algorithm
//! sees, a button per server with its numbers, and after the pick the verdict, the model answer
//! and its reason; Next request, New exercise, and the session's score. What any of it does is
//! the session's: this renders a [`Sheet`] and sends actions.

use yew::prelude::*;

use super::lesson_panel::scroll_to_end;
use crate::exercise::{ROUNDS, Score, Seen, Sheet, words};
use crate::session::Action;

/// Props of [`ExercisePanel`].
#[derive(Properties, PartialEq)]
pub struct ExercisePanelProps {
    /// The exercise on.
    pub sheet: Sheet,
    /// Right picks out of picks made in the session.
    pub score: Score,
    /// Receives the actions.
    pub on_action: Callback<Action>,
}

/// The exercise on.
#[function_component]
pub fn ExercisePanel(props: &ExercisePanelProps) -> Html {
    let sheet = &props.sheet;
    let round = &sheet.round;
    let emit = |action: Action| props.on_action.reform(move |_: MouseEvent| action.clone());
    let drawn = match round.seen {
        Seen::Drawn {
            pair: Some(pair), ..
        } => pair.to_vec(),
        _ => Vec::new(),
    };
    let buttons = (0..round.servers.len()).map(|i| {
        let picked = sheet.answer.is_some_and(|a| a.picked == i);
        let class = classes!(
            "choice",
            "server-pick",
            picked.then_some("picked"),
            sheet
                .answer
                .is_some_and(|a| a.model == i)
                .then_some("model"),
            drawn.contains(&i).then_some("drawn"),
        );
        html! {
            <button {class} onclick={emit(Action::Pick(i))} disabled={sheet.answer.is_some()}
                aria-pressed={picked.to_string()} title={words::pick_tip(round, i)}>
                <span class="head">
                    <strong>{ words::name(i) }</strong>
                    if drawn.contains(&i) {
                        <span class="tag">{ "drawn" }</span>
                    }
                </span>
                <span class="numbers">{ words::server(round, i) }</span>
            </button>
        }
    });
    let reveal = sheet.answer.map(|answer| {
        html! {
            <div class={classes!("reveal", (!answer.right()).then_some("wrong"))} role="status">
                <p><strong>{ words::verdict(answer) }</strong></p>
                <p class="why">{ words::reason(round) }</p>
            </div>
        }
    });
    let (mine, session) = (sheet.score, props.score);
    use_effect_with((round.request, sheet.answer.is_some()), |&(_, answered)| {
        if answered {
            scroll_to_end(".exercise");
        }
    });
    html! {
        <section class="lesson exercise" aria-label="Exercise">
            <header>
                <h2>{ words::TITLE }</h2>
                <span class="lesson-progress" title="Where you are in the exercise">
                    { format!("Request {} of {ROUNDS}", round.request + 1) }
                </span>
                <progress value={(round.request + 1).to_string()} max={ROUNDS.to_string()}
                    aria-label="Exercise progress" title="Where you are in the exercise" />
                <span class="session-score" title="Picks the real algorithm agreed with, in every exercise since the page opened">
                    { format!("Session: {}", words::score(session.right, session.picks)) }
                </span>
                <button class="close" onclick={emit(Action::CloseExercise)}
                    title="Leave the exercise; the session's score stays">{ "Close exercise" }</button>
            </header>
            <p class="rule"><strong>{ sheet.kind.algorithm().about().name }{ ". " }</strong>{ words::rule(sheet.kind) }</p>
            <p class="caption" aria-live="polite">{ words::request(sheet) }</p>
            <div class="question">
                <p class="prompt">{ "Which server does the balancer pick?" }</p>
                <div class="choices" role="group" aria-label="Servers">{ for buttons }</div>
                { for reveal }
            </div>
            <nav class="lesson-nav" aria-label="Exercise requests">
                if sheet.done() {
                    <p class="score">{ format!("Exercise complete: {}.", words::score(mine.right, mine.picks)) }</p>
                    <button class="primary" onclick={emit(Action::NewExercise)}
                        title="Another exercise with the same algorithm, drawn from a fresh seed">{ "New exercise ▶" }</button>
                } else {
                    <button class="primary" onclick={emit(Action::NextRequest)} disabled={sheet.answer.is_none()}
                        title={if sheet.answer.is_some() { "The next request, after the balancer's pick got this one" } else { "Offered once you have picked a server" }}>
                        { "Next request ▶" }
                    </button>
                    <button onclick={emit(Action::NewExercise)}
                        title="Start over with the same algorithm, drawn from a fresh seed">{ "New exercise" }</button>
                }
            </nav>
        </section>
    }
}
