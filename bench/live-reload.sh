#!/usr/bin/env bash
# Live bundle reload under load: two gateway processes sharing one redis-server, wrk against each
# node for DURATION seconds, UPLOADS new versions of a JS bundle pushed through the admin API of
# alternating nodes meanwhile. Prints wrk's figures per node and, per upload, how long after the
# upload's answer each node served the new version (curl polling every 10 ms).
#   bench/live-reload.sh [DURATION=30] [UPLOADS=5] [CONNECTIONS=16]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${1:-30}"; UPLOADS="${2:-5}"; CONNS="${3:-16}"
WORK="$(mktemp -d /tmp/polygate-live-bench.XXXXXX)"
RPORT=$((20000 + RANDOM % 10000))
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no > "$WORK/redis.log" 2>&1 &
PIDS+=($!)
sleep 0.5

for n in 1 2; do
  mkdir -p "$WORK/node$n/bundles"
  cat > "$WORK/node$n/gateway.yaml" <<YAML
host: 127.0.0.1
listen_port: $((RPORT + 10 + n))
admin: {host: 127.0.0.1, port: $((RPORT + 20 + n)), secret: bench-secret}
storage: {type: redis, redis_uri: "redis://127.0.0.1:$RPORT"}
bundles_dir: bundles
apis:
  - {api_id: live, listen_path: /live, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: live}
YAML
  POLYGATE_LOG_LEVEL=WARN "$ROOT/polygate" start --config "$WORK/node$n/gateway.yaml" > "$WORK/node$n/gateway.log" 2>&1 &
  PIDS+=($!)
done

make_bundle() { # version -> zip path
  local v=$1 d="$WORK/src-$1"
  mkdir -p "$d"
  echo '{"file_list": ["middleware.js"], "custom_middleware": {"driver": "js", "pre": [{"name": "stamp"}]}}' > "$d/manifest.json"
  echo "function stamp(request, session, spec) { request.add_header('X-Version', '$v'); }" > "$d/middleware.js"
  "$ROOT/polygate" bundle build "$d" -o "$WORK/v$v.zip" > /dev/null 2>&1
  echo "$WORK/v$v.zip"
}
push() { # version node
  curl -s -o "$WORK/push-$1.json" -w '%{http_code}' -H 'X-Polygate-Secret: bench-secret' -H 'Content-Type: application/zip' \
    --data-binary @"$(make_bundle "$1")" "http://127.0.0.1:$((RPORT + 20 + $2))/bundles?name=live"
}
version_on() { curl -s "http://127.0.0.1:$((RPORT + 10 + $1))/live/x" | sed -n 's/.*"X-Version":"\([0-9]*\)".*/\1/p'; }
now_ms() { date +%s%3N; }

for i in $(seq 1 240); do
  curl -s -o /dev/null "http://127.0.0.1:$((RPORT + 22))/health" -H 'X-Polygate-Secret: bench-secret' && \
  curl -s -o /dev/null "http://127.0.0.1:$((RPORT + 21))/health" -H 'X-Polygate-Secret: bench-secret' && break
  sleep 0.5
done
# the first upload through the CLI, as a user would
"$ROOT/polygate" bundle push "$(make_bundle 1)" --name live --admin "http://127.0.0.1:$((RPORT + 21))" --secret bench-secret \
  | tr -d '\n' | sed 's/  */ /g' | cut -c1-300; echo
for n in 1 2; do until [ "$(version_on $n)" = 1 ]; do sleep 0.1; done; done
# warm up both nodes (JIT) before measuring
wrk -t1 -c4 -d3s "http://127.0.0.1:$((RPORT + 11))/live/x" > /dev/null
wrk -t1 -c4 -d3s "http://127.0.0.1:$((RPORT + 12))/live/x" > /dev/null

wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "http://127.0.0.1:$((RPORT + 11))/live/x" > "$WORK/wrk-node1.txt" 2>&1 &
W1=$!
wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "http://127.0.0.1:$((RPORT + 12))/live/x" > "$WORK/wrk-node2.txt" 2>&1 &
W2=$!
gap=$(( DURATION * 1000 / (UPLOADS + 1) ))
for u in $(seq 1 "$UPLOADS"); do
  sleep "$(awk "BEGIN {print $gap/1000}")"
  v=$((u + 1)); node=$(( (u % 2) + 1 ))
  code=$(push "$v" "$node"); answered=$(now_ms)
  lag=()
  for n in 1 2; do
    until [ "$(version_on $n)" = "$v" ]; do sleep 0.01; done
    lag+=("node$n +$(( $(now_ms) - answered )) ms")
  done
  echo "upload v$v via node$node: HTTP $code, loaded_on $(sed -n 's/.*"loaded_on":\(\[[^]]*\]\).*/\1/p' "$WORK/push-$v.json"); served: ${lag[*]}"
done
wait $W1 $W2
for n in 1 2; do echo "--- wrk node$n"; cat "$WORK/wrk-node$n.txt"; done
echo "--- errors in gateway logs:"; grep -hc "ERROR" "$WORK"/node*/gateway.log || true
echo "work dir: $WORK"
