//! What `lbsim --help` prints.

/// What `--help` prints.
pub(super) const HELP: &str = "\
lbsim: run load-balancing scenarios headless, on the playground's deterministic core.

USAGE:
    lbsim run SCENARIO.json [--until SECONDS] [--seed N] [--trace FILE] [--max-work N]
    lbsim sweep SCENARIO.json --vary FIELD=FROM..TO:STEPS [--vary ...] --replications N
                [--jobs N] [--format csv|json] [--duration SECONDS] [--seed N] [--max-work N]
    lbsim presets
    lbsim preset NAME
    lbsim lessons
    lbsim lesson ID|FILE [--check]
    lbsim exercise KIND [--seed N]
    lbsim import CONFIG [--upstream NAME | --backend NAME | --cluster NAME]
    lbsim export SCENARIO.json --to nginx|haproxy
    lbsim --help

COMMANDS:
    run       Run SCENARIO.json (- reads it from stdin) and print the JSON report on stdout:
              scenario, seed, until, totals (generated, completed, failed, rejected,
              rate_limited, in_flight, queued), retries, latency_ms (mean, p50, p95, p99, max; client-observed),
              servers (name, routed, completed, failed, rejected, refused, latency_ms),
              paths (path, completed, failed, rejected, rate_limited, latency_ms; per path) and
              events (every command and state-machine transition of the run, oldest first,
              each with at, kind, text, server and the data fields below; retries are
              counted in retries, not listed). With client retries or closed-loop users
              (traffic.client_retry, traffic.closed_loop) also clients: first_sends,
              client_retries (each also one of generated), amplification (generated /
              first_sends), waiting_to_retry, served (successes the servers produced, for
              clients still waiting or not), goodput (successes clients got before their
              timeout, = completed), budget_tokens, and windows (end, throughput, goodput,
              client_retries, retries, errors per second; p95_ms of successes, p95_any_ms of
              every answer, over the last 10 windows). With a balancer that costs CPU
              (scenario.balancer) also balancer: workers, utilisation, queued, handled,
              cpu_per_request_ms, server_cpu_per_request_ms, tls, full_handshakes,
              resumed_handshakes.
    sweep     Run SCENARIO.json (- reads stdin) at every point of a grid of field values,
              --replications times at each (every run with its own seed), on --jobs threads,
              and print one table on stdout, CSV with a header (or JSON: scenario, seed,
              duration_s, replications, vary, and points, each with at and the columns): the
              varied fields, replications, mean_ms and p95_ms, each with its 95% confidence
              interval over the replications (Student t: mean_ci95_low_ms, mean_ci95_high_ms,
              p95_ci95_low_ms, p95_ci95_high_ms; empty with one replication), throughput_per_s
              (requests served per simulated second), and theory_mean_ms and theory_model, the
              queueing model's mean latency where one fits (Poisson arrivals, identical
              servers, an algorithm the theory covers, no timeline, autoscaler or rate limit;
              empty elsewhere). Latencies are empty when a replication served nothing. A line
              on stderr per finished point. The same table whatever --jobs is.
    presets   List the presets, one per line: id, title, duration (tab-separated).
    preset    Print preset NAME as a scenario file:
              lbsim preset crash-recovery > x.json && lbsim run x.json
    lessons   List the shipped lessons, one per line: id, title, steps (tab-separated).
    lesson    Print lesson ID (or the lesson FILE, - reads stdin) as a lesson file. With
              --check, play it headless from its scenario, following its steps, and print
              one line per step (when its wait was met, and its question's measured answer);
              exit 1 naming the first step whose wait is not met within its time limit, or
              whose question the run cannot answer.
    exercise  Print the answer key of the \"you are the balancer\" exercise KIND
              (nginx-smooth-wrr, weighted-least-conn, nginx-ip-hash, consistent-hash-ip or
              nginx-random-two) drawn from --seed N (default 1): the algorithm and its rule,
              then one line per request, tab-separated: request N, what it shows, each
              server's numbers, answer SERVER (the project's balancer's pick) and why.
    import    Read an nginx config (its upstream blocks, limit_req and limit_req_zone), an
              HAProxy config (a backend or listen section, with the defaults before it) or an
              Envoy cluster in JSON, and print the scenario that behaves like it on stdout.
              With several, --upstream, --backend or --cluster NAME picks one (without it
              the error lists them). Everything in the chosen block the scenario cannot reproduce is a
              warning on stderr with its line (lbsim: warning: CONFIG: line N: ...; an Envoy
              field by its path); the
              traffic and the servers' capacity are the classroom default's.
    export    Print the nginx upstream or HAProxy backend that behaves like SCENARIO.json
              (- reads stdin), with a comment for each part the target has no equivalent of;
              importing it gives back the servers, algorithm, checks and slow start.

OPTIONS (run):
    --until SECONDS   Simulated seconds to run (default: the scenario's duration; one of the
                      two is required).
    --seed N          Use seed N (0 to 18446744073709551615) instead of the scenario's.
    --trace FILE      Also write the request log as CSV: a header, then one line per finished
                      request in arrival order (seq increasing; the last column is its path). Requests still in flight at
                      the end are not in it: it has completed + failed + rejected lines.
                      FILE may not be the scenario file (it is never overwritten).
    --max-work N      Refuse a run estimated at more than N units of work (default 2e8, a
                      minute or two): requests sent at the highest rate the scenario reaches,
                      health checks at the shortest interval, and metric windows (one unit per
                      100 servers each). The refusal gives the estimate.
    -h, --help        Print this help.

OPTIONS (sweep):
    --vary FIELD=FROM..TO:STEPS
                      Give FIELD STEPS values from FROM to TO, both included and evenly spaced:
                      traffic.rate=100..1000:10 is 100, 200, ..., 1000 (STEPS 1 needs FROM = TO).
                      FIELD is any number or duration of the scenario, named as errors name
                      fields: traffic.rate, backend_latency, resilience.health.inter,
                      servers[0].workers (from 0), servers[*].speed (every server; quote it for
                      the shell). Durations take units (backend_latency=0ms..300ms:4); whole-number
                      fields need whole steps (servers[0].workers=1..4:4). Several --vary run every
                      combination, the first varying slowest; without one, the scenario alone.
    --replications N  Runs per point, 1 to 10000 (required). Run r of point p has the seed
                      SplitMix64(SplitMix64(SplitMix64(seed) ^ p) ^ r) (seed: the scenario's).
    --jobs N          Threads to run on (default: every core).
    --format F        csv (default) or json.
    --duration SECONDS
                      Simulated seconds per run (default: the scenario's duration).
    --seed N          Use seed N instead of the scenario's as the replications' base.
    --max-work N      As for run, for each run of the sweep.

EVENT FIELDS (besides at, kind, text, and server naming the server an event is about):
    command   command (as a scenario's timeline writes it), by (user or timeline), entry
              (the timeline entry, 1-based), before (what it changed from: the old weight,
              speed, error rate, algorithm, slow start, rate or mean cost; {busy, queued} for
              a kill; the new server's number for add_server)
    health    to (UP or DOWN), passes, or failures and failure (refused, error, timeout);
              health (the counter after it), rise, fall
    passive   change: skipped (fails, max_fails, fail_timeout), probe_passed, ejected
              (consecutive_5xx, length, ejection: which one in a row), ejection_over
    breaker   from, to (CLOSED, OPEN, HALF_OPEN), rule and its numbers:
              consecutive_failures (threshold); failure_rate or slow_call_rate (rate,
              threshold, calls; rates in percent); error_percent (failures, calls, percent,
              threshold); wait_over (waited, permitted); trials (bad, permitted, rate,
              threshold); trial (ok); open_until (seconds) when it is now OPEN
    remap     keys (client or path), moved (consistent and modulo: shares of sampled keys),
              sampled, servers_before, servers_after, changes (server, change: left, joined,
              or weight with from and to)
    skipped   a timeline entry that could not apply when its time came (a command given since
              removed its server): command, entry (1-based), reason
    scale_out, scale_in
              an autoscaler's decision: direction (out or in), from, to (servers), desired
              (what the metric asked for: ceil(counted x measured / target)), measured,
              counted (servers whose numbers counted), bound (max, min, scale_up_rate or
              stabilisation, when one held it short), metric (cpu, in_flight, rps), target,
              servers (launched, booting from now; or taken away, draining)
    server_ready
              a launched server finished booting and takes traffic: launched (seconds)
    Durations are written as in scenario files (10s, 500ms).

OUTCOMES (the trace's outcome column; each counts in one total):
    completed  success
    failed     server_error, connection_failed, server_crashed, timeout, client_timeout,
               no_server_left (tries failed, no untried server left); queue_full and
               breaker_open after a failed try
    rejected   no_server (before any try), over_capacity (the run held its 1,000,000
               requests); queue_full and breaker_open on the first try
    rate_limited  rate_limited (the scenario's rate_limit refused it at the balancer)

The same scenario and seed always give the same report, byte for byte.

EXIT CODES:
    0   success
    1   the run could not be reported (writing the trace or the report failed, or a
        sweep's threads could not start), or a lesson failed its --check (the step is named)
    2   bad input (unknown command or option, bad number, unreadable file, invalid scenario,
        unknown preset, a --trace FILE that is the scenario file); one line on stderr names
        the problem (for a file that does not parse, the field and where:
        x.json: servers[2]: missing field `name` at line 32 column 5) and stdout stays empty
    3   out of memory: one line on stderr says so
";
