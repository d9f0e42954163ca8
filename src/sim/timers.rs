//! Timers as typed keys. Each timer the engine can have pending is named by a [`Timer`] key: the
//! next arrival, the degradation tick, the autoscaler's evaluation, a server's health-check chain, a breaker's wait. Arming a
//! key gives a fresh [`Token`] that the scheduled step carries; arming it again, or disarming it,
//! makes every earlier token stale, so a step that fires with a stale token does nothing. A chain
//! that simply goes on (the next arrival after this one) may [`keep`](Timers::keep) its token.
//! One mechanism replaces a counter per kind of timer, and the key says what a step waits for.

/// A timer the engine can have pending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// The next client request.
    Arrival,
    /// The next second of degradation.
    Degrade,
    /// The next step of a server's health-check chain (a check due, or its report).
    Check(u32),
    /// The end of an OPEN breaker's wait (automatic transition to HALF_OPEN).
    BreakerWait(u32),
    /// The autoscaler's next evaluation.
    Autoscale,
    /// A VRRP backup's Master_Down_Timer.
    Vrrp,
    /// The servers' next load report to the balancers.
    Report,
}

/// The proof that a scheduled step is the one its timer is armed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token(u64);

/// The armed token of every timer (0: disarmed).
#[derive(Clone, Debug, Default)]
pub struct Timers {
    last: u64,
    arrival: u64,
    degrade: u64,
    autoscale: u64,
    vrrp: u64,
    report: u64,
    check: Vec<u64>,
    breaker: Vec<u64>,
}

impl Timers {
    /// Timers for `servers` servers, none armed.
    pub fn new(servers: usize) -> Timers {
        Timers {
            check: vec![0; servers],
            breaker: vec![0; servers],
            ..Timers::default()
        }
    }

    /// Makes room for one more server's timers.
    pub fn add_server(&mut self) {
        self.check.push(0);
        self.breaker.push(0);
    }

    fn armed(&self, timer: Timer) -> u64 {
        match timer {
            Timer::Arrival => self.arrival,
            Timer::Degrade => self.degrade,
            Timer::Autoscale => self.autoscale,
            Timer::Vrrp => self.vrrp,
            Timer::Report => self.report,
            Timer::Check(server) => self.check[server as usize],
            Timer::BreakerWait(server) => self.breaker[server as usize],
        }
    }

    fn slot(&mut self, timer: Timer) -> &mut u64 {
        match timer {
            Timer::Arrival => &mut self.arrival,
            Timer::Degrade => &mut self.degrade,
            Timer::Autoscale => &mut self.autoscale,
            Timer::Vrrp => &mut self.vrrp,
            Timer::Report => &mut self.report,
            Timer::Check(server) => &mut self.check[server as usize],
            Timer::BreakerWait(server) => &mut self.breaker[server as usize],
        }
    }

    /// Arms `timer` afresh: tokens from before are stale from now on.
    pub fn arm(&mut self, timer: Timer) -> Token {
        self.last += 1;
        let token = self.last;
        *self.slot(timer) = token;
        Token(token)
    }

    /// The token `timer` is armed with, arming it if it is not: for the next step of a chain
    /// that goes on as it was.
    pub fn keep(&mut self, timer: Timer) -> Token {
        match self.armed(timer) {
            0 => self.arm(timer),
            token => Token(token),
        }
    }

    /// Disarms `timer`: every token from before is stale.
    pub fn disarm(&mut self, timer: Timer) {
        *self.slot(timer) = 0;
    }

    /// Whether a step carrying `token` for `timer` is still the armed one (else it is stale and
    /// does nothing).
    pub fn is_armed(&self, timer: Timer, token: Token) -> bool {
        self.armed(timer) == token.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_latest_arming_fires() {
        let mut timers = Timers::new(2);
        let old = timers.arm(Timer::Check(1));
        let new = timers.arm(Timer::Check(1));
        let other = timers.arm(Timer::Check(0));
        assert!(!timers.is_armed(Timer::Check(1), old), "re-armed: stale");
        assert!(timers.is_armed(Timer::Check(1), new));
        assert_eq!(
            timers.keep(Timer::Check(1)),
            new,
            "a chain going on keeps its token"
        );
        timers.disarm(Timer::Check(0));
        assert_ne!(
            timers.keep(Timer::Check(0)),
            other,
            "kept after a disarm: armed afresh"
        );
        timers.disarm(Timer::Check(0));
        assert!(!timers.is_armed(Timer::Check(0), other), "disarmed");
        timers.add_server();
        let third = timers.arm(Timer::BreakerWait(2));
        assert!(timers.is_armed(Timer::BreakerWait(2), third));
    }
}
