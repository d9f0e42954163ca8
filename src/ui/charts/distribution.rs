//! Requests per server as bars, each with the share the algorithm's weights imply marked across
//! it, so "is it balanced?" is one glance. Dead servers' bars are greyed.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use super::lines::DrawResult;
use super::theme::ChartColours;
use crate::sim::Simulation;
use crate::ui::display::Palette;

/// Draws the bar chart of requests routed to each server.
pub fn draw_distribution(canvas: &HtmlCanvasElement, sim: &Simulation, palette: &Palette) {
    if let Err(e) = try_draw_distribution(canvas, sim, &ChartColours::of(palette)) {
        web_sys::console::warn_1(&format!("distribution chart: {e}").into());
    }
}

fn try_draw_distribution(
    canvas: &HtmlCanvasElement,
    sim: &Simulation,
    colours: &ChartColours,
) -> DrawResult {
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&colours.background)?;
    let text = |size: f64| {
        ("sans-serif", colours.px(size))
            .into_font()
            .color(&colours.ink)
    };
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
        .caption("Requests per server", text(16.0))
        .margin(10)
        .x_label_area_size(colours.px(28.0))
        .y_label_area_size(colours.px(56.0))
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
        .axis_desc_style(text(12.0))
        .label_style(text(11.0))
        .axis_style(colours.ink)
        .bold_line_style(colours.grid.mix(0.5))
        .light_line_style(colours.grid.mix(0.15))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()?;
    chart.draw_series(routed.iter().enumerate().map(|(i, &v)| {
        let alive = sim.servers()[i].is_alive();
        let colour = if alive {
            colours.series[0]
        } else {
            colours.grid
        };
        Rectangle::new(
            [(i as f64 - 0.35, 0.0), (i as f64 + 0.35, v)],
            colour.filled(),
        )
    }))?;
    chart
        .draw_series(ideal.iter().enumerate().map(|(i, &v)| {
            PathElement::new(
                vec![(i as f64 - 0.45, v), (i as f64 + 0.45, v)],
                colours.ink.stroke_width(2),
            )
        }))?
        .label(if sim.algorithm().honours_weights() {
            "share the weights imply"
        } else {
            "equal share"
        })
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], colours.ink.stroke_width(2)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(colours.background.mix(0.85))
        .border_style(colours.ink.mix(0.3))
        .label_font(text(12.0))
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
