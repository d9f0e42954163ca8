//! HAProxy: its line syntax (words split on blanks, `"` and `'` quotes, backslash escapes, `#`
//! comments), its sections (a `backend` or `listen` inherits `balance`, `default-server`,
//! `option httpchk`, `hash-type` and `timeout check` from the last `defaults` before it), and the
//! mapping of one backend onto a scenario.
//!
//! Defaults are HAProxy's: `balance roundrobin`, `weight 1`, and for servers with `check`,
//! `inter 2s rise 2 fall 3`, `fastinter` and `downinter` equal to `inter`, and a check timeout
//! of `inter` unless `timeout check` is set. With `option httpchk` the checks are HTTP checks
//! (with `http-check expect string` or `rstring`, checks of the body too); without it HAProxy
//! only opens a connection: TCP checks.
//!
//! Each `server` line's check settings are its own: the first server's become the scenario's and
//! a server checked otherwise (or not at all) gets its own. The first checks are spread over the
//! interval as HAProxy does, with the global section's `spread-checks` as their jitter. A
//! `disabled` server is a server marked down: in maintenance, neither offered traffic nor checked.

use super::values::{haproxy_time, number};
use super::{ConfigServer, Format, ImportError, Imported, Reason, Warning, choose, settle, syntax};
use crate::sim::health::{ActiveCheck, CheckKind, CheckSchedule, ServerCheck};
use crate::sim::{Algorithm, SimDuration, SlowStart};

/// One line: its number and words.
#[derive(Clone, Debug, PartialEq)]
struct Line {
    at: usize,
    words: Vec<String>,
}

/// The words of one line (none for a blank or comment line).
fn split(text: &str, at: usize) -> Result<Vec<String>, ImportError> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"') | None, '\\') => {
                if let Some(e) = chars.next() {
                    word.get_or_insert_default().push(e);
                }
            }
            (Some(_), c) => word.get_or_insert_default().push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                word.get_or_insert_default();
            }
            (None, '#') => break,
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_default().push(c),
        }
    }
    if let Some(q) = quote {
        return Err(syntax(at, format!("the quote {q} is never closed")));
    }
    words.extend(word);
    Ok(words)
}

/// A section: its keyword, its name and its lines.
struct Section {
    keyword: String,
    name: String,
    lines: Vec<Line>,
}

/// Keywords that open a section.
const SECTIONS: [&str; 14] = [
    "global",
    "defaults",
    "frontend",
    "backend",
    "listen",
    "peers",
    "resolvers",
    "userlist",
    "mailers",
    "program",
    "http-errors",
    "ring",
    "cache",
    "crt-store",
];

fn sections(text: &str) -> Result<Vec<Section>, ImportError> {
    let mut out: Vec<Section> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let words = split(raw, i + 1)?;
        let Some(first) = words.first() else { continue };
        if SECTIONS.contains(&first.as_str()) {
            out.push(Section {
                keyword: first.clone(),
                name: words.get(1).cloned().unwrap_or_default(),
                lines: Vec::new(),
            });
            if matches!(first.as_str(), "backend" | "listen") && words.len() < 2 {
                return Err(syntax(i + 1, format!("{first:?} needs a name")));
            }
            continue;
        }
        let Some(section) = out.last_mut() else {
            return Err(syntax(i + 1, format!("{first:?} is outside any section")));
        };
        section.lines.push(Line { at: i + 1, words });
    }
    Ok(out)
}

/// Server keywords that take no argument.
const FLAGS: [&str; 18] = [
    "backup",
    "check",
    "disabled",
    "enabled",
    "ssl",
    "no-ssl",
    "send-proxy",
    "send-proxy-v2",
    "check-ssl",
    "no-check",
    "non-stick",
    "tfo",
    "allow-0rtt",
    "agent-check",
    "no-backup",
    "check-send-proxy",
    "no-verifyhost",
    "no-agent-check",
];

/// What a `server` or `default-server` line sets.
#[derive(Clone, Debug, Default, PartialEq)]
struct Params {
    weight: Option<u32>,
    backup: Option<bool>,
    check: Option<bool>,
    disabled: Option<bool>,
    inter: Option<SimDuration>,
    fastinter: Option<SimDuration>,
    downinter: Option<SimDuration>,
    rise: Option<u32>,
    fall: Option<u32>,
    slowstart: Option<SimDuration>,
    /// Keywords the model does not have, with their values, for warnings.
    ignored: Vec<String>,
}

impl Params {
    /// `self` with `over`'s settings on top.
    fn under(&self, over: &Params) -> Params {
        Params {
            weight: over.weight.or(self.weight),
            backup: over.backup.or(self.backup),
            check: over.check.or(self.check),
            disabled: over.disabled.or(self.disabled),
            inter: over.inter.or(self.inter),
            fastinter: over.fastinter.or(self.fastinter),
            downinter: over.downinter.or(self.downinter),
            rise: over.rise.or(self.rise),
            fall: over.fall.or(self.fall),
            slowstart: over.slowstart.or(self.slowstart),
            ignored: over.ignored.clone(),
        }
    }
}

fn params(words: &[String], at: usize) -> Result<Params, ImportError> {
    let mut p = Params::default();
    let mut i = 0;
    while i < words.len() {
        let key = words[i].as_str();
        i += 1;
        if FLAGS.contains(&key) {
            match key {
                "backup" | "no-backup" => p.backup = Some(key == "backup"),
                "check" | "no-check" => p.check = Some(key == "check"),
                "disabled" | "enabled" => p.disabled = Some(key == "disabled"),
                _ => p.ignored.push(key.to_string()),
            }
            continue;
        }
        let Some(value) = words.get(i) else {
            return Err(syntax(at, format!("{key:?} needs a value")));
        };
        i += 1;
        match key {
            "weight" => p.weight = Some(number(value, 0, 256, "weight", at)?),
            "inter" => p.inter = Some(haproxy_time(value, key, at)?),
            "fastinter" => p.fastinter = Some(haproxy_time(value, key, at)?),
            "downinter" => p.downinter = Some(haproxy_time(value, key, at)?),
            "rise" => p.rise = Some(number(value, 1, 100, "rise", at)?),
            "fall" => p.fall = Some(number(value, 1, 100, "fall", at)?),
            "slowstart" => p.slowstart = Some(haproxy_time(value, key, at)?),
            _ => p.ignored.push(format!("{key} {value}")),
        }
    }
    Ok(p)
}

/// What a backend takes from the last `defaults` before it, or sets itself.
#[derive(Clone, Debug, Default)]
struct Settings {
    balance: Option<(usize, Vec<String>)>,
    consistent: bool,
    httpchk: bool,
    /// `http-check expect string` / `rstring` (negated or not): the body is checked.
    expect_body: bool,
    check_timeout: Option<SimDuration>,
    default_server: Params,
}

impl Settings {
    /// Folds in a line this module understands; `false` for any other.
    fn read(&mut self, line: &Line) -> Result<bool, ImportError> {
        let w: Vec<&str> = line.words.iter().map(String::as_str).collect();
        match w[..] {
            ["balance", ..] if w.len() >= 2 => {
                self.balance = Some((line.at, line.words[1..].to_vec()));
            }
            ["hash-type", kind, ..] => self.consistent = kind == "consistent",
            ["option", "httpchk", ..] => self.httpchk = true,
            ["no", "option", "httpchk"] => self.httpchk = false,
            ["http-check", "expect", ref rest @ ..] => {
                let rest = rest.strip_prefix(&["!"]).unwrap_or(rest);
                match rest {
                    ["string" | "rstring", _, ..] => self.expect_body = true,
                    ["status" | "rstatus", _, ..] => self.expect_body = false,
                    _ => return Ok(false),
                }
            }
            ["timeout", "check", t] => {
                self.check_timeout = Some(haproxy_time(t, "timeout check", line.at)?)
            }
            ["default-server", ..] => {
                self.default_server = self
                    .default_server
                    .under(&params(&line.words[1..], line.at)?);
            }
            ["mode", "http" | "tcp"] => {}
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Imports the backend (or listen section) named `select` (or the only one).
pub(super) fn import(text: &str, select: Option<&str>) -> Result<Imported, ImportError> {
    let sections = sections(text)?;
    let mut backends = Vec::new();
    let mut defaults = Settings::default();
    let mut jitter_percent = 0;
    for s in &sections {
        if s.keyword == "global" {
            for line in &s.lines {
                if let [keyword, percent] = &line.words[..]
                    && keyword == "spread-checks"
                {
                    jitter_percent = number(percent, 0, 50, "spread-checks", line.at)?;
                }
            }
        } else if s.keyword == "defaults" {
            defaults = Settings::default();
            for line in &s.lines {
                defaults.read(line)?;
            }
        } else if matches!(s.keyword.as_str(), "backend" | "listen") {
            backends.push((s.name.clone(), (defaults.clone(), s)));
        }
    }
    let (name, (mut settings, section)) = choose(Format::Haproxy, backends, select)?;
    let mut warnings = Vec::new();
    let mut server_lines = Vec::new();
    for line in &section.lines {
        if line.words[0] == "server" {
            // A default-server line applies to the servers after it.
            let [_, _, _, rest @ ..] = &line.words[..] else {
                return Err(syntax(line.at, "\"server\" needs a name and an address"));
            };
            server_lines.push((line, settings.default_server.under(&params(rest, line.at)?)));
        } else if !(settings.read(line)? || section.keyword == "listen" && line.words[0] == "bind")
        {
            warnings.push(Warning {
                line: Some(line.at),
                directive: line.words.join(" "),
                reason: Reason::NotModelled,
            });
        }
    }
    let mut servers = Vec::new();
    let mut checks = Vec::new();
    let mut ramps = Vec::new();
    for (line, p) in server_lines {
        let server_name = &line.words[1];
        for ignored in &p.ignored {
            warnings.push(Warning {
                line: Some(line.at),
                directive: ignored.clone(),
                reason: Reason::NotModelled,
            });
        }
        let inter = p.inter.unwrap_or(SimDuration::from_secs(2));
        checks.push((p.check == Some(true)).then_some(ActiveCheck {
            inter,
            fastinter: p.fastinter.filter(|&f| f != inter),
            downinter: p.downinter.filter(|&d| d != inter),
            timeout: settings.check_timeout.unwrap_or(inter),
            rise: p.rise.unwrap_or(2),
            fall: p.fall.unwrap_or(3),
            kind: match (settings.httpchk, settings.expect_body) {
                (true, true) => CheckKind::HttpExpect,
                (true, false) => CheckKind::Http,
                (false, _) => CheckKind::Tcp,
            },
            ..ActiveCheck::HAPROXY_DEFAULT
        }));
        ramps.push((
            line.at,
            format!("server {server_name}"),
            p.slowstart.filter(|s| *s > SimDuration::ZERO),
        ));
        // A disabled server is in maintenance: no traffic and no checks until it is enabled.
        servers.push(ConfigServer {
            name: server_name.clone(),
            line: line.at,
            weight: p.weight.unwrap_or(1),
            backup: p.backup == Some(true),
            down: p.disabled == Some(true),
        });
    }
    let algorithm = balance(&settings, &servers, &mut warnings)?;
    let mut scenario = super::scenario(
        format!("HAProxy backend {name}"),
        &servers,
        algorithm,
        &mut warnings,
    );
    // The first server's checks are the scenario's; a server checked otherwise has its own.
    let first = checks.first().copied().flatten();
    scenario.resilience.health = first;
    for (spec, check) in scenario.servers.iter_mut().zip(&checks) {
        if *check != first {
            spec.health = Some(check.map_or(ServerCheck::Off, ServerCheck::Check));
        }
    }
    if checks.iter().any(Option::is_some) {
        scenario.resilience.check_schedule = CheckSchedule {
            spread_first: true,
            jitter_percent,
        };
    }
    let ramp = settle(
        &ramps,
        None,
        |s| {
            s.map_or("no slowstart".into(), |t| {
                format!("slowstart {}", t.to_message_string())
            })
        },
        &mut warnings,
    );
    if let Some(period) = ramp {
        scenario.slow_start = SlowStart::Linear { period };
    }
    Ok(Imported { scenario, warnings })
}

/// The algorithm `balance` names (roundrobin when there is none).
fn balance(
    settings: &Settings,
    servers: &[ConfigServer],
    warnings: &mut Vec<Warning>,
) -> Result<Algorithm, ImportError> {
    let Some((at, words)) = &settings.balance else {
        return Ok(Algorithm::SmoothWeighted);
    };
    let at = *at;
    let mut approximate = |used: Algorithm, difference: &'static str| {
        warnings.push(Warning {
            line: Some(at),
            directive: format!("balance {}", words.join(" ")),
            reason: Reason::Approximated {
                used: used.id().into(),
                difference,
            },
        });
        used
    };
    let equal = servers.windows(2).all(|w| w[0].weight == w[1].weight);
    let kind = words[0].as_str();
    Ok(match kind {
        "roundrobin" | "static-rr" => {
            if !equal {
                approximate(
                    Algorithm::SmoothWeighted,
                    "the same shares, but HAProxy orders the picks within a cycle in its own way",
                );
            }
            Algorithm::SmoothWeighted
        }
        "leastconn" => Algorithm::HaproxyLeastConn,
        "source" | "uri" => {
            let used = if kind == "source" {
                Algorithm::ConsistentHashIp
            } else {
                Algorithm::ConsistentHashUri
            };
            if words.len() > 1 {
                approximate(used, "the options of balance uri are not modelled")
            } else if !settings.consistent {
                approximate(
                    used,
                    "HAProxy's default map-based hash moves most keys when a server leaves, a ring only its own (hash-type consistent)",
                )
            } else {
                used
            }
        }
        r if r == "random" || r.starts_with("random(") => {
            let draws = match r.strip_prefix("random(").and_then(|d| d.strip_suffix(')')) {
                Some(d) => number(d, 1, 100, "random draws", at)?,
                None if r == "random" => 2,
                None => return Err(syntax(at, format!("{r:?} is not random or random(N)"))),
            };
            if draws == 1 {
                Algorithm::WeightedRandom
            } else {
                approximate(
                    Algorithm::NginxRandomTwo,
                    "two distinct weighted draws, where HAProxy draws with replacement on its ring (and as many times as asked)",
                )
            }
        }
        _ => {
            warnings.push(Warning {
                line: Some(at),
                directive: format!("balance {}", words.join(" ")),
                reason: Reason::Approximated {
                    used: Algorithm::SmoothWeighted.id().into(),
                    difference: "the model has no such algorithm: HAProxy's default roundrobin is used instead",
                },
            });
            Algorithm::SmoothWeighted
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_on_blanks_quotes_and_comments() {
        assert_eq!(
            split(r#"  server "a b" 1.2.3.4:80 check # c"#, 1).unwrap(),
            vec!["server", "a b", "1.2.3.4:80", "check"]
        );
        assert_eq!(split(r"x\ y 'z#'", 1).unwrap(), vec!["x y", "z#"]);
        assert_eq!(
            split("a \"b", 4).unwrap_err().to_string(),
            "line 4: the quote \" is never closed"
        );
    }
}
