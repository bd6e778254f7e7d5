# Shared by the wrk bench scripts (source it): needs WORK, CONNS and DURATION set.

# run NAME URL -> "rps p50 p99 errors": wrk (1 thread, on core 1) for DURATION seconds; errors is
# wrk's Non-2xx / socket error lines, empty when there were none.
run() {
  taskset -c 1 wrk -t1 -c"$CONNS" -d"$DURATION"s --latency "$2" > "$WORK/$1.txt"
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/$1.txt")
  p50=$(awk '/^ +50%/ {print $2}' "$WORK/$1.txt")
  p99=$(awk '/^ +99%/ {print $2}' "$WORK/$1.txt")
  errs=$(awk '/Non-2xx|Socket errors/ {print}' "$WORK/$1.txt" | tr '\n' ' ')
  echo "$rps $p50 $p99 ${errs:-}"
}

# to_ms 152.00us -> 0.152 (wrk's latency units to milliseconds)
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v); print v } else { sub(/s$/,"",v); print v*1000 } }'; }
