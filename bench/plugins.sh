#!/usr/bin/env bash
# Plugin overhead bench: req/s through the gateway for a plain proxied API and for APIs with a JS
# pre hook, a Python pre hook and a Python auth_check with a cached session, each measured right
# after the plain proxy in the same run, plus the upstream alone. The gateway is pinned to core 0,
# wrk and the echo upstream to core 1 (taskset). Needs wrk.
#
#   bench/plugins.sh [seconds per measurement, default 10]   (REPS=3: median of 3 measurements)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DUR="${1:-10}"
REPS="${REPS:-3}"
GW_CORE="${GW_CORE:-0}"
CLIENT_CORE="${CLIENT_CORE:-1}"
GW=http://127.0.0.1:18080
UP=http://127.0.0.1:19000
LOG="$(mktemp -d)"
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

cleanup() {
  [ -n "${GW_PID:-}" ] && kill "$GW_PID" 2>/dev/null || true
  [ -n "${UP_PID:-}" ] && kill "$UP_PID" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

"$ROOT/polygate" build >/dev/null
taskset -c "$CLIENT_CORE" "$ROOT/polygate" echo --port 19000 >"$LOG/upstream.log" 2>&1 &
UP_PID=$!
POLYGATE_LOG_LEVEL=WARN taskset -c "$GW_CORE" "$ROOT/polygate" start --config "$ROOT/bench/plugins.yaml" >"$LOG/gateway.log" 2>&1 &
GW_PID=$!

echo "waiting for the gateway and its bundles (Python takes a while) ..." >&2
ready=0; st=""
for _ in $(seq 1 600); do
  st=$(curl -s -H 'X-Polygate-Secret: bench-secret' http://127.0.0.1:18081/bundles || true)
  ready=$(printf '%s' "$st" | grep -o '"state":"ready"' | wc -l || true)
  if [ "$ready" -ge 3 ] && curl -sf "$UP/" >/dev/null; then break; fi
  if printf '%s' "$st" | grep -q '"state":"failed"'; then echo "bench: a bundle failed: $st" >&2; exit 1; fi
  sleep 1
done
[ "$ready" -ge 3 ] || { echo "bench: bundles not ready: $st" >&2; tail -20 "$LOG/gateway.log" >&2; exit 1; }
for p in /plain/ /js-pre/ /py-pre/; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$GW$p")
  [ "$code" = 200 ] || { echo "bench: $p answered $code" >&2; exit 1; }
done
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Key: bench' "$GW/py-auth/")
[ "$code" = 200 ] || { echo "bench: /py-auth/ answered $code" >&2; exit 1; }

# rps <url> <connections> [header]: requests/s of one wrk run, one wrk thread per connection
rps() {
  local url=$1 c=$2 hdr=${3:-}
  local args=(-t"$c" -c"$c" -d"${DUR}s" --latency)
  [ -n "$hdr" ] && args+=(-H "$hdr")
  taskset -c "$CLIENT_CORE" wrk "${args[@]}" "$url" >"$LOG/wrk.out" 2>&1
  local non2xx
  non2xx=$(grep -o 'Non-2xx or 3xx responses: [0-9]*' "$LOG/wrk.out" | grep -o '[0-9]*$' || true)
  [ -z "$non2xx" ] || { echo "bench: $url had $non2xx non-2xx answers" >&2; cat "$LOG/wrk.out" >&2; exit 1; }
  awk '/Requests\/sec/ {printf "%.0f", $2}' "$LOG/wrk.out"
}
p50() { awk '/ 50%/ {print $2}' "$LOG/wrk.out"; }
# median of REPS measurements (the machine is shared: single runs are noisy); p50 is the last run's
rpsm() {
  local i v=()
  for i in $(seq 1 "$REPS"); do v+=("$(rps "$@")"); done
  printf '%s\n' "${v[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

echo "warming up (JIT) ..." >&2
for p in /plain/ /js-pre/ /py-pre/; do DUR=$((DUR > 5 ? DUR : 5)) rps "$GW$p" 2 >/dev/null; done
DUR=$((DUR > 5 ? DUR : 5)) rps "$GW/py-auth/" 2 'Key: bench' >/dev/null

printf '%s\n' "gateway on core $GW_CORE; wrk and echo upstream on core $CLIENT_CORE; ${DUR}s per run; $(nproc) cores; $(date -u +%FT%TZ); load average before: $(cut -d" " -f1-3 /proc/loadavg)"
printf '%-44s %10s %9s\n' "scenario (median of $REPS)" "req/s" "p50"
row() { printf '%-44s %10s %9s\n' "$1" "$2" "$(p50)"; }
for c in 1 2; do
  r=$(rpsm "$UP/" "$c"); row "upstream alone, $c conn" "$r"
  r=$(rpsm "$GW/plain/" "$c"); row "plain proxy, $c conn" "$r"
  r=$(rpsm "$GW/js-pre/" "$c"); row "JS pre hook, $c conn" "$r"
  r=$(rpsm "$GW/plain/" "$c"); row "plain proxy, $c conn" "$r"
  r=$(rpsm "$GW/py-pre/" "$c"); row "Python pre hook, $c conn" "$r"
  r=$(rpsm "$GW/plain/" "$c"); row "plain proxy, $c conn" "$r"
  r=$(rpsm "$GW/py-auth/" "$c" 'Key: bench'); row "Python auth_check (cached session), $c conn" "$r"
done
