//! Traffic controls: arrival rate and mean request cost, with the load they put on the servers,
//! and the balancer's rate limit.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::choice::{Choice, choice_select};
use crate::sim::ratelimit::{LimitKey, NginxLimit, RateLimit, TokenBucket};
use crate::sim::traffic::Pattern;
use crate::sim::{Command, SimDuration};

/// Mean request costs offered, in milliseconds.
const MEAN_COSTS_MS: [u64; 6] = [50, 100, 250, 500, 1_000, 2_000];
/// The top of the arrival-rate slider, in requests per second.
const MAX_RATE_SLIDER: u32 = 100;

fn pattern_choices() -> Vec<Choice> {
    let s = SimDuration::from_secs;
    vec![
        Choice {
            id: "poisson",
            label: "Poisson (independent users)",
            command: Command::SetPattern(Pattern::Poisson),
        },
        Choice {
            id: "constant",
            label: "Evenly spaced",
            command: Command::SetPattern(Pattern::Constant),
        },
        Choice {
            id: "bursts",
            label: "Bursts: 5 s on, 10 s off",
            command: Command::SetPattern(Pattern::Bursts {
                on: s(5),
                off: s(10),
            }),
        },
        Choice {
            id: "wave",
            label: "Daily wave (one day = 2 min)",
            command: Command::SetPattern(Pattern::Wave {
                period: s(120),
                amplitude: 0.8,
            }),
        },
    ]
}

fn timeout_choices() -> Vec<Choice> {
    let s = SimDuration::from_secs;
    vec![
        Choice {
            id: "never",
            label: "Never",
            command: Command::SetClientTimeout(None),
        },
        Choice {
            id: "3",
            label: "After 3 s",
            command: Command::SetClientTimeout(Some(s(3))),
        },
        Choice {
            id: "10",
            label: "After 10 s",
            command: Command::SetClientTimeout(Some(s(10))),
        },
    ]
}

fn rate_limit_choices() -> Vec<Choice> {
    let nginx = |nodelay, key| {
        Command::SetRateLimit(RateLimit::Nginx(NginxLimit::new(10.0, 5, nodelay, key)))
    };
    vec![
        Choice {
            id: "off",
            label: "Off",
            command: Command::SetRateLimit(RateLimit::Off),
        },
        Choice {
            id: "nginx-ip",
            label: "nginx 10 r/s burst=5 nodelay, per address",
            command: nginx(true, LimitKey::ClientIp),
        },
        Choice {
            id: "nginx-ip-delay",
            label: "nginx 10 r/s burst=5 (delayed), per address",
            command: nginx(false, LimitKey::ClientIp),
        },
        Choice {
            id: "nginx-global",
            label: "nginx 10 r/s burst=5 nodelay, global",
            command: nginx(true, LimitKey::Global),
        },
        Choice {
            id: "envoy-global",
            label: "Envoy token bucket 20, +10 per s, global",
            command: Command::SetRateLimit(RateLimit::TokenBucket(TokenBucket {
                max_tokens: 20,
                tokens_per_fill: 10,
                fill_interval: SimDuration::from_secs(1),
                key: LimitKey::Global,
                status: 429,
            })),
        },
    ]
}

/// Props of [`TrafficControls`].
#[derive(Properties, PartialEq)]
pub struct TrafficControlsProps {
    /// Arrivals per second.
    pub rate: f64,
    /// Mean request cost in milliseconds.
    pub mean_cost_ms: f64,
    /// Requests per second the live servers can serve.
    pub capacity: f64,
    /// How the rate varies.
    pub pattern: Pattern,
    /// How long clients wait.
    pub client_timeout: Option<SimDuration>,
    /// The balancer's rate limit.
    pub rate_limit: RateLimit,
    /// Receives the changes.
    pub on_command: Callback<Command>,
}

/// The arrival-rate slider, the mean-cost select, and the resulting utilisation.
#[function_component]
pub fn TrafficControls(props: &TrafficControlsProps) -> Html {
    let on_rate = {
        let on_command = props.on_command.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(rate) = input.value().parse::<f64>() {
                on_command.emit(Command::SetRate(rate));
            }
        })
    };
    let on_cost = {
        let on_command = props.on_command.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(ms) = select.value().parse::<u64>() {
                on_command.emit(Command::SetMeanCost(SimDuration::from_millis(ms)));
            }
        })
    };
    let load = if props.capacity > 0.0 {
        format!(
            "{:.0}% of capacity ({:.1} req/s)",
            100.0 * props.rate / props.capacity,
            props.capacity
        )
    } else {
        "no live server".to_string()
    };
    html! {
        <section class="panel traffic" aria-label="Traffic">
            <h2 class="visually-hidden">{ "Traffic" }</h2>
            <label for="rate" title="Requests per second sent by the clients (Poisson arrivals)">
                { format!("Arrival rate: {:.0} req/s", props.rate) }
            </label>
            <input id="rate" type="range" min="0" max={MAX_RATE_SLIDER.to_string()} step="1"
                value={props.rate.to_string()} oninput={on_rate}
                title="Requests per second sent by the clients (Poisson arrivals)" />
            <label for="mean-cost" title="Average work per request at full speed (exponentially distributed)">
                { "Mean request cost" }
            </label>
            <select id="mean-cost" onchange={on_cost}
                title="Average work per request at full speed (exponentially distributed)">
                { for MEAN_COSTS_MS.iter().map(|&ms| html! {
                    <option value={ms.to_string()} selected={(ms as f64 - props.mean_cost_ms).abs() < 0.5}>
                        { format!("{ms} ms") }
                    </option>
                }) }
            </select>
            <p class="load" title="Offered load divided by what the live servers can serve; above 100% queues grow without bound">
                { "Load: " }{ load }
            </p>
            { choice_select("pattern", "Arrival pattern",
                "How the arrival rate varies over time around the rate above",
                pattern_choices(), |c| *c == Command::SetPattern(props.pattern), &props.on_command) }
            { choice_select("client-timeout", "Clients give up",
                "A client stops waiting after this long: the request counts as failed even if a server finishes it later",
                timeout_choices(), |c| *c == Command::SetClientTimeout(props.client_timeout), &props.on_command) }
            { choice_select("rate-limit", "Rate limit",
                "The balancer refuses requests over this rate (nginx limit_req: 503; Envoy's token bucket: 429), per client address or for all clients together",
                rate_limit_choices(), |c| *c == Command::SetRateLimit(props.rate_limit), &props.on_command) }
        </section>
    }
}
