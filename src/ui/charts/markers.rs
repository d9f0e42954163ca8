//! The run's commands and changes of state drawn on a chart's time axis: a thin vertical line
//! through the plot with a small triangle on top, coloured by kind, and a key entry for each
//! kind the chart shows. The marks themselves come from the core ([`crate::sim::markers`]).

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::legend::{Entry, Mark};
use super::theme::ChartColours;
use crate::sim::markers::{MARKER_KINDS, Marker, MarkerKind};

/// The colour of a kind of mark.
pub fn colour(kind: MarkerKind, colours: &ChartColours) -> RGBColor {
    match kind {
        MarkerKind::Command => colours.ink,
        MarkerKind::Out => colours.series[2],
        MarkerKind::Back => colours.series[3],
        MarkerKind::Scale => colours.series[4],
        MarkerKind::Failover => colours.series[1],
    }
}

/// What a kind of mark stands for, in the key.
fn name(kind: MarkerKind) -> &'static str {
    match kind {
        MarkerKind::Command => "command",
        MarkerKind::Out => "server out (DOWN, breaker OPEN)",
        MarkerKind::Back => "server back (UP, breaker CLOSED)",
        MarkerKind::Scale => "autoscaling",
        MarkerKind::Failover => "balancer failover (new VRRP master)",
    }
}

/// The key entries for the kinds among `marks`, in [`MARKER_KINDS`] order.
pub fn entries(marks: &[(f64, MarkerKind)], colours: &ChartColours) -> Vec<Entry> {
    MARKER_KINDS
        .iter()
        .filter(|kind| marks.iter().any(|(_, k)| k == *kind))
        .map(|&kind| Entry {
            name: name(kind).to_string(),
            mark: Mark::Event(colour(kind, colours)),
        })
        .collect()
}

/// The marks that fall within `span` (simulated seconds), as (seconds, kind).
pub fn within(markers: &[Marker], (start, end): (f64, f64)) -> Vec<(f64, MarkerKind)> {
    markers
        .iter()
        .map(|m| (m.at.as_secs_f64(), m.kind))
        .filter(|(t, _)| (start..=end).contains(t))
        .collect()
}

/// Draws each mark of `marks` on `plot`, whose value axis runs from zero to `top`: a faint line
/// up the plot and a triangle on the time axis.
pub fn draw<DB: DrawingBackend>(
    plot: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    marks: &[(f64, MarkerKind)],
    top: f64,
    colours: &ChartColours,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let thin = colours.stroke(1.0);
    plot.draw_series(marks.iter().map(|&(t, kind)| {
        PathElement::new(
            vec![(t, 0.0), (t, top)],
            colour(kind, colours).mix(0.55).stroke_width(thin),
        )
    }))?;
    let size = colours.px(6.0);
    plot.draw_series(
        marks
            .iter()
            .map(|&(t, kind)| TriangleMarker::new((t, 0.0), size, colour(kind, colours).filled())),
    )?;
    Ok(())
}
