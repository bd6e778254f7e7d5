#!/usr/bin/env bash
# Plain proxy path vs. the direct upstream, measured in the same run with wrk.
#
#   bench/proxy.sh [DURATION_SECONDS] [CONNECTIONS]
#
# Cores (2-core machine): the gateway is pinned to core 0; the echo upstream and wrk share core 1.
# The baseline (wrk -> upstream) runs with the same placement, so the ratio isolates the gateway.
# Prints req/s and p50/p99 latency for both, and the ratios. Not a test: figures vary with load.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${1:-10}"
CONNS="${2:-16}"
UP_PORT=19000; GW_PORT=18080; ADMIN_PORT=18081
command -v wrk >/dev/null || { echo "bench: wrk not found (apt-get install wrk)" >&2; exit 1; }
WORK="$(mktemp -d)"
cleanup() { kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
PIDS=(); trap cleanup EXIT

"$ROOT/polygate" build
cat > "$WORK/bench.yaml" <<YAML
host: 127.0.0.1
listen_port: $GW_PORT
admin: {port: $ADMIN_PORT, secret: bench}
apis:
  - {api_id: bench, listen_path: /bench/, target_url: "http://127.0.0.1:$UP_PORT", auth: none}
YAML

JAVA_OPTS="-Xmx512m" taskset -c 1 "$ROOT/polygate" echo --port $UP_PORT >"$WORK/echo.log" 2>&1 & PIDS+=($!)
JAVA_OPTS="-Xmx512m" POLYGATE_LOG_LEVEL=WARN taskset -c 0 "$ROOT/polygate" start --config "$WORK/bench.yaml" >"$WORK/gw.log" 2>&1 & PIDS+=($!)
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$GW_PORT/bench/ping" && curl -fs -o /dev/null "http://127.0.0.1:$UP_PORT/ping" && break
  sleep 0.2
done

# shellcheck source=lib.sh
. "$ROOT/bench/lib.sh"

echo "warming up ($DURATION s each) ..." >&2
run warm-direct "http://127.0.0.1:$UP_PORT/warm" >/dev/null
run warm-gw "http://127.0.0.1:$GW_PORT/bench/warm" >/dev/null

read -r d_rps d_p50 d_p99 d_err < <(run direct "http://127.0.0.1:$UP_PORT/anything?x=1")
read -r g_rps g_p50 g_p99 g_err < <(run gateway "http://127.0.0.1:$GW_PORT/bench/anything?x=1")

printf '\n%-28s %12s %10s %10s\n' "path ($CONNS conns, ${DURATION}s)" "req/s" "p50 ms" "p99 ms"
printf '%-28s %12s %10s %10s %s\n' "direct upstream" "$d_rps" "$(to_ms "$d_p50")" "$(to_ms "$d_p99")" "$d_err"
printf '%-28s %12s %10s %10s %s\n' "through gateway (proxy)" "$g_rps" "$(to_ms "$g_p50")" "$(to_ms "$g_p99")" "$g_err"
awk -v g="$g_rps" -v d="$d_rps" -v gp="$(to_ms "$g_p50")" -v dp="$(to_ms "$d_p50")" 'BEGIN { printf "gateway/direct: throughput %.2fx, p50 latency %.2fx\n", g/d, gp/dp }'
echo "cores: gateway on core 0; echo upstream and wrk (1 thread) on core 1"
