//! Browser tests: the real App mounted in headless Chromium and driven through the DOM, the way a
//! user drives it. Run with `cargo test --target wasm32-unknown-unknown` (see .cargo/config.toml).
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlSelectElement, KeyboardEvent, KeyboardEventInit};

use lb_playground::ui::App;

wasm_bindgen_test_configure!(run_in_browser);

/// An App mounted in its own element; unmounted (its animation loop and key listener stopped) and
/// removed when dropped, so each test drives only its own playground.
struct Mounted {
    root: Element,
    app: Option<yew::AppHandle<App>>,
}

impl std::ops::Deref for Mounted {
    type Target = Element;
    fn deref(&self) -> &Element {
        &self.root
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        self.root.remove();
    }
}

/// Mounts a fresh App in its own element and waits for its first render.
async fn mount() -> Mounted {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    TimeoutFuture::new(300).await;
    Mounted {
        root,
        app: Some(app),
    }
}

fn server_card(root: &Element, index: u32) -> Element {
    root.query_selector_all("article.server")
        .unwrap()
        .item(index)
        .unwrap()
        .dyn_into()
        .unwrap()
}

fn text(root: &Element, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap_or_default()
}

fn routed(root: &Element, index: u32) -> u64 {
    text(&server_card(root, index), ".routed").parse().unwrap()
}

fn click(root: &Element, selector: &str) {
    root.query_selector(selector)
        .unwrap()
        .unwrap()
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
}

/// Waits (up to `max_ms` of wall time) until `check` holds.
async fn eventually(max_ms: u32, check: impl Fn() -> bool) -> bool {
    for _ in 0..max_ms / 50 {
        if check() {
            return true;
        }
        TimeoutFuture::new(50).await;
    }
    check()
}

/// The select at `selector`.
fn select(root: &Element, selector: &str) -> HtmlSelectElement {
    root.query_selector(selector)
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap()
}

fn choose(root: &Element, selector: &str, value: &str) {
    let select = select(root, selector);
    select.set_value(value);
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
}

/// The page's flow canvas, and where the page lays `sim` out on it (the default theme's scale).
fn flow_layout<'a>(
    root: &Element,
    sim: &'a lb_playground::sim::Simulation,
) -> (
    web_sys::HtmlCanvasElement,
    lb_playground::session::flow_layout::Layout<'a>,
) {
    let canvas: web_sys::HtmlCanvasElement = root
        .query_selector("canvas.flow")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let ratio = web_sys::window().unwrap().device_pixel_ratio();
    let layout = lb_playground::session::flow_layout::Layout::new(
        f64::from(canvas.width()) / ratio,
        f64::from(canvas.height()) / ratio,
        1.0,
        sim,
    );
    (canvas, layout)
}

mod portable;

#[wasm_bindgen_test]
fn the_pinned_run_gives_the_same_numbers_as_native() {
    assert_eq!(portable::fingerprint(), portable::EXPECTED);
}

#[wasm_bindgen_test]
fn a_preset_gives_the_same_report_as_native() {
    assert_eq!(
        portable::preset_report_digest(),
        portable::EXPECTED_REPORT_DIGEST
    );
}

#[wasm_bindgen_test]
async fn renders_the_playground() {
    let root = mount().await;
    assert_eq!(
        root.query_selector_all("article.server").unwrap().length(),
        4
    );
    assert!(root.query_selector("canvas.flow").unwrap().is_some());
    assert_eq!(root.query_selector_all("canvas.chart").unwrap().length(), 5);
    let options = root
        .query_selector_all("#algorithm option")
        .unwrap()
        .length();
    assert!(options >= 3, "{options} algorithms offered");
    // Every control has a tooltip.
    let controls = root.query_selector_all("button, select, input").unwrap();
    for i in 0..controls.length() {
        let control: Element = controls.item(i).unwrap().dyn_into().unwrap();
        assert!(
            control
                .get_attribute("title")
                .is_some_and(|t| !t.is_empty()),
            "{}",
            control.outer_html()
        );
    }
}

#[wasm_bindgen_test]
async fn killing_a_server_shows_it_down_and_stops_its_traffic() {
    let root = mount().await;
    choose(&root, "#speed", "10");
    TimeoutFuture::new(1_500).await;
    assert!(
        routed(&root, 1) > 0,
        "server-2 received traffic before the kill"
    );

    click(&server_card(&root, 1), "button.kill");
    TimeoutFuture::new(200).await;
    let card = server_card(&root, 1);
    assert_eq!(text(&card, ".state"), "crashed");
    assert_eq!(text(&card, "button.kill"), "Revive");
    assert!(text(&root, ".log").contains("server-2 killed"));
    // The balancer learns it from the health checks: three failed checks 2 s apart (0.6 s at 10x).
    let detected = eventually(3_000, || {
        text(&server_card(&root, 1), ".health").contains("DOWN")
    })
    .await;
    assert!(
        detected,
        "health checks mark it DOWN: {}",
        text(&server_card(&root, 1), ".health")
    );
    assert!(text(&root, ".log").contains("server-2 DOWN after 3 failed checks"));
    let routed_at_detection = routed(&root, 1);
    let others_at_detection: u64 = [0, 2, 3].iter().map(|&i| routed(&root, i)).sum();

    TimeoutFuture::new(1_500).await;
    assert_eq!(
        routed(&root, 1),
        routed_at_detection,
        "no new requests reach the killed server"
    );
    let others_now: u64 = [0, 2, 3].iter().map(|&i| routed(&root, i)).sum();
    assert!(
        others_now > others_at_detection + 10,
        "the others take the traffic: {others_at_detection} -> {others_now}"
    );
    // The flow canvas's label says it too, for a screen reader.
    let label = || {
        root.query_selector("canvas.flow")
            .unwrap()
            .unwrap()
            .get_attribute("aria-label")
            .unwrap_or_default()
    };
    assert!(
        label().contains("server-2 crashed. Health checks mark server-2 DOWN."),
        "{}",
        label()
    );

    click(&server_card(&root, 1), "button.kill");
    TimeoutFuture::new(200).await;
    assert_eq!(text(&server_card(&root, 1), ".state"), "running");
    let back = eventually(3_000, || routed(&root, 1) > routed_at_detection).await;
    assert!(
        back,
        "a revived server gets traffic again once its checks pass"
    );
}

#[wasm_bindgen_test]
async fn pausing_stops_time_and_switching_algorithm_is_logged() {
    let root = mount().await;
    click(&root, ".playback button.primary");
    TimeoutFuture::new(200).await;
    let paused_at = text(&root, ".clock");
    TimeoutFuture::new(500).await;
    assert_eq!(text(&root, ".clock"), paused_at, "paused time stands still");

    click(&root, ".playback button:nth-of-type(2)"); // Step: 100 ms
    TimeoutFuture::new(200).await;
    assert_ne!(text(&root, ".clock"), paused_at, "a step advances time");

    choose(&root, "#algorithm", "nginx-least-conn");
    TimeoutFuture::new(200).await;
    assert!(text(&root, ".log").contains("Least connections"));
    assert!(text(&root, ".algorithm").contains("fewest requests in progress"));
}

#[wasm_bindgen_test]
async fn hashing_reports_remapped_keys_and_backups_are_marked() {
    let root = mount().await;
    assert!(root.query_selector(".remap").unwrap().is_none());
    choose(&root, "#algorithm", "consistent-hash-session");
    choose(&root, "#speed", "10");
    click(&server_card(&root, 0), "button.kill");
    let reported = eventually(3_000, || root.query_selector(".remap").unwrap().is_some()).await;
    assert!(
        reported,
        "the remap report comes when health checks take the server out"
    );
    let remap = text(&root, ".remap");
    assert!(
        remap.contains("moved") && remap.contains("modulo"),
        "{remap}"
    );

    click(&server_card(&root, 3), "input[type=checkbox]");
    TimeoutFuture::new(200).await;
    assert!(text(&server_card(&root, 3), "header").contains("backup"));
    assert!(text(&root, ".log").contains("server-4 is now a backup"));
}

#[wasm_bindgen_test]
async fn a_failing_server_opens_its_breaker_and_retries_hide_the_errors() {
    let root = mount().await;
    choose(&root, "#speed", "10");
    choose(&root, "#breaker", "consecutive");
    choose(&root, "#retry", "5xx");
    choose(&server_card(&root, 2), "select[id^=errors]", "100");
    let opened = eventually(4_000, || {
        server_card(&root, 2)
            .query_selector(".breaker .node.lit")
            .unwrap()
            .is_some_and(|n| n.text_content().unwrap_or_default() == "open")
    })
    .await;
    assert!(opened, "the breaker opens after five errors");
    assert!(text(&root, ".log").contains("server-3 breaker open after 5 consecutive failures"));
    TimeoutFuture::new(500).await;
    let failed: u64 = text(&root, ".totals .bad .total-value").parse().unwrap();
    assert_eq!(failed, 0, "with retries on 500, clients see no errors");
    assert!(text(&root, ".resilience").contains("retries so far"));
}

#[wasm_bindgen_test]
async fn clicking_a_timeline_entry_shows_its_cause() {
    let root = mount().await;
    click(&server_card(&root, 1), "button.kill");
    TimeoutFuture::new(200).await;
    let entries = root.query_selector_all(".log button.entry").unwrap();
    let kill: HtmlElement = (0..entries.length())
        .map(|i| entries.item(i).unwrap().dyn_into::<HtmlElement>().unwrap())
        .find(|b| {
            b.text_content()
                .unwrap_or_default()
                .contains("server-2 killed")
        })
        .expect("the kill is on the timeline");
    assert!(root.query_selector(".log .cause").unwrap().is_none());
    kill.click();
    TimeoutFuture::new(300).await;
    let cause = text(&root, ".log .cause");
    assert!(cause.contains("action"), "{cause}");
    assert!(cause.contains("You applied this at t="), "{cause}");
    assert!(
        cause.contains("it finds out through active health checks (3 failed checks, 2 s apart)"),
        "{cause}"
    );
    assert_eq!(kill.get_attribute("aria-expanded").as_deref(), Some("true"));
    // It stays open while the list re-renders, and a second click closes it.
    TimeoutFuture::new(500).await;
    assert!(text(&root, ".log .cause").contains("You applied this"));
    kill.click();
    TimeoutFuture::new(200).await;
    assert!(root.query_selector(".log .cause").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn presets_load_and_a_share_link_reopens_the_session() {
    let root = mount().await;
    choose(&root, "#preset", "power-of-two-choices");
    TimeoutFuture::new(300).await;
    assert_eq!(
        root.query_selector_all("article.server").unwrap().length(),
        20
    );
    assert!(text(&root, ".scenario .watch").contains("Mitzenmacher"));
    choose(&root, "#preset", "crash-recovery");
    TimeoutFuture::new(300).await;
    assert_eq!(
        root.query_selector_all("article.server").unwrap().length(),
        4
    );
    choose(&root, "#speed", "10");
    TimeoutFuture::new(1_500).await;
    click(&server_card(&root, 0), "button.kill");
    TimeoutFuture::new(200).await;

    click(&root, ".scenario .buttons button:nth-of-type(2)"); // Share link
    TimeoutFuture::new(200).await;
    let link: web_sys::HtmlInputElement = root
        .query_selector(".scenario .link")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let href = link.value();
    let fragment = &href[href.find('#').expect("the link has a fragment")..];
    let shared = lb_playground::sim::share::from_fragment(fragment)
        .unwrap()
        .unwrap();
    assert_eq!(shared.title, "Server crash and recovery");
    assert!(
        shared
            .timeline
            .iter()
            .any(|t| t.command == lb_playground::sim::Command::Kill { server: 0 }),
        "the user's kill is in the shared session"
    );

    // A page opened on the link starts that session.
    let reopened = mount().await;
    // (The classroom default has no what-to-watch text: this only passes if the link was read.)
    assert!(text(&reopened, ".scenario .watch").contains("server-3 crashes at 10 s"));
    web_sys::window().unwrap().location().set_hash("").unwrap();
}

/// Presses `key` the way a user does with nothing focused: a keydown that bubbles from the body.
fn press(key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    let body = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .body()
        .unwrap();
    body.dispatch_event(&event).unwrap();
}

/// Presses `key` on the focused element, where a user's key arrives.
fn press_on_focused(key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    let document = web_sys::window().unwrap().document().unwrap();
    let focused = document.active_element().expect("an element has the focus");
    focused.dispatch_event(&event).unwrap();
}

/// Clicks `element` the way a mouse does: a pointer press, which focuses it, then the click.
fn mouse_click(element: &HtmlElement) {
    element
        .dispatch_event(&web_sys::Event::new("pointerdown").unwrap())
        .unwrap();
    element.focus().unwrap();
    element.click();
}

#[wasm_bindgen_test]
async fn space_after_clicking_kill_pauses_instead_of_reviving() {
    let root = mount().await;
    let kill: HtmlElement = server_card(&root, 1)
        .query_selector("button.kill")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    mouse_click(&kill);
    TimeoutFuture::new(200).await;
    assert_eq!(text(&server_card(&root, 1), ".state"), "crashed");
    press_on_focused(" ");
    TimeoutFuture::new(200).await;
    assert_eq!(
        text(&root, ".playback button.primary"),
        "Play",
        "Space paused"
    );
    let paused_at = text(&root, ".clock");
    TimeoutFuture::new(400).await;
    assert_eq!(text(&root, ".clock"), paused_at, "time stands still");
    assert_eq!(
        text(&server_card(&root, 1), ".state"),
        "crashed",
        "the server was not revived"
    );
}

#[wasm_bindgen_test]
async fn a_shortcut_works_while_a_select_has_the_focus() {
    let root = mount().await;
    select(&root, "#speed").focus().unwrap();
    let before = theme();
    press_on_focused("t");
    TimeoutFuture::new(200).await;
    assert_ne!(
        theme(),
        before,
        "t switches the theme from the speed select"
    );
    press_on_focused("ArrowDown");
    TimeoutFuture::new(200).await;
    assert!(
        root.query_selector("article.server.selected")
            .unwrap()
            .is_none(),
        "the select keeps its arrows: no server was selected"
    );
    choose(&root, "#theme", &before);
    TimeoutFuture::new(200).await;
}

fn theme() -> String {
    let document = web_sys::window().unwrap().document().unwrap();
    document
        .document_element()
        .unwrap()
        .get_attribute("data-theme")
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_keyboard_drives_the_playground() {
    let root = mount().await;
    press("3");
    TimeoutFuture::new(200).await;
    assert!(server_card(&root, 2).class_list().contains("selected"));
    assert!(!server_card(&root, 0).class_list().contains("selected"));

    press("k");
    TimeoutFuture::new(200).await;
    assert_eq!(text(&server_card(&root, 2), ".state"), "crashed");
    assert!(text(&root, ".log").contains("server-3 killed"));
    press("k");
    TimeoutFuture::new(200).await;
    assert_eq!(text(&server_card(&root, 2), ".state"), "running");

    press("+");
    press("+");
    TimeoutFuture::new(200).await;
    let weight: web_sys::HtmlInputElement = server_card(&root, 2)
        .query_selector("input.weight-field")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(weight.value(), "3");
    press("ArrowDown");
    press("s");
    TimeoutFuture::new(200).await;
    assert!(server_card(&root, 3).class_list().contains("selected"));
    assert!(
        text(&root, ".log").contains("server-4"),
        "{}",
        text(&root, ".log")
    );

    press(" ");
    TimeoutFuture::new(200).await;
    let paused_at = text(&root, ".clock");
    TimeoutFuture::new(400).await;
    assert_eq!(text(&root, ".clock"), paused_at, "space pauses");
    press("ArrowRight");
    TimeoutFuture::new(200).await;
    assert_ne!(text(&root, ".clock"), paused_at, "the right arrow steps");
    press(" ");

    assert!(root.query_selector(".dialog").unwrap().is_none());
    press("?");
    TimeoutFuture::new(200).await;
    assert!(text(&root, ".dialog").contains("Keyboard shortcuts"));
    assert!(text(&root, ".dialog").contains("kill / revive the selected server"));
    press("Escape");
    TimeoutFuture::new(200).await;
    assert!(root.query_selector(".dialog").unwrap().is_none());

    let before = theme();
    press("t");
    TimeoutFuture::new(200).await;
    assert_ne!(theme(), before, "t switches the theme");
    choose(&root, "#theme", "projector");
    TimeoutFuture::new(200).await;
    assert_eq!(theme(), "projector");
    choose(&root, "#theme", "light");
    TimeoutFuture::new(200).await;
    assert_eq!(theme(), "light");
}

#[wasm_bindgen_test]
async fn the_shortcuts_dialog_keeps_the_focus_while_open() {
    let root = mount().await;
    let help: HtmlElement = root
        .query_selector("button.help-button")
        .unwrap()
        .expect("the ? button")
        .dyn_into()
        .unwrap();
    help.focus().unwrap();
    help.click();
    TimeoutFuture::new(200).await;
    let document = web_sys::window().unwrap().document().unwrap();
    let focused = || document.active_element().expect("an element has the focus");
    assert_eq!(
        focused().text_content().unwrap(),
        "Close",
        "the dialog takes the focus"
    );
    for shift in [false, true] {
        let init = KeyboardEventInit::new();
        init.set_key("Tab");
        init.set_shift_key(shift);
        init.set_bubbles(true);
        init.set_cancelable(true);
        let tab = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        focused().dispatch_event(&tab).unwrap();
        assert!(
            tab.default_prevented(),
            "Tab (shift {shift}) stays in the dialog"
        );
        assert!(
            focused().closest(".dialog").unwrap().is_some(),
            "the focus is still in the dialog after Tab (shift {shift})"
        );
    }
    press("Escape");
    TimeoutFuture::new(200).await;
    assert!(root.query_selector(".dialog").unwrap().is_none());
    assert!(
        focused().is_same_node(Some(help.unchecked_ref())),
        "closing gives the focus back to the button that opened it"
    );
}

#[wasm_bindgen_test]
async fn compare_mode_runs_a_second_algorithm_on_the_same_traffic() {
    let root = mount().await;
    choose(&root, "#speed", "10");
    TimeoutFuture::new(500).await;
    choose(&root, "#compare-algorithm", "nginx-least-conn");
    TimeoutFuture::new(300).await;
    assert_eq!(root.query_selector_all("canvas.flow").unwrap().length(), 2);
    let labels = text(&root, ".stage");
    assert!(labels.contains("A: ") && labels.contains("B: "), "{labels}");
    let latency = root.query_selector("#chart-latency").unwrap().unwrap();
    let label = latency.get_attribute("aria-label").unwrap();
    assert!(
        label.contains("run B"),
        "the latency chart shows both runs: {label}"
    );
    click(&server_card(&root, 1), "button.kill");
    TimeoutFuture::new(1_000).await;
    // Both runs saw the identical arrivals: the same number sent, read in one render.
    let sent: Vec<String> = (0..2)
        .map(|i| {
            let totals: Element = root
                .query_selector_all(".totals")
                .unwrap()
                .item(i)
                .unwrap()
                .dyn_into()
                .unwrap();
            text(&totals, ".total-value")
        })
        .collect();
    assert_eq!(sent[0], sent[1], "A and B got the same traffic");
    assert!(sent[0].parse::<u64>().unwrap() > 0);
    choose(&root, "#compare-algorithm", "off");
    TimeoutFuture::new(300).await;
    assert_eq!(root.query_selector_all("canvas.flow").unwrap().length(), 1);
}

#[wasm_bindgen_test]
async fn compare_labels_stay_true_after_a_presets_scripted_switch() {
    let root = mount().await;
    choose(&root, "#preset", "slow-server");
    TimeoutFuture::new(300).await;
    choose(&root, "#compare-algorithm", "nginx-least-conn");
    TimeoutFuture::new(300).await;
    // The preset switches run A to least connections at 30 s: skip past it.
    for _ in 0..4 {
        click(&root, ".playback button.skip");
        TimeoutFuture::new(200).await;
    }
    let labels = || {
        let headings = root.query_selector_all(".stage h2.run-label").unwrap();
        (0..headings.length())
            .map(|i| headings.item(i).unwrap().text_content().unwrap_or_default())
            .collect::<Vec<String>>()
    };
    assert!(
        eventually(5_000, || labels().first().is_some_and(
            |a| a.contains(", then Least connections (nginx least_conn) at 30 s")
        ))
        .await,
        "{:?}",
        labels()
    );
    let [a, b] = <[String; 2]>::try_from(labels()).unwrap();
    assert!(a.starts_with("A: ") && a != b, "{a} / {b}");
    assert_eq!(b, "B: Least connections (nginx least_conn)");
}

#[wasm_bindgen_test]
async fn a_heavy_share_link_opens_with_a_warning_and_the_page_keeps_answering() {
    // A million requests a second: far more than a frame can simulate.
    let mut scenario = lb_playground::sim::Scenario::classroom();
    scenario.traffic.rate = 1e6;
    scenario.client_latency = lb_playground::sim::SimDuration::ZERO;
    scenario.backend_latency = lb_playground::sim::SimDuration::ZERO;
    let fragment = format!(
        "#{}{}",
        lb_playground::sim::share::FRAGMENT_KEY,
        lb_playground::sim::share::pack(&scenario)
    );
    let window = web_sys::window().unwrap();
    window.location().set_hash(&fragment).unwrap();
    let root = mount().await;
    window.location().set_hash("").unwrap();
    assert!(
        text(&root, ".notice").contains("more than the page can show in real time"),
        "the link opens with a warning"
    );
    assert!(
        text(&root, ".notice").starts_with("This link replays a shared session"),
        "and says first what it replays"
    );

    // The animation loop keeps to its budget: timers still fire on time...
    let performance = window.performance().unwrap();
    let mut worst: f64 = 0.0;
    for _ in 0..20 {
        let start = performance.now();
        TimeoutFuture::new(20).await;
        worst = worst.max(performance.now() - start - 20.0);
    }
    assert!(worst < 200.0, "a timer fired {worst:.0} ms late");
    assert!(
        eventually(1_000, || root
            .query_selector_all(".notice")
            .unwrap()
            .length()
            == 2)
        .await,
        "and the page says it runs behind real time"
    );

    // ...and a click is answered.
    let start = performance.now();
    click(&root, ".playback button.primary");
    assert!(
        eventually(200, || text(&root, ".playback button.primary")
            .contains("Play"))
        .await,
        "paused within 200 ms"
    );
    let answered = performance.now() - start;
    assert!(answered < 200.0, "answered after {answered:.0} ms");
}

#[wasm_bindgen_test]
async fn the_tls_preset_matches_native_and_its_control_is_logged() {
    for (id, expected) in portable::EXPECTED_END_DIGESTS {
        assert_eq!(portable::preset_end_digest(id), expected, "{id}");
    }
    let root = mount().await;
    assert!(
        root.query_selector("#tls").unwrap().is_none(),
        "no TLS, no control"
    );
    choose(&root, "#preset", "tls-termination");
    TimeoutFuture::new(500).await;
    assert_eq!(select(&root, "#tls").value(), "passthrough");
    choose(&root, "#tls", "terminate");
    assert!(
        eventually(2_000, || text(&root, ".log").contains(
            "TLS passed through to the servers (they do the handshakes) -> TLS terminated"
        ))
        .await,
        "{}",
        text(&root, ".log")
    );
    assert_eq!(select(&root, "#tls").value(), "terminate");
}

#[wasm_bindgen_test]
async fn client_retries_and_goodput_show_and_the_client_control_changes_them() {
    let root = mount().await;
    assert!(!text(&root, ".totals").contains("goodput"));
    choose(&root, "#preset", "metastable-retries");
    TimeoutFuture::new(500).await;
    let value = |selector: &str| select(&root, selector).value();
    assert_eq!(value("#client-retry"), "naive");
    assert_eq!(value("#closed-loop"), "off");
    let totals = text(&root, ".totals");
    assert!(
        totals.contains("client retries") && totals.contains("goodput"),
        "{totals}"
    );
    choose(&root, "#client-retry", "budget");
    TimeoutFuture::new(500).await;
    assert_eq!(value("#client-retry"), "budget");
}

#[wasm_bindgen_test]
async fn the_autoscaling_control_switches_the_autoscaler_and_the_servers_chart_is_drawn() {
    let root = mount().await;
    assert!(
        root.query_selector("canvas#chart-servers")
            .unwrap()
            .is_some(),
        "the Servers and load chart"
    );
    choose(&root, "#autoscale", "hpa-rps");
    assert!(
        eventually(2_000, || text(&root, ".scaling")
            .contains("Kubernetes HPA on requests per second"))
        .await,
        "{}",
        text(&root, ".scaling")
    );
    assert!(
        eventually(2_000, || text(&root, ".log")
            .contains("autoscaling off -> Kubernetes HPA"))
        .await,
        "{}",
        text(&root, ".log")
    );
    choose(&root, "#autoscale", "off");
    assert!(
        eventually(2_000, || !text(&root, ".scaling")
            .contains("Kubernetes HPA on"))
        .await
    );
}

/// The lesson panel's primary button (Continue, Finish, Start again).
fn lesson_primary(root: &Element) -> HtmlElement {
    root.query_selector(".lesson-nav button.primary")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap()
}

/// Whether the lesson panel shows a reveal containing `words`.
fn revealed(root: &Element, words: &str) -> bool {
    root.query_selector(".lesson .reveal")
        .unwrap()
        .is_some_and(|r| r.text_content().unwrap_or_default().contains(words))
}

#[wasm_bindgen_test]
async fn a_lesson_runs_from_start_to_end_with_a_right_and_a_wrong_answer_and_back() {
    let root = mount().await;
    choose(&root, "#speed", "100");
    choose(&root, "#lesson-pick", "round-robin");
    TimeoutFuture::new(200).await;
    assert_eq!(text(&root, ".lesson-progress"), "Step 1 of 5");
    assert!(text(&root, ".lesson .caption").contains("Round robin sends each request"));
    // The question comes first: Continue waits, the clock is paused.
    assert!(lesson_primary(&root).has_attribute("disabled"));
    assert_eq!(text(&root, ".playback button"), "Play");
    // Right: server-1 gets the first request.
    click(&root, ".lesson .choice");
    assert!(eventually(10_000, || revealed(&root, "Right!")).await);
    assert!(
        text(&root, ".lesson .reveal").contains("Measured the first request's server: server 1")
    );
    lesson_primary(&root).click();
    TimeoutFuture::new(100).await;
    assert_eq!(text(&root, ".lesson-progress"), "Step 2 of 5");
    // Wrong: the slider starts at 50%, server-1's share is a quarter.
    click(&root, ".number-guess button");
    assert!(eventually(20_000, || revealed(&root, "Not quite.")).await);
    assert!(text(&root, ".lesson .reveal").contains("Your guess: 50.0%"));
    // Back to step 1: replayed to its start, its question open again.
    click(&root, ".lesson-nav button:first-child");
    TimeoutFuture::new(200).await;
    assert_eq!(text(&root, ".lesson-progress"), "Step 1 of 5");
    assert!(root.query_selector(".lesson .reveal").unwrap().is_none());
    // On to the end: answer each question, then Continue.
    for step in 1..=5 {
        if root.query_selector(".lesson .choice").unwrap().is_some() {
            click(&root, ".lesson .choice");
        } else if root
            .query_selector(".number-guess button")
            .unwrap()
            .is_some()
        {
            click(&root, ".number-guess button");
        }
        let primary = || !lesson_primary(&root).has_attribute("disabled");
        assert!(eventually(30_000, primary).await, "step {step} never ended");
        lesson_primary(&root).click();
        TimeoutFuture::new(100).await;
    }
    assert!(text(&root, ".lesson").contains("Lesson complete."));
    assert!(text(&root, ".lesson .score").ends_with("predictions right."));
    click(&root, ".lesson .close");
    TimeoutFuture::new(100).await;
    assert!(root.query_selector(".lesson").unwrap().is_none());
    assert!(root.query_selector("#lesson-pick").unwrap().is_some());
}

#[wasm_bindgen_test]
async fn a_pasted_config_with_two_upstreams_asks_which_and_imports_it() {
    let root = mount().await;
    let area: web_sys::HtmlTextAreaElement = root
        .query_selector(".paste-config textarea")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    area.set_value(
        "upstream web {\n server 10.0.0.1;\n}\nupstream api {\n least_conn;\n keepalive 8;\n server 10.1.0.1;\n server 10.1.0.2;\n}\n",
    );
    click(&root, ".paste-config button");
    assert!(
        eventually(2_000, || root
            .query_selector(".config-choice")
            .unwrap()
            .is_some())
        .await
    );
    assert!(text(&root, ".config-choice").contains("This config has 2 upstreams. Which one?"));
    assert_eq!(select(&root, "#config-block").value(), "web");
    select(&root, "#config-block").set_value("api");
    click(&root, ".config-choice button");
    let notice = || {
        root.query_selector(".notice")
            .unwrap()
            .and_then(|n| n.text_content())
            .unwrap_or_default()
    };
    assert!(
        eventually(2_000, || notice().contains("line 6: keepalive")).await,
        "{}",
        notice()
    );
    assert!(root.query_selector(".config-choice").unwrap().is_none());
    assert!(text(&root, "article.server").contains("10.1.0.1"));
}

#[wasm_bindgen_test]
async fn the_live_region_announces_a_server_going_down() {
    let root = mount().await;
    let live = root.query_selector(".live").unwrap().unwrap();
    assert_eq!(live.get_attribute("aria-live").as_deref(), Some("polite"));
    choose(&root, "#speed", "10");
    click(&server_card(&root, 1), "button.kill");
    let announced = eventually(5_000, || {
        text(&root, ".live").contains("server-2 DOWN after")
    })
    .await;
    assert!(announced, "{:?}", text(&root, ".live"));
}

#[path = "browser/teaching.rs"]
mod teaching;

#[path = "browser/access.rs"]
mod access;

#[path = "browser/flow.rs"]
mod flow;

#[path = "browser/cells.rs"]
mod cells;

#[path = "browser/progress.rs"]
mod progress;

#[path = "browser/undo.rs"]
mod undo;

#[path = "browser/whatif.rs"]
mod whatif;

/// The first render builds the header and the flow canvas; the server cards, the controls, the
/// charts and the timeline follow, each in a task of its own (`ui::later`), and all of them come.
#[wasm_bindgen_test]
async fn the_page_mounts_its_later_parts_after_the_first_render() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let app = yew::Renderer::<App>::with_root(root.clone()).render();
    let root = Mounted {
        root,
        app: Some(app),
    };
    TimeoutFuture::new(0).await;
    assert!(root.query_selector("canvas.flow").unwrap().is_some());
    assert!(root.query_selector("article.server").unwrap().is_none());
    let all_there = eventually(2_000, || {
        root.query_selector_all("article.server").unwrap().length() == 4
            && root.query_selector("aside.side").unwrap().is_some()
            && root.query_selector_all("canvas.chart").unwrap().length() == 5
            && root.query_selector(".log").unwrap().is_some()
    })
    .await;
    assert!(all_there, "{}", root.inner_html().len());
}
