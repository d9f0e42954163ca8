//! `lbsim import`: real nginx and HAProxy configs become scenarios; what the model cannot
//! reproduce is warned with its line; bad configs are refused with their line, never a panic.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

use lb_playground::config::{Format, ImportError, Imported, Reason, import};
use lb_playground::sim::balancer::{Candidate, PickContext, RequestKey};
use lb_playground::sim::health::{
    ActiveCheck, CheckFailure, CheckKind, CheckSchedule, HealthTransition, ServerCheck,
};
use lb_playground::sim::passive::{NginxPassive, Passive};
use lb_playground::sim::ratelimit::{LimitKey, NginxLimit, RateLimit};
use lb_playground::sim::rng::SimRng;
use lb_playground::sim::{
    Algorithm, Command as SimCommand, Event, SimDuration, SimTime, Simulation, SlowStart,
};

/// A whole nginx.conf with three upstreams and a rate limit.
const NGINX: &str = r#"user nginx;
worker_processes auto;

http {
    limit_req_zone $binary_remote_addr zone=perip:10m rate=10r/s;
    limit_req_status 429;

    upstream app {
        server 10.0.0.1:8080 weight=5;
        server 10.0.0.2:8080;
        server 10.0.0.3:8080;
        server 10.0.0.9:8080 backup;
    }

    upstream "sticky" {
        ip_hash;
        server 10.0.1.1 max_fails=3 fail_timeout=30s;
        server 10.0.1.2 max_fails=3 fail_timeout=30s;
        server 10.0.1.3 down;   # in maintenance
    }

    upstream api {
        least_conn;
        zone api 64k;
        keepalive 32;
        server 10.0.2.1:9000 weight=2 max_conns=100;
        server 10.0.2.2:9000 max_fails=2;
    }

    server {
        listen 80;
        location / {
            limit_req zone=perip burst=5 nodelay;
            proxy_pass http://app;
        }
    }
}
"#;

/// An haproxy.cfg with defaults, a frontend and two backends.
const HAPROXY: &str = "\
global
    daemon
    maxconn 4096

defaults
    mode http
    timeout connect 5s
    option httpchk GET /health
    default-server inter 2s rise 2 fall 3

frontend www
    bind :80
    default_backend web

backend web
    balance roundrobin
    server web1 10.0.0.1:80 check
    server web2 10.0.0.2:80 check
    server web3 10.0.0.3:80 check backup

backend db
    balance leastconn
    timeout check 500ms
    option redispatch
    server db1 10.0.1.1:5432 check inter 1000 fastinter 500 downinter 5s slowstart 30s
    server db2 10.0.1.2:5432 check inter 3s maxconn 50 weight 3
";

fn nginx(select: &str) -> Imported {
    import(NGINX, Format::Nginx, Some(select)).unwrap()
}

fn haproxy(select: &str) -> Imported {
    import(HAPROXY, Format::Haproxy, Some(select)).unwrap()
}

/// The warnings as (line, directive).
fn warned(i: &Imported) -> Vec<(Option<usize>, String)> {
    i.warnings
        .iter()
        .map(|w| (w.line, w.directive.clone()))
        .collect()
}

/// `n` picks of the scenario's algorithm over its primary servers, as letters.
fn picks(i: &Imported, n: usize) -> String {
    let pool: Vec<Candidate> = i
        .scenario
        .servers
        .iter()
        .filter(|s| !s.backup)
        .enumerate()
        .map(|(id, s)| Candidate::new(id as u32, s.weight))
        .collect();
    let mut b = i.scenario.algorithm.build();
    let mut rng = SimRng::from_seed(0);
    let key = RequestKey {
        client: 0,
        ip: [10, 0, 0, 1].into(),
        session: 0,
        path: 0,
        path_hash: 0,
    };
    (0..n)
        .map(|_| {
            let ctx = PickContext {
                pool: &pool,
                key,
                now: SimTime::ZERO,
                pool_version: None,
            };
            b.pick(&ctx, &mut rng)
                .map_or('-', |p| (b'a' + p as u8) as char)
        })
        .collect()
}

#[test]
fn the_formats_are_told_apart() {
    assert_eq!(Format::detect(NGINX), Format::Nginx);
    assert_eq!(Format::detect(HAPROXY), Format::Haproxy);
    assert_eq!(Format::detect(" {\"name\": \"x\"}"), Format::Envoy);
}

#[test]
fn an_nginx_upstream_with_weights_and_a_backup_gives_nginx_smooth_round_robin() {
    let i = nginx("app");
    let s = &i.scenario;
    assert_eq!(i.warnings, []);
    assert_eq!(s.title, "nginx upstream app");
    let names: Vec<&str> = s.servers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "10.0.0.1:8080",
            "10.0.0.2:8080",
            "10.0.0.3:8080",
            "10.0.0.9:8080"
        ]
    );
    let weights: Vec<u32> = s.servers.iter().map(|s| s.weight).collect();
    assert_eq!(weights, [5, 1, 1, 1]);
    assert!(s.servers[3].backup && !s.servers[0].backup);
    assert_eq!(s.algorithm, Algorithm::SmoothWeighted);
    // REFERENCE-SEMANTICS: weights 5, 1, 1 -> a a b a c a a.
    assert_eq!(picks(&i, 14), "aabacaaaabacaa");
    // nginx's passive defaults, and the file's limit_req with its zone and status.
    assert_eq!(s.resilience.passive, Passive::NGINX_DEFAULT);
    assert_eq!(s.resilience.health, None);
    assert_eq!(
        s.rate_limit,
        RateLimit::Nginx(NginxLimit {
            status: 429,
            ..NginxLimit::new(10.0, 5, true, LimitKey::ClientIp)
        })
    );
}

#[test]
fn ip_hash_down_and_passive_settings_map_without_warnings() {
    let i = nginx("sticky");
    assert_eq!(i.scenario.algorithm, Algorithm::IpHash);
    assert_eq!(
        i.scenario.resilience.passive,
        Passive::Nginx(NginxPassive {
            max_fails: 3,
            fail_timeout: SimDuration::from_secs(30)
        })
    );
    // `down` keeps the server's weight (and so its place in the hash) and starts it drained.
    // Its max_fails is left at nginx's default, which does not matter: it takes no traffic.
    assert!(i.scenario.servers[2].down);
    assert_eq!(i.scenario.servers[2].weight, 1);
    assert_eq!(i.warnings, []);
    // A server that does take traffic with other passive settings is warned.
    let text = "upstream u {\n server a max_fails=3;\n server b;\n}\n";
    let i = import(text, Format::Nginx, None).unwrap();
    assert_eq!(warned(&i), [(Some(3), "server".into())]);
    assert!(matches!(i.warnings[0].reason, Reason::PerServer { .. }));
    assert_eq!(
        i.warnings[0].to_string(),
        "line 3: server: the scenario has one value for all servers; max_fails=3 fail_timeout=10s is used for every server"
    );
}

#[test]
fn least_conn_maps_and_every_unmodelled_directive_is_warned_with_its_line() {
    let i = nginx("api");
    assert_eq!(i.scenario.algorithm, Algorithm::LeastConnections);
    assert_eq!(
        warned(&i),
        [
            (Some(24), "zone".into()),
            (Some(25), "keepalive".into()),
            (Some(26), "max_conns=100".into()),
            (Some(27), "max_fails=2".into()),
        ]
    );
    assert_eq!(
        i.warnings[1].to_string(),
        "line 25: keepalive: not modelled, ignored"
    );
    assert_eq!(i.scenario.servers[0].weight, 2);
}

#[test]
fn several_upstreams_need_a_name() {
    assert_eq!(
        import(NGINX, Format::Nginx, None).unwrap_err(),
        ImportError::Choose {
            format: Format::Nginx,
            names: vec!["app".into(), "sticky".into(), "api".into()]
        }
    );
    assert_eq!(
        import(NGINX, Format::Nginx, Some("nope"))
            .unwrap_err()
            .to_string(),
        "no upstream named \"nope\" (the file has: app, sticky, api)"
    );
    assert_eq!(
        import("http { }", Format::Nginx, None)
            .unwrap_err()
            .to_string(),
        "no upstream with servers found"
    );
}

#[test]
fn the_balancing_directives_map_to_their_algorithms() {
    let algorithm = |line: &str| {
        let text = format!("upstream u {{\n {line}\n server a;\n server b;\n}}");
        let i = import(&text, Format::Nginx, None).unwrap();
        (i.scenario.algorithm, i.warnings.len())
    };
    assert_eq!(algorithm("random;"), (Algorithm::WeightedRandom, 0));
    assert_eq!(algorithm("random two;"), (Algorithm::NginxRandomTwo, 0));
    assert_eq!(
        algorithm("random two least_conn;"),
        (Algorithm::NginxRandomTwo, 0)
    );
    assert_eq!(
        algorithm("hash $request_uri consistent;"),
        (Algorithm::ConsistentHashUri, 0)
    );
    assert_eq!(
        algorithm("hash $remote_addr consistent;"),
        (Algorithm::ConsistentHashIp, 0)
    );
    assert_eq!(
        algorithm("hash $cookie_sid consistent;"),
        (Algorithm::ConsistentHashSession, 0)
    );
    // Modulo hashing is not modelled: the ring, warned.
    assert_eq!(
        algorithm("hash $request_uri;"),
        (Algorithm::ConsistentHashUri, 1)
    );
    // A key the model has no request field for: nginx's default, warned.
    assert_eq!(
        algorithm("hash $host consistent;"),
        (Algorithm::SmoothWeighted, 1)
    );
}

#[test]
fn an_haproxy_backend_takes_its_defaults_and_gives_the_reference_health_timeline() {
    let i = haproxy("web");
    assert_eq!(i.warnings, []);
    let s = &i.scenario;
    let names: Vec<&str> = s.servers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["web1", "web2", "web3"]);
    assert!(s.servers[2].backup);
    assert_eq!(s.algorithm, Algorithm::SmoothWeighted);
    assert_eq!(picks(&i, 4), "abab");
    let check = s.resilience.health.unwrap();
    assert_eq!(
        check,
        ActiveCheck {
            timeout: SimDuration::from_secs(2),
            ..ActiveCheck::HAPROXY_DEFAULT
        }
    );
    // HAProxy spreads the three servers' first checks over the 2 s interval: 0, 666, 1333 ms.
    assert_eq!(
        s.resilience.check_schedule,
        CheckSchedule {
            spread_first: true,
            jitter_percent: 0
        }
    );
    // REFERENCE-SEMANTICS: inter 2 s, rise 2, fall 3; the server dies at t=5 -> DOWN at t=10
    // (web1, first checked at 0); web2, checked 666 ms later, goes DOWN 666 ms later.
    let refused = HealthTransition::Down {
        failures: 3,
        failure: CheckFailure::Refused,
    };
    assert_eq!(
        health_after_kills(s, &[0, 1], 5.0, 20.0),
        [(10.0, 0, refused), (10.666, 1, refused)]
    );
}

/// The health transitions (time, server, transition) of `s` without network delays, when
/// `killed` die at `at` seconds, up to `until`.
fn health_after_kills(
    s: &lb_playground::sim::Scenario,
    killed: &[usize],
    at: f64,
    until: f64,
) -> Vec<(f64, u32, HealthTransition)> {
    let mut quiet = s.clone();
    quiet.client_latency = SimDuration::ZERO;
    quiet.backend_latency = SimDuration::ZERO;
    let mut sim = Simulation::new(quiet).unwrap();
    sim.advance_to(SimTime::from_secs_f64(at));
    for &server in killed {
        sim.apply(SimCommand::Kill { server }).unwrap();
    }
    sim.advance_to(SimTime::from_secs_f64(until));
    sim.drain_events()
        .filter_map(|e| match e.event {
            Event::Health(h) => Some((e.at.as_secs_f64(), h.server, h.transition)),
            _ => None,
        })
        .collect()
}

#[test]
fn per_server_check_settings_are_each_servers_own() {
    let i = haproxy("db");
    let s = &i.scenario;
    assert_eq!(s.algorithm, Algorithm::HaproxyLeastConn);
    assert_eq!(
        s.resilience.health,
        Some(ActiveCheck {
            inter: SimDuration::from_secs(1),
            fastinter: Some(SimDuration::from_millis(500)),
            downinter: Some(SimDuration::from_secs(5)),
            timeout: SimDuration::from_millis(500),
            ..ActiveCheck::HAPROXY_DEFAULT
        })
    );
    assert_eq!(s.servers[0].health, None);
    assert_eq!(
        s.servers[1].health,
        Some(ServerCheck::Check(ActiveCheck {
            inter: SimDuration::from_secs(3),
            timeout: SimDuration::from_millis(500),
            ..ActiveCheck::HAPROXY_DEFAULT
        }))
    );
    assert_eq!(
        s.slow_start,
        SlowStart::Linear {
            period: SimDuration::from_secs(30)
        }
    );
    assert_eq!(s.servers[1].weight, 3);
    assert_eq!(
        warned(&i),
        [
            (Some(24), "option redispatch".into()),
            (Some(26), "maxconn 50".into()),
            (Some(26), "server db2".into()),
        ]
    );
    // Slow start is one setting for all servers: db1's is kept and db2's lack of one is warned.
    assert_eq!(
        i.warnings[2].to_string(),
        "line 26: server db2: the scenario has one value for all servers; slowstart 30s is used for every server"
    );
    // The first checks spread over the smallest interval of 1 s or more (db2's 3 s; db1's first
    // interval is its fastinter, 500 ms): db1 at 0, db2 at 1.5 s. Both die at 5 s. db1 (passes
    // at 0 and 0.5 s, then every 1 s) fails at 5.5, 6 and 6.5 s; db2 (passes at 1.5 and 4.5 s)
    // fails at 7.5, 10.5 and 13.5 s.
    let refused = HealthTransition::Down {
        failures: 3,
        failure: CheckFailure::Refused,
    };
    assert_eq!(
        health_after_kills(s, &[0, 1], 5.0, 20.0),
        [(6.5, 0, refused), (13.5, 1, refused)]
    );
}

#[test]
fn haproxy_balance_algorithms_map_or_are_warned() {
    let algorithm = |balance: &str| {
        let text = format!(
            "backend b\n balance {balance}\n server a 1.1.1.1:80 weight 2\n server b 1.1.1.2:80\n"
        );
        let i = import(&text, Format::Haproxy, None).unwrap();
        (
            i.scenario.algorithm,
            warned(&i).into_iter().map(|w| w.0).collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        algorithm("leastconn"),
        (Algorithm::HaproxyLeastConn, vec![])
    );
    assert_eq!(algorithm("random(1)"), (Algorithm::WeightedRandom, vec![]));
    assert_eq!(
        algorithm("random"),
        (Algorithm::NginxRandomTwo, vec![Some(2)])
    );
    assert_eq!(
        algorithm("source"),
        (Algorithm::ConsistentHashIp, vec![Some(2)])
    );
    assert_eq!(
        algorithm("uri"),
        (Algorithm::ConsistentHashUri, vec![Some(2)])
    );
    assert_eq!(
        algorithm("first"),
        (Algorithm::SmoothWeighted, vec![Some(2)])
    );
    // Unequal weights: the same shares, another order within the cycle.
    assert_eq!(
        algorithm("static-rr"),
        (Algorithm::SmoothWeighted, vec![Some(2)])
    );
    let consistent = "backend b\n hash-type consistent\n balance source\n server a 1.1.1.1:80\n";
    let i = import(consistent, Format::Haproxy, None).unwrap();
    assert_eq!(
        (i.scenario.algorithm, i.warnings.len()),
        (Algorithm::ConsistentHashIp, 0)
    );
}

#[test]
fn bad_configs_name_their_line() {
    let err = |t: &str, f: Format| import(t, f, None).unwrap_err().to_string();
    assert_eq!(
        err("upstream u {\n server a weight=0;\n}", Format::Nginx),
        "line 2: weight: \"0\" is not a whole number from 1 to 1000"
    );
    assert_eq!(
        err("upstream u {\n server a fast;\n}", Format::Nginx),
        "line 2: invalid parameter \"fast\" of \"server\""
    );
    assert_eq!(
        err(
            "backend b\n server a 1.1.1.1 check inter 2q\n",
            Format::Haproxy
        ),
        "line 2: inter: \"2q\" is not a duration (e.g. 10s or 500ms)"
    );
    assert_eq!(
        err("  server a 1.1.1.1\n", Format::Haproxy),
        "line 1: \"server\" is outside any section"
    );
    assert_eq!(
        err("backend b\n server a\n", Format::Haproxy),
        "line 2: \"server\" needs a name and an address"
    );
}

#[test]
fn truncated_and_mangled_configs_never_panic() {
    for text in [NGINX, HAPROXY] {
        for (cut, _) in text.char_indices().step_by(3) {
            for format in [Format::Nginx, Format::Haproxy] {
                let _ = import(&text[..cut], format, Some("app"));
                let mangled: String = text[..cut].chars().rev().collect();
                let _ = import(&mangled, format, None);
            }
        }
    }
}

fn lbsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lbsim"))
        .args(args)
        .output()
        .unwrap()
}

fn fixture(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("lbsim-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn lbsim_import_prints_the_scenario_and_warns_on_stderr() {
    let path = fixture("nginx.conf", NGINX);
    let out = lbsim(&["import", &path, "--upstream", "api"]);
    assert_eq!(out.status.code(), Some(0));
    let scenario =
        lb_playground::sim::Scenario::from_json(&String::from_utf8(out.stdout).unwrap()).unwrap();
    assert_eq!(scenario.algorithm, Algorithm::LeastConnections);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!(
            "lbsim: warning: {path}: line 24: zone: not modelled, ignored\n"
        )),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 4);
    // The run command reads what import printed.
    let path2 = fixture("haproxy.cfg", HAPROXY);
    let out = lbsim(&["import", &path2, "--backend", "web"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty());
}

#[test]
fn lbsim_import_refuses_bad_input_with_exit_code_2() {
    let path = fixture("several.conf", NGINX);
    let out = lbsim(&["import", &path]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "lbsim: {path}: 3 upstreams in the file, choose one with --upstream NAME: app, sticky, api\n"
        )
    );
    let path = fixture("truncated.conf", "upstream u {\n server a;\n");
    let out = lbsim(&["import", &path]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "lbsim: {path}: line 1: the \"upstream\" block opened here is never closed (\"}}\" missing)\n"
        )
    );
    let out = lbsim(&["import"]);
    assert_eq!(out.status.code(), Some(2));
    let out = lbsim(&["import", &path, "--upstream", "a", "--backend", "b"]);
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "lbsim: --backend after --upstream: give one name\n"
    );
}

/// An Envoy bootstrap's cluster (as `yq -o json` writes it).
const ENVOY: &str = r#"{
  "static_resources": {
    "clusters": [{
      "name": "service_a",
      "type": "STRICT_DNS",
      "connect_timeout": "0.25s",
      "lb_policy": "LEAST_REQUEST",
      "load_assignment": {
        "cluster_name": "service_a",
        "endpoints": [
          {"lb_endpoints": [
            {"endpoint": {"address": {"socket_address": {"address": "a.internal", "port_value": 8080}}}},
            {"endpoint": {"hostname": "b", "address": {"socket_address": {"address": "10.0.0.2", "port_value": 8080}}},
             "load_balancing_weight": 3}
          ]},
          {"priority": 1, "lb_endpoints": [
            {"endpoint": {"address": {"socket_address": {"address": "10.0.9.1", "port_value": 8080}}}}
          ]}
        ]
      },
      "health_checks": [{"timeout": "1s", "interval": "5s", "unhealthy_threshold": 3,
                         "healthy_threshold": {"value": 2}, "http_health_check": {"path": "/health"}}],
      "outlier_detection": {"consecutive_5xx": 3, "base_ejection_time": "10s", "max_ejection_percent": 50,
                            "interval": "5s"},
      "common_lb_config": {"healthy_panic_threshold": {"value": 25.0}}
    }]
  }
}"#;

#[test]
fn an_envoy_cluster_maps_its_policy_endpoints_checks_and_outlier_detection() {
    let i = import(ENVOY, Format::detect(ENVOY), None);
    let i = i.unwrap();
    let s = &i.scenario;
    assert_eq!(s.algorithm, Algorithm::EnvoyLeastRequest);
    let servers: Vec<(&str, u32, bool)> = s
        .servers
        .iter()
        .map(|s| (s.name.as_str(), s.weight, s.backup))
        .collect();
    assert_eq!(
        servers,
        [
            ("a.internal:8080", 1, false),
            ("b", 3, false),
            ("10.0.9.1:8080", 1, true)
        ]
    );
    assert_eq!(
        s.resilience.health,
        Some(ActiveCheck {
            inter: SimDuration::from_secs(5),
            timeout: SimDuration::from_secs(1),
            ..ActiveCheck::HAPROXY_DEFAULT
        })
    );
    assert_eq!(
        s.resilience.passive,
        Passive::Envoy(lb_playground::sim::passive::EnvoyOutlier {
            consecutive_5xx: 3,
            base_ejection: SimDuration::from_secs(10),
            max_ejection_share: 0.5,
            ..lb_playground::sim::passive::EnvoyOutlier::DEFAULT
        })
    );
    assert_eq!(s.resilience.panic_threshold, Some(0.25));
    let fields: Vec<String> = i.warnings.iter().map(|w| w.directive.clone()).collect();
    assert_eq!(
        fields,
        [
            "connect_timeout",
            "load_assignment.endpoints[1].priority",
            "health_checks[0]",
            "outlier_detection.interval"
        ]
    );
    assert!(i.warnings.iter().all(|w| w.line.is_none()));
    assert_eq!(
        import(
            "{\"name\": \"x\", \"load_assignment\": 3",
            Format::Envoy,
            None
        )
        .unwrap_err()
        .to_string(),
        "line 1: not JSON: EOF while parsing an object at line 1 column 34"
    );
}

mod round_trip {
    use super::*;
    use lb_playground::config::{Target, export};
    use lb_playground::sim::Scenario;
    use lb_playground::sim::scenario::server;
    use proptest::prelude::*;

    /// A scenario made only of what `to` can say, as import builds it.
    fn scenario(to: Target) -> impl Strategy<Value = Scenario> {
        let algorithms: Vec<Algorithm> = match to {
            Target::Nginx => vec![
                Algorithm::SmoothWeighted,
                Algorithm::LeastConnections,
                Algorithm::IpHash,
                Algorithm::WeightedRandom,
                Algorithm::NginxRandomTwo,
                Algorithm::ConsistentHashIp,
                Algorithm::ConsistentHashUri,
                Algorithm::ConsistentHashSession,
            ],
            Target::Haproxy => vec![
                Algorithm::SmoothWeighted,
                Algorithm::HaproxyLeastConn,
                Algorithm::WeightedRandom,
                Algorithm::NginxRandomTwo,
                Algorithm::ConsistentHashIp,
                Algorithm::ConsistentHashUri,
            ],
        };
        let max_weight: u32 = if to == Target::Nginx { 1000 } else { 256 };
        let check = || prop::option::of((1u64..10, prop::option::of(1u64..5), 1u32..5, 1u32..5));
        (
            prop::collection::vec(
                (
                    1..=max_weight,
                    any::<bool>(),
                    prop::bool::weighted(0.2),
                    check(),
                ),
                1..8,
            ),
            prop::sample::select(algorithms),
            0u32..5,
            1u64..120,
            prop::option::of(1u64..60),
            (
                1u64..3,
                prop::option::of(1u32..=50),
                prop::sample::select(vec![CheckKind::Tcp, CheckKind::Http, CheckKind::HttpExpect]),
            ),
            prop::option::of((1u32..100, 0u32..10, any::<bool>())),
        )
            .prop_map(
                move |(servers, algorithm, max_fails, fail_timeout, ramp, checks, limit)| {
                    let mut s = Scenario::classroom();
                    s.algorithm = algorithm;
                    s.resilience = lb_playground::sim::Resilience::NONE;
                    s.servers = servers
                        .iter()
                        .enumerate()
                        .map(|(i, &(w, backup, down, _))| {
                            let mut spec = server(&format!("s{i}.internal"), w, 2);
                            spec.backup = backup;
                            spec.down = down;
                            spec
                        })
                        .collect();
                    s.slow_start = ramp.map_or(SlowStart::Off, |p| SlowStart::Linear {
                        period: SimDuration::from_secs(p),
                    });
                    match to {
                        Target::Nginx => {
                            s.resilience.passive = Passive::Nginx(NginxPassive {
                                max_fails,
                                fail_timeout: SimDuration::from_secs(fail_timeout),
                            });
                            s.rate_limit =
                                limit.map_or(RateLimit::Off, |(rate, burst, nodelay)| {
                                    RateLimit::Nginx(NginxLimit::new(
                                        f64::from(rate),
                                        burst,
                                        nodelay,
                                        LimitKey::ClientIp,
                                    ))
                                });
                        }
                        Target::Haproxy => {
                            // Each server's own checks, in import's form: the first server's
                            // are the scenario's, and a server checked otherwise has its own.
                            let (timeout, jitter, kind) = checks;
                            let own: Vec<Option<ActiveCheck>> = servers
                                .iter()
                                .map(|(.., check)| {
                                    check.map(|(inter, fast, rise, fall)| ActiveCheck {
                                        inter: SimDuration::from_secs(inter),
                                        fastinter: fast.map(|f| SimDuration::from_millis(f * 100)),
                                        downinter: None,
                                        timeout: SimDuration::from_secs(timeout),
                                        rise,
                                        fall,
                                        kind,
                                        ..ActiveCheck::HAPROXY_DEFAULT
                                    })
                                })
                                .collect();
                            s.resilience.health = own[0];
                            for (spec, check) in s.servers.iter_mut().zip(&own) {
                                if *check != own[0] {
                                    spec.health =
                                        Some(check.map_or(ServerCheck::Off, ServerCheck::Check));
                                }
                            }
                            if own.iter().any(Option::is_some) {
                                s.resilience.check_schedule = CheckSchedule {
                                    spread_first: true,
                                    jitter_percent: jitter.unwrap_or(0),
                                };
                            }
                        }
                    }
                    s
                },
            )
    }

    fn same(a: &Scenario, b: &Scenario) {
        assert_eq!(a.servers, b.servers);
        assert_eq!(a.algorithm, b.algorithm);
        assert_eq!(a.resilience, b.resilience);
        assert_eq!(a.slow_start, b.slow_start);
        assert_eq!(a.rate_limit, b.rate_limit);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn nginx_export_imports_back(s in scenario(Target::Nginx)) {
            let text = export(&s, Target::Nginx);
            let back = import(&text, Format::detect(&text), None).unwrap();
            same(&back.scenario, &s);
        }

        #[test]
        fn haproxy_export_imports_back(s in scenario(Target::Haproxy)) {
            let text = export(&s, Target::Haproxy);
            let back = import(&text, Format::detect(&text), None).unwrap();
            same(&back.scenario, &s);
        }
    }

    #[test]
    fn what_has_no_equivalent_is_a_comment() {
        let text = export(&Scenario::classroom(), Target::Nginx);
        assert!(
            text.contains("# No equivalent: the algorithm round-robin"),
            "{text}"
        );
        assert!(
            text.contains("# No equivalent in open-source nginx: active health checks"),
            "{text}"
        );
        let text = export(&Scenario::classroom(), Target::Haproxy);
        assert!(
            text.contains("backend backend\n    balance roundrobin\n    option httpchk GET /\n"),
            "{text}"
        );
        assert!(
            text.contains("    server server-1 127.0.0.1:8001 check inter 2s rise 2 fall 3\n"),
            "{text}"
        );
    }
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    /// Pieces configs are made of, so random texts reach deep into the parsers.
    const PIECES: [&str; 24] = [
        "upstream u {",
        "}",
        ";",
        "{",
        "server a",
        " weight=",
        " weight ",
        "3",
        "0",
        "x",
        "\n",
        " \"q",
        "'",
        "# c\n",
        "backend b\n",
        " server s 1.1.1.1 check inter ",
        "2s",
        "balance ",
        "random(",
        ")",
        "hash $remote_addr",
        " down",
        "{\"name\": \"c\", \"load_assignment\": ",
        "[",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn random_configs_give_a_scenario_or_an_error_with_a_line(
            parts in prop::collection::vec(prop::sample::select(PIECES.to_vec()), 0..40)
        ) {
            let text: String = parts.concat();
            for format in [Format::Nginx, Format::Haproxy, Format::Envoy] {
                match import(&text, format, None) {
                    Ok(i) => prop_assert!(i.scenario.validate().is_ok()),
                    Err(ImportError::Syntax { line, .. }) => {
                        prop_assert!(line >= 1 && line <= text.split('\n').count())
                    }
                    Err(_) => {}
                }
            }
        }
    }
}

#[test]
fn a_bad_envoy_field_is_named_by_its_path() {
    let text = r#"{"name": "c", "load_assignment": {"endpoints": [{"lb_endpoints": [
        {"endpoint": {"address": {"socket_address": {"address": "a", "port_value": 1}}},
         "load_balancing_weight": 0}]}]}}"#;
    assert_eq!(
        import(text, Format::Envoy, None).unwrap_err().to_string(),
        "load_assignment.endpoints[0].lb_endpoints[0].load_balancing_weight: is not a whole number from 1 to 1000"
    );
}

#[test]
fn without_httpchk_haproxy_checks_are_tcp_checks() {
    let text = "backend b\n server a 1.1.1.1:80 check\n";
    let i = import(text, Format::Haproxy, None).unwrap();
    assert_eq!(i.warnings, []);
    assert_eq!(i.scenario.resilience.health.unwrap().kind, CheckKind::Tcp);
    let text = "backend b\n option httpchk\n server a 1.1.1.1:80 check\n";
    let i = import(text, Format::Haproxy, None).unwrap();
    assert_eq!(i.scenario.resilience.health.unwrap().kind, CheckKind::Http);
}

#[test]
fn http_check_expect_string_checks_the_body_and_exports_back() {
    use lb_playground::config::{Target, export};
    use lb_playground::sim::Scenario;
    let kind = |lines: &str| {
        let text =
            format!("backend b\n option httpchk GET /health\n{lines} server a 1.1.1.1:80 check\n");
        let i = import(&text, Format::Haproxy, None).unwrap();
        assert_eq!(i.warnings, [], "{lines}");
        i.scenario.resilience.health.unwrap().kind
    };
    assert_eq!(
        kind(" http-check expect string OK\n"),
        CheckKind::HttpExpect
    );
    assert_eq!(
        kind(" http-check expect ! rstring SQL\\ Error\n"),
        CheckKind::HttpExpect
    );
    assert_eq!(kind(" http-check expect status 200\n"), CheckKind::Http);
    // Without option httpchk there is no HTTP to expect anything of.
    let text = "backend b\n http-check expect string OK\n server a 1.1.1.1:80 check\n";
    let i = import(text, Format::Haproxy, None).unwrap();
    assert_eq!(i.scenario.resilience.health.unwrap().kind, CheckKind::Tcp);
    // Exported, the body check is written back and reads as the same kind.
    let mut scenario = Scenario::classroom();
    scenario.resilience.health.as_mut().unwrap().kind = CheckKind::HttpExpect;
    let text = export(&scenario, Target::Haproxy);
    assert!(text.contains("    option httpchk GET /\n"), "{text}");
    assert!(text.contains("    http-check expect string OK\n"), "{text}");
    let back = import(&text, Format::Haproxy, None).unwrap();
    assert_eq!(
        back.scenario.resilience.health.unwrap().kind,
        CheckKind::HttpExpect
    );
}

#[test]
fn default_server_applies_to_the_servers_after_it() {
    let text = "backend b\n server a 1.1.1.1:80 check\n default-server inter 5s\n server b 1.1.1.2:80 check\n";
    let i = import(text, Format::Haproxy, None).unwrap();
    assert_eq!(
        i.scenario.resilience.health.unwrap().inter,
        SimDuration::from_secs(2)
    );
    let b = i.scenario.servers[1].health;
    assert!(matches!(b, Some(ServerCheck::Check(c)) if c.inter == SimDuration::from_secs(5)));
}

#[test]
fn an_nginx_down_server_keeps_its_weight_takes_nothing_and_leaves_the_others_keys_in_place() {
    let conf = "upstream u {\n ip_hash;\n server a;\n server b down;\n server c;\n}\n";
    let i = import(conf, Format::Nginx, None).unwrap();
    assert!(i.warnings.is_empty(), "{:?}", i.warnings);
    assert!(i.scenario.servers[1].down);
    let run = |scenario: lb_playground::sim::Scenario| {
        let mut sim = Simulation::new(scenario).unwrap();
        sim.keep_finished(true);
        sim.advance_to(SimTime::from_secs_f64(60.0));
        let mut by_client = std::collections::BTreeMap::new();
        while let Some(r) = sim.poll_finished() {
            by_client.insert(r.client, r.server);
        }
        (sim.metrics().servers()[1].routed, by_client)
    };
    let (routed, down_run) = run(i.scenario.clone());
    assert_eq!(routed, 0, "a down server takes nothing");
    // With b up, every client that did not land on b lands where it did with b down.
    let mut up = i.scenario.clone();
    up.servers[1].down = false;
    let (_, up_run) = run(up);
    let mut kept = 0;
    for (client, server) in &up_run {
        if *server != Some(1)
            && let Some(was) = down_run.get(client)
        {
            assert_eq!(was, server, "client {client} moved");
            kept += 1;
        }
    }
    assert!(kept > 50, "{kept} clients compared");
}

/// A production-style nginx.conf: several upstreams with weights, `down`, `ip_hash` and
/// `least_conn`, and nothing the model lacks.
const NGINX_REAL: &str = r#"events { worker_connections 1024; }
http {
    upstream web {
        server 10.0.0.1:8080 weight=5 max_fails=2 fail_timeout=20s;
        server 10.0.0.2:8080 max_fails=2 fail_timeout=20s;
        server 10.0.0.3:8080 max_fails=2 fail_timeout=20s;
    }
    upstream sessions {
        ip_hash;
        server 192.168.0.11;
        server 192.168.0.12;
        server 192.168.0.13;
        server 192.168.0.14 down;
    }
    upstream api {
        least_conn;
        server 10.1.0.1:9000;
        server 10.1.0.2:9000;
        server 10.1.0.3:9000 backup;
    }
    server {
        listen 80;
        location / { proxy_pass http://web; }
        location /api/ { proxy_pass http://api; }
    }
}
"#;

/// A production-style haproxy.cfg: two servers with their own `inter` / `fastinter` /
/// `downinter`, an HTTP check, and a server in maintenance.
const HAPROXY_REAL: &str = "\
global
    log stdout format raw local0
    spread-checks 5

defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend fe
    bind :80
    default_backend app

backend app
    balance roundrobin
    option httpchk GET /healthz
    timeout check 1s
    server app1 10.0.0.1:8080 check inter 2s fastinter 500ms downinter 10s rise 2 fall 3
    server app2 10.0.0.2:8080 check inter 5s fastinter 1s downinter 30s rise 3 fall 2
    server app3 10.0.0.3:8080 check disabled
";

#[test]
fn real_configs_import_without_warnings_and_behave_as_the_reference_examples() {
    let web = import(NGINX_REAL, Format::Nginx, Some("web")).unwrap();
    assert_eq!(web.warnings, []);
    // REFERENCE-SEMANTICS: smooth weighted round robin over 5, 1, 1 -> a a b a c a a.
    assert_eq!(picks(&web, 7), "aabacaa");
    assert_eq!(
        web.scenario.resilience.passive,
        Passive::Nginx(NginxPassive {
            max_fails: 2,
            fail_timeout: SimDuration::from_secs(20)
        })
    );
    let sessions = import(NGINX_REAL, Format::Nginx, Some("sessions")).unwrap();
    assert_eq!(sessions.warnings, []);
    assert_eq!(sessions.scenario.algorithm, Algorithm::IpHash);
    assert!(sessions.scenario.servers[3].down);
    let api = import(NGINX_REAL, Format::Nginx, Some("api")).unwrap();
    assert_eq!(api.warnings, []);
    assert_eq!(api.scenario.algorithm, Algorithm::LeastConnections);
    // No connections anywhere: every pick is a tie, broken by smooth round robin.
    assert_eq!(picks(&api, 4), "abab");

    let app = import(HAPROXY_REAL, Format::Haproxy, None).unwrap();
    assert_eq!(app.warnings, []);
    let s = &app.scenario;
    assert_eq!(s.resilience.check_schedule.jitter_percent, 5);
    assert!(s.servers[2].down);
    assert_eq!(
        s.servers[1].health,
        Some(ServerCheck::Check(ActiveCheck {
            inter: SimDuration::from_secs(5),
            fastinter: Some(SimDuration::from_secs(1)),
            downinter: Some(SimDuration::from_secs(30)),
            timeout: SimDuration::from_secs(1),
            rise: 3,
            fall: 2,
            ..ActiveCheck::HAPROXY_DEFAULT
        }))
    );
    // Without the jitter, the timelines follow the reference's rules. Both servers start in
    // transition (health = rise), so their first intervals are their fastinters, 500 ms and 1 s;
    // the spread is over the smallest of at least 1 s: app1 first at 0, app2 at 1000 x 1 / 2 =
    // 500 ms. Both die at 5 s. app1 (passes at 0 and 0.5 s, then every 2 s) fails at 6.5, 7 and
    // 7.5 s: DOWN at 7.5 s, as in the fastinter example. app2 (a pass at 0.5 s takes it to full
    // health, then every 5 s) fails at 5.5 s and, in transition, 1 s later: DOWN at 6.5 s.
    let mut steady = s.clone();
    steady.resilience.check_schedule.jitter_percent = 0;
    let refused = |failures| HealthTransition::Down {
        failures,
        failure: CheckFailure::Refused,
    };
    assert_eq!(
        health_after_kills(&steady, &[0, 1], 5.0, 20.0),
        [(6.5, 1, refused(2)), (7.5, 0, refused(3))]
    );
}
