//! "Link for my class": a lecturer picks what the class's page shows (the lesson at its step, a
//! lock on the model, parts hidden, autoplay, the layout) and gets the address and an `<iframe>`
//! to paste in slides or a course page. The address is the session's to make
//! ([`Session::class_link`](crate::session::Session::class_link)); this form only holds the
//! choices while it is open.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::files;
use crate::session::{ClassLink, Hidden, Kit, Layout};

/// The layout menu's tooltip.
const LAYOUT_TIP: &str = "How the class's page is laid out: the full page, stage mode (the flow fills the screen, the caption under it) or the present layout (the flow, two charts and the latest timeline entries on one screen)";

/// A layout's name in the menu.
fn layout_name(layout: Layout) -> &'static str {
    match layout {
        Layout::Standard => "Full page",
        Layout::Stage => "Stage mode",
        Layout::Present => "Present (flow, two charts, timeline)",
    }
}

/// Props of [`ClassLinkDialog`].
#[derive(Properties, PartialEq)]
pub struct ClassLinkProps {
    /// The page as it is now, as a kit (the form starts from it).
    pub kit: Kit,
    /// Makes the link for a kit, with this run's share link or not.
    pub make: Callback<(Kit, bool), ClassLink>,
}

/// A checkbox with its label and tooltip.
fn check(id: &str, label: &str, tip: &str, on: bool, onchange: Callback<Event>) -> Html {
    html! {
        <label class="check" for={id.to_owned()} title={tip.to_owned()}>
            <input type="checkbox" id={id.to_owned()} checked={on} {onchange} title={tip.to_owned()} />
            { label }
        </label>
    }
}

/// The dialog, folded under its button until opened.
#[function_component]
pub fn ClassLinkDialog(props: &ClassLinkProps) -> Html {
    let kit = use_state(|| props.kit.clone());
    let with_run = use_state(|| false);
    // The form is built only while the dialog is open: folded, it costs the page nothing.
    let open = use_state_eq(|| false);
    // Opening the dialog starts again from the page as it is.
    let on_toggle = {
        let (kit, page, open) = (kit.clone(), props.kit.clone(), open.clone());
        Callback::from(move |e: Event| {
            let details: web_sys::Element = e.target_unchecked_into();
            let now_open = details.has_attribute("open");
            if now_open {
                kit.set(page.clone());
            }
            open.set(now_open);
        })
    };
    if !*open {
        return folded(on_toggle, Html::default());
    }
    let toggle = |change: fn(&mut Kit, bool)| {
        let kit = kit.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let mut next = (*kit).clone();
            change(&mut next, input.checked());
            kit.set(next);
        })
    };
    let hide = |part: &'static str| {
        let kit = kit.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let mut next = (*kit).clone();
            next.hide.set(part, input.checked());
            kit.set(next);
        })
    };
    let on_layout = {
        let kit = kit.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let mut next = (*kit).clone();
            next.layout = Layout::from_id(&select.value()).unwrap_or_default();
            kit.set(next);
        })
    };
    let on_run = {
        let with_run = with_run.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            with_run.set(input.checked());
        })
    };
    let lesson = kit.lesson.is_some();
    let link = props.make.emit(((*kit).clone(), *with_run && !lesson));
    let copy = |text: String| Callback::from(move |_: MouseEvent| files::copy_to_clipboard(&text));
    let run_tip = if lesson {
        "A lesson brings its own run: the link opens the lesson"
    } else {
        "Put this run in the link too (a share link), so the class opens it as it is now"
    };
    let form = html! {
        <div class="class-link-form">
            { check("kit-lock", "Lock the model", "No control that changes the model: the class watches and answers, the page does not change",
                kit.lock, toggle(|k, on| k.lock = on)) }
            <fieldset>
                <legend>{ "Hide" }</legend>
                { for Hidden::PARTS.iter().map(|&part| check(
                    &format!("kit-hide-{part}"), part,
                    &format!("Take the {part} away from the class's page"),
                    kit.hide.get(part), hide(part))) }
            </fieldset>
            { check("kit-autoplay", "Play at once", "Start playing when the page opens (else it opens paused)",
                kit.autoplay, toggle(|k, on| k.autoplay = on)) }
            <label for="kit-layout" title={LAYOUT_TIP}>{ "Layout" }</label>
            <select id="kit-layout" title={LAYOUT_TIP} onchange={on_layout}>
                { for Layout::ALL.iter().map(|l| html! {
                    <option value={l.id()} selected={*l == kit.layout}>{ layout_name(*l) }</option>
                }) }
            </select>
            <label class="check" for="kit-run" title={run_tip}>
                <input type="checkbox" id="kit-run" checked={*with_run && !lesson} disabled={lesson}
                    onchange={on_run} title={run_tip} />
                { "Include this run" }
            </label>
            <label for="kit-url" title="The address for the class">{ "Address" }</label>
            <input id="kit-url" class="kit-url" type="text" readonly=true value={link.url.clone()}
                title="The address for the class: paste it in a chat, a slide or the course page" />
            <button onclick={copy(link.url.clone())} title="Copy the address">{ "Copy address" }</button>
            <label for="kit-iframe" title="HTML that embeds the page at 800 x 450">{ "Embed" }</label>
            <textarea id="kit-iframe" class="kit-iframe" readonly=true rows="3" value={link.iframe.clone()}
                title="HTML that embeds the page at 800 x 450 in a course page or slides" />
            <button onclick={copy(link.iframe.clone())} title="Copy the iframe HTML">{ "Copy embed" }</button>
        </div>
    };
    folded(on_toggle, form)
}

/// The dialog's frame: its button, and the form under it while open.
fn folded(on_toggle: Callback<Event>, form: Html) -> Html {
    html! {
        <details class="class-link" ontoggle={on_toggle}>
            <summary title="Make an address (and an iframe) that opens the page for a class: a lesson at its step, locked, with parts hidden">
                { "Link for my class" }
            </summary>
            { form }
        </details>
    }
}
