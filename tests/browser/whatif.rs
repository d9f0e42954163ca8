//! The What-if panel: its button is labelled and explained, and a system it cannot sweep (every
//! server crashed) is refused in words, with nothing started. The sweep itself runs in a Web
//! Worker that only the release bundle serves: `.ci/smoke` checks it there.

use super::*;

#[wasm_bindgen_test]
async fn the_whatif_panel_says_why_it_cannot_sweep_a_system_with_no_server_alive() {
    let root = mount().await;
    assert!(
        eventually(3_000, || root
            .query_selector("button.whatif-run")
            .unwrap()
            .is_some())
        .await,
        "the panel mounts with the charts"
    );
    let button = root.query_selector("button.whatif-run").unwrap().unwrap();
    assert_eq!(button.text_content().unwrap(), "Sweep the load");
    let tip = button.get_attribute("title").unwrap_or_default();
    assert!(
        tip.contains("18 offered loads") && tip.contains("background worker"),
        "{tip}"
    );
    for index in 0..4 {
        click(&server_card(&root, index), "button.kill");
    }
    TimeoutFuture::new(600).await;
    click(&root, "button.whatif-run");
    assert!(
        eventually(1_000, || root
            .query_selector(".whatif-error")
            .unwrap()
            .is_some())
        .await,
        "a refusal is shown"
    );
    assert!(
        text(&root, ".whatif-error").starts_with("No server is alive"),
        "{}",
        text(&root, ".whatif-error")
    );
    assert!(
        root.query_selector(".whatif progress").unwrap().is_none(),
        "nothing runs"
    );
}
