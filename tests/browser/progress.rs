//! A preset's progress line in the scenario panel: the time against the scenario's length, the
//! scripted changes made, the next ones in words, and that it has played out.

use super::*;

/// The progress line's sentence.
fn words(root: &Element) -> String {
    text(root, ".scenario .progress-words")
}

/// The scripted changes listed as coming up.
fn upcoming(root: &Element) -> Vec<String> {
    let items = root.query_selector_all(".scenario .upcoming li").unwrap();
    (0..items.length())
        .map(|i| items.item(i).unwrap().text_content().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn a_presets_progress_counts_its_script_and_names_what_comes_next() {
    let root = mount().await;
    assert!(
        root.query_selector(".scenario .progress")
            .unwrap()
            .is_none(),
        "the classroom default has no script and no length"
    );
    choose(&root, "#preset", "crash-recovery");
    TimeoutFuture::new(300).await;
    // Crash and recovery: 90 s, server-3 killed at 10 s and 50 s, revived at 20 s and 70 s,
    // retries on at 40 s.
    assert!(
        words(&root).ends_with(" of 90 s; scripted changes made: 0 of 5."),
        "{}",
        words(&root)
    );
    let next = upcoming(&root);
    assert_eq!(next.len(), 3, "{next:?}");
    assert!(next[0].starts_with("at 10 s (in "), "{next:?}");
    assert!(next[0].ends_with("): kill server-3 (server 3)"), "{next:?}");
    assert!(
        next[1].ends_with("): revive server-3 (server 3)"),
        "{next:?}"
    );

    click(&root, ".playback button.skip"); // +10 s: past the first crash
    assert!(
        eventually(2_000, || words(&root)
            .contains("scripted changes made: 1 of 5"))
        .await,
        "{}",
        words(&root)
    );
    assert!(
        upcoming(&root)[0].starts_with("at 20 s (in "),
        "{:?}",
        upcoming(&root)
    );
    let bar: web_sys::HtmlProgressElement = root
        .query_selector(".scenario .progress progress")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    assert!(bar.value() > 0.1, "a ninth of the way: {}", bar.value());

    // On past its end: it says it has played out, with nothing to come.
    for _ in 0..9 {
        click(&root, ".playback button.skip");
        TimeoutFuture::new(100).await;
    }
    assert!(
        eventually(2_000, || words(&root).starts_with(
            "Played out: its 90 s are over and all 5 scripted changes made."
        ))
        .await,
        "{}",
        words(&root)
    );
    assert!(upcoming(&root).is_empty());
    assert!(
        root.query_selector(".scenario .progress.ended")
            .unwrap()
            .is_some()
    );
}
