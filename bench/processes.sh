# Shared by the bench scripts that start servers (source it): the processes they started, and
# stopping exactly those. port_free calls the script's own fail. Set the EXIT trap to cleanup.

PIDS=()   # everything started and still running: cleanup stops exactly these
launch() { # launch LOG COMMAND...: COMMAND in the background, output to LOG; PID = its pid
  local log=$1; shift
  "$@" > "$log" 2>&1 &
  PID=$!; PIDS+=("$PID")
}
alive() { local s; s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1); [ -n "$s" ] && [ "$s" != Z ]; }
stop() { # stop PID: TERM, KILL after 10 s; reaped and forgotten
  local pid=$1 p keep=()
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
  if alive "$pid"; then echo "${0##*/}: pid $pid ignored TERM for 10 s, killing it" >&2; kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}
cleanup() { while [ ${#PIDS[@]} -gt 0 ]; do stop "${PIDS[-1]}"; done; }
port_free() { local p; for p in "$@"; do ! ss -Hltn "sport = :$p" | grep -q . || fail "port $p is in use by another process"; done; }
