#!/usr/bin/env bash
# An API with a Redis sliding-log limit beside the plain proxy path, in the same run, with wrk.
#
#   bench/limits.sh [DURATION_SECONDS] [CONNECTIONS]
#
# Cores (2-core machine): the gateway is pinned to core 0; the echo upstream, redis-server and wrk
# share core 1. Three runs, each after a warm-up: direct upstream, plain proxy (keyless API, no
# limit), limited API (keyless, global_rate_limit as a Redis sliding log, limit never reached so
# every request does the full check). Not a test: figures vary with machine load.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${1:-10}"
CONNS="${2:-16}"
UP_PORT=19000; GW_PORT=18080; ADMIN_PORT=18081; REDIS_PORT=16398
command -v wrk >/dev/null || { echo "bench: wrk not found (apt-get install wrk)" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "bench: redis-server not found (apt-get install redis-server)" >&2; exit 1; }
WORK="$(mktemp -d)"
cleanup() { kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
PIDS=(); trap cleanup EXIT

"$ROOT/polygate" build
taskset -c 1 redis-server --port $REDIS_PORT --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 & PIDS+=($!)
cat > "$WORK/bench.yaml" <<YAML
host: 127.0.0.1
listen_port: $GW_PORT
admin: {port: $ADMIN_PORT, secret: bench}
storage: {type: redis, redis_uri: "redis://127.0.0.1:$REDIS_PORT"}
apis:
  - {api_id: bench, listen_path: /bench/, target_url: "http://127.0.0.1:$UP_PORT", auth: none}
  - api_id: limited
    listen_path: /limited/
    target_url: "http://127.0.0.1:$UP_PORT"
    auth: none
    rate_limit_algorithm: sliding_log
    global_rate_limit: {rate: 1000000000, per: 1}
YAML

JAVA_OPTS="-Xmx512m" taskset -c 1 "$ROOT/polygate" echo --port $UP_PORT >"$WORK/echo.log" 2>&1 & PIDS+=($!)
JAVA_OPTS="-Xmx512m" POLYGATE_LOG_LEVEL=WARN taskset -c 0 "$ROOT/polygate" start --config "$WORK/bench.yaml" >"$WORK/gw.log" 2>&1 & PIDS+=($!)
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$GW_PORT/bench/ping" && curl -fs -o /dev/null "http://127.0.0.1:$UP_PORT/ping" && break
  sleep 0.2
done
curl -fs -D - -o /dev/null "http://127.0.0.1:$GW_PORT/limited/ping" | grep -qi '^X-RateLimit-Limit' \
  || { echo "bench: the limited API sent no X-RateLimit-Limit header" >&2; exit 1; }

# shellcheck source=lib.sh
. "$ROOT/bench/lib.sh"

echo "warming up ($DURATION s each) ..." >&2
run warm-direct "http://127.0.0.1:$UP_PORT/warm" >/dev/null
run warm-gw "http://127.0.0.1:$GW_PORT/bench/warm" >/dev/null
run warm-limited "http://127.0.0.1:$GW_PORT/limited/warm" >/dev/null

read -r d_rps d_p50 d_p99 d_err < <(run direct "http://127.0.0.1:$UP_PORT/anything?x=1")
read -r g_rps g_p50 g_p99 g_err < <(run gateway "http://127.0.0.1:$GW_PORT/bench/anything?x=1")
read -r l_rps l_p50 l_p99 l_err < <(run limited "http://127.0.0.1:$GW_PORT/limited/anything?x=1")

printf '\n%-36s %12s %10s %10s\n' "path ($CONNS conns, ${DURATION}s)" "req/s" "p50 ms" "p99 ms"
printf '%-36s %12s %10s %10s %s\n' "direct upstream" "$d_rps" "$(to_ms "$d_p50")" "$(to_ms "$d_p99")" "$d_err"
printf '%-36s %12s %10s %10s %s\n' "gateway, plain proxy" "$g_rps" "$(to_ms "$g_p50")" "$(to_ms "$g_p99")" "$g_err"
printf '%-36s %12s %10s %10s %s\n' "gateway, Redis sliding-log limit" "$l_rps" "$(to_ms "$l_p50")" "$(to_ms "$l_p99")" "$l_err"
awk -v l="$l_rps" -v g="$g_rps" -v lp="$(to_ms "$l_p50")" -v gp="$(to_ms "$g_p50")" \
  'BEGIN { printf "limited/plain proxy: throughput %.2fx, p50 latency %.2fx\n", l/g, lp/gp }'
echo "cores: gateway on core 0; echo upstream, redis-server and wrk (1 thread) on core 1"
