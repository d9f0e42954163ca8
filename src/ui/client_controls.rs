//! Client behaviour controls: how clients retry a failed request (backoff, jitter, the gRPC
//! retry budget) and closed-loop users beside the open arrivals. Each option is a command.

use yew::prelude::*;

use super::choice::{Choice, choice_select};
use crate::sim::clients::presets::BACKOFF_AND_BUDGET;
use crate::sim::clients::{Backoff, ClientRetry, ClosedLoop, Jitter};
use crate::sim::{Command, SimDuration};

fn with_jitter(jitter: Jitter) -> Command {
    Command::SetClientRetry(Some(ClientRetry {
        backoff: Backoff {
            jitter,
            ..BACKOFF_AND_BUDGET.backoff
        },
        budget: None,
        ..BACKOFF_AND_BUDGET
    }))
}

fn retry_choices() -> Vec<Choice> {
    vec![
        Choice {
            id: "off",
            label: "Off",
            command: Command::SetClientRetry(None),
        },
        Choice {
            id: "naive",
            label: "3 attempts, at once (naive)",
            command: Command::SetClientRetry(Some(ClientRetry::NAIVE)),
        },
        Choice {
            id: "none",
            label: "3 attempts, backoff 100 ms to 5 s, no jitter",
            command: with_jitter(Jitter::None),
        },
        Choice {
            id: "full",
            label: "3 attempts, backoff, full jitter",
            command: with_jitter(Jitter::Full),
        },
        Choice {
            id: "equal",
            label: "3 attempts, backoff, equal jitter",
            command: with_jitter(Jitter::Equal),
        },
        Choice {
            id: "decorrelated",
            label: "3 attempts, backoff, decorrelated jitter",
            command: with_jitter(Jitter::Decorrelated),
        },
        Choice {
            id: "budget",
            label: "Full jitter + gRPC retry budget (10 tokens, 0.1)",
            command: Command::SetClientRetry(Some(BACKOFF_AND_BUDGET)),
        },
    ]
}

fn users_choices() -> Vec<Choice> {
    let users = |users, think_s| {
        Command::SetClosedLoop(Some(ClosedLoop {
            users,
            think_time: SimDuration::from_secs(think_s),
        }))
    };
    vec![
        Choice {
            id: "off",
            label: "None (open arrivals only)",
            command: Command::SetClosedLoop(None),
        },
        Choice {
            id: "20",
            label: "20 users, think 2 s",
            command: users(20, 2),
        },
        Choice {
            id: "120",
            label: "120 users, think 4 s",
            command: users(120, 4),
        },
    ]
}

/// Props of [`ClientControls`].
#[derive(Properties, PartialEq)]
pub struct ClientControlsProps {
    /// The clients' retry policy.
    pub retry: Option<ClientRetry>,
    /// The closed-loop users.
    pub closed_loop: Option<ClosedLoop>,
    /// Receives the changes.
    pub on_command: Callback<Command>,
}

/// The client retry and closed-loop selects.
#[function_component]
pub fn ClientControls(props: &ClientControlsProps) -> Html {
    let users_load = props.closed_loop.map(|c| {
        format!(
            "Users send at most {:.1} req/s ({} users / {} think time), less as answers slow down",
            c.peak_rate(),
            c.users,
            c.think_time
        )
    });
    html! {
        <section class="panel clients" aria-label="Clients">
            <h2 class="visually-hidden">{ "Clients" }</h2>
            { choice_select("client-retry", "Client retries",
                "Clients send a failed request again (an error, a refusal or their own timeout), after a capped exponential backoff with the AWS blog's jitter kinds; gRPC's retry budget stops retries while failures outnumber successes. Each retry is a new request",
                retry_choices(), |c| *c == Command::SetClientRetry(props.retry), &props.on_command) }
            { choice_select("closed-loop", "Closed-loop users",
                "Users who each send, wait for the answer (or their timeout), think for an exponential time, and send again: their load slows down with the system. They come on top of the open arrivals above (set the rate to 0 for users alone)",
                users_choices(), |c| *c == Command::SetClosedLoop(props.closed_loop), &props.on_command) }
            if let Some(text) = users_load {
                <p class="load" title="The interactive response time law: users' throughput is N / (R + Z), N users, R the response time, Z the mean think time">
                    { text }
                </p>
            }
        </section>
    }
}
