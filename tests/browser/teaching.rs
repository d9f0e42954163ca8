//! The teaching tools in the browser: the classroom kit's addresses, time travel, the request
//! inspector, exercises and the present layout.

use super::*;

/// Mounts an App as if the page's address had `query` (the classroom kit), then puts the
/// address back.
async fn mount_at(query: &str) -> Mounted {
    let window = web_sys::window().unwrap();
    let history = window.history().unwrap();
    let location = window.location();
    let before = format!(
        "{}{}",
        location.pathname().unwrap(),
        location.search().unwrap()
    );
    let pathname = location.pathname().unwrap();
    history
        .replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{pathname}{query}")),
        )
        .unwrap();
    let root = mount().await;
    history
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&before))
        .unwrap();
    root
}

/// Sets the time-travel scrubber to `seconds` as a drag does.
fn scrub_to(root: &Element, seconds: f64) {
    let scrubber: web_sys::HtmlInputElement = root
        .query_selector("#scrubber")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    scrubber.set_value(&seconds.to_string());
    scrubber
        .dispatch_event(&web_sys::InputEvent::new("input").unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn an_address_opens_a_lesson_at_its_step_locked_with_parts_hidden() {
    let root = mount_at("?lesson=round-robin&step=2&lock=1&hide=controls,charts&autoplay=0").await;
    assert_eq!(text(&root, ".lesson-progress"), "Step 2 of 5");
    for gone in [
        ".side",
        ".charts",
        "button.kill",
        ".add-server",
        "#lesson-pick",
    ] {
        assert!(
            root.query_selector(gone).unwrap().is_none(),
            "{gone} is not on a locked page"
        );
    }
    assert!(root.query_selector("canvas.flow").unwrap().is_some());
    // The model's keys are refused, with a sentence.
    press("k");
    TimeoutFuture::new(100).await;
    assert!(text(&root, ".error").contains("locked for the class"));
    drop(root);
    // A bad parameter is named, and the page works.
    let root = mount_at("?theme=neon&speed=2").await;
    assert!(text(&root, ".error").contains("theme=neon should be light, dark or projector"));
    assert!(root.query_selector(".side").unwrap().is_some());
    assert_eq!(select(&root, "#speed").value(), "2");
}

#[wasm_bindgen_test]
async fn scrubbing_back_shows_the_past_and_a_change_there_forks() {
    let root = mount().await;
    for _ in 0..3 {
        click(&root, "button.skip");
    }
    TimeoutFuture::new(200).await;
    scrub_to(&root, 12.0);
    TimeoutFuture::new(200).await;
    assert!(text(&root, ".time-travel .where").starts_with("0:12.0 of 0:3"));
    assert_eq!(text(&root, ".playback .clock"), "t = 12.0 s");
    assert_eq!(text(&root, ".playback button"), "Play", "a jump pauses");
    // A change in the past forks the history and offers the old one as run B.
    click(&server_card(&root, 0), "button.kill");
    TimeoutFuture::new(200).await;
    assert!(text(&root, ".fork").contains("You changed the past at 0:12.0"));
    click(&root, ".fork button.primary");
    TimeoutFuture::new(300).await;
    assert_eq!(root.query_selector_all("canvas.flow").unwrap().length(), 2);
    assert!(root.query_selector(".fork").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn next_event_runs_to_the_next_change_and_a_request_is_inspected() {
    let root = mount().await;
    click(&root, ".playback button.primary");
    // Past the first health checks (a kill at t = 0 can be marked DOWN by the check at t = 0,
    // before "Next event" is pressed, leaving it nothing to run to).
    click(&root, "button.skip");
    click(&server_card(&root, 1), "button.kill");
    TimeoutFuture::new(100).await;
    let entries = || {
        root.query_selector_all(".log .entries li")
            .unwrap()
            .length()
    };
    let before = entries();
    let next = root
        .query_selector_all(".time-travel button")
        .unwrap()
        .item(0)
        .unwrap()
        .dyn_into::<HtmlElement>()
        .unwrap();
    assert_eq!(next.text_content().unwrap(), "Next event");
    next.click();
    assert!(
        eventually(2_000, || entries() > before).await,
        "the next change is logged: {before} before, now {}: {}",
        entries(),
        text(&root, ".log")
    );
    // The latest finished requests are listed; one is inspected hop by hop.
    click(&root, "button.skip");
    TimeoutFuture::new(300).await;
    // The list is taken when the picker is focused.
    root.query_selector("#inspect-pick")
        .unwrap()
        .unwrap()
        .dyn_into::<HtmlElement>()
        .unwrap()
        .focus()
        .unwrap();
    TimeoutFuture::new(100).await;
    let first = root
        .query_selector_all("#inspect-pick option")
        .unwrap()
        .item(1)
        .unwrap()
        .dyn_into::<Element>()
        .unwrap()
        .get_attribute("value")
        .unwrap();
    choose(&root, "#inspect-pick", &first);
    TimeoutFuture::new(300).await;
    assert!(text(&root, ".inspector h3").starts_with(&format!("Request #{first}")));
    let hops = root
        .query_selector_all("table.hops tbody tr")
        .unwrap()
        .length();
    assert!(hops >= 4, "{hops} hops");
    assert!(text(&root, ".inspector .ending").starts_with("Served in"));
}

#[wasm_bindgen_test]
async fn an_exercise_grades_a_wrong_pick_and_shows_the_model_answer() {
    let root = mount().await;
    choose(&root, "#exercise-pick", "nginx-smooth-wrr");
    TimeoutFuture::new(200).await;
    assert_eq!(text(&root, ".exercise h2"), "You are the balancer");
    assert!(text(&root, ".exercise .rule").starts_with("Weighted round robin (nginx smooth)."));
    assert_eq!(text(&root, ".exercise .lesson-progress"), "Request 1 of 5");
    let first = root
        .query_selector(".exercise .server-pick")
        .unwrap()
        .unwrap();
    assert!(
        first
            .get_attribute("title")
            .unwrap()
            .starts_with("Send request 1 to server-1")
    );
    assert!(first.text_content().unwrap().contains("current weight"));
    // Always pick server-1: the balancer does not pick it every time, so one pick is wrong.
    let mut wrong = None;
    for request in 1..=5 {
        click(&root, ".exercise .server-pick");
        TimeoutFuture::new(100).await;
        let reveal = text(&root, ".exercise .reveal");
        if reveal.starts_with("Not quite") {
            wrong = Some((request, reveal));
            break;
        }
        assert!(reveal.starts_with("Right"), "{reveal}");
        click(&root, ".exercise .lesson-nav button.primary");
        TimeoutFuture::new(100).await;
    }
    let (request, reveal) = wrong.expect("server-1 was right five times in a row");
    let model = text(&root, ".exercise .server-pick.model strong");
    assert_ne!(model, "server-1");
    assert!(
        reveal.contains(&format!("the balancer picks {model}")),
        "{reveal}"
    );
    assert!(text(&root, ".exercise .reveal .why").contains(&format!("{model} has the largest")));
    assert_eq!(
        text(&root, ".exercise .session-score"),
        format!("Session: {} of {request} right", request - 1)
    );
    click(&root, ".exercise .close");
    TimeoutFuture::new(100).await;
    assert!(root.query_selector(".exercise").unwrap().is_none());
    assert!(root.query_selector("#exercise-pick").unwrap().is_some());
}

/// Whether `element` is drawn (has a box).
fn drawn(element: &Element) -> bool {
    let r = element.get_bounding_client_rect();
    r.width() > 0.0 && r.height() > 0.0
}

#[wasm_bindgen_test]
async fn the_present_layout_draws_the_flow_two_chosen_charts_and_the_latest_timeline_only() {
    // The charts come from the address; the run is given a few events on the full page (its
    // server cards are not drawn in the present layout), then the Present button is pressed.
    let root = mount_at("?charts=queues,latency&autoplay=0").await;
    // The page fills the window, as it would on its own.
    root.set_attribute("style", "position: fixed; inset: 0; overflow: hidden")
        .unwrap();
    for _ in 0..3 {
        click(&root, "button.skip");
    }
    click(&server_card(&root, 1), "button.kill");
    click(&server_card(&root, 2), "button.kill");
    click(&root, "button.skip");
    TimeoutFuture::new(200).await;
    let logged = root
        .query_selector_all(".log .entries li")
        .unwrap()
        .length();
    assert!(logged >= 3, "two kills and their health checks: {logged}");
    click(&root, ".present-button");
    assert!(
        eventually(2_000, || root
            .query_selector(".app.present-mode")
            .unwrap()
            .is_some())
        .await
    );
    // The test runner's window is small (780 x 437) and its page has no style sheet, so this
    // checks what is drawn and marked; that it all fits at 1280 x 720 is seen on screenshots.
    let shown = |selector: &str| drawn(&root.query_selector(selector).unwrap().unwrap());
    assert!(
        eventually(2_000, || root
            .query_selector_all(".log .entries li")
            .unwrap()
            .length()
            >= 3)
        .await
    );
    for part in [
        "canvas.flow",
        "#chart-queues",
        "#chart-latency",
        ".log",
        ".present-button",
    ] {
        assert!(shown(part), "{part} is drawn");
    }
    // The test page has no style sheet: what the layout hides is marked for it.
    let off = |selector: &str| {
        let element = root.query_selector(selector).unwrap().unwrap();
        element.closest(".present-off").unwrap().is_some()
    };
    for chart in ["#chart-queues", "#chart-latency"] {
        assert!(!off(chart), "{chart} is one of the two shown");
    }
    for chart in ["#chart-requests-per-server", "#chart-throughput"] {
        assert!(off(chart), "{chart} waits on the full page");
    }
    let entries = root
        .query_selector_all(".log .entries li")
        .unwrap()
        .length();
    assert!(
        (3..=5).contains(&entries),
        "the latest five at most: {entries}"
    );
    // The top chart is placed first, and the lecturer chooses another for the bottom.
    let order = |id: &str| {
        let element = root.query_selector(id).unwrap().unwrap();
        let figure = element.closest(".chart-figure").unwrap().unwrap();
        figure.get_attribute("style").unwrap_or_default()
    };
    assert_eq!(
        (order("#chart-queues"), order("#chart-latency")),
        ("order: 0".to_string(), "order: 1".to_string())
    );
    // The second is marked, for the style sheet to leave out while a lesson is open.
    let second = |id: &str| {
        let element = root.query_selector(id).unwrap().unwrap();
        element.closest(".present-second").unwrap().is_some()
    };
    assert!(second("#chart-latency") && !second("#chart-queues"));
    assert_eq!(select(&root, "#present-chart-1").value(), "latency");
    choose(&root, "#present-chart-1", "throughput");
    TimeoutFuture::new(200).await;
    assert!(!off("#chart-throughput") && off("#chart-latency"));
    assert!(text(&root, ".present-button").contains("Full page"));
    // The key p goes back to the full page, with every chart.
    press("p");
    TimeoutFuture::new(200).await;
    assert!(root.query_selector(".app.present-mode").unwrap().is_none());
    assert_eq!(text(&root, ".present-button"), "Present");
    assert!(
        root.query_selector(".chart-figure.present-off")
            .unwrap()
            .is_none()
    );
}

/// The classroom kit's dialog builds its form only while open, starts from the page as it is,
/// and writes each choice into the address at once.
#[wasm_bindgen_test]
async fn the_class_link_form_is_built_when_opened_and_follows_its_choices() {
    let root = mount().await;
    assert!(root.query_selector("#kit-url").unwrap().is_none());
    click(&root, "details.class-link summary");
    TimeoutFuture::new(100).await;
    let address = || {
        root.query_selector("#kit-url")
            .unwrap()
            .expect("the open dialog has the address")
            .dyn_into::<web_sys::HtmlInputElement>()
            .unwrap()
            .value()
    };
    let before = address();
    assert!(before.starts_with("http"), "{before}");
    assert!(!before.contains("lock=1"), "{before}");
    click(&root, "#kit-lock");
    TimeoutFuture::new(100).await;
    assert!(address().contains("lock=1"), "{}", address());
    click(&root, "details.class-link summary");
    TimeoutFuture::new(100).await;
    assert!(root.query_selector("#kit-url").unwrap().is_none());
}
