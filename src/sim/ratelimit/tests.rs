//! The designs' worked examples, number for number.

use super::*;

fn nginx(burst: u32, nodelay: bool, delay: u32) -> Limiter {
    Limiter::new(RateLimit::Nginx(NginxLimit {
        delay,
        ..NginxLimit::new(10.0, burst, nodelay, LimitKey::ClientIp)
    }))
}

fn at_ms(ms: u64) -> SimTime {
    SimTime(ms * 1_000)
}

#[test]
fn nginx_nodelay_lets_burst_plus_one_through_at_once() {
    // rate 10 r/s, burst 5, nodelay; 20 requests from one address at t = 0: the first is free
    // (a new key starts at excess 0), the next five fill the burst (1000 .. 5000), the rest
    // would make 6000 > 5000.
    let mut limit = nginx(5, true, 0);
    let verdicts: Vec<_> = (0..20).map(|_| limit.check(7, SimTime::ZERO)).collect();
    assert!(
        verdicts[..6].iter().all(|v| *v == Verdict::Pass),
        "{verdicts:?}"
    );
    assert!(verdicts[6..].iter().all(|v| *v == Verdict::Refuse(503)));
    // Another address has its own allowance.
    assert_eq!(limit.check(8, SimTime::ZERO), Verdict::Pass);
    // 100 ms drains one request (10 r/s): one more fits.
    assert_eq!(limit.check(7, at_ms(100)), Verdict::Pass);
    assert_eq!(limit.check(7, at_ms(100)), Verdict::Refuse(503));
}

#[test]
fn nginx_without_nodelay_spaces_the_burst_out_at_the_rate() {
    // The same 20 requests: the six let in wait excess / rate, 0, 100, ..., 500 ms.
    let mut limit = nginx(5, false, 0);
    let waits: Vec<_> = (0..20)
        .map(|_| match limit.check(7, SimTime::ZERO) {
            Verdict::Pass => Some(0),
            Verdict::Delay(d) => Some(d.0 / 1_000),
            Verdict::Refuse(_) => None,
        })
        .collect();
    let expected: Vec<Option<u64>> = [0, 100, 200, 300, 400, 500]
        .into_iter()
        .map(Some)
        .chain(std::iter::repeat_n(None, 14))
        .collect();
    assert_eq!(waits, expected);
}

#[test]
fn nginx_delay_lets_the_first_of_the_burst_through_without_waiting() {
    // delay=2: excess up to 2000 passes at once, 3000 waits (3000 - 2000) / 10 r/s = 100 ms.
    let mut limit = nginx(5, false, 2);
    let waits: Vec<_> = (0..6).map(|_| limit.check(7, SimTime::ZERO)).collect();
    assert_eq!(
        waits,
        [
            Verdict::Pass,
            Verdict::Pass,
            Verdict::Pass,
            Verdict::Delay(SimDuration::from_millis(100)),
            Verdict::Delay(SimDuration::from_millis(200)),
            Verdict::Delay(SimDuration::from_millis(300)),
        ]
    );
}

#[test]
fn nginx_forgets_a_drained_key_only_when_a_new_key_needs_room() {
    // 0.01 r/s (10 thousandths a second), burst 1: two requests at 0 leave key 1 at excess 1000.
    // At 100 s it has drained exactly (10 * 100,000 / 1000 = 1000). Seen again, a known key
    // counts 0 + 1000: one request fits, the next (2000) does not.
    let mut limit = Limiter::new(RateLimit::Nginx(NginxLimit {
        rate: 0.01,
        burst: 1,
        nodelay: true,
        delay: 0,
        key: LimitKey::ClientIp,
        status: 503,
    }));
    assert_eq!(limit.check(1, SimTime::ZERO), Verdict::Pass);
    assert_eq!(limit.check(1, SimTime::ZERO), Verdict::Pass);
    let passing = |limit: &mut Limiter, key| {
        (0..5)
            .filter(|_| limit.check(key, at_ms(100_000)) == Verdict::Pass)
            .count()
    };
    let mut kept = limit.clone();
    assert_eq!(passing(&mut kept, 1), 1);
    // A new key arriving first makes nginx delete the idle, drained key 1, which then starts
    // over at 0 like any new key: two fit.
    assert_eq!(limit.check(2, at_ms(100_000)), Verdict::Pass);
    assert_eq!(passing(&mut limit, 1), 2);
}

#[test]
fn the_token_bucket_starts_full_and_fills_on_the_timer() {
    // 3 tokens, +1 every second. Five requests at 0: three pass. At 0.5 s the timer has not
    // fired: refused. At 1 s one token: one passes. At 3.5 s fills at 2 s and 3 s: two pass.
    let mut limit = Limiter::new(RateLimit::TokenBucket(TokenBucket {
        max_tokens: 3,
        tokens_per_fill: 1,
        fill_interval: SimDuration::from_secs(1),
        key: LimitKey::Global,
        status: 429,
    }));
    let passed = |limit: &mut Limiter, ms: u64, n: usize| {
        (0..n)
            .filter(|_| limit.check(0, at_ms(ms)) == Verdict::Pass)
            .count()
    };
    assert_eq!(passed(&mut limit, 0, 5), 3);
    assert_eq!(limit.check(0, at_ms(500)), Verdict::Refuse(429));
    assert_eq!(passed(&mut limit, 1_000, 3), 1);
    assert_eq!(passed(&mut limit, 3_500, 5), 2);
    // A long quiet spell fills it to the brim, no further.
    assert_eq!(passed(&mut limit, 60_000, 10), 3);
}

#[test]
fn settings_are_checked_with_their_field() {
    let bad = RateLimit::Nginx(NginxLimit {
        rate: 10.0,
        burst: 2,
        nodelay: false,
        delay: 3,
        key: LimitKey::Global,
        status: 503,
    });
    assert_eq!(
        bad.validate("rate_limit").unwrap_err().to_string(),
        "rate_limit.delay: 3 is above the maximum 2"
    );
    let bad = RateLimit::TokenBucket(TokenBucket {
        max_tokens: 1,
        tokens_per_fill: 1,
        fill_interval: SimDuration::from_millis(10),
        key: LimitKey::Global,
        status: 429,
    });
    assert!(
        bad.validate("rate_limit")
            .unwrap_err()
            .to_string()
            .starts_with("rate_limit.fill_interval: 10ms is below the minimum 50ms")
    );
}
