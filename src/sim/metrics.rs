//! What the simulation measures: outcome counters, client-observed latency, per-server statistics and
//! a bounded time series of per-window samples for the charts.
//!
//! Latency is measured where the user feels it: from the moment the client sends a request until the
//! answer is back at the client. Only successful requests enter the latency histograms; failures and
//! rejections are counted. Every `sample_every` of simulated time the current window is closed into a
//! [`Sample`] (throughput, errors, mean and p50 / p95 / p99); the series keeps the most recent
//! [`SERIES_CAPACITY`] samples so memory stays flat however long the run. At the same instants the
//! queue length of every server is recorded into a shorter history ([`QUEUE_HISTORY`] windows),
//! whose buffers are reused so a long run allocates nothing for it. So is every server's count
//! of routed requests, for as many windows as [`RECENT`] spans: the requests each server got
//! over the last 30 s ([`Metrics::recent_routed`]) show a change of algorithm within seconds,
//! where the counts since t = 0 still carry the minutes before it.

use std::collections::VecDeque;

use super::histogram::Histogram;
use super::request::Tally;
use super::time::{SimDuration, SimTime};

/// How many window samples the time series keeps.
pub const SERIES_CAPACITY: usize = 600;
/// How many windows a sample's percentiles cover: with a handful of requests per window, p95 and
/// p99 of one window would be the same sample, so they are taken over this many recent windows.
pub const ROLLING_WINDOWS: usize = 10;
/// How many window ends the per-server queue-length history keeps.
pub const QUEUE_HISTORY: usize = 120;
/// The recent span [`Metrics::recent_routed`] counts over.
pub const RECENT: SimDuration = SimDuration::from_secs(30);

/// Counts of requests by where they are or how they ended, for the whole run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    /// Requests the clients sent.
    pub generated: u64,
    /// Requests answered successfully.
    pub completed: u64,
    /// Requests that failed (connection refused, server crashed).
    pub failed: u64,
    /// Requests turned away at their first try, before any work on them began.
    pub rejected: u64,
    /// Requests the balancer's rate limit refused.
    pub rate_limited: u64,
    /// Requests on their way or being served (everything live that is not queued).
    pub in_flight: u64,
    /// Requests waiting in a server queue.
    pub queued: u64,
    /// Client connections opened (a run with connections only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connections: Option<u64>,
}

impl Totals {
    /// Whether every generated request is accounted for exactly once.
    pub fn balanced(&self) -> bool {
        self.generated
            == self.completed
                + self.failed
                + self.rejected
                + self.rate_limited
                + self.in_flight
                + self.queued
    }
}

/// How many requests ended each way (see [`Tally`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ended {
    /// Answered successfully.
    pub completed: u64,
    /// Failed.
    pub failed: u64,
    /// Turned away at their first try.
    pub rejected: u64,
    /// Refused by the rate limit.
    pub rate_limited: u64,
}

/// One server's statistics over the run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServerStats {
    /// Requests the balancer sent to it.
    pub routed: u64,
    /// Requests it served successfully.
    pub completed: u64,
    /// Tries that failed at it: refused while dead, lost in a crash, answered with an error, or
    /// timed out.
    pub failed: u64,
    /// Tries it turned away with a full queue.
    pub rejected: u64,
    /// Tries its circuit breaker refused.
    pub refused: u64,
    /// Jobs it finished after the load balancer had given up on them (wasted work).
    pub wasted: u64,
    /// Client-observed latency of the requests it served (microseconds).
    pub latency: Histogram,
}

/// How the requests of one kind ended over the run: one request path's (layer-7 view: `/api`,
/// `/static`, ...), one balancer's, or those of the clients behind the NAT (or not).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnswerStats {
    /// Requests answered successfully.
    pub completed: u64,
    /// Requests that failed.
    pub failed: u64,
    /// Requests turned away at their first try.
    pub rejected: u64,
    /// Requests the rate limit refused.
    pub rate_limited: u64,
    /// Client-observed latency of the successful ones (microseconds).
    pub latency: Histogram,
}

impl AnswerStats {
    /// Counts a request that ended as `tally` after `latency`.
    #[inline]
    fn record(&mut self, tally: Tally, latency: SimDuration) {
        match tally {
            Tally::Completed => {
                self.completed += 1;
                self.latency.record(latency.0);
            }
            Tally::Rejected => self.rejected += 1,
            Tally::RateLimited => self.rate_limited += 1,
            Tally::Failed => self.failed += 1,
        }
    }
}

/// One balancer's statistics over the run, when there are several.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BalancerStats {
    /// Requests that reached it.
    pub received: u64,
    /// How the requests it received ended.
    pub answers: AnswerStats,
}

/// The statistics of one closed window of simulated time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// The end of the window.
    pub end: SimTime,
    /// Requests answered successfully in the window, per second.
    pub throughput: f64,
    /// Requests that failed, were rejected or were rate limited in the window, per second.
    pub errors: f64,
    /// Retries started in the window, per second.
    pub retries: f64,
    /// Client retries sent in the window, per second (requests a client sent again after a
    /// failure; they are among the requests counted everywhere else).
    pub client_retries: f64,
    /// Successful answers servers produced in the window, per second, including those for
    /// requests whose client had given up (throughput as the servers see it; `throughput` is
    /// the goodput, the successful answers clients received).
    pub served: f64,
    /// 95th percentile of how long clients waited for an answer of any kind (a success, an
    /// error, or their own timeout) over the last [`ROLLING_WINDOWS`] windows, in milliseconds;
    /// measured only in runs with client retries or closed-loop users, `None` otherwise.
    pub p95_any_ms: Option<f64>,
    /// Mean latency of the successes in the last [`ROLLING_WINDOWS`] windows, in milliseconds.
    pub mean_ms: Option<f64>,
    /// Median latency of the successes in the last [`ROLLING_WINDOWS`] windows, in milliseconds.
    pub p50_ms: Option<f64>,
    /// 95th percentile latency over the same span, in milliseconds.
    pub p95_ms: Option<f64>,
    /// 99th percentile latency over the same span, in milliseconds.
    pub p99_ms: Option<f64>,
    /// Requests the clients sent in the window, per second (the offered load).
    pub offered: f64,
    /// The servers at the end of the window.
    pub fleet: Fleet,
    /// The balancer's cores in the window (only when the balancer has a cost).
    pub balancer: Option<BalancerSample>,
}

/// The balancer's cores in one metrics window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BalancerSample {
    /// The share of core time busy in the window, 0 to 1.
    pub busy: f64,
    /// Requests waiting for a core at the window's end.
    pub queued: u64,
}

/// The balancer's cores as a window closes: what [`BalancerSample`] is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BalancerGauge {
    /// Core time busy since the start, in core-microseconds.
    pub busy_time: u64,
    /// Its cores.
    pub workers: u32,
    /// Requests waiting for a core now.
    pub queued: u64,
}

/// How many servers a run has at an instant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fleet {
    /// Servers configured: not removed (those still booting included).
    pub servers: u32,
    /// Servers the balancer may send new requests to.
    pub in_rotation: u32,
}

/// Counters, histograms and the sampled time series of one run.
#[derive(Clone, Debug)]
pub struct Metrics {
    ended: Ended,
    retries: u64,
    client_retries: u64,
    served: u64,
    /// How long clients waited for any answer, when measured ([`Metrics::track_any_answer`]).
    any_answer: Option<Rolling>,
    latency: Histogram,
    servers: Vec<ServerStats>,
    /// Per request path, by path index (empty until [`Metrics::track_paths`]).
    paths: Vec<AnswerStats>,
    /// Per balancer, when there are several (empty until [`Metrics::track_balancers`]).
    balancers: Vec<BalancerStats>,
    /// The clients behind the NAT ([0]) and the others ([1]), from the first request that
    /// ends while some clients share the NAT's address (until then `None`).
    nat: Option<Box<[AnswerStats; 2]>>,
    /// The successes' latency in the current window and the recent ones.
    window: Rolling,
    window_errors: u64,
    window_retries: u64,
    window_client_retries: u64,
    window_served: u64,
    /// Requests generated by the end of the last window closed.
    generated_before: u64,
    /// The balancer's busy core time when the last window closed.
    balancer_busy_before: u64,
    window_len: SimDuration,
    window_end: SimTime,
    series: VecDeque<Sample>,
    /// Queue length of every server at each of the most recent window ends, oldest first.
    queues: VecDeque<Vec<u32>>,
    /// Every server's routed count at the window ends of the last [`RECENT`], oldest first.
    routed: VecDeque<(SimTime, Vec<u64>)>,
    /// How many window ends `routed` keeps: enough that one is at least [`RECENT`] old.
    routed_capacity: usize,
}

/// Requests routed to each server over a recent span of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct RecentRouted {
    /// How long the span is: [`RECENT`] up to one window more, or the whole run while it is
    /// shorter.
    pub span: SimDuration,
    /// Requests routed to each server in it, in server order.
    pub routed: Vec<u64>,
}

impl Metrics {
    /// Empty metrics for `servers` servers, sampled every `window_len`.
    pub fn new(servers: usize, window_len: SimDuration) -> Metrics {
        Metrics {
            ended: Ended::default(),
            retries: 0,
            client_retries: 0,
            served: 0,
            any_answer: None,
            latency: Histogram::new(),
            servers: vec![ServerStats::default(); servers],
            paths: Vec::new(),
            balancers: Vec::new(),
            nat: None,
            window: Rolling::default(),
            window_errors: 0,
            window_retries: 0,
            window_client_retries: 0,
            window_served: 0,
            generated_before: 0,
            balancer_busy_before: 0,
            window_len,
            window_end: SimTime::ZERO + window_len,
            series: VecDeque::with_capacity(SERIES_CAPACITY),
            queues: VecDeque::with_capacity(QUEUE_HISTORY),
            routed: VecDeque::new(),
            routed_capacity: RECENT.0.div_ceil(window_len.0.max(1)) as usize + 1,
        }
    }

    /// Starts counting for one more server.
    pub(crate) fn add_server(&mut self) {
        self.servers.push(ServerStats::default());
    }

    /// Counts `paths` request paths separately from now on (path indices `0..paths`).
    pub(crate) fn track_paths(&mut self, paths: usize) {
        self.paths = vec![AnswerStats::default(); paths];
    }

    /// Per-path statistics, by path index.
    pub fn paths(&self) -> &[AnswerStats] {
        &self.paths
    }

    /// Counts a request that ended as `tally` after `latency`, of a client behind the NAT
    /// (`behind`) or of one with an address of its own.
    pub fn record_nat(&mut self, behind: bool, tally: Tally, latency: SimDuration) {
        let groups = self.nat.get_or_insert_with(Box::default);
        groups[usize::from(!behind)].record(tally, latency);
    }

    /// How the requests of the clients behind the NAT (`[0]`) and of the others (`[1]`) ended,
    /// since some clients first shared the NAT's address; `None` before that.
    pub fn nat(&self) -> Option<&[AnswerStats; 2]> {
        self.nat.as_deref()
    }

    /// Counts `balancers` balancers separately from now on.
    pub(crate) fn track_balancers(&mut self, balancers: usize) {
        self.balancers = vec![BalancerStats::default(); balancers];
    }

    /// Per-balancer statistics, by balancer (empty with one balancer).
    pub fn balancers(&self) -> &[BalancerStats] {
        &self.balancers
    }

    /// A request reached balancer `b`.
    pub(crate) fn received_at(&mut self, b: u8) {
        self.balancers[usize::from(b)].received += 1;
    }

    /// A request that went through balancer `b` ended for its client as `tally` after `latency`.
    pub(crate) fn record_balancer(&mut self, b: u8, tally: Tally, latency: SimDuration) {
        self.balancers[usize::from(b)]
            .answers
            .record(tally, latency);
    }

    /// A request for path `path` ended for its client, counted as `tally`, after `latency`
    /// (like [`Metrics::record_answer`]; a path that is not tracked is ignored).
    pub fn record_path(&mut self, path: usize, tally: Tally, latency: SimDuration) {
        if let Some(stats) = self.paths.get_mut(path) {
            stats.record(tally, latency);
        }
    }

    /// How many requests ended each way so far.
    pub fn ended(&self) -> Ended {
        self.ended
    }

    /// Retries started so far.
    pub fn retries(&self) -> u64 {
        self.retries
    }

    /// A retry started.
    pub fn record_retry(&mut self) {
        self.retries += 1;
        self.window_retries += 1;
    }

    /// Measures how long clients wait for an answer of any kind from now on (the `p95_any_ms` of
    /// the samples).
    pub(crate) fn track_any_answer(&mut self) {
        self.any_answer.get_or_insert_with(Rolling::default);
    }

    /// A request ended for its client after `latency`, however it ended (measured once
    /// [`Metrics::track_any_answer`] was called).
    pub fn record_any_answer(&mut self, latency: SimDuration) {
        if let Some(rolling) = &mut self.any_answer {
            rolling.record(latency);
        }
    }

    /// Client retries sent so far.
    pub fn client_retries(&self) -> u64 {
        self.client_retries
    }

    /// A client sent a request again after a failure.
    pub fn record_client_retry(&mut self) {
        self.client_retries += 1;
        self.window_client_retries += 1;
    }

    /// Successful answers servers produced so far, for clients still waiting or not.
    pub fn served(&self) -> u64 {
        self.served
    }

    /// A server finished a job successfully (whether or not anyone still waits for it).
    #[inline]
    pub fn record_served(&mut self) {
        self.served += 1;
        self.window_served += 1;
    }

    /// Client-observed latency of every successful request (microseconds).
    pub fn latency(&self) -> &Histogram {
        &self.latency
    }

    /// Per-server statistics, in server order.
    pub fn servers(&self) -> &[ServerStats] {
        &self.servers
    }

    /// Mutable statistics of server `index`, for the engine's bookkeeping.
    pub(crate) fn server_mut(&mut self, index: usize) -> &mut ServerStats {
        &mut self.servers[index]
    }

    /// The closed windows, oldest first (at most [`SERIES_CAPACITY`]).
    pub fn series(&self) -> &VecDeque<Sample> {
        &self.series
    }

    /// The queue length of every server (in server order; servers added later have shorter
    /// records) at the end of each recent window, oldest first, aligned with the last entries of
    /// [`Metrics::series`].
    pub fn queue_history(&self) -> &VecDeque<Vec<u32>> {
        &self.queues
    }

    /// Requests routed to each server from the start of the last [`RECENT`] of the run (the
    /// latest window end at least that long before `now`, or t = 0) up to `now`.
    pub fn recent_routed(&self, now: SimTime) -> RecentRouted {
        let since = SimTime(now.0.saturating_sub(RECENT.0));
        let (from, before) = self
            .routed
            .iter()
            .rev()
            .find(|(end, _)| *end <= since)
            .map_or((SimTime::ZERO, &[][..]), |(end, counts)| {
                (*end, &counts[..])
            });
        let routed = self
            .servers
            .iter()
            .enumerate()
            .map(|(i, s)| s.routed - before.get(i).copied().unwrap_or(0))
            .collect();
        RecentRouted {
            span: SimDuration(now.0.saturating_sub(from.0)),
            routed,
        }
    }

    /// A request's answer reached its client after `latency`, counted as `tally`.
    pub fn record_answer(&mut self, server: Option<usize>, tally: Tally, latency: SimDuration) {
        match tally {
            Tally::Completed => {
                self.ended.completed += 1;
                self.latency.record(latency.0);
                self.window.record(latency);
                if let Some(stats) = server.and_then(|s| self.servers.get_mut(s)) {
                    stats.latency.record(latency.0);
                }
            }
            Tally::Rejected => {
                self.ended.rejected += 1;
                self.window_errors += 1;
            }
            Tally::RateLimited => {
                self.ended.rate_limited += 1;
                self.window_errors += 1;
            }
            Tally::Failed => {
                self.ended.failed += 1;
                self.window_errors += 1;
            }
        }
    }

    /// Closes every window that ends at or before `now`; `queues` gives each server's queue length
    /// now, and `state` the servers and the requests generated so far, which is also what they
    /// were at those window ends (nothing happened in between).
    pub fn close_windows_until(
        &mut self,
        now: SimTime,
        queues: impl Iterator<Item = u32> + Clone,
        state: impl FnOnce() -> (Fleet, u64, Option<BalancerGauge>),
    ) {
        if self.window_closes_by(now) {
            let (fleet, generated, balancer) = state();
            self.close_windows(now, queues, fleet, generated, balancer);
        }
    }

    /// Whether a window ends at or before `now`. Asked on every event, and a window closes about
    /// once a simulated second: callers ask this before gathering what a closing needs.
    #[inline]
    pub fn window_closes_by(&self, now: SimTime) -> bool {
        self.window_end <= now
    }

    fn close_windows(
        &mut self,
        now: SimTime,
        queues: impl Iterator<Item = u32> + Clone,
        fleet: Fleet,
        generated: u64,
        balancer: Option<BalancerGauge>,
    ) {
        while self.window_end <= now {
            self.record_queues(queues.clone());
            self.record_routed();
            let secs = self.window_len.as_secs_f64();
            let throughput = self.window.in_window() as f64 / secs;
            let p95_any_ms = self
                .any_answer
                .as_mut()
                .and_then(|r| r.close().quantile(0.95))
                .map(|us| us as f64 / 1e3);
            let rolling = self.window.close();
            let ms = |q| rolling.quantile(q).map(|us| us as f64 / 1e3);
            let sample = Sample {
                end: self.window_end,
                throughput,
                errors: self.window_errors as f64 / secs,
                retries: self.window_retries as f64 / secs,
                client_retries: self.window_client_retries as f64 / secs,
                served: self.window_served as f64 / secs,
                p95_any_ms,
                mean_ms: rolling.mean().map(|us| us / 1e3),
                p50_ms: ms(0.5),
                p95_ms: ms(0.95),
                p99_ms: ms(0.99),
                offered: (generated - self.generated_before) as f64 / secs,
                fleet,
                balancer: balancer.map(|gauge| BalancerSample {
                    busy: (gauge.busy_time - self.balancer_busy_before) as f64
                        / (f64::from(gauge.workers) * self.window_len.0 as f64),
                    queued: gauge.queued,
                }),
            };
            self.generated_before = generated;
            if let Some(gauge) = balancer {
                self.balancer_busy_before = gauge.busy_time;
            }
            if self.series.len() == SERIES_CAPACITY {
                self.series.pop_front();
            }
            self.series.push_back(sample);
            self.window_errors = 0;
            self.window_retries = 0;
            self.window_client_retries = 0;
            self.window_served = 0;
            self.window_end += self.window_len;
        }
    }

    /// Appends one queue-length record, reusing the oldest record's storage once the history is full.
    fn record_queues(&mut self, queues: impl Iterator<Item = u32>) {
        let mut record = if self.queues.len() == QUEUE_HISTORY {
            self.queues.pop_front().unwrap_or_default()
        } else {
            Vec::with_capacity(self.servers.len())
        };
        record.clear();
        record.extend(queues);
        self.queues.push_back(record);
    }

    /// Appends every server's routed count at the window's end, reusing the oldest record's
    /// storage once the span is covered.
    fn record_routed(&mut self) {
        let mut record = if self.routed.len() == self.routed_capacity {
            self.routed.pop_front().map(|(_, r)| r).unwrap_or_default()
        } else {
            Vec::with_capacity(self.servers.len())
        };
        record.clear();
        record.extend(self.servers.iter().map(|s| s.routed));
        self.routed.push_back((self.window_end, record));
    }
}

/// A window's histogram and the recent closed ones', merged for percentiles over the last
/// [`ROLLING_WINDOWS`] windows.
#[derive(Clone, Debug, Default)]
struct Rolling {
    window: Histogram,
    recent: VecDeque<Histogram>,
    merged: Histogram,
}

impl Rolling {
    /// Latencies counted in the current window.
    fn in_window(&self) -> u64 {
        self.window.count()
    }

    /// Counts one latency in the current window.
    #[inline]
    fn record(&mut self, latency: SimDuration) {
        self.window.record(latency.0);
    }

    /// Closes the window: kept among the recent ones (reusing the oldest one's storage), and
    /// the recent ones merged.
    fn close(&mut self) -> &Histogram {
        let mut fresh = if self.recent.len() == ROLLING_WINDOWS {
            self.recent.pop_front().unwrap_or_default()
        } else {
            Histogram::new()
        };
        fresh.clear();
        std::mem::swap(&mut fresh, &mut self.window);
        self.recent.push_back(fresh);
        self.merged.clear();
        for h in &self.recent {
            self.merged.merge(h);
        }
        &self.merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_routed_counts_the_last_30_s_only() {
        let mut m = Metrics::new(2, SimDuration::from_secs(1));
        let secs = |s| SimTime(s * 1_000_000);
        // One request a second to server 0 for 50 s, then one a second to server 1.
        for t in 1..=80 {
            let server = if t <= 50 { 0 } else { 1 };
            m.server_mut(server).routed += 1;
            m.close_windows_until(secs(t), [0, 0].into_iter(), || (Fleet::default(), t, None));
        }
        let mut early = Metrics::new(2, SimDuration::from_secs(1));
        assert_eq!(early.recent_routed(secs(0)).routed, [0, 0]);
        early.server_mut(1).routed = 7;
        early.close_windows_until(secs(20), [0, 0].into_iter(), || (Fleet::default(), 7, None));
        let whole_run = early.recent_routed(secs(20));
        assert_eq!(whole_run.span, SimDuration::from_secs(20));
        assert_eq!(whole_run.routed, [0, 7]);
        let recent = m.recent_routed(secs(80));
        assert_eq!(recent.span, RECENT);
        assert_eq!(recent.routed, [0, 30]);
    }

    #[test]
    fn windows_sample_rates_and_quantiles() {
        let mut m = Metrics::new(2, SimDuration::from_secs(1));
        for ms in 1..=100 {
            m.record_answer(Some(1), Tally::Completed, SimDuration::from_millis(ms));
        }
        m.record_answer(None, Tally::Rejected, SimDuration::ZERO);
        m.record_answer(Some(0), Tally::Failed, SimDuration::ZERO);
        m.close_windows_until(SimTime::from_secs_f64(2.5), [3, 0].into_iter(), || {
            (Fleet::default(), 0, None)
        });
        assert_eq!(m.series().len(), 2);
        let first = m.series()[0];
        assert_eq!(first.throughput, 100.0);
        assert!((first.mean_ms.unwrap() - 50.5).abs() < 0.5);
        assert_eq!(m.queue_history().len(), 2);
        assert_eq!(m.queue_history()[0], [3, 0]);
        assert_eq!(first.errors, 2.0);
        assert!((first.p50_ms.unwrap() - 50.0).abs() < 0.5);
        assert!((first.p99_ms.unwrap() - 99.0).abs() < 1.0);
        // The second window had no requests, but its percentiles still cover the first.
        let second = m.series()[1];
        assert_eq!(second.throughput, 0.0);
        assert_eq!(second.p50_ms, first.p50_ms);
        let ended = m.ended();
        assert_eq!((ended.completed, ended.failed, ended.rejected), (100, 1, 1));
        assert_eq!(m.servers()[1].latency.count(), 100);
        assert_eq!(m.servers()[0].latency.count(), 0);
    }

    #[test]
    fn percentiles_roll_over_the_last_windows_only() {
        let mut m = Metrics::new(1, SimDuration::from_secs(1));
        m.record_answer(Some(0), Tally::Completed, SimDuration::from_secs(9));
        m.close_windows_until(SimTime::from_secs_f64(1.0), std::iter::empty(), || {
            (Fleet::default(), 0, None)
        });
        for w in 1..=ROLLING_WINDOWS as u64 {
            m.record_answer(Some(0), Tally::Completed, SimDuration::from_millis(10));
            m.close_windows_until(
                SimTime::from_secs_f64(1.0 + w as f64),
                std::iter::empty(),
                || (Fleet::default(), 0, None),
            );
            let slow_included = w < ROLLING_WINDOWS as u64;
            let p99 = m.series().back().unwrap().p99_ms.unwrap();
            assert_eq!(p99 > 1_000.0, slow_included, "after window {w}: p99 {p99}");
        }
    }

    #[test]
    fn the_series_is_bounded() {
        let mut m = Metrics::new(1, SimDuration::from_millis(10));
        m.close_windows_until(SimTime::from_secs_f64(100.0), [7].into_iter(), || {
            (Fleet::default(), 0, None)
        });
        assert_eq!(m.series().len(), SERIES_CAPACITY);
        assert_eq!(m.queue_history().len(), QUEUE_HISTORY);
        assert!(m.queue_history().iter().all(|q| q == &[7]));
        assert_eq!(
            m.series().back().unwrap().end,
            SimTime::from_secs_f64(100.0)
        );
    }

    #[test]
    fn paths_are_counted_apart() {
        let mut m = Metrics::new(1, SimDuration::from_secs(1));
        m.track_paths(2);
        m.record_path(1, Tally::Completed, SimDuration::from_millis(10));
        m.record_path(1, Tally::Rejected, SimDuration::ZERO);
        m.record_path(0, Tally::Failed, SimDuration::ZERO);
        m.record_path(2, Tally::Completed, SimDuration::ZERO); // not tracked
        let [page, report] = m.paths() else {
            panic!("two paths")
        };
        assert_eq!((page.completed, page.failed, page.rejected), (0, 1, 0));
        assert_eq!(
            (report.completed, report.failed, report.rejected),
            (1, 0, 1)
        );
        assert_eq!(report.latency.count(), 1);
    }

    #[test]
    fn totals_balance_check() {
        let t = Totals {
            generated: 10,
            completed: 4,
            failed: 1,
            rejected: 1,
            rate_limited: 0,
            in_flight: 3,
            queued: 1,
            connections: None,
        };
        assert!(t.balanced());
        assert!(!Totals { generated: 11, ..t }.balanced());
    }
}
