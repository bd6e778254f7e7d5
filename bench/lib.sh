# Shared by the wrk bench scripts (source it): needs WORK, CONNS and DURATION set.

# run NAME URL [WRK OPTION...] -> "rps p50 p99 errors": wrk (WRK_THREADS threads, default 1, on core
# WRK_CORE, default 1) for DURATION seconds, raw output in $WORK/NAME.txt; errors is wrk's Non-2xx /
# socket error lines, empty when there were none.
run() {
  local name=$1 url=$2; shift 2
  timeout $((DURATION + 30)) taskset -c "${WRK_CORE:-1}" wrk -t"${WRK_THREADS:-1}" -c"$CONNS" -d"$DURATION"s --latency "$@" "$url" \
    > "$WORK/$name.txt"
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/$name.txt")
  p50=$(awk '/^ +50%/ {print $2}' "$WORK/$name.txt")
  p99=$(awk '/^ +99%/ {print $2}' "$WORK/$name.txt")
  errs=$(awk '/Non-2xx|Socket errors/ {print}' "$WORK/$name.txt" | tr '\n' ' ')
  echo "$rps $p50 $p99 ${errs:-}"
}

# to_ms 152.00us -> 0.152 (wrk's latency units to milliseconds)
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v); print v } else { sub(/s$/,"",v); print v*1000 } }'; }

# mark VAR: VAR = wall-clock time in milliseconds (bash's clock: no process, no subshell)
mark() { printf -v "$1" '%s' $(( ${EPOCHREALTIME/[.,]/} / 1000 )); }
