//! Envoy: a cluster as JSON (Envoy's YAML converted by any tool). The file may hold one cluster,
//! a list of them, `{"clusters": [...]}` or a bootstrap's `static_resources`. A cluster's
//! `lb_policy`, its `load_assignment` endpoints (named by `hostname`, else `address:port`, with
//! `load_balancing_weight`; priorities above 0 as backups), its first `health_checks` entry,
//! `outlier_detection`, `common_lb_config.healthy_panic_threshold` (Envoy's 50% when absent) and
//! a slow-start config map onto a scenario; every other field is warned, by its path (JSON has
//! no line numbers once parsed).

use serde_json::{Map, Value};

use super::{ConfigServer, Format, ImportError, Imported, Reason, Warning, choose};
use crate::sim::health::{ActiveCheck, CheckKind};
use crate::sim::passive::{EnvoyOutlier, Passive};
use crate::sim::server::MAX_WEIGHT;
use crate::sim::{Algorithm, SimDuration, SlowStart};

/// A field with a bad value: its path and why.
fn bad(path: &str, problem: impl std::fmt::Display) -> ImportError {
    ImportError::Field {
        field: path.to_string(),
        problem: problem.to_string(),
    }
}

/// Every cluster object of the file.
fn clusters(v: &Value) -> Vec<&Map<String, Value>> {
    match v {
        Value::Array(list) => list.iter().flat_map(clusters).collect(),
        Value::Object(o) => {
            if let Some(inner) = o
                .get("static_resources")
                .or(o.get("clusters"))
                .or(o.get("resources"))
            {
                clusters(inner)
            } else if o.contains_key("name") {
                vec![o]
            } else {
                Vec::new()
            }
        }
        _ => Vec::new(),
    }
}

/// A protobuf duration as JSON writes it (`"5s"`, `"0.5s"`) or as `{"seconds", "nanos"}`.
fn duration(v: &Value, path: &str) -> Result<SimDuration, ImportError> {
    match v {
        Value::String(s) => {
            let secs: f64 = s
                .strip_suffix('s')
                .and_then(|n| n.parse().ok())
                .filter(|n: &f64| n.is_finite() && *n >= 0.0 && *n < 1e9)
                .ok_or_else(|| bad(path, format!("{s:?} is not a duration like \"5s\"")))?;
            Ok(SimDuration::from_secs_f64(secs))
        }
        Value::Object(o) => {
            let part = |k: &str| o.get(k).and_then(Value::as_u64).unwrap_or(0);
            Ok(SimDuration::from_secs_f64(
                part("seconds") as f64 + part("nanos") as f64 / 1e9,
            ))
        }
        _ => Err(bad(path, "is not a duration like \"5s\"")),
    }
}

/// A whole number, plain or wrapped as `{"value": N}`, from `min` to `max`.
fn whole(v: &Value, path: &str, min: u64, max: u64) -> Result<u32, ImportError> {
    let n = v.get("value").unwrap_or(v).as_u64();
    match n {
        Some(n) if (min..=max).contains(&n) => Ok(n as u32),
        _ => Err(bad(
            path,
            format!("is not a whole number from {min} to {max}"),
        )),
    }
}

/// A percentage, plain or wrapped as `{"value": P}`, as a share.
fn percent(v: &Value, path: &str) -> Result<f64, ImportError> {
    match v.get("value").unwrap_or(v).as_f64() {
        Some(p) if (0.0..=100.0).contains(&p) => Ok(p / 100.0),
        _ => Err(bad(path, "is not a percentage from 0 to 100")),
    }
}

/// Warns for every field of `o` not in `known`, under `path`.
fn others(o: &Map<String, Value>, path: &str, known: &[&str], warnings: &mut Vec<Warning>) {
    for key in o.keys().filter(|k| !known.contains(&k.as_str())) {
        warnings.push(Warning {
            line: None,
            directive: format!("{path}{key}"),
            reason: Reason::NotModelled,
        });
    }
}

/// Imports the cluster named `select` (or the only one).
pub(super) fn import(text: &str, select: Option<&str>) -> Result<Imported, ImportError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ImportError::Syntax {
        line: e.line().max(1),
        problem: format!("not JSON: {e}"),
    })?;
    let named = clusters(&value)
        .into_iter()
        .map(|c| {
            (
                c.get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                c,
            )
        })
        .collect();
    let (name, cluster) = choose(Format::Envoy, named, select)?;
    let mut warnings = Vec::new();
    others(
        cluster,
        "",
        &[
            "name",
            "@type",
            "type",
            "lb_policy",
            "load_assignment",
            "health_checks",
            "outlier_detection",
            "common_lb_config",
            "round_robin_lb_config",
            "least_request_lb_config",
        ],
        &mut warnings,
    );
    let servers = endpoints(cluster, &mut warnings)?;
    let policy = cluster
        .get("lb_policy")
        .and_then(Value::as_str)
        .unwrap_or("ROUND_ROBIN");
    let approximated = |used: Algorithm, difference: &'static str| Warning {
        line: None,
        directive: format!("lb_policy {policy}"),
        reason: Reason::Approximated {
            used: used.id().into(),
            difference,
        },
    };
    let equal = servers.windows(2).all(|w| w[0].weight == w[1].weight);
    let algorithm = match policy {
        "ROUND_ROBIN" => {
            if !equal {
                warnings.push(approximated(
                    Algorithm::SmoothWeighted,
                    "the same shares, but Envoy orders weighted picks by its earliest-deadline schedule",
                ));
            }
            Algorithm::SmoothWeighted
        }
        "LEAST_REQUEST" => Algorithm::EnvoyLeastRequest,
        "RANDOM" => Algorithm::Random,
        "RING_HASH" | "MAGLEV" => {
            warnings.push(approximated(
                Algorithm::ConsistentHashIp,
                "the hash key comes from the route's hash_policy, which a cluster does not hold: the client address is assumed",
            ));
            Algorithm::ConsistentHashIp
        }
        _ => {
            warnings.push(approximated(
                Algorithm::SmoothWeighted,
                "the model has no such policy: Envoy's default ROUND_ROBIN is used",
            ));
            Algorithm::SmoothWeighted
        }
    };
    let mut scenario = super::scenario(
        format!("Envoy cluster {name}"),
        &servers,
        algorithm,
        &mut warnings,
    );
    scenario.resilience.health = health(cluster, &mut warnings)?;
    if let Some(o) = cluster.get("outlier_detection") {
        scenario.resilience.passive = Passive::Envoy(outlier(o, &mut warnings)?);
    }
    scenario.resilience.panic_threshold = Some(0.5);
    if let Some(Value::Object(c)) = cluster.get("common_lb_config") {
        others(
            c,
            "common_lb_config.",
            &["healthy_panic_threshold"],
            &mut warnings,
        );
        if let Some(p) = c.get("healthy_panic_threshold") {
            scenario.resilience.panic_threshold =
                Some(percent(p, "common_lb_config.healthy_panic_threshold")?);
        }
    }
    for key in ["round_robin_lb_config", "least_request_lb_config"] {
        if let Some(Value::Object(c)) = cluster.get(key) {
            let path = format!("{key}.");
            others(
                c,
                &path,
                &["slow_start_config", "choice_count"],
                &mut warnings,
            );
            if let Some(n) = c.get("choice_count")
                && whole(n, &format!("{path}choice_count"), 2, 100)? != 2
            {
                warnings.push(Warning {
                    line: None,
                    directive: format!("{path}choice_count"),
                    reason: Reason::Approximated {
                        used: "two choices".into(),
                        difference: "the model's least request always draws two hosts",
                    },
                });
            }
            if let Some(Value::Object(s)) = c.get("slow_start_config") {
                scenario.slow_start =
                    slow_start(s, &format!("{path}slow_start_config."), &mut warnings)?;
            }
        }
    }
    Ok(Imported { scenario, warnings })
}

/// The hosts of `load_assignment`, in file order.
fn endpoints(
    cluster: &Map<String, Value>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<ConfigServer>, ImportError> {
    let mut out = Vec::new();
    let groups = cluster
        .get("load_assignment")
        .and_then(|a| a.get("endpoints"))
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    for (g, group) in groups.iter().enumerate() {
        let path = format!("load_assignment.endpoints[{g}]");
        let priority = match group.get("priority") {
            Some(p) => whole(p, &format!("{path}.priority"), 0, 1_000)?,
            None => 0,
        };
        if priority > 1 || group.get("load_balancing_weight").is_some() {
            warnings.push(Warning {
                line: None,
                directive: path.clone(),
                reason: Reason::Approximated {
                    used: "backup servers".into(),
                    difference: "priorities beyond 1 and locality weights are not modelled",
                },
            });
        }
        if priority == 1 {
            warnings.push(Warning {
                line: None,
                directive: format!("{path}.priority"),
                reason: Reason::Approximated {
                    used: "backup servers".into(),
                    difference: "Envoy spills traffic to priority 1 gradually as priority 0's health drops below 71%; a backup takes traffic only when no primary can",
                },
            });
        }
        let hosts = group
            .get("lb_endpoints")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        for (h, host) in hosts.iter().enumerate() {
            let hpath = format!("{path}.lb_endpoints[{h}]");
            let endpoint = host.get("endpoint");
            let socket = endpoint
                .and_then(|e| e.get("address"))
                .and_then(|a| a.get("socket_address"));
            let address = socket
                .and_then(|s| s.get("address"))
                .and_then(Value::as_str);
            let port = socket
                .and_then(|s| s.get("port_value"))
                .and_then(Value::as_u64);
            let hostname = endpoint
                .and_then(|e| e.get("hostname"))
                .and_then(Value::as_str);
            let name = match (hostname, address, port) {
                (Some(h), _, _) if !h.is_empty() => h.to_string(),
                (_, Some(a), Some(p)) => format!("{a}:{p}"),
                (_, Some(a), None) => a.to_string(),
                _ => {
                    return Err(bad(
                        &hpath,
                        "has no endpoint.address.socket_address.address",
                    ));
                }
            };
            let weight = match host.get("load_balancing_weight") {
                Some(w) => whole(
                    w,
                    &format!("{hpath}.load_balancing_weight"),
                    1,
                    u64::from(MAX_WEIGHT),
                )?,
                None => 1,
            };
            out.push(ConfigServer {
                name,
                line: 1,
                weight,
                backup: priority > 0,
                down: false,
            });
        }
    }
    Ok(out)
}

/// The first of `health_checks`, as the model's checks.
fn health(
    cluster: &Map<String, Value>,
    warnings: &mut Vec<Warning>,
) -> Result<Option<ActiveCheck>, ImportError> {
    let Some(list) = cluster.get("health_checks").and_then(Value::as_array) else {
        return Ok(None);
    };
    let Some(Value::Object(h)) = list.first() else {
        return Ok(None);
    };
    if list.len() > 1 {
        warnings.push(Warning {
            line: None,
            directive: "health_checks[1]".into(),
            reason: Reason::Repeated,
        });
    }
    others(
        h,
        "health_checks[0].",
        &[
            "timeout",
            "interval",
            "unhealthy_threshold",
            "healthy_threshold",
            "unhealthy_interval",
            "http_health_check",
            "tcp_health_check",
            "grpc_health_check",
        ],
        warnings,
    );
    let p = |k: &str| format!("health_checks[0].{k}");
    let get = |k: &str| h.get(k).ok_or_else(|| bad(&p(k), "is required"));
    let check = ActiveCheck {
        inter: duration(get("interval")?, &p("interval"))?,
        timeout: duration(get("timeout")?, &p("timeout"))?,
        rise: whole(get("healthy_threshold")?, &p("healthy_threshold"), 1, 100)?,
        fall: whole(
            get("unhealthy_threshold")?,
            &p("unhealthy_threshold"),
            1,
            100,
        )?,
        downinter: match h.get("unhealthy_interval") {
            Some(d) => Some(duration(d, &p("unhealthy_interval"))?),
            None => None,
        },
        kind: if h.contains_key("tcp_health_check") {
            CheckKind::Tcp
        } else {
            CheckKind::Http
        },
        ..ActiveCheck::HAPROXY_DEFAULT
    };
    warnings.push(Warning {
        line: None,
        directive: "health_checks[0]".into(),
        reason: Reason::Approximated {
            used: "HAProxy's health counter".into(),
            difference: "the same after a run of equal results, but Envoy resets its count on an opposite result where HAProxy's counter moves one step",
        },
    });
    Ok(Some(check))
}

/// `outlier_detection`, Envoy's defaults for what it leaves out.
fn outlier(o: &Value, warnings: &mut Vec<Warning>) -> Result<EnvoyOutlier, ImportError> {
    let Value::Object(o) = o else {
        return Err(bad("outlier_detection", "is not an object"));
    };
    others(
        o,
        "outlier_detection.",
        &[
            "consecutive_5xx",
            "base_ejection_time",
            "max_ejection_time",
            "max_ejection_percent",
        ],
        warnings,
    );
    let mut out = EnvoyOutlier::DEFAULT;
    if let Some(v) = o.get("consecutive_5xx") {
        out.consecutive_5xx = whole(v, "outlier_detection.consecutive_5xx", 1, 1_000)?;
    }
    if let Some(v) = o.get("base_ejection_time") {
        out.base_ejection = duration(v, "outlier_detection.base_ejection_time")?;
    }
    if let Some(v) = o.get("max_ejection_time") {
        out.max_ejection = duration(v, "outlier_detection.max_ejection_time")?;
    }
    if let Some(v) = o.get("max_ejection_percent") {
        out.max_ejection_share = percent(v, "outlier_detection.max_ejection_percent")?;
    }
    Ok(out)
}

/// A `slow_start_config`: Envoy's window, aggression (1) and floor (10%).
fn slow_start(
    s: &Map<String, Value>,
    path: &str,
    warnings: &mut Vec<Warning>,
) -> Result<SlowStart, ImportError> {
    others(
        s,
        path,
        &["slow_start_window", "aggression", "min_weight_percent"],
        warnings,
    );
    let SlowStart::Envoy {
        mut window,
        mut aggression,
        mut min_weight,
    } = SlowStart::ENVOY_DEFAULT
    else {
        unreachable!("Envoy's default is an Envoy slow start")
    };
    if let Some(w) = s.get("slow_start_window") {
        window = duration(w, &format!("{path}slow_start_window"))?;
    }
    if let Some(a) = s.get("aggression") {
        aggression = a
            .get("default_value")
            .unwrap_or(a)
            .as_f64()
            .ok_or_else(|| bad(&format!("{path}aggression"), "is not a number"))?;
    }
    if let Some(m) = s.get("min_weight_percent") {
        min_weight = percent(m, &format!("{path}min_weight_percent"))?;
    }
    Ok(SlowStart::Envoy {
        window,
        aggression,
        min_weight,
    })
}
