//! The deterministic simulation core.
//!
//! The contract: nothing in here reads a clock, touches a browser or uses global randomness. Time is
//! a parameter ([`SimTime`], integer microseconds), every random draw comes from a seeded portable
//! generator owned by the run ([`rng`]), and every change is a [`Command`] applied at a simulated
//! instant. The same [`Scenario`], seed and commands give the same numbers on native and wasm32.
//!
//! Drive it with [`Simulation::apply`] and [`Simulation::advance_to`]; read it through
//! [`Simulation::servers`], [`Simulation::requests`], [`Simulation::metrics`] and
//! [`Simulation::totals`], which are cheap borrows.

pub mod address;
pub mod autoscale;
pub mod backend;
pub mod balancer;
pub mod balancer_cpu;
pub mod breaker;
pub mod clients;
pub mod command;
pub mod connections;
pub mod engine;
pub mod events;
pub mod front;
pub mod hash;
pub mod health;
pub mod histogram;
pub mod history;
pub mod inspect;
pub mod markers;
pub mod metrics;
pub mod narrate;
pub mod passive;
pub mod pool;
pub mod presets;
pub mod queue;
pub mod ratelimit;
pub mod report;
pub mod request;
pub mod resilience;
pub mod retry;
pub mod rng;
pub mod scenario;
pub mod server;
pub mod share;
pub mod slow_start;
pub mod tape;
pub mod theory;
pub mod time;
pub mod timers;
pub mod traffic;
pub mod validation;
pub mod work;

pub use balancer::Algorithm;
pub use command::{Command, TimedCommand};
pub use engine::{Simulation, Stop, TraceRecord};
pub use events::{Event, LogKind, Logged};
pub use metrics::{Sample, Totals};
pub use request::{Outcome, Phase};
pub use resilience::Resilience;
pub use scenario::Scenario;
pub use slow_start::SlowStart;
pub use time::{SimDuration, SimTime};
pub use validation::ValidationError;
