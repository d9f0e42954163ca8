//! The scenario panel: presets with what to watch for, and saving, loading, importing (nginx,
//! HAProxy, Envoy configs) and sharing runs.

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::files;
use crate::config::Target;
use crate::session::{Action, ConfigChoice, Progress};
use crate::sim::presets::PRESETS;
use crate::sim::scenario::MAX_FILE_BYTES;

/// Props of [`ScenarioPanel`].
#[derive(Properties, PartialEq)]
pub struct ScenarioPanelProps {
    /// The preset running, if any.
    pub preset: Option<&'static str>,
    /// The scenario's title.
    pub title: String,
    /// What to watch for.
    pub watch: String,
    /// How far the run is through the scenario's length and script, if it has either.
    pub progress: Option<Progress>,
    /// The last share link made, to show and copy.
    pub link: Option<String>,
    /// An imported config with several blocks, asking which one.
    pub choice: Option<ConfigChoice>,
    /// Receives the actions.
    pub on_action: Callback<Action>,
}

/// Preset picker, what-to-watch text, and the file and link actions.
#[function_component]
pub fn ScenarioPanel(props: &ScenarioPanelProps) -> Html {
    let on_preset = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(p) = PRESETS.iter().find(|p| p.id == select.value()) {
                on_action.emit(Action::LoadPreset(p.id));
            }
        })
    };
    let on_import = read_file(&props.on_action, Action::Import);
    let on_import_config = read_file(&props.on_action, Action::ImportConfig);
    let pasted = use_node_ref();
    let on_paste_import = {
        let (on_action, pasted) = (props.on_action.clone(), pasted.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(area) = pasted.cast::<HtmlTextAreaElement>() {
                on_action.emit(Action::ImportConfig(Ok(area.value())));
            }
        })
    };
    let emit = |action: Action| props.on_action.reform(move |_: MouseEvent| action.clone());
    html! {
        <section class="panel scenario" aria-label="Scenario">
            <h2 class="visually-hidden">{ "Scenario" }</h2>
            <label for="preset" title="Ready-made demonstrations, each with what to watch for">{ "Scenario" }</label>
            <select id="preset" onchange={on_preset} title="Ready-made demonstrations, each with what to watch for">
                if props.preset.is_none() {
                    <option value="" selected=true>{ props.title.clone() }</option>
                }
                { for PRESETS.iter().map(|p| html! {
                    <option value={p.id} selected={props.preset == Some(p.id)}>{ (p.build)().title }</option>
                }) }
            </select>
            if !props.watch.is_empty() {
                <p class="watch" title="What this scenario shows">{ &props.watch }</p>
            }
            if let Some(p) = &props.progress {
                <div class={classes!("progress", p.ended().then_some("ended"))}>
                    if let Some(f) = p.fraction() {
                        <progress max="1" value={f.to_string()} aria-label="Share of the scenario's length gone by"
                            title="How much of the scenario's length has run" />
                    }
                    <p class="progress-words">{ p.words() }</p>
                    if !p.upcoming.is_empty() {
                        <p class="next-label">{ "Coming up:" }</p>
                        <ul class="upcoming" title="The scenario's next scripted changes, at their simulated times">
                            { for p.upcoming.iter().map(|u| html! { <li>{ u.line(p.now) }</li> }) }
                        </ul>
                    }
                </div>
            }
            <div class="buttons">
                <button onclick={emit(Action::Export)}
                    title="Download this session (the scenario and every action so far) as a scenario file">{ "Save" }</button>
                <input id="import" class="hidden" type="file" accept=".json,application/json" onchange={on_import}
                    title="Load a scenario file saved from here or written by hand" />
                <label class="button" for="import" title="Load a scenario file saved from here or written by hand">{ "Load…" }</label>
                <input id="import-config" class="hidden" type="file" onchange={on_import_config}
                    title="Start the scenario an nginx upstream, an HAProxy backend or an Envoy cluster (JSON) describes; what it cannot reproduce is listed with its line" />
                <label class="button" for="import-config"
                    title="Start the scenario an nginx upstream, an HAProxy backend or an Envoy cluster (JSON) describes; what it cannot reproduce is listed with its line">{ "Import config…" }</label>
                <button onclick={emit(Action::Share)}
                    title="Make a link that replays this session exactly, and copy it">{ "Share link" }</button>
            </div>
            <details class="paste-config">
                <summary title="Paste an nginx upstream, an HAProxy backend or an Envoy cluster (JSON) instead of choosing a file">{ "Paste a config…" }</summary>
                <textarea ref={pasted} rows="8" spellcheck="false" aria-label="Config to import"
                    title="An nginx upstream, an HAProxy backend or an Envoy cluster (JSON); the format is recognised"
                    placeholder={"upstream app {\n    least_conn;\n    server 10.0.0.1 weight=2;\n    server 10.0.0.2;\n}"} />
                <button onclick={on_paste_import}
                    title="Start the scenario this config describes; what it cannot reproduce is listed with its line">{ "Import pasted config" }</button>
            </details>
            if let Some(choice) = &props.choice {
                <ConfigQuestion choice={choice.clone()} on_action={props.on_action.clone()} />
            }
            if let Some(link) = &props.link {
                <input class="link" type="text" readonly=true value={link.clone()}
                    aria-label="Share link" title="This link replays the session number for number" />
            }
            <div class="buttons">
                <button onclick={emit(Action::MetricsCsv)}
                    title="Download the sampled metrics (throughput, errors, retries, p50/p95/p99 per window) as CSV">{ "Metrics CSV" }</button>
                <button onclick={emit(Action::RequestLogCsv)}
                    title="Download the log of recent requests (time, client, server, outcome, latency) as CSV">{ "Request log CSV" }</button>
                <button onclick={emit(Action::ExportConfig(Target::Nginx))}
                    title="Download the nginx upstream that behaves like this session's scenario, with a comment for each part nginx cannot say">{ "nginx config" }</button>
                <button onclick={emit(Action::ExportConfig(Target::Haproxy))}
                    title="Download the HAProxy backend that behaves like this session's scenario, with a comment for each part HAProxy cannot say">{ "HAProxy config" }</button>
                <button onclick={emit(Action::Report)}
                    title="Download the run's report (the same JSON as the lbsim command-line runner prints)">{ "Report" }</button>
            </div>
        </section>
    }
}

/// Props of [`ConfigQuestion`].
#[derive(Properties, PartialEq)]
struct ConfigQuestionProps {
    choice: ConfigChoice,
    on_action: Callback<Action>,
}

/// Which of a config's upstreams (backends, clusters) to import.
#[function_component]
fn ConfigQuestion(props: &ConfigQuestionProps) -> Html {
    let picked = use_node_ref();
    let block = props.choice.block();
    let on_import = {
        let (on_action, picked) = (props.on_action.clone(), picked.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(select) = picked.cast::<HtmlSelectElement>() {
                on_action.emit(Action::ChooseConfigBlock(Some(select.value())));
            }
        })
    };
    let on_cancel = props
        .on_action
        .reform(|_: MouseEvent| Action::ChooseConfigBlock(None));
    let question = format!(
        "This config has {} {block}s. Which one?",
        props.choice.names.len()
    );
    html! {
        <div class="config-choice" role="group" aria-label={question.clone()}>
            <label for="config-block">{ question }</label>
            <select id="config-block" ref={picked} title={format!("The {block} whose servers and settings to import")}>
                { for props.choice.names.iter().enumerate().map(|(i, name)| html! {
                    <option value={name.clone()} selected={i == 0}>{ name }</option>
                }) }
            </select>
            <button onclick={on_import} title={format!("Import this {block}")}>{ "Import" }</button>
            <button onclick={on_cancel} title="Keep the current run">{ "Cancel" }</button>
        </div>
    }
}

/// A file input's change handler: reads the chosen file (up to the scenario file limit) and
/// sends its text as the action `make` builds.
pub(super) fn read_file(
    on_action: &Callback<Action>,
    make: fn(Result<String, String>) -> Action,
) -> Callback<Event> {
    let on_action = on_action.clone();
    Callback::from(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        let on_action = on_action.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let text = files::read_text(file, MAX_FILE_BYTES).await;
            on_action.emit(make(text));
        });
    })
}
