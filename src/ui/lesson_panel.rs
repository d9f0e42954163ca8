//! The lesson panel: the lesson menu, "Load lesson…" and the exercise menu when no lesson is on; during a lesson
//! its caption in large type, the step's question (choices or a slider), the reveal (the guess
//! beside the measured value, and why), progress, a chapter menu, and Back / Continue. What
//! any of it does is the session's: this renders a [`LessonRun`] and sends actions.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::scenario_panel::read_file;
use crate::exercise::Kind;
use crate::lesson::caption::{Span, spans};
use crate::lesson::{Answer, Guess, LESSONS, NumberAnswer, Question, StepState};
use crate::session::{Action, LessonRun};

/// Props of [`LessonPanel`].
#[derive(Properties, PartialEq)]
pub struct LessonPanelProps {
    /// The lesson under way, if any.
    pub run: Option<LessonRun>,
    /// Receives the actions.
    pub on_action: Callback<Action>,
}

/// The lesson menu, or the lesson under way.
#[function_component]
pub fn LessonPanel(props: &LessonPanelProps) -> Html {
    let shown = props.run.as_ref().map(|run| {
        let over = run.state() != StepState::Waiting;
        (run.lesson().id.clone(), run.step(), run.done(), over)
    });
    use_effect_with(shown, |shown| {
        show_highlight();
        if shown.as_ref().is_some_and(|s| s.3) {
            show_reveal();
        }
    });
    match &props.run {
        None => lesson_menu(&props.on_action),
        Some(run) => lesson_step(run, &props.on_action),
    }
}

/// Scrolls what the step points at into view, below the lesson panel, unless it is in view.
fn show_highlight() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(document) = window.document() else {
        return;
    };
    let (Ok(Some(target)), Ok(Some(panel))) = (
        document.query_selector(".highlight"),
        document.query_selector(".lesson"),
    ) else {
        return;
    };
    let height = window.inner_height().ok().and_then(|h| h.as_f64());
    let (rect, below) = (
        target.get_bounding_client_rect(),
        panel.get_bounding_client_rect(),
    );
    // The page's own window scrolls, never the one around it (a course page embedding this
    // one in an iframe), as `scrollIntoView` would.
    const MARGIN: f64 = 8.0;
    if rect.top() < below.bottom() {
        window.scroll_by_with_x_and_y(0.0, rect.top() - below.bottom() - MARGIN);
    } else if let Some(h) = height.filter(|&h| rect.bottom() > h) {
        window.scroll_by_with_x_and_y(0.0, rect.bottom() - h + MARGIN);
    }
}

/// Scrolls the lesson panel to its end, where the reveal and Continue are.
fn show_reveal() {
    scroll_to_end(".lesson");
}

/// Scrolls the panel at `selector` to its end (on a short screen the reveal is at the bottom):
/// the lesson's, or the exercise's.
pub(super) fn scroll_to_end(selector: &str) {
    let panel = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten());
    if let Some(panel) = panel {
        panel.set_scroll_top(panel.scroll_height());
    }
}

/// Text with its `*emphasis*` and `` `code` `` spans as HTML (plain text if it does not parse,
/// which validation rules out).
fn rich(text: &str) -> Html {
    let Ok(parts) = spans(text) else {
        return html! { { text } };
    };
    html! {
        { for parts.into_iter().map(|span| match span {
            Span::Text(t) => html! { { t } },
            Span::Emphasis(t) => html! { <em>{ t }</em> },
            Span::Code(t) => html! { <code>{ t }</code> },
        }) }
    }
}

/// The lesson picker and the lesson file button.
fn lesson_menu(on_action: &Callback<Action>) -> Html {
    let on_pick = {
        let on_action = on_action.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(l) = LESSONS.iter().find(|l| l.id == select.value()) {
                on_action.emit(Action::LoadLesson(l.id));
            }
        })
    };
    let on_exercise = {
        let on_action = on_action.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(kind) = Kind::from_id(&select.value()) {
                on_action.emit(Action::StartExercise(kind));
            }
        })
    };
    let on_file = read_file(on_action, Action::OpenLesson);
    let exercise_tip = "You are the balancer: pick the server for each of the next requests from what the algorithm sees, graded against the real algorithm";
    let tip = "A guided walk-through: captions, predictions to make, and the run pausing where there is something to see";
    html! {
        <section class="lesson-menu" aria-label="Lessons">
            <label for="lesson-pick" title={tip}>{ "Lesson" }</label>
            <select id="lesson-pick" onchange={on_pick} title={tip}>
                <option value="" selected=true>{ "Start a lesson…" }</option>
                { for LESSONS.iter().map(|l| html! {
                    <option value={l.id}>{ l.title() }</option>
                }) }
            </select>
            <label class="button" for="lesson-file"
                title="Start a lesson from a lesson file (JSON) written by hand; a file with a mistake is refused with the field named">
                { "Load lesson…" }
            </label>
            <input id="lesson-file" class="hidden" type="file" accept=".json,application/json" onchange={on_file}
                title="Start a lesson from a lesson file (JSON) written by hand; a file with a mistake is refused with the field named" />
            <span class="exercise-menu">
                <label for="exercise-pick" title={exercise_tip}>{ "Exercise" }</label>
                <select id="exercise-pick" onchange={on_exercise} title={exercise_tip}>
                    <option value="" selected=true>{ "You are the balancer…" }</option>
                    { for Kind::ALL.iter().map(|k| html! {
                        <option value={k.id()}>{ k.algorithm().about().name }</option>
                    }) }
                </select>
            </span>
        </section>
    }
}

/// The lesson under way: its step, or the end.
fn lesson_step(run: &LessonRun, on_action: &Callback<Action>) -> Html {
    let lesson = run.lesson();
    let index = run.step();
    let total = lesson.steps.len();
    let step = &lesson.steps[index];
    let emit = |action: Action| on_action.reform(move |_: MouseEvent| action.clone());
    let on_chapter = {
        let on_action = on_action.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(step) = select.value().parse::<usize>() {
                on_action.emit(Action::GoToStep(step));
            }
        })
    };
    let chapters = run.chapters();
    let chapter_now = chapters
        .iter()
        .rev()
        .find(|(at, _)| *at <= index)
        .map(|c| c.0);
    let (right, asked) = run.score();
    let status = match run.state() {
        StepState::Waiting if step.question.is_some() && run.guess().is_none() => {
            "Make your prediction: the run goes on when you answer.".to_string()
        }
        StepState::Waiting => match step.wait {
            Some(wait) => format!("Running {}…", wait.describe()),
            None => String::new(),
        },
        StepState::Met(_) => String::new(),
        StepState::TimedOut => format!(
            "This did not happen within {} of simulated time; Continue anyway.",
            step.wait
                .map_or(String::new(), |w| w.within.to_message_string())
        ),
    };
    let body = if run.done() {
        html! {
            <div class="lesson-done" role="status">
                <p class="caption">{ "Lesson complete." }</p>
                if asked > 0 {
                    <p class="score">{ format!("{right} of {asked} predictions right.") }</p>
                }
            </div>
        }
    } else {
        html! {
            <>
                <p class="caption" aria-live="polite">{ rich(&step.caption) }</p>
                if let Some(q) = &step.question {
                    <QuestionView key={index} question={q.clone()} guess={run.guess()}
                        revealed={run.state() != StepState::Waiting}
                        reveal={reveal_text(run, q)} right={run.right()}
                        on_action={on_action.clone()} />
                }
                if !status.is_empty() {
                    <p class="lesson-status" role="status">{ status }</p>
                }
            </>
        }
    };
    let can_continue = !run.done() && run.state() != StepState::Waiting;
    html! {
        <section class="lesson" aria-label="Lesson">
            <header>
                <h2>{ &lesson.title }</h2>
                <span class="lesson-progress" title="Where you are in the lesson">
                    { format!("Step {} of {total}", index + 1) }
                </span>
                <progress value={(index + 1).to_string()} max={total.to_string()}
                    aria-label="Lesson progress" title="Where you are in the lesson" />
                if !chapters.is_empty() {
                    <select class="chapters" onchange={on_chapter} aria-label="Chapter"
                        title="Go to the start of a chapter (the lesson is replayed to it)">
                        { for chapters.iter().map(|(at, title)| html! {
                            <option value={at.to_string()} selected={chapter_now == Some(*at)}>{ *title }</option>
                        }) }
                    </select>
                }
                <button class="close" onclick={emit(Action::CloseLesson)}
                    title="Leave the lesson; the run stays as it is and you can explore it">{ "Close lesson" }</button>
            </header>
            { body }
            <nav class="lesson-nav" aria-label="Lesson steps">
                <button onclick={emit(Action::Back)} disabled={index == 0 && !run.done()}
                    title="Back to the start of the previous step (the lesson is replayed to it)">{ "◀ Back" }</button>
                if run.done() {
                    <button class="primary" onclick={emit(Action::GoToStep(0))}
                        title="Start this lesson again from its first step">{ "Start again" }</button>
                } else {
                    <button class="primary" onclick={emit(Action::Continue)} disabled={!can_continue}
                        title={if can_continue { "Go on to the next step" } else { "Offered when this step is over" }}>
                        { if index + 1 == total { "Finish ▶" } else { "Continue ▶" } }
                    </button>
                }
            </nav>
        </section>
    }
}

/// The reveal in words: the guess beside the measured value (and theory), or why the run could
/// not measure it; empty before the reveal.
fn reveal_text(run: &LessonRun, q: &Question) -> String {
    match run.reveal() {
        None => String::new(),
        Some(Err(why)) => format!("The run could not reveal the answer: {why}."),
        Some(Ok(reveal)) => {
            let guess = run
                .guess()
                .map_or("no guess".to_string(), |g| g.describe(q));
            let what = q.answer.measure().label().0;
            format!("Your guess: {guess}. Measured {what}: {}.", reveal.value(q))
        }
    }
}

/// Props of [`QuestionView`].
#[derive(Properties, PartialEq)]
struct QuestionViewProps {
    question: Question,
    guess: Option<Guess>,
    revealed: bool,
    reveal: String,
    right: Option<bool>,
    on_action: Callback<Action>,
}

/// A question: its prompt, its choices or slider (locked once answered), and the reveal.
#[function_component]
fn QuestionView(props: &QuestionViewProps) -> Html {
    let q = &props.question;
    let locked = props.guess.is_some() || props.revealed;
    let answer = match &q.answer {
        Answer::Choice(c) => html! {
            <div class="choices" role="group" aria-label="Choices">
                { for c.choices.iter().enumerate().map(|(i, choice)| {
                    let picked = props.guess == Some(Guess::Choice(i));
                    let on_action = props.on_action.clone();
                    html! {
                        <button class={classes!("choice", picked.then_some("picked"))}
                            disabled={locked} aria-pressed={picked.to_string()}
                            onclick={Callback::from(move |_: MouseEvent| on_action.emit(Action::Answer(Guess::Choice(i))))}
                            title="Pick this answer; the run goes on and the answer is measured">
                            { &choice.text }
                        </button>
                    }
                }) }
            </div>
        },
        Answer::Number(n) => html! {
            <NumberGuess answer={*n} guess={props.guess} {locked} on_action={props.on_action.clone()} />
        },
    };
    let verdict = match props.right {
        Some(true) => "Right!",
        Some(false) => "Not quite.",
        None => "",
    };
    html! {
        <div class="question">
            <p class="prompt">{ rich(&q.prompt) }</p>
            { answer }
            if props.revealed {
                <div class="reveal" role="status">
                    <p><strong>{ verdict }</strong>{ " " }{ &props.reveal }</p>
                    <p class="why">{ &q.why }</p>
                </div>
            }
        </div>
    }
}

/// Props of [`NumberGuess`].
#[derive(Properties, PartialEq)]
struct NumberGuessProps {
    answer: NumberAnswer,
    guess: Option<Guess>,
    locked: bool,
    on_action: Callback<Action>,
}

/// A slider for a numeric guess and the button that locks it in.
#[function_component]
fn NumberGuess(props: &NumberGuessProps) -> Html {
    let n = props.answer;
    let value = use_state(|| (n.min + n.max) / 2.0);
    let shown = match props.guess {
        Some(Guess::Number(x)) => x,
        _ => *value,
    };
    let on_input = {
        let value = value.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(x) = input.value().parse::<f64>() {
                value.set(x);
            }
        })
    };
    let on_lock = {
        let (on_action, value) = (props.on_action.clone(), *value);
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Answer(Guess::Number(value))))
    };
    let unit_value = n.measure.show(shown);
    html! {
        <div class="number-guess">
            <input id="lesson-guess" type="range" min={n.min.to_string()} max={n.max.to_string()}
                step={n.step.to_string()} value={shown.to_string()} oninput={on_input}
                disabled={props.locked} aria-label="Your guess" aria-valuetext={unit_value.clone()}
                title="Slide to your guess, then lock it in" />
            <output for="lesson-guess" class="guess-value">{ unit_value }</output>
            <button class="primary" onclick={on_lock} disabled={props.locked}
                title="Lock in this guess; the run goes on and the answer is measured">{ "Lock in guess" }</button>
        </div>
    }
}
