//! The plotters charts: requests per server (with the share the weights imply) and the latency
//! percentiles over time. Redrawn a few times a second by the animation loop, not every frame.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use crate::sim::metrics::ROLLING_WINDOWS;
use crate::sim::{Sample, Simulation};

const BAR: RGBColor = RGBColor(0, 114, 178);
const BAR_DOWN: RGBColor = RGBColor(190, 196, 204);
const P50: RGBColor = RGBColor(0, 114, 178);
const P95: RGBColor = RGBColor(230, 159, 0);
const P99: RGBColor = RGBColor(213, 94, 0);
/// How many of the most recent windows the latency chart shows.
const LATENCY_WINDOWS: usize = 120;

type DrawResult = Result<(), Box<dyn std::error::Error>>;
/// Reads one percentile out of a sample.
type Percentile = fn(&Sample) -> Option<f64>;

/// Draws the bar chart of requests routed to each server.
pub fn draw_distribution(canvas: &HtmlCanvasElement, sim: &Simulation) {
    if let Err(e) = try_draw_distribution(canvas, sim) {
        web_sys::console::warn_1(&format!("distribution chart: {e}").into());
    }
}

/// Draws the p50 / p95 / p99 latency lines over simulated time.
pub fn draw_latency(canvas: &HtmlCanvasElement, sim: &Simulation) {
    if let Err(e) = try_draw_latency(canvas, sim) {
        web_sys::console::warn_1(&format!("latency chart: {e}").into());
    }
}

fn try_draw_distribution(canvas: &HtmlCanvasElement, sim: &Simulation) -> DrawResult {
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    let routed: Vec<f64> = sim
        .metrics()
        .servers()
        .iter()
        .map(|s| s.routed as f64)
        .collect();
    let names: Vec<&str> = sim
        .servers()
        .iter()
        .map(|s| s.spec().name.as_str())
        .collect();
    let ideal = ideal_shares(sim, routed.iter().sum());
    let n = routed.len();
    let top = routed.iter().chain(&ideal).fold(10.0_f64, |a, &b| a.max(b)) * 1.4;

    let mut chart = ChartBuilder::on(&root)
        .caption("Requests per server", ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(28)
        .y_label_area_size(52)
        .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..top)?;
    let label_of = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
            names[i as usize].to_string()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.min(12))
        .x_label_formatter(&label_of)
        .y_desc("requests routed")
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()?;
    chart.draw_series(routed.iter().enumerate().map(|(i, &v)| {
        let alive = sim.servers()[i].is_alive();
        let colour = if alive { BAR } else { BAR_DOWN };
        Rectangle::new(
            [(i as f64 - 0.35, 0.0), (i as f64 + 0.35, v)],
            colour.filled(),
        )
    }))?;
    chart
        .draw_series(ideal.iter().enumerate().map(|(i, &v)| {
            PathElement::new(
                vec![(i as f64 - 0.45, v), (i as f64 + 0.45, v)],
                BLACK.stroke_width(2),
            )
        }))?
        .label(if sim.algorithm().honours_weights() {
            "share the weights imply"
        } else {
            "equal share"
        })
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLACK.stroke_width(2)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 12))
        .draw()?;
    root.present()?;
    Ok(())
}

/// What each server would have received if the algorithm's intended shares held exactly: by
/// weight for weighted algorithms, equal otherwise; backups are meant to get nothing.
fn ideal_shares(sim: &Simulation, total: f64) -> Vec<f64> {
    let weighted = sim.algorithm().honours_weights();
    let weights: Vec<f64> = sim
        .servers()
        .iter()
        .map(|s| match (s.spec().backup, s.spec().weight, weighted) {
            (true, _, _) | (false, 0, _) => 0.0,
            (false, w, true) => f64::from(w),
            (false, _, false) => 1.0,
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    weights
        .iter()
        .map(|w| if sum > 0.0 { total * w / sum } else { 0.0 })
        .collect()
}

fn try_draw_latency(canvas: &HtmlCanvasElement, sim: &Simulation) -> DrawResult {
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    let series = sim.metrics().series();
    let samples: Vec<&Sample> = series
        .iter()
        .skip(series.len().saturating_sub(LATENCY_WINDOWS))
        .collect();
    let window = sim.scenario().sample_every.as_secs_f64();
    let end = samples.last().map_or(window, |s| s.end.as_secs_f64());
    let start = samples
        .first()
        .map_or(0.0, |s| s.end.as_secs_f64() - window);
    let top = samples
        .iter()
        .filter_map(|s| s.p99_ms)
        .fold(10.0_f64, f64::max)
        * 1.15;

    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "Latency (each point: the last {:.0} s)",
                ROLLING_WINDOWS as f64 * window
            ),
            ("sans-serif", 16),
        )
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(52)
        .build_cartesian_2d(start..end.max(start + window), 0.0..top)?;
    chart
        .configure_mesh()
        .x_desc("simulated time (s)")
        .y_desc("latency (ms)")
        .x_label_formatter(&|x| {
            if end - start < 10.0 {
                format!("{x:.1}")
            } else {
                format!("{x:.0}")
            }
        })
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()?;
    let lines: [(&str, RGBColor, Percentile); 3] = [
        ("p50", P50, |s| s.p50_ms),
        ("p95", P95, |s| s.p95_ms),
        ("p99", P99, |s| s.p99_ms),
    ];
    for (name, colour, value) in lines {
        let points = samples
            .iter()
            .filter_map(|s| value(s).map(|v| (s.end.as_secs_f64(), v)));
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)))?
            .label(name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 12))
        .draw()?;
    root.present()?;
    Ok(())
}
