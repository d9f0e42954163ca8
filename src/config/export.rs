//! Export: the nginx upstream or HAProxy backend that behaves like a scenario, with a comment
//! for each part the target has no equivalent of. What import maps, export writes, so that
//! importing the export gives back the scenario's servers, algorithm, checks, slow start and
//! (for nginx) rate limit.

use crate::sim::breaker::BreakerConfig;
use crate::sim::health::{ActiveCheck, CheckKind, ServerCheck};
use crate::sim::passive::Passive;
use crate::sim::ratelimit::{LimitKey, RateLimit};
use crate::sim::retry::RetryPolicy;
use crate::sim::{Algorithm, Scenario, SimDuration, SlowStart};

/// The configuration language to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// An nginx `upstream` (with `limit_req_zone` and a `server` block for a rate limit).
    Nginx,
    /// An HAProxy `backend`.
    Haproxy,
}

/// The config for `scenario` in `to`.
pub fn export(scenario: &Scenario, to: Target) -> String {
    match to {
        Target::Nginx => nginx(scenario),
        Target::Haproxy => haproxy(scenario),
    }
}

/// A duration in whole milliseconds (both targets' resolution), in its largest whole unit.
fn time(d: SimDuration) -> String {
    let ms = (d.0 + 500) / 1_000;
    if ms.is_multiple_of(1_000) {
        format!("{}s", ms / 1_000)
    } else {
        format!("{ms}ms")
    }
}

/// The comments both targets share: what a balancer config cannot say.
fn common_comments(s: &Scenario, out: &mut String) {
    out.push_str(&format!(
        "# Exported by lbsim from the scenario {:?}.\n",
        s.title
    ));
    out.push_str(
        "# The traffic, the servers' workers, speed, queue and error rate, and the network\n",
    );
    out.push_str("# delays are the simulation's: a balancer config does not say them.\n");
    if s.servers.iter().any(|server| !server.startup.is_zero()) {
        out.push_str("# No equivalent: the servers' start-up time after a revive.\n");
    }
    if s.resilience.panic_threshold.is_some() {
        out.push_str("# No equivalent: Envoy's panic threshold.\n");
    }
    if s.resilience.breaker != BreakerConfig::Off {
        out.push_str("# No equivalent: the circuit breakers.\n");
    }
    if s.resilience.retry != RetryPolicy::OFF {
        out.push_str("# No equivalent here: the retry policy (nginx proxy_next_upstream, HAProxy retries and redispatch are configured elsewhere).\n");
    }
    if s.autoscale.is_some() {
        out.push_str("# No equivalent: autoscaling.\n");
    }
    if !s.timeline.is_empty() {
        out.push_str("# No equivalent: the scenario's timeline of commands.\n");
    }
}

fn nginx(s: &Scenario) -> String {
    let mut out = String::new();
    common_comments(s, &mut out);
    let algorithm = match s.algorithm {
        Algorithm::SmoothWeighted => None,
        Algorithm::LeastConnections => Some("least_conn"),
        Algorithm::IpHash => Some("ip_hash"),
        Algorithm::WeightedRandom => Some("random"),
        Algorithm::NginxRandomTwo => Some("random two least_conn"),
        Algorithm::ConsistentHashIp => Some("hash $remote_addr consistent"),
        Algorithm::ConsistentHashUri => Some("hash $request_uri consistent"),
        Algorithm::ConsistentHashSession => Some("hash $cookie_session consistent"),
        other => {
            out.push_str(&format!(
                "# No equivalent: the algorithm {}; nginx's default, smooth weighted round robin, applies.\n",
                other.id()
            ));
            None
        }
    };
    let checked = s
        .servers
        .iter()
        .filter_map(|server| ServerCheck::applied(server.health, s.resilience.health))
        .next();
    if let Some(h) = &checked {
        out.push_str(&format!(
            "# No equivalent in open-source nginx: active health checks ({}).\n",
            describe_check(h)
        ));
    }
    let passive = match s.resilience.passive {
        Passive::Nginx(n) => (n.max_fails != 1 || n.fail_timeout != SimDuration::from_secs(10))
            .then(|| {
                format!(
                    " max_fails={} fail_timeout={}",
                    n.max_fails,
                    time(n.fail_timeout)
                )
            }),
        Passive::Off => Some(" max_fails=0".to_string()),
        Passive::Envoy(e) => {
            out.push_str(&format!(
                "# No equivalent: {}; nginx's max_fails is turned off.\n",
                e.describe()
            ));
            Some(" max_fails=0".to_string())
        }
    };
    let ramp = slow_start(s.slow_start, " slow_start=", &mut out);
    let limit = match s.rate_limit {
        RateLimit::Nginx(n) => {
            let key = match n.key {
                LimitKey::ClientIp => "$binary_remote_addr",
                LimitKey::Global => "lbsim",
            };
            let per_second = n.rate.fract() == 0.0;
            let rate = if per_second {
                format!("{}r/s", n.rate)
            } else {
                format!("{}r/m", (n.rate * 60.0).round())
            };
            if !per_second && (n.rate * 60.0).fract().abs() > 1e-9 {
                out.push_str(&format!(
                    "# The rate {} r/s is rounded to whole requests per minute.\n",
                    n.rate
                ));
            }
            out.push_str(&format!(
                "limit_req_zone {key} zone=lbsim:10m rate={rate};\n"
            ));
            if n.status != 503 {
                out.push_str(&format!("limit_req_status {};\n", n.status));
            }
            let mut use_line = format!("limit_req zone=lbsim burst={}", n.burst);
            if n.nodelay {
                use_line.push_str(" nodelay");
            } else if n.delay > 0 {
                use_line.push_str(&format!(" delay={}", n.delay));
            }
            Some(use_line)
        }
        RateLimit::TokenBucket(t) => {
            out.push_str(&format!("# No equivalent: {}.\n", t.describe()));
            None
        }
        RateLimit::Off => None,
    };
    out.push_str("upstream backend {\n");
    if let Some(a) = algorithm {
        out.push_str(&format!("    {a};\n"));
    }
    for server in &s.servers {
        let mut line = format!("    server {}", nginx_word(&server.name));
        if server.weight > 1 {
            line += &format!(" weight={}", server.weight);
        }
        line += passive.as_deref().unwrap_or("");
        line += &ramp;
        if server.backup {
            line += " backup";
        }
        if server.down || server.weight == 0 {
            line += " down";
        }
        out.push_str(&format!("{line};\n"));
    }
    out.push_str("}\n");
    if let Some(use_line) = limit {
        out.push_str(&format!(
            "server {{\n    location / {{\n        {use_line};\n        proxy_pass http://backend;\n    }}\n}}\n"
        ));
    }
    out
}

/// A word nginx reads back as it is: quoted when it holds anything but plain characters.
fn nginx_word(w: &str) -> String {
    if !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._:-/[]@".contains(c))
    {
        w.to_string()
    } else {
        format!("\"{}\"", w.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

fn describe_check(h: &ActiveCheck) -> String {
    format!(
        "inter {} rise {} fall {} timeout {}",
        time(h.inter),
        h.rise,
        h.fall,
        time(h.timeout)
    )
}

fn haproxy(s: &Scenario) -> String {
    let mut out = String::new();
    common_comments(s, &mut out);
    let (balance, consistent) = match s.algorithm {
        Algorithm::SmoothWeighted => ("roundrobin", false),
        Algorithm::HaproxyLeastConn => ("leastconn", false),
        Algorithm::WeightedRandom => ("random(1)", false),
        Algorithm::NginxRandomTwo => ("random(2)", false),
        Algorithm::ConsistentHashIp => ("source", true),
        Algorithm::ConsistentHashUri => ("uri", true),
        other => {
            out.push_str(&format!(
                "# No equivalent: the algorithm {}; HAProxy's roundrobin is written instead.\n",
                other.id()
            ));
            ("roundrobin", false)
        }
    };
    match s.resilience.passive {
        Passive::Off => {}
        p => out.push_str(&format!(
            "# No equivalent: passive checks, {}.\n",
            p.describe()
        )),
    }
    if let RateLimit::Nginx(_) | RateLimit::TokenBucket(_) = s.rate_limit {
        out.push_str(&format!(
            "# No equivalent in a backend: the rate limit, {}.\n",
            s.rate_limit.describe()
        ));
    }
    let ramp = slow_start(s.slow_start, " slowstart ", &mut out);
    let checks: Vec<Option<ActiveCheck>> = s
        .servers
        .iter()
        .map(|server| ServerCheck::applied(server.health, s.resilience.health))
        .collect();
    let timeout = check_timeout(&checks, &mut out);
    let schedule = s.resilience.check_schedule;
    if timeout.is_some() && !schedule.spread_first {
        out.push_str("# No equivalent: every server's first check at the start (HAProxy spreads them over the interval).\n");
    }
    if schedule.jitter_percent > 0 {
        out.push_str(&format!(
            "global\n    spread-checks {}\n",
            schedule.jitter_percent
        ));
    }
    out.push_str("# The server addresses are placeholders: a scenario has none.\n");
    out.push_str("backend backend\n");
    out.push_str(&format!("    balance {balance}\n"));
    if consistent {
        out.push_str("    hash-type consistent\n");
    }
    if let Some(timeout) = timeout {
        let kind = check_kind(&checks, &mut out);
        if kind != CheckKind::Tcp {
            out.push_str("    option httpchk GET /\n");
        }
        if kind == CheckKind::HttpExpect {
            out.push_str("    # The health page says OK when its dependencies are up.\n");
            out.push_str("    http-check expect string OK\n");
        }
        out.push_str(&format!("    timeout check {}\n", time(timeout)));
    }
    for (i, (server, check)) in s.servers.iter().zip(&checks).enumerate() {
        let name: String = server
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._:-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if name != server.name {
            out.push_str(&format!(
                "    # server {:?} is named {name} here\n",
                server.name
            ));
        }
        let weight = server.weight.min(256);
        if weight != server.weight {
            out.push_str(&format!(
                "    # weight {} is above HAProxy's 256\n",
                server.weight
            ));
        }
        let mut line = format!("    server {name} 127.0.0.1:{}", 8001 + i);
        if weight != 1 {
            line += &format!(" weight {weight}");
        }
        if let Some(h) = check {
            line += &check_words(h, &mut out);
        }
        line += &ramp;
        if server.backup {
            line += " backup";
        }
        if server.down {
            line += " disabled";
        }
        out.push_str(&format!("{line}\n"));
    }
    out
}

/// The backend's `timeout check`: HAProxy has one per backend, so the first checked server's is
/// written and any other is a comment; `None` when no server is checked.
fn check_timeout(checks: &[Option<ActiveCheck>], out: &mut String) -> Option<SimDuration> {
    let timeout = checks.iter().flatten().next()?.timeout;
    if checks.iter().flatten().any(|c| c.timeout != timeout) {
        out.push_str(&format!(
            "# No equivalent: a check timeout per server; {} (the first server's) is used.\n",
            time(timeout)
        ));
    }
    Some(timeout)
}

/// The backend's kind of check (HTTP with `option httpchk`, with `http-check expect string` for
/// the body too, TCP without): one per backend in HAProxy, so the first checked server's, any
/// other a comment.
fn check_kind(checks: &[Option<ActiveCheck>], out: &mut String) -> CheckKind {
    let kind = checks
        .iter()
        .flatten()
        .next()
        .map_or(CheckKind::Http, |c| c.kind);
    if checks.iter().flatten().any(|c| c.kind != kind) {
        out.push_str(&format!(
            "    # No equivalent: different kinds of check in one backend; {} checks are written.\n",
            kind.name()
        ));
    }
    kind
}

/// A `server` line's check options for `h`; what HAProxy has no option for is a comment in `out`.
fn check_words(h: &ActiveCheck, out: &mut String) -> String {
    if h.backoff_cap.is_some() {
        out.push_str("    # No equivalent: the check interval's backoff while a server is down.\n");
    }
    let mut words = format!(" check inter {}", time(h.inter));
    if let Some(f) = h.fastinter {
        words += &format!(" fastinter {}", time(f));
    }
    if let Some(d) = h.downinter {
        words += &format!(" downinter {}", time(d));
    }
    words + &format!(" rise {} fall {}", h.rise, h.fall)
}

/// The server option for a linear slow start, `option` followed by its period; any other ramp
/// has no equivalent, which a comment in `out` says.
fn slow_start(ramp: SlowStart, option: &str, out: &mut String) -> String {
    match ramp {
        SlowStart::Linear { period } => format!("{option}{}", time(period)),
        SlowStart::Off => String::new(),
        envoy => {
            out.push_str(&format!(
                "# No equivalent: slow start {}.\n",
                envoy.describe()
            ));
            String::new()
        }
    }
}
