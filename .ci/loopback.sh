# Sourced by the scripts that serve the bundle and drive Chromium on loopback (.ci/smoke,
# .ci/lighthouse, benches/run): starts a server on a free port, for sure its own.
#
# A port found free a moment ago can be taken by the time the server binds it (another job's
# browser or test server); the server then dies, and a readiness probe that only asks the port
# would talk to the stranger instead (once a smoke run read another server's page and failed
# on its missing Content-Security-Policy). So readiness is the server's own word in its log,
# said once the port is bound, and a server that dies first is started again on a new port.

# start_on_free_port NAME READY LOG COMMAND...: runs COMMAND (every "PORT" in its words replaced
# by a free port) with its output in LOG until LOG contains READY; sets $NAME to the port and
# $NAME_PID to the process. Five tries, then an error.
start_on_free_port() {
    # Locals are prefixed: printf -v would set a local of the caller's name instead.
    local _lb_name=$1 _lb_ready=$2 _lb_log=$3
    shift 3
    local _lb_try _lb_port _lb_pid
    for _lb_try in 1 2 3 4 5; do
        _lb_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        "${@//PORT/$_lb_port}" >"$_lb_log" 2>&1 &
        _lb_pid=$!
        for _ in $(seq 150); do
            if grep -q "$_lb_ready" "$_lb_log" 2>/dev/null; then
                printf -v "$_lb_name" %s "$_lb_port"
                printf -v "${_lb_name}_PID" %s "$_lb_pid"
                return 0
            fi
            kill -0 "$_lb_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill "$_lb_pid" 2>/dev/null || true
        echo "loopback: $1 did not start on port $_lb_port (try $_lb_try of 5):" \
            "$(tail -1 "$_lb_log" 2>/dev/null)" >&2
    done
    return 1
}
