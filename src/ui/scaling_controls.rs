//! The autoscaler control: off, or one of the two designs with settings a class can watch act
//! within a minute or two. Each option is a command; the line under it says what runs.

use yew::prelude::*;

use super::choice::{Choice, choice_select};
use crate::sim::autoscale::{Autoscale, Hpa, Metric, Policy, TargetTracking};
use crate::sim::{Command, SimDuration};

/// HPA on CPU at a 60% target, 2 to 16 servers, 30 s boots, Kubernetes' other defaults.
fn hpa_cpu() -> Autoscale {
    Autoscale {
        policy: Policy::Hpa(Hpa::default()),
        metric: Metric::Cpu,
        target: 0.6,
        min: 2,
        max: 16,
        boot_time: SimDuration::from_secs(30),
    }
}

fn choices() -> Vec<Choice> {
    let on = |config| Command::SetAutoscale(Some(config));
    vec![
        Choice {
            id: "off",
            label: "Off",
            command: Command::SetAutoscale(None),
        },
        Choice {
            id: "hpa-cpu",
            label: "Kubernetes HPA, CPU 60%",
            command: on(hpa_cpu()),
        },
        Choice {
            id: "hpa-rps",
            label: "Kubernetes HPA, 2 req/s per server, 5 s boot",
            command: on(Autoscale {
                metric: Metric::Rps,
                target: 2.0,
                boot_time: SimDuration::from_secs(5),
                ..hpa_cpu()
            }),
        },
        Choice {
            id: "hpa-in-flight",
            label: "Kubernetes HPA, 2 in flight per server",
            command: on(Autoscale {
                metric: Metric::InFlight,
                target: 2.0,
                ..hpa_cpu()
            }),
        },
        Choice {
            id: "target-tracking",
            label: "AWS target tracking, CPU 60% (AWS defaults)",
            command: on(Autoscale {
                policy: Policy::TargetTracking(TargetTracking::default()),
                boot_time: SimDuration::from_secs(60),
                ..hpa_cpu()
            }),
        },
    ]
}

/// Props of [`ScalingControls`].
#[derive(Properties, PartialEq)]
pub struct ScalingControlsProps {
    /// The autoscaler's settings, while one runs.
    pub autoscale: Option<Autoscale>,
    /// Receives the changes.
    pub on_command: Callback<Command>,
}

/// The autoscaler select, and what runs.
#[function_component]
pub fn ScalingControls(props: &ScalingControlsProps) -> Html {
    html! {
        <section class="panel scaling" aria-label="Autoscaling">
            <h2 class="visually-hidden">{ "Autoscaling" }</h2>
            { choice_select("autoscale", "Autoscaling",
                "An autoscaler that measures the servers every period and adds or removes copies of server-1: Kubernetes' HPA (desired = ceil(servers x metric / target), 10% tolerance, 5 minute scale-down window) or AWS target tracking (3 one-minute datapoints above the target to scale out, 15 below to scale in, 5 minute cooldowns and warm-up). New servers boot before they take traffic; removed ones drain",
                choices(), |c| *c == Command::SetAutoscale(props.autoscale), &props.on_command) }
            if let Some(config) = props.autoscale {
                <p class="load" title="The autoscaler in force: its design, metric, target, bounds and boot time">
                    { config.describe() }
                </p>
            }
        </section>
    }
}
