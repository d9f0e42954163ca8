//! Options around the algorithm: the balancing layer and who does the TLS handshakes (with
//! connections and a balancer with TLS), slow start for revived servers, and how many clients
//! share one NAT address (which is what hashing on the client address sees).

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::sim::balancer::Remap;
use crate::sim::balancer_cpu::TlsMode;
use crate::sim::connections::Layer;
use crate::sim::{Command, SimDuration, SlowStart};

/// The slow-start choices offered: id, label, setting.
fn slow_start_choices() -> [(&'static str, &'static str, SlowStart); 3] {
    [
        ("off", "Off", SlowStart::Off),
        (
            "haproxy",
            "HAProxy linear, 30 s",
            SlowStart::Linear {
                period: SimDuration::from_secs(30),
            },
        ),
        ("envoy", "Envoy, 60 s window", SlowStart::ENVOY_DEFAULT),
    ]
}

/// The TLS menu's words for `mode`.
fn tls_label(mode: TlsMode) -> &'static str {
    match mode {
        TlsMode::Terminate => "Terminate at the balancer",
        TlsMode::Passthrough => "Pass through to the servers",
        TlsMode::Reencrypt => "Terminate and re-encrypt",
    }
}

/// Props of [`BalancerOptions`].
#[derive(Properties, PartialEq)]
pub struct BalancerOptionsProps {
    /// The slow-start setting in use.
    pub slow_start: SlowStart,
    /// How many clients there are.
    pub clients: u32,
    /// How many of them are behind one NAT address.
    pub behind_nat: u32,
    /// The last consistent-hashing remap report, if the algorithm hashes.
    pub remap: Option<Remap>,
    /// The balancing layer, when the scenario has connections.
    pub layer: Option<Layer>,
    /// Who does the TLS handshakes, when the balancer has TLS.
    pub tls: Option<TlsMode>,
    /// Receives the changes.
    pub on_command: Callback<Command>,
}

/// Slow start, NAT share and the remap report.
#[function_component]
pub fn BalancerOptions(props: &BalancerOptionsProps) -> Html {
    let on_slow_start = {
        let on_command = props.on_command.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some((_, _, s)) = slow_start_choices()
                .into_iter()
                .find(|(id, _, _)| *id == select.value())
            {
                on_command.emit(Command::SetSlowStart(s));
            }
        })
    };
    let on_nat = {
        let (on_command, clients) = (props.on_command.clone(), props.clients);
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(behind_nat) = input.value().parse::<u32>() {
                on_command.emit(Command::SetClients {
                    clients,
                    behind_nat,
                });
            }
        })
    };
    let on_layer = props.on_command.reform(|e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        Command::SetLayer(if select.value() == "l4" {
            Layer::L4
        } else {
            Layer::L7
        })
    });
    let on_tls = props.on_command.reform(|e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        let mode = TlsMode::ALL
            .into_iter()
            .find(|mode| mode.id() == select.value())
            .unwrap_or_default();
        Command::SetTls(mode)
    });
    let tls_tip = "Who does each new connection's TLS handshake: the balancer (terminate: the \
        servers see plain HTTP), the servers (passthrough), or both (re-encrypt). The CPU it costs \
        moves with it";
    let layer_tip = "Layer 4 picks a server when a connection opens and keeps it there; layer 7 \
        picks for every request (and can route by path or cookie, retry, and count error answers)";
    let slow_start_tip = "How a server that comes back from DOWN ramps up to its full weight (weighted random, \
        Envoy least request, HAProxy leastconn and smooth WRR follow it)";
    let nat_tip = "Clients sharing one public address, like an office or a mobile carrier's NAT: \
        to IP hashing they are a single client";
    html! {
        <section class="panel options" aria-label="Balancer options">
            <h2 class="visually-hidden">{ "Balancer options" }</h2>
            if let Some(layer) = props.layer {
                <label for="layer" title={layer_tip}>{ "Balancing layer" }</label>
                <select id="layer" onchange={on_layer} title={layer_tip}>
                    <option value="l4" selected={layer == Layer::L4}>{ "Layer 4: a server per connection" }</option>
                    <option value="l7" selected={layer == Layer::L7}>{ "Layer 7: a server per request" }</option>
                </select>
            }
            if let Some(tls) = props.tls {
                <label for="tls" title={tls_tip}>{ "TLS handshakes" }</label>
                <select id="tls" onchange={on_tls} title={tls_tip}>
                    { for TlsMode::ALL.into_iter().map(|mode| html! {
                        <option value={mode.id()} selected={mode == tls}>{ tls_label(mode) }</option>
                    }) }
                </select>
            }
            <label for="slow-start" title={slow_start_tip}>{ "Slow start after revive" }</label>
            <select id="slow-start" onchange={on_slow_start} title={slow_start_tip}>
                { for slow_start_choices().into_iter().map(|(id, label, s)| html! {
                    <option value={id} selected={s == props.slow_start}>{ label }</option>
                }) }
            </select>
            <label for="nat" title={nat_tip}>
                { format!("Clients behind one NAT: {} of {}", props.behind_nat, props.clients) }
            </label>
            <input id="nat" type="range" min="0" max={props.clients.to_string()} step="1"
                value={props.behind_nat.to_string()} oninput={on_nat} title={nat_tip} />
            if let Some(r) = props.remap {
                <p class="remap" title="Share of client keys whose server changed at the last change of the server set">
                    { format!("Last server change moved {:.1}% of keys; modulo hashing would have moved {:.1}%.",
                        r.consistent * 100.0, r.modulo * 100.0) }
                </p>
            }
        </section>
    }
}
