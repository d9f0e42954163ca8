//! A virtual server: a fixed number of workers, a FIFO queue in front of them, a speed factor and a
//! lifecycle (up or killed).
//!
//! A request that arrives while a worker is free starts at once and takes `cost / speed`; otherwise it
//! waits in the queue (or is turned away when a bounded queue is full). Changing the speed rescales the
//! remaining work of requests already in service. Killing the server fails everything in it. The
//! server knows nothing about events: it reports what should happen next and the engine schedules it.
//! Completions carry an epoch, bumped on every kill or speed change, so stale ones are recognised.
//! A server does not know when the load balancer has given up on a request: it serves abandoned
//! jobs too, which is the wasted work behind retry storms.

use std::collections::VecDeque;

use super::health::ServerCheck;
use super::request::{Attempt, RequestId};
use super::time::{SimDuration, SimTime};

/// The configuration of one server. In files every field but the name may be left out.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSpec {
    /// Display name, e.g. `server-1`.
    pub name: String,
    /// Balancing weight, 0 (drained: no new requests) to [`MAX_WEIGHT`].
    #[serde(default = "one")]
    pub weight: u32,
    /// Requests served at once.
    #[serde(default = "one")]
    pub workers: u32,
    /// Speed factor: 1 is normal, 0.2 is five times slower.
    #[serde(default = "full_speed")]
    pub speed: f64,
    /// The queue's capacity; `None` is unbounded.
    #[serde(default)]
    pub queue_limit: Option<u32>,
    /// A backup server: offered traffic only when no primary server can take it (nginx `backup`).
    #[serde(default)]
    pub backup: bool,
    /// Share of requests answered with an error (500), from 0 to 1.
    #[serde(default)]
    pub error_rate: f64,
    /// Its database is unreachable: every request fails with a 500, but the health page, which
    /// only reports what it finds, still answers `200 OK` (with a body that says the database
    /// is down). A status-only HTTP check passes it; one expecting the body's "all up" fails it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub database_down: bool,
    /// Marked down in the configuration (nginx `down`): it starts drained, taking no requests,
    /// but keeps its weight, so hashes keep its place and map every other key as before.
    #[serde(default, skip_serializing_if = "is_false")]
    pub down: bool,
    /// Its own active health-check settings in place of the scenario's (HAProxy's `server` line
    /// options); `None` follows the scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<ServerCheck>,
    /// How long a revived server takes to start before it accepts connections (it refuses them,
    /// checks included, until then).
    #[serde(default, skip_serializing_if = "SimDuration::is_zero")]
    pub startup: SimDuration,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn one() -> u32 {
    1
}

fn full_speed() -> f64 {
    1.0
}

/// One request's work at a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Job {
    /// The request.
    pub request: RequestId,
    /// Which attempt of the request this is (the engine's tag, to spot abandoned tries).
    pub attempt: Attempt,
    /// Work at full speed.
    pub work: SimDuration,
    /// Whether the answer will be an error.
    pub error: bool,
}

/// The largest weight a server may have.
pub const MAX_WEIGHT: u32 = 1_000;
/// The slowest a server may run (a 100x slowdown).
pub const MIN_SPEED: f64 = 0.01;
/// The fastest a server may run.
pub const MAX_SPEED: f64 = 100.0;
/// The most workers a server may have.
pub const MAX_WORKERS: u32 = 1_000;

/// A request being served by one worker.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Busy {
    job: Job,
    /// When the request's current stretch of service began (the start, or the last speed change).
    since: SimTime,
    /// Work left at `since`, in full-speed time.
    work_left: SimDuration,
    /// When it will finish at the current speed.
    finish: SimTime,
}

/// A completion the engine must schedule: worker `slot` finishes at `at` (valid for `epoch`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Completion {
    /// The job being served.
    pub job: Job,
    /// The worker serving it.
    pub slot: u32,
    /// When it finishes.
    pub at: SimTime,
    /// The server's epoch when this was computed.
    pub epoch: u32,
}

/// What became of a request that reached a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrival {
    /// A worker took it; schedule this completion.
    Started(Completion),
    /// It waits in the queue.
    Queued,
    /// The queue is full: the server answers 503 at once.
    QueueFull,
    /// The server is dead: the connection is refused.
    Refused,
}

/// One server's state.
#[derive(Clone, Debug)]
pub struct Server {
    spec: ServerSpec,
    alive: bool,
    /// A revived server refuses connections until this time (its start-up).
    accepting_from: SimTime,
    epoch: u32,
    workers: Vec<Option<Busy>>,
    busy: u32,
    queue: VecDeque<Job>,
    degradation: Option<Degradation>,
    /// Worker time spent busy up to `area_at`, in worker-microseconds (what CPU is measured by).
    busy_area: u64,
    area_at: SimTime,
}

/// A server slowing down like a process leaking memory.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Degradation {
    /// Share of its speed it loses per minute.
    per_minute: f64,
    /// Its speed when it began, which a revive restores.
    fresh_speed: f64,
}

impl Server {
    /// A live, idle server.
    pub fn new(spec: ServerSpec) -> Server {
        Server {
            workers: vec![None; spec.workers as usize],
            spec,
            alive: true,
            accepting_from: SimTime::ZERO,
            epoch: 0,
            busy: 0,
            queue: VecDeque::new(),
            degradation: None,
            busy_area: 0,
            area_at: SimTime::ZERO,
        }
    }

    /// The same slot as a fresh server with `spec`, idle and alive, whose completions never
    /// match the ones still queued for the old one (its epoch moves on) and whose busy time
    /// keeps adding up. Only for a server with no work.
    pub fn relaunch(&mut self, spec: ServerSpec) {
        debug_assert!(self.busy == 0 && self.queue.is_empty());
        let epoch = self.epoch.wrapping_add(1);
        let (busy_area, area_at) = (self.busy_area, self.area_at);
        *self = Server {
            epoch,
            busy_area,
            area_at,
            ..Server::new(spec)
        };
    }

    /// Worker time spent busy from the start until `now`, in worker-microseconds.
    pub fn busy_time(&self, now: SimTime) -> u64 {
        self.busy_area + u64::from(self.busy) * now.saturating_since(self.area_at).0
    }

    /// Adds the busy time since the last change of `busy` (called just before one).
    #[inline]
    fn account(&mut self, now: SimTime) {
        self.busy_area = self.busy_time(now);
        self.area_at = now;
    }

    /// Starts degrading by `per_minute` of its speed per minute from its speed now (0 stops).
    pub fn degrade(&mut self, per_minute: f64) {
        self.degradation = (per_minute > 0.0).then_some(Degradation {
            per_minute,
            fresh_speed: self.spec.speed,
        });
    }

    /// The share of speed it loses per minute, while it is degrading.
    pub fn degrading(&self) -> Option<f64> {
        self.degradation.map(|d| d.per_minute)
    }

    /// The speed it had when its degradation began, which a revive restores.
    pub fn fresh_speed(&self) -> Option<f64> {
        self.degradation.map(|d| d.fresh_speed)
    }

    /// The server's configuration.
    pub fn spec(&self) -> &ServerSpec {
        &self.spec
    }

    /// Whether the server is up.
    pub fn is_alive(&self) -> bool {
        self.alive
    }

    /// Workers busy now.
    pub fn busy(&self) -> u32 {
        self.busy
    }

    /// Requests waiting in the queue.
    pub fn queued(&self) -> u32 {
        self.queue.len() as u32
    }

    /// The current completion epoch.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// Sets the error rate (the engine validates the range).
    pub fn set_error_rate(&mut self, rate: f64) {
        self.spec.error_rate = rate;
    }

    /// Its database becomes unreachable (`true`) or reachable again.
    pub fn set_database_down(&mut self, down: bool) {
        self.spec.database_down = down;
    }

    /// Whether the request it is about to serve fails with a 500: always while its database
    /// is down, else with its error rate (`chance` draws with that probability).
    pub fn answers_error(&self, chance: impl FnOnce(f64) -> bool) -> bool {
        let rate = self.spec.error_rate;
        self.spec.database_down || (rate > 0.0 && chance(rate))
    }

    /// Sets the balancing weight (the engine validates the range).
    pub fn set_weight(&mut self, weight: u32) {
        self.spec.weight = weight;
    }

    /// Makes the server a backup or a primary.
    pub fn set_backup(&mut self, backup: bool) {
        self.spec.backup = backup;
    }

    /// A job reaches the server at `now`. (Inlined, as `complete` is: with the balancer's cores
    /// as a second caller they were not, which cost the million-request run 4% more
    /// instructions.)
    #[inline]
    pub fn arrive(&mut self, job: Job, now: SimTime) -> Arrival {
        if !self.accepts(now) {
            return Arrival::Refused;
        }
        if let Some(slot) = self.workers.iter().position(Option::is_none) {
            return Arrival::Started(self.start(slot, job, now));
        }
        if self
            .spec
            .queue_limit
            .is_some_and(|limit| self.queue.len() as u32 >= limit)
        {
            return Arrival::QueueFull;
        }
        self.queue.push_back(job);
        Arrival::Queued
    }

    /// Worker `slot` reports done. Returns the finished job and, if the queue was not empty, the
    /// completion of the job that took the worker next; `None` if the report is stale.
    #[inline]
    pub fn complete(
        &mut self,
        slot: u32,
        epoch: u32,
        now: SimTime,
    ) -> Option<(Job, Option<Completion>)> {
        if epoch != self.epoch || !self.alive {
            return None;
        }
        let done = self.workers.get_mut(slot as usize)?.take()?;
        self.account(now);
        self.busy -= 1;
        let next = self
            .queue
            .pop_front()
            .map(|job| self.start(slot as usize, job, now));
        Some((done.job, next))
    }

    /// Crashes the server: every job in service or queued is pushed to `failed` (in service
    /// first, by worker, then the queue in order) and the server accepts nothing until revived.
    pub fn kill(&mut self, failed: &mut Vec<Job>, now: SimTime) {
        if !self.alive {
            return;
        }
        self.account(now);
        self.alive = false;
        self.epoch = self.epoch.wrapping_add(1);
        failed.extend(
            self.workers
                .iter_mut()
                .filter_map(|w| w.take())
                .map(|b| b.job),
        );
        failed.extend(self.queue.drain(..));
        self.busy = 0;
    }

    /// Brings a killed server back at `now`, idle and empty; it accepts connections once its
    /// start-up time has passed.
    pub fn revive(&mut self, now: SimTime) {
        self.alive = true;
        self.accepting_from = now + self.spec.startup;
    }

    /// Whether it accepts a connection at `now`: alive and started.
    pub fn accepts(&self, now: SimTime) -> bool {
        self.alive && now >= self.accepting_from
    }

    /// Replaces its own health-check settings.
    pub fn set_health(&mut self, health: Option<ServerCheck>) {
        self.spec.health = health;
    }

    /// Puts a server marked down in the configuration back: it is no longer in maintenance.
    pub fn clear_down(&mut self) {
        self.spec.down = false;
    }

    /// Changes the speed factor at `now`. Requests in service keep the work they have done; what is
    /// left is served at the new speed. The new completions are pushed to `rescheduled`.
    pub fn set_speed(&mut self, speed: f64, now: SimTime, rescheduled: &mut Vec<Completion>) {
        let old = self.spec.speed;
        self.spec.speed = speed;
        self.epoch = self.epoch.wrapping_add(1);
        for (slot, busy) in self.workers.iter_mut().enumerate() {
            let Some(b) = busy else { continue };
            let done = SimDuration::from_micros_f64(now.saturating_since(b.since).0 as f64 * old).0;
            b.work_left = SimDuration(b.work_left.0.saturating_sub(done));
            b.since = now;
            b.finish = now + service_time(b.work_left, speed);
            rescheduled.push(Completion {
                job: b.job,
                slot: slot as u32,
                at: b.finish,
                epoch: self.epoch,
            });
        }
    }

    fn start(&mut self, slot: usize, job: Job, now: SimTime) -> Completion {
        let finish = now + service_time(job.work, self.spec.speed);
        self.workers[slot] = Some(Busy {
            job,
            since: now,
            work_left: job.work,
            finish,
        });
        self.account(now);
        self.busy += 1;
        Completion {
            job,
            slot: slot as u32,
            at: finish,
            epoch: self.epoch,
        }
    }
}

/// How long `work` takes at `speed`.
pub fn service_time(work: SimDuration, speed: f64) -> SimDuration {
    SimDuration::from_micros_f64(work.0 as f64 / speed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(workers: u32, queue_limit: Option<u32>) -> Server {
        Server::new(ServerSpec {
            name: "s".into(),
            weight: 1,
            workers,
            speed: 1.0,
            queue_limit,
            backup: false,
            error_rate: 0.0,
            database_down: false,
            down: false,
            health: None,
            startup: SimDuration::ZERO,
        })
    }

    fn job(id: u32, work: u64) -> Job {
        Job {
            request: RequestId(id),
            attempt: Attempt(u64::from(id)),
            work: SimDuration(work),
            error: false,
        }
    }

    fn started(arrival: Arrival) -> Completion {
        match arrival {
            Arrival::Started(c) => c,
            other => panic!("expected Started, got {other:?}"),
        }
    }

    #[test]
    fn busy_time_adds_up_the_worker_time_spent_serving() {
        let mut s = server(2, None);
        let a = started(s.arrive(job(0, 100), SimTime(0)));
        started(s.arrive(job(1, 50), SimTime(10)));
        assert_eq!(s.busy_time(SimTime(40)), 40 + 30);
        s.complete(a.slot, a.epoch, SimTime(100));
        // Job 1 ended at 60 but its completion is reported later: busy until then.
        assert_eq!(s.busy_time(SimTime(100)), 100 + 90);
        assert_eq!(s.busy_time(SimTime(200)), 100 + 190);
    }

    #[test]
    fn serves_fifo_with_its_workers() {
        let mut s = server(1, None);
        let first = started(s.arrive(job(0, 100), SimTime(0)));
        assert_eq!(first.at, SimTime(100));
        assert_eq!(s.arrive(job(1, 50), SimTime(10)), Arrival::Queued);
        assert_eq!(s.arrive(job(2, 50), SimTime(20)), Arrival::Queued);
        let (done, next) = s.complete(first.slot, first.epoch, SimTime(100)).unwrap();
        assert_eq!(done, job(0, 100));
        let next = next.unwrap();
        assert_eq!((next.job.request, next.at), (RequestId(1), SimTime(150)));
        assert_eq!((s.busy(), s.queued()), (1, 1));
    }

    #[test]
    fn a_full_queue_turns_requests_away() {
        let mut s = server(1, Some(1));
        started(s.arrive(job(0, 100), SimTime(0)));
        assert_eq!(s.arrive(job(1, 1), SimTime(0)), Arrival::Queued);
        assert_eq!(s.arrive(job(2, 1), SimTime(0)), Arrival::QueueFull);
    }

    #[test]
    fn kill_fails_everything_and_makes_completions_stale() {
        let mut s = server(2, None);
        let a = started(s.arrive(job(0, 100), SimTime(0)));
        started(s.arrive(job(1, 100), SimTime(0)));
        s.arrive(job(2, 100), SimTime(0));
        let mut failed = vec![];
        s.kill(&mut failed, SimTime(0));
        let ids: Vec<u32> = failed.iter().map(|j| j.request.0).collect();
        assert_eq!(ids, [0, 1, 2]);
        assert_eq!(s.complete(a.slot, a.epoch, SimTime(100)), None);
        assert_eq!(s.arrive(job(3, 1), SimTime(1)), Arrival::Refused);
        s.revive(SimTime::ZERO);
        assert_eq!((s.busy(), s.queued()), (0, 0));
        started(s.arrive(job(3, 1), SimTime(1)));
    }

    #[test]
    fn slowing_down_rescales_the_remaining_work() {
        let mut s = server(1, None);
        let c = started(s.arrive(job(0, 1_000), SimTime(0)));
        let mut resched = vec![];
        // Half the work is done at t=500; the rest at a fifth of the speed takes 2,500.
        s.set_speed(0.2, SimTime(500), &mut resched);
        assert_eq!(resched.len(), 1);
        assert_eq!(resched[0].at, SimTime(3_000));
        assert_eq!(
            s.complete(c.slot, c.epoch, SimTime(1_000)),
            None,
            "old completion is stale"
        );
        assert!(
            s.complete(resched[0].slot, resched[0].epoch, SimTime(3_000))
                .is_some()
        );
    }
}
