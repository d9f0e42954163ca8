//! Undoing a removal: Remove on a server's card offers Undo for a few seconds, and Undo takes
//! the run back to just before it, the server in the pool again.

use super::*;

#[wasm_bindgen_test]
async fn a_removed_server_comes_back_with_undo() {
    let root = mount().await;
    choose(&root, "#speed", "10");
    TimeoutFuture::new(1_000).await;
    assert!(root.query_selector(".notice.undo").unwrap().is_none());
    let header = root.query_selector("header.top").unwrap().unwrap();
    let removed = || server_card(&root, 2).class_list().contains("removed");

    click(&server_card(&root, 2), "button.remove");
    assert!(
        eventually(1_000, removed).await,
        "server-3's card says REMOVED"
    );
    assert_eq!(text(&server_card(&root, 2), ".state"), "removed");
    let offer = text(&root, ".notice.undo span");
    assert!(offer.starts_with("server-3 removed at "), "{offer}");
    assert!(
        header.is_connected(),
        "the banner came without rebuilding the header before it"
    );
    assert!(
        root.query_selector(".notice.undo button")
            .unwrap()
            .is_some_and(|b| b.get_attribute("title").is_some_and(|t| !t.is_empty())),
        "Undo has a tooltip"
    );

    click(&root, ".notice.undo button");
    assert!(eventually(1_000, || !removed()).await, "server-3 is back");
    assert!(root.query_selector(".notice.undo").unwrap().is_none());
    assert_eq!(text(&server_card(&root, 2), ".state"), "running");
    let back_at = routed(&root, 2);
    assert!(
        eventually(3_000, || routed(&root, 2) > back_at).await,
        "and it takes traffic again"
    );
}
