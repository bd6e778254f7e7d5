#!/usr/bin/env bash
# What a hook call costs without HTTP: for each bundle, a fresh JVM loads it with the gateway's
# plugin runtime and calls its first hook on a sample request from one thread, printing calls/s
# per second from go-live (HookCallBench). The JVM is pinned to one core (CORE, default 1).
#
#   bench/hook-call.sh [SECONDS] [BUNDLE_DIR ...]     default: 60 s, bench/bundles/bench-{py,js}-pre
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_BUNDLE="${1:-60}"; shift || true
BUNDLES=("$@"); [ ${#BUNDLES[@]} -gt 0 ] || BUNDLES=("$ROOT/bench/bundles/bench-py-pre" "$ROOT/bench/bundles/bench-js-pre")
JAVA="${POLYGATE_JAVA:-$(ls -d /usr/lib/jvm/temurin-25*/bin/java 2>/dev/null | head -1)}"
[ -x "$JAVA" ] || { echo "bench: Temurin 25 not found under /usr/lib/jvm (the plugin JIT needs it)" >&2; exit 1; }
(cd "$ROOT" && mvn -B -q -DskipTests package -pl bench/jmh -am) >&2
CP="$ROOT/bench/jmh/target/classes:$ROOT/bench/jmh/target/lib/*"
FLAGS=(-XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI "--upgrade-module-path=$ROOT/host/target/compiler"
       --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dlogback.configurationFile=/dev/null)
echo "one JVM per bundle on core ${CORE:-1}; $(date -u +%FT%TZ); load average $(cut -d' ' -f1-3 /proc/loadavg)"
for b in "${BUNDLES[@]}"; do
  taskset -c "${CORE:-1}" "$JAVA" "${FLAGS[@]}" -cp "$CP" io.polygate.bench.HookCallBench "$b" "$SECONDS_PER_BUNDLE" 2>/dev/null \
    | grep -v '^[0-9:.]* \(INFO\|DEBUG\|WARN\)'
done
