//! The accessible alternatives in the browser: each chart's table of numbers, and the phone's
//! control bar under the flow canvas.

use super::*;

/// The rows of the table under the chart `id`, as their cells' words.
fn table_rows(root: &Element, id: &str) -> Vec<Vec<String>> {
    let rows = root
        .query_selector_all(&format!("#table-{id} tbody tr"))
        .unwrap();
    (0..rows.length())
        .map(|i| {
            let row: Element = rows.item(i).unwrap().dyn_into().unwrap();
            let cells = row.query_selector_all("th, td").unwrap();
            (0..cells.length())
                .map(|c| cells.item(c).unwrap().text_content().unwrap_or_default())
                .collect()
        })
        .collect()
}

#[wasm_bindgen_test]
async fn a_charts_table_shows_its_numbers_and_follows_the_run() {
    let root = mount().await;
    choose(&root, "#speed", "10");
    TimeoutFuture::new(1_500).await;
    // Closed, a table has only its toggle.
    assert!(table_rows(&root, "latency").is_empty());
    let toggle = "#chart-latency ~ figcaption .table-toggle";
    assert_eq!(
        root.query_selector(toggle)
            .unwrap()
            .unwrap()
            .get_attribute("aria-expanded")
            .as_deref(),
        Some("false")
    );
    click(&root, toggle);
    click(
        &root,
        "#chart-requests-per-server ~ figcaption .table-toggle",
    );
    TimeoutFuture::new(300).await;

    let latency = table_rows(&root, "latency");
    let names: Vec<&str> = latency.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(&names[..4], ["p50", "p95", "p99", "mean"], "{latency:?}");
    let p50: f64 = latency[0][1]
        .parse()
        .expect("p50's latest value is a number");
    let p99: f64 = latency[2][1].parse().unwrap();
    assert!(0.0 < p50 && p50 <= p99, "{latency:?}");
    assert!(text(&root, "#table-latency caption").contains("latency (ms)"));

    // The bars' table: a row per server, shares that add up, and a killed server marked.
    let bars = table_rows(&root, "requests-per-server");
    assert_eq!(bars.len(), 4, "{bars:?}");
    let share = |cell: &str| -> f64 { cell.trim_end_matches(" %").parse().unwrap() };
    let total: f64 = bars.iter().map(|row| share(&row[2])).sum();
    assert!((total - 100.0).abs() < 0.5, "{bars:?}");
    assert_eq!(bars[1][3], "25.0 %", "{bars:?}");
    click(&server_card(&root, 1), "button.kill");
    assert!(
        eventually(1_000, || table_rows(&root, "requests-per-server")[1][0]
            == "server-2 (down)")
        .await
    );
    // Closed again, the table is gone.
    click(&root, toggle);
    TimeoutFuture::new(300).await;
    assert!(table_rows(&root, "latency").is_empty());
}

#[wasm_bindgen_test]
async fn the_control_bar_acts_on_the_selected_server() {
    let root = mount().await;
    let bar = |selector: &str| format!(".quick-bar {selector}");
    assert_eq!(text(&root, &bar(".quick-name")), "server-1 running");
    click(&root, &bar("button.danger"));
    TimeoutFuture::new(300).await;
    assert_eq!(text(&root, &bar(".quick-name")), "server-1 crashed");
    assert_eq!(text(&server_card(&root, 0), "button.kill"), "Revive");
    click(&root, &bar("[aria-label='Next server']"));
    click(&root, &bar("[aria-label='Weight up']"));
    TimeoutFuture::new(300).await;
    assert_eq!(text(&root, &bar(".quick-name")), "server-2 running");
    assert_eq!(text(&root, &bar(".quick-weight")), "−w 2+");
    assert!(text(&root, ".log").contains("server-1 killed"));
    assert_eq!(text(&root, &bar("button.primary:last-child")), "Pause");
    click(&root, &bar("button.primary:last-child"));
    TimeoutFuture::new(300).await;
    assert_eq!(text(&root, &bar("button.primary:last-child")), "Play");
}
