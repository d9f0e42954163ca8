//! Per-path numbers for a mix of request classes (layer-7 paths such as `/page` and `/report`):
//! how many were served, failed or turned away, and their latency. Shown only when requests carry
//! more than one path, so a long report's effect on page loads can be read off directly.

use yew::prelude::*;

use crate::sim::Simulation;

/// One path's numbers, copied out of the simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct PathRow {
    /// The path, e.g. `/report`.
    pub path: String,
    /// Requests served.
    pub completed: u64,
    /// Requests failed, rejected or rate limited.
    pub unserved: u64,
    /// Mean client-observed latency of the served ones, in milliseconds.
    pub mean_ms: Option<f64>,
    /// Their 95th percentile latency, in milliseconds.
    pub p95_ms: Option<f64>,
}

impl PathRow {
    /// One row per path of `sim`'s traffic, or none when there is a single path.
    pub fn all(sim: &Simulation) -> Vec<PathRow> {
        let cost = &sim.traffic().cost;
        if cost.path_count() < 2 {
            return Vec::new();
        }
        sim.metrics()
            .paths()
            .iter()
            .enumerate()
            .map(|(i, stats)| PathRow {
                path: cost.path(i).to_string(),
                completed: stats.completed,
                unserved: stats.failed + stats.rejected + stats.rate_limited,
                mean_ms: stats.latency.mean().map(|us| us / 1e3),
                p95_ms: stats.latency.quantile(0.95).map(|us| us as f64 / 1e3),
            })
            .collect()
    }
}

/// Props of [`PathTable`].
#[derive(Properties, PartialEq)]
pub struct PathTableProps {
    /// The rows; nothing is shown when empty.
    pub rows: Vec<PathRow>,
}

/// A small table of the per-path numbers.
#[function_component]
pub fn PathTable(props: &PathTableProps) -> Html {
    if props.rows.is_empty() {
        return Html::default();
    }
    let ms = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.0} ms"));
    html! {
        <table class="paths" aria-label="Requests by path">
            <thead>
                <tr>
                    <th scope="col" title="The request path (its class in the traffic mix)">{ "path" }</th>
                    <th scope="col" title="Requests for this path answered successfully">{ "served" }</th>
                    <th scope="col" title="Requests for this path that failed or were turned away">{ "not served" }</th>
                    <th scope="col" title="Mean client-observed latency of the served ones">{ "mean" }</th>
                    <th scope="col" title="95th percentile latency of the served ones">{ "p95" }</th>
                </tr>
            </thead>
            <tbody>
                { for props.rows.iter().map(|r| html! {
                    <tr>
                        <th scope="row"><code>{ &r.path }</code></th>
                        <td>{ r.completed }</td>
                        <td>{ r.unserved }</td>
                        <td>{ ms(r.mean_ms) }</td>
                        <td>{ ms(r.p95_ms) }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}
