#!/usr/bin/env bash
# JMH: one limiter check per algorithm, in memory and in Redis, beside baselines measured in the
# same run (a concurrent-map update for memory, one Redis GET round trip for Redis).
#
#   bench/jmh.sh [extra JMH options, e.g. -wi 1 -i 2]
#
# Cores (2-core machine): JMH and its single benchmark thread are pinned to core 0, redis-server to
# core 1. Prints a table of ns/op and the ratios. Not a test: figures vary with machine load.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v redis-server >/dev/null || { echo "bench: redis-server not found (apt-get install redis-server)" >&2; exit 1; }
JAVA="${POLYGATE_JAVA:-$(ls -d /usr/lib/jvm/temurin-25*/bin/java 2>/dev/null | head -1)}"
JAVA="${JAVA:-java}"
WORK="$(mktemp -d)"
PORT=16399
cleanup() { [ -n "${REDIS_PID:-}" ] && kill "$REDIS_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

(cd "$ROOT" && mvn -B -q -DskipTests package -pl bench/jmh -am) >&2
taskset -c 1 redis-server --port $PORT --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 1 50); do redis-cli -p $PORT ping >/dev/null 2>&1 && break; sleep 0.1; done

CP="$ROOT/bench/jmh/target/classes:$ROOT/bench/jmh/target/lib/*"
taskset -c 0 "$JAVA" -cp "$CP" org.openjdk.jmh.Main -t 1 -jvmArgsAppend "-Dredis=redis://127.0.0.1:$PORT -Xmx512m" \
  -rf json -rff "$WORK/result.json" "$@" 'io.polygate.bench.*' >&2

python3 - "$WORK/result.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
base = {}
lim = {}
for r in rows:
    name = r["benchmark"].rsplit(".", 1)[-1]
    score, err = r["primaryMetric"]["score"], r["primaryMetric"]["scoreError"]
    if "Baseline" in r["benchmark"]:
        base[name] = (score, err)
    else:
        p = r["params"]
        lim[(p["algorithm"], p["store"])] = (score, err)
mb, rb = base["mapUpdate"][0], base["redisGet"][0]
print(f"baselines: concurrent-map update {mb:.1f} ns/op, Redis GET round trip {rb/1000:.1f} us/op")
print(f"{'algorithm':16} {'memory ns/op':>13} {'x map':>7} {'redis us/op':>12} {'x GET':>7}")
for a in ["TOKEN_BUCKET", "SLIDING_LOG", "FIXED_WINDOW", "SLIDING_WINDOW", "SENTINEL"]:
    m = lim.get((a, "memory")); r = lim.get((a, "redis"))
    ms = f"{m[0]:13.1f} {m[0]/mb:7.2f}" if m else f"{'failed':>13} {'':7}"
    rs = f"{r[0]/1000:12.1f} {r[0]/rb:7.2f}" if r else f"{'failed':>12} {'':7}"
    print(f"{a.lower():16} {ms} {rs}")
print("cores: JMH (1 benchmark thread) on core 0, redis-server on core 1")
PY
