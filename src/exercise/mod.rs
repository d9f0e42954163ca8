//! "You are the balancer": exercises in which the student picks the server for each of the next
//! requests from what the algorithm sees, and each pick is graded against the real algorithm.
//!
//! An [`Exercise`] sets up a small pool (3 or 4 servers, weights and loads drawn from its seed) for
//! one of five algorithms ([`Kind`]) and routes [`ROUNDS`] requests through the project's own
//! balancer for it. Before each request is shown, the balancer really picks; the [`Round`] keeps
//! what it decided with (smooth WRR's current weights, the active requests per weight, the
//! client's address and hash, the key's place on the ring, the two servers drawn) and its pick,
//! the model answer. The student's pick is compared with it, and the pool moves on with the real
//! pick (the chosen server gets a request, and another request may finish), so the next round
//! is what the algorithm would see next. Nothing here re-implements an algorithm.
//!
//! ```text
//!  seed ─► pool ─► balancer.decision() (what it sees) ─► balancer.pick() (the model answer)
//!                         └──────────────► Round ─► the student's pick ─► Answer ─► Score
//! ```
//!
//! Rounds and answers are data; [`words`] makes the sentences the page shows.

mod kind;
mod round;
mod run;
pub mod words;

pub use kind::Kind;
pub use round::{Round, Seen};
pub use run::{Answer, Exercise, ROUNDS, Score, Sheet};

#[cfg(test)]
mod tests;
