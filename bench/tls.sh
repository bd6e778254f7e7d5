#!/usr/bin/env bash
# TLS bench (issue 14), in one run on this 2-core machine: nginx terminating TLS in front of the
# bench upstream (bench/nginx/upstream.conf) beside Polygate's `tls` listener in front of the same
# upstream, both with the same self-signed EC P-256 certificate (made by openssl in the work dir),
# TLS 1.3, HTTP/1.1 kept alive (wrk opens its connections once: handshakes are not what is
# measured). nginx gets 2 s of load, the gateway WARMUP seconds (its JIT reaches steady state
# 30-40 s after start, docs/performance.md), then DURATION seconds are measured on each. Prints
# req/s, p50 and p99 of both and the ratio Polygate/nginx.
#
#   flock /tmp/polygate-bench.lock bench/tls.sh                   # full: 30 s measured a side, ~2.5 min
#   DURATION=5 WARMUP=2 flock /tmp/polygate-bench.lock bench/tls.sh   # smoke run
#
# Layout: the proxy under test (nginx, 1 worker, or the gateway) on GW_CORE (1); wrk (-t2 -c64),
# the nginx upstream (return 200 "ok", 1 worker), this script and its curl polls on LOAD_CORE (0);
# all at nice NICE (-15) when permitted. POLYGATE_HOME (default: the checkout holding this script)
# is the gateway measured. Knobs: DURATION (30), WARMUP (60), CONNS (64), LIVE_TIMEOUT (300 s),
# GW_CORE, LOAD_CORE, NICE. Needs wrk (built with TLS), nginx, openssl, curl.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOAD_CORE="${LOAD_CORE:-0}"; GW_CORE="${GW_CORE:-1}"; NICE="${NICE:--15}"
if [ -z "${TLS_BENCH_CHILD:-}" ]; then   # this script and all it starts: nice NICE, on LOAD_CORE
  TLS_BENCH_CHILD=1 exec nice -n "$((NICE - $(nice)))" taskset -c "$LOAD_CORE" "$BASH" "$0" "$@"
fi
POLYGATE_HOME="${POLYGATE_HOME:-$HERE/..}"
[ -d "$POLYGATE_HOME" ] || { echo "tls.sh: POLYGATE_HOME=$POLYGATE_HOME is not a folder" >&2; exit 1; }
POLYGATE_HOME="$(cd "$POLYGATE_HOME" && pwd)"
DURATION="${DURATION:-30}"; WARMUP="${WARMUP:-60}"; CONNS="${CONNS:-64}"; LIVE_TIMEOUT="${LIVE_TIMEOUT:-300}"
UP_PORT=19100; NGINX_PORT=19121; GW_PORT=19130; GW_TLS_PORT=19131; ADMIN_PORT=19132
WORK="$(mktemp -d /tmp/polygate-tls.XXXXXX)"
WRK_THREADS=2; WRK_CORE=$LOAD_CORE   # for run (lib.sh)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

fail() {
  echo "tls.sh: FAILED: $*" >&2
  echo "(wrk outputs and logs: $WORK)"
  exit 1
}
for tool in wrk nginx openssl curl taskset ss; do command -v "$tool" >/dev/null || fail "$tool is not installed"; done
[ -x "$POLYGATE_HOME/polygate" ] || fail "no ./polygate in POLYGATE_HOME=$POLYGATE_HOME"

# ---------------------------------------------------------------- processes
# shellcheck source=processes.sh
. "$HERE/processes.sh"
trap cleanup EXIT
trap 'echo "tls.sh: interrupted" >&2; exit 130' INT TERM

wait_200() { # wait_200 WHAT URL: polls URL (TLS not verified) every 50 ms until it answers 200; fails when PID exits or after LIVE_TIMEOUT
  local end t code; mark end; end=$((end + LIVE_TIMEOUT * 1000))
  while :; do
    code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 5 "$2" || true)
    [ "$code" = 200 ] && return
    alive "$PID" || fail "$1: the process exited"
    mark t; [ "$t" -lt "$end" ] || fail "$1: no 200 within $LIVE_TIMEOUT s (last answer: HTTP $code)"
    sleep 0.05
  done
}
declare -A RPS P50 P99 ERRS
measure() { # measure ROW URL WARM-UP: WARM-UP s of load, then DURATION s measured
  local rps p50 p99 errs
  DURATION=$3 run "$1-warmup" "$2" > /dev/null
  read -r rps p50 p99 errs < <(run "$1" "$2")
  [ -n "$rps" ] || fail "$1: wrk gave no result: $(head -c 300 "$WORK/$1.txt")"
  RPS[$1]=$rps; P50[$1]=$(to_ms "$p50"); P99[$1]=$(to_ms "$p99"); ERRS[$1]=${errs:-}
  echo "  $1: ${RPS[$1]} req/s, p50 ${P50[$1]} ms, p99 ${P99[$1]} ms ${ERRS[$1]}"
}

# ---------------------------------------------------------------- certificate, upstream
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$WORK/server.key" -out "$WORK/server.crt" 2> "$WORK/openssl.log" \
  || fail "openssl could not make the certificate: $(cat "$WORK/openssl.log")"
port_free "$UP_PORT" "$NGINX_PORT" "$GW_PORT" "$GW_TLS_PORT" "$ADMIN_PORT"
mkdir -p "$WORK/upstream/logs"
launch "$WORK/upstream/logs/stdout.log" taskset -c "$LOAD_CORE" nginx -p "$WORK/upstream/" -c "$HERE/nginx/upstream.conf" -e logs/error.log
wait_200 "the nginx upstream" "http://127.0.0.1:$UP_PORT/"
echo "-- load average $(cut -d' ' -f1 /proc/loadavg); ${CONNS} connections, ${DURATION} s measured a side after a warm-up (nginx 2 s, Polygate ${WARMUP} s)"

# ---------------------------------------------------------------- nginx over TLS
mkdir -p "$WORK/nginx/logs"
cat > "$WORK/nginx/nginx.conf" <<CONF
# bench/nginx/proxy.conf with TLS on the listener
worker_processes 1;
daemon off;
pid logs/nginx.pid;
error_log logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    default_type text/plain;
    keepalive_timeout 65s;
    keepalive_requests 1000000;
    upstream up {
        server 127.0.0.1:$UP_PORT;
        keepalive 128;
        keepalive_requests 1000000;
        keepalive_timeout 60s;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT ssl backlog=4096;
        ssl_certificate $WORK/server.crt;
        ssl_certificate_key $WORK/server.key;
        ssl_protocols TLSv1.3;
        location / {
            proxy_pass http://up;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
CONF
launch "$WORK/nginx/logs/stdout.log" taskset -c "$GW_CORE" nginx -p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf" -e logs/error.log
NGINX_PID=$PID
wait_200 "nginx over TLS" "https://127.0.0.1:$NGINX_PORT/"
measure nginx-tls "https://127.0.0.1:$NGINX_PORT/" 2
stop "$NGINX_PID"

# ---------------------------------------------------------------- Polygate over TLS
mkdir -p "$WORK/polygate/bundles"
cat > "$WORK/polygate/gateway.yaml" <<YAML
host: 127.0.0.1
listen_port: $GW_PORT
admin: {host: 127.0.0.1, port: $ADMIN_PORT, secret: bench-secret}
storage: {type: memory}
bundles_dir: $WORK/polygate/bundles
tls:
  port: $GW_TLS_PORT
  certificates: [{cert: $WORK/server.crt, key: $WORK/server.key}]
  min_version: TLSv1.3
apis:
  - {api_id: bench, listen_path: /, strip_listen_path: true, target_url: "http://127.0.0.1:$UP_PORT", auth: none}
YAML
launch "$WORK/polygate/gateway.log" env POLYGATE_LOG_LEVEL=WARN JAVA_OPTS='-Xms1g -Xmx1g' taskset -c "$GW_CORE" \
  "$POLYGATE_HOME/polygate" start --config "$WORK/polygate/gateway.yaml"
wait_200 "Polygate over TLS" "https://127.0.0.1:$GW_TLS_PORT/"
measure polygate-tls "https://127.0.0.1:$GW_TLS_PORT/" "$WARMUP"

# ---------------------------------------------------------------- summary
echo
printf '%-16s %12s %10s %10s\n' "TLS 1.3, keep-alive" "req/s" "p50 ms" "p99 ms"
for row in nginx-tls polygate-tls; do
  printf '%-16s %12s %10s %10s %s\n' "$row" "${RPS[$row]}" "${P50[$row]}" "${P99[$row]}" "${ERRS[$row]}"
done
awk -v g="${RPS[polygate-tls]}" -v n="${RPS[nginx-tls]}" 'BEGIN { printf "polygate/nginx over TLS: throughput %.2fx\n", g / n }'
echo "cores: the proxy under test on $GW_CORE; wrk (2 threads, $CONNS connections) and the upstream on $LOAD_CORE"
