//! How the page is laid out for the room it is in: the standard page (everything, scrolling), stage
//! mode (the flow fills the screen, the caption under it) or the present layout (one screen of
//! 1280 x 720: the flow, two charts the lecturer chooses and the latest timeline entries, nothing
//! to scroll to). Like the theme, it is session state: a key or a button toggles it, the
//! classroom kit's address sets it, and the browser adapter turns it into classes on the page.

use crate::lesson::Chart;

/// How many of the newest timeline entries the present layout shows.
pub const PRESENT_TIMELINE: usize = 5;

/// The page's layout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// Everything: controls, servers, charts, timeline, one under another.
    #[default]
    Standard,
    /// The flow canvas fills the screen, the caption under it.
    Stage,
    /// The flow, two chosen charts and the latest timeline entries on one screen.
    Present,
}

impl Layout {
    /// Every layout, in the order the kit's `layout=` names them.
    pub const ALL: [Layout; 3] = [Layout::Standard, Layout::Stage, Layout::Present];

    /// Its name in the address (`layout=present`) and its class on the page.
    pub fn id(self) -> &'static str {
        match self {
            Layout::Standard => "standard",
            Layout::Stage => "stage",
            Layout::Present => "present",
        }
    }

    /// The layout with this id.
    pub fn from_id(id: &str) -> Option<Layout> {
        Layout::ALL.into_iter().find(|l| l.id() == id)
    }

    /// The layout a toggle for `layout` leads to from this one: `layout`, or back to the
    /// standard page if it is already on.
    pub fn toggled(self, layout: Layout) -> Layout {
        if self == layout {
            Layout::Standard
        } else {
            layout
        }
    }
}

/// The two charts the present layout shows, in its order (top, then bottom).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresentCharts(pub [Chart; 2]);

impl Default for PresentCharts {
    /// Where the requests went and how long they took: what most presets point at.
    fn default() -> PresentCharts {
        PresentCharts([Chart::RequestsPerServer, Chart::Latency])
    }
}

/// The presets whose point is not where the requests went and how long they took, with the two
/// charts that show it (what each preset's text tells a class to watch); the others get the
/// default pair.
const PRESET_CHARTS: &[(&str, [Chart; 2])] = {
    use Chart::{Latency, Queues, RequestsPerServer, Servers, Throughput};
    &[
        ("long-report", [Latency, Queues]),
        ("crash-recovery", [RequestsPerServer, Throughput]),
        ("gradual-degradation", [Latency, Queues]),
        ("health-check-kinds", [RequestsPerServer, Throughput]),
        ("retry-storm", [Throughput, Latency]),
        ("flash-sale", [Queues, Latency]),
        ("power-of-two-choices", [Queues, Latency]),
        ("many-balancers-herding", [Queues, Latency]),
        ("balancer-failover", [Throughput, Latency]),
        ("balancer-tier-sizing", [Latency, Throughput]),
        ("regions-failover", [RequestsPerServer, Throughput]),
        ("rate-limit-noisy-client", [Throughput, Latency]),
        ("autoscale-flash-crowd", [Servers, Latency]),
        ("metastable-retries", [Throughput, Latency]),
        ("retry-amplification", [RequestsPerServer, Throughput]),
        ("closed-vs-open-loop", [Queues, Latency]),
    ]
};

impl PresentCharts {
    /// The two charts that show what the preset `id` is about.
    pub fn for_preset(id: &str) -> PresentCharts {
        PRESET_CHARTS
            .iter()
            .find(|(preset, _)| *preset == id)
            .map_or_else(PresentCharts::default, |&(_, charts)| PresentCharts(charts))
    }

    /// The charts with `chart` in place `slot` (0 or 1); choosing the other slot's chart swaps
    /// the two, so the layout never shows one chart twice. A slot past the second is ignored.
    pub fn with(self, slot: usize, chart: Chart) -> PresentCharts {
        let mut charts = self.0;
        if slot >= charts.len() {
            return self;
        }
        if charts[1 - slot] == chart {
            charts.swap(0, 1);
        } else {
            charts[slot] = chart;
        }
        PresentCharts(charts)
    }

    /// The charts a kit's `charts=A,B` names, or why not.
    pub fn parse(value: &str) -> Result<PresentCharts, String> {
        let ids: Vec<&str> = value.split(',').collect();
        let known = || {
            Chart::ALL
                .iter()
                .map(|c| c.id())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let charts: Option<Vec<Chart>> = ids.iter().map(|id| Chart::from_id(id)).collect();
        match (charts.as_deref(), ids.as_slice()) {
            (Some(&[a, b]), _) if a != b => Ok(PresentCharts([a, b])),
            (Some(&[_, _]), _) => Err(format!("charts={value} names the same chart twice")),
            (None, _) => Err(format!(
                "charts={value}: the charts are {} (two of them, comma-separated)",
                known()
            )),
            (Some(_), _) => Err(format!("charts={value} should name two charts")),
        }
    }

    /// How a kit's address writes them: `A,B`.
    pub fn to_param(self) -> String {
        format!("{},{}", self.0[0].id(), self.0[1].id())
    }

    /// Whether `chart` is one of the two.
    pub fn shows(self, chart: Chart) -> bool {
        self.0.contains(&chart)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_toggle_turns_its_layout_on_and_back_to_the_standard_page() {
        assert_eq!(Layout::Standard.toggled(Layout::Present), Layout::Present);
        assert_eq!(Layout::Present.toggled(Layout::Present), Layout::Standard);
        assert_eq!(Layout::Stage.toggled(Layout::Present), Layout::Present);
        assert_eq!(Layout::Present.toggled(Layout::Stage), Layout::Stage);
        for layout in Layout::ALL {
            assert_eq!(Layout::from_id(layout.id()), Some(layout));
        }
        assert_eq!(Layout::from_id("slides"), None);
    }

    #[test]
    fn a_preset_names_two_different_charts_and_only_real_presets_are_named() {
        for &(id, [a, b]) in PRESET_CHARTS {
            assert!(
                crate::sim::presets::preset(id).is_some(),
                "{id} is no preset"
            );
            assert_ne!(a, b, "{id}");
        }
        assert_eq!(
            PresentCharts::for_preset("autoscale-flash-crowd").0,
            [Chart::Servers, Chart::Latency]
        );
        assert_eq!(
            PresentCharts::for_preset("equal-round-robin"),
            PresentCharts::default()
        );
    }

    #[test]
    fn the_present_charts_are_two_different_charts() {
        let charts = PresentCharts::default();
        assert_eq!(charts.to_param(), "requests-per-server,latency");
        let swapped = charts.with(0, Chart::Latency);
        assert_eq!(swapped.0, [Chart::Latency, Chart::RequestsPerServer]);
        let chosen = charts.with(1, Chart::Queues);
        assert_eq!(chosen.0, [Chart::RequestsPerServer, Chart::Queues]);
        assert!(chosen.shows(Chart::Queues) && !chosen.shows(Chart::Latency));
        assert_eq!(charts.with(2, Chart::Queues), charts);
        assert_eq!(
            PresentCharts::parse("queues,throughput"),
            Ok(PresentCharts([Chart::Queues, Chart::Throughput]))
        );
        assert_eq!(
            PresentCharts::parse("latency,latency"),
            Err("charts=latency,latency names the same chart twice".into())
        );
        assert_eq!(
            PresentCharts::parse("latency"),
            Err("charts=latency should name two charts".into())
        );
        assert_eq!(
            PresentCharts::parse("latency,pie"),
            Err("charts=latency,pie: the charts are requests-per-server, latency, throughput, queues, servers (two of them, comma-separated)".into())
        );
    }
}
