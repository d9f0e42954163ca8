//! How the requests of each kind ended, as small tables under the totals: by request path for a
//! mix of request classes (layer-7 paths such as `/page` and `/report`), so a long report's effect
//! on page loads can be read off directly; and by client, the ones behind the NAT against the
//! others, so a rate limit per address can be seen refusing only the address they share. Each
//! is shown only when there is something to tell apart.

use yew::prelude::*;

use crate::sim::Simulation;
use crate::sim::metrics::AnswerStats;

/// One group's numbers, copied out of the simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct AnswerRow {
    /// The group: a path such as `/report`, or which clients.
    pub group: String,
    /// Requests served.
    pub completed: u64,
    /// Requests the rate limit refused.
    pub rate_limited: u64,
    /// Requests failed or rejected.
    pub unserved: u64,
    /// Mean client-observed latency of the served ones, in milliseconds.
    pub mean_ms: Option<f64>,
    /// Their 95th percentile latency, in milliseconds.
    pub p95_ms: Option<f64>,
}

impl AnswerRow {
    fn of(group: String, stats: &AnswerStats) -> AnswerRow {
        AnswerRow {
            group,
            completed: stats.completed,
            rate_limited: stats.rate_limited,
            unserved: stats.failed + stats.rejected,
            mean_ms: stats.latency.mean().map(|us| us / 1e3),
            p95_ms: stats.latency.quantile(0.95).map(|us| us as f64 / 1e3),
        }
    }

    /// One row per path of `sim`'s traffic, or none when there is a single path.
    pub fn by_path(sim: &Simulation) -> Vec<AnswerRow> {
        let cost = &sim.traffic().cost;
        if cost.path_count() < 2 {
            return Vec::new();
        }
        let stats = sim.metrics().paths().iter().enumerate();
        stats
            .map(|(i, stats)| AnswerRow::of(cost.path(i).to_string(), stats))
            .collect()
    }

    /// The clients behind the NAT and the others, once some have shared its address; none
    /// before.
    pub fn by_client(sim: &Simulation) -> Vec<AnswerRow> {
        let Some([nat, others]) = sim.metrics().nat() else {
            return Vec::new();
        };
        let traffic = sim.traffic();
        let behind = traffic.behind_nat.min(traffic.clients);
        vec![
            AnswerRow::of(format!("{behind} behind the NAT"), nat),
            AnswerRow::of(format!("{} others", traffic.clients - behind), others),
        ]
    }
}

/// What a table's rows are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// Request paths.
    Path,
    /// The clients behind the NAT and the others.
    Client,
}

/// Props of [`AnswerTable`].
#[derive(Properties, PartialEq)]
pub struct AnswerTableProps {
    /// What the rows are.
    pub grouping: Grouping,
    /// The rows; nothing is shown when empty.
    pub rows: Vec<AnswerRow>,
}

/// A small table of how each group's requests ended.
#[function_component]
pub fn AnswerTable(props: &AnswerTableProps) -> Html {
    if props.rows.is_empty() {
        return Html::default();
    }
    let (head, head_tip, label, class) = match props.grouping {
        Grouping::Path => (
            "path",
            "The request path (its class in the traffic mix)",
            "Requests by path",
            "answers paths",
        ),
        Grouping::Client => (
            "clients",
            "The clients behind the office NAT share one address; the others have one each",
            "Requests by client",
            "answers clients",
        ),
    };
    let ms = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.0} ms"));
    let group = |r: &AnswerRow| match props.grouping {
        Grouping::Path => html! { <code>{ &r.group }</code> },
        Grouping::Client => html! { { &r.group } },
    };
    html! {
        <table class={class} aria-label={label}>
            <thead>
                <tr>
                    <th scope="col" title={head_tip}>{ head }</th>
                    <th scope="col" title="Requests answered successfully">{ "served" }</th>
                    <th scope="col" title="Requests the rate limit refused">{ "rate limited" }</th>
                    <th scope="col" title="Requests that failed or were turned away (503)">{ "failed" }</th>
                    <th scope="col" title="Mean client-observed latency of the served ones">{ "mean" }</th>
                    <th scope="col" title="95th percentile latency of the served ones">{ "p95" }</th>
                </tr>
            </thead>
            <tbody>
                { for props.rows.iter().map(|r| html! {
                    <tr>
                        <th scope="row">{ group(r) }</th>
                        <td>{ r.completed }</td>
                        <td>{ r.rate_limited }</td>
                        <td>{ r.unserved }</td>
                        <td>{ ms(r.mean_ms) }</td>
                        <td>{ ms(r.p95_ms) }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}
