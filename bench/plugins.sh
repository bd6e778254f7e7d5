#!/usr/bin/env bash
# Plugin bench (issue 9), in one run on this 2-core machine: nginx proxy_pass and nginx + njs auth
# (bench/nginx/) beside Polygate as a plain proxy, with a JS and a Python `pre` hook doing the same
# auth work (header Key looked up in a table, 401 if unknown, else X-User upstream), and with a
# Python `auth_check` whose session is cached per key (bench/bundles/). Each Polygate row runs in a
# fresh gateway process: a curve of req/s per slice from the moment its API first answers 200 and,
# for a bundle, again from the moment the upload of a changed version is answered. Then prints the
# means of the first and the last WINDOW seconds of every curve, the ratios with their targets, and
# go-live times (gateway start to first 200 with one and with ten Python bundles; upload answered to
# the new version serving).
#
#   flock /tmp/polygate-bench.lock bench/plugins.sh                            # full: 3 min a curve
#   SLICES=2 SLICE_SECONDS=5 flock /tmp/polygate-bench.lock bench/plugins.sh   # smoke run
# The curves alone take 25 min (smoke: 1.5 min); gateway starts and bundle loads come on top (with
# the runtime of 2026-12-01, 1-3 min per Python start: a smoke run took 11 min).
#   ROWS=nginx,plain,golive bench/plugins.sh    # a subset of: nginx njs plain js-pre py-pre py-auth golive
#
# Layout: the proxy under test (nginx or the gateway) on GW_CORE (1); wrk (-t2 -c64, header Key: k1),
# the nginx upstream (return 200 "ok", 1 worker), this script and its curl polls on LOAD_CORE (0);
# all at nice NICE (-15) when permitted. POLYGATE_HOME (default: the checkout holding this script)
# is the gateway measured, run from its root. Knobs: SLICES (18), SLICE_SECONDS (10), WINDOW (30),
# ROWS, LIVE_TIMEOUT (300 s), GW_CORE, LOAD_CORE, NICE. Needs wrk, nginx, libnginx-mod-http-js, curl.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOAD_CORE="${LOAD_CORE:-0}"; GW_CORE="${GW_CORE:-1}"; NICE="${NICE:--15}"
if [ -z "${PLUGINS_BENCH_CHILD:-}" ]; then   # this script and all it starts: nice NICE, on LOAD_CORE
  PLUGINS_BENCH_CHILD=1 exec nice -n "$((NICE - $(nice)))" taskset -c "$LOAD_CORE" "$BASH" "$0" "$@"
fi
POLYGATE_HOME="${POLYGATE_HOME:-$HERE/..}"
[ -d "$POLYGATE_HOME" ] || { echo "plugins.sh: POLYGATE_HOME=$POLYGATE_HOME is not a folder" >&2; exit 1; }
POLYGATE_HOME="$(cd "$POLYGATE_HOME" && pwd)"
SLICES="${SLICES:-18}"; SLICE_SECONDS="${SLICE_SECONDS:-10}"; WINDOW="${WINDOW:-30}"
ROWS=",${ROWS:-nginx,njs,plain,js-pre,py-pre,py-auth,golive},"
LIVE_TIMEOUT="${LIVE_TIMEOUT:-300}"
KEY=k1; SECRET=bench-secret
UP_PORT=19100; NGINX_PORT=19101; NJS_PORT=19102; GW_PORT=19110; ADMIN_PORT=19111
WORK="$(mktemp -d /tmp/polygate-plugins.XXXXXX)"
CONNS=64; DURATION=$SLICE_SECONDS; WRK_THREADS=2; WRK_CORE=$LOAD_CORE   # for run (lib.sh)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
WIN_N=$(( (WINDOW + SLICE_SECONDS - 1) / SLICE_SECONDS )); [ "$WIN_N" -le "$SLICES" ] || WIN_N=$SLICES
WIN_S=$((WIN_N * SLICE_SECONDS))   # the seconds a "first" or "steady" mean covers
declare -A R LIVE_MS UPLOAD_MS LAG_MS   # results: R[ROW.PHASE.first|steady] req/s; times in ms

fail() {
  echo "plugins.sh: FAILED: $*" >&2
  if [ -n "${GW_LOG:-}" ]; then echo "  last lines of $GW_LOG:" >&2; tail -n 15 "$GW_LOG" | sed 's/^/  | /' >&2; fi
  if [ ${#R[@]} -gt 0 ] || [ ${#LIVE_MS[@]} -gt 0 ]; then echo; echo "== measured before the failure:"; summary; fi
  echo "(wrk outputs and gateway logs: $WORK)"
  exit 1
}
for tool in wrk nginx curl taskset ss; do command -v "$tool" >/dev/null || fail "$tool is not installed"; done
[ -f /usr/lib/nginx/modules/ngx_http_js_module.so ] || fail "njs is not installed (apt-get install libnginx-mod-http-js)"
[ -x "$POLYGATE_HOME/polygate" ] || fail "no ./polygate in POLYGATE_HOME=$POLYGATE_HOME"
cd "$POLYGATE_HOME"

# ---------------------------------------------------------------- processes
# shellcheck source=processes.sh
. "$HERE/processes.sh"
trap cleanup EXIT
trap 'echo "plugins.sh: interrupted" >&2; exit 130' INT TERM

fetch() { # fetch URL [KEY]: one GET with header Key (default $KEY); CODE (000: no answer), BODY, TOOK (s)
  local out; out=$(curl -s -w '\n%{http_code} %{time_total}' --max-time 5 -H "Key: ${2:-$KEY}" "$1" || true)
  BODY=${out%$'\n'*}; read -r CODE TOOK <<< "${out##*$'\n'}"
}
answered() { fetch "$@"; case $CODE in 000 | 5??) return 1;; esac; }   # answered URL [KEY]: neither 5xx nor no answer
# expect WHAT CODE URL [KEY [BODY]]: waits while URL answers 5xx or nothing (after a curve a slow hook still
# works off queued requests), then fails the run unless it answers CODE (and BODY)
expect() {
  wait_for "$1" "$PID" answered "$3" "${4:-}"
  [ "$CODE" = "$2" ] && { [ -z "${5:-}" ] || [ "$BODY" = "$5" ]; } || fail "$1: GET $3 answered HTTP $CODE '${BODY:0:80}', expected $2 ${5:-}"
}
PENDING=()   # URLs not yet live (wait_live)
pending_live() { # true once every URL in PENDING has answered 200; drops each that has
  local u left=()
  for u in "${PENDING[@]}"; do fetch "$u"; [ "$CODE" = 200 ] || left+=("$u"); done
  PENDING=("${left[@]}"); [ ${#PENDING[@]} -eq 0 ]
}
serves_v2() { fetch "$1"; [ "$BODY" = user=alice-v2 ]; }   # serves_v2 WHOAMI-URL: the upstream got X-User: alice-v2
wait_for() { # wait_for WHAT PID COMMAND...: COMMAND every 20 ms until it succeeds; fails when PID exits or after LIVE_TIMEOUT
  local what=$1 pid=$2 end t; shift 2
  mark end; end=$((end + LIVE_TIMEOUT * 1000))
  until "$@"; do
    alive "$pid" || fail "$what: the process under test exited"
    mark t; [ "$t" -lt "$end" ] || fail "$what: not within $LIVE_TIMEOUT s (waiting for: ${PENDING[*]:-$*}; last answer: HTTP ${CODE:-none})"
    sleep 0.02
  done
}
wait_live() { PENDING=("${@:2}"); wait_for "$1" "$PID" pending_live; }   # wait_live WHAT URL...: all answer 200

start_nginx() { # start_nginx NAME CORE PORT: bench/nginx/NAME.conf on CORE (prefix $WORK/NAME); PID
  mkdir -p "$WORK/$1/logs"; port_free "$3"
  launch "$WORK/$1/logs/stdout.log" taskset -c "$2" nginx -p "$WORK/$1/" -c "$HERE/nginx/$1.conf" -e logs/error.log
  wait_live "nginx $1 on port $3" "http://127.0.0.1:$3/"
}
api() { # api ID PATH AUTH [BUNDLE] -> one API definition (YAML flow mapping) in front of the upstream
  printf '{api_id: %s, listen_path: %s, strip_listen_path: true, target_url: "http://127.0.0.1:%s", auth: %s%s}' \
    "$1" "$2" "$UP_PORT" "$3" "${4:+, custom_middleware_bundle: $4}"
}
start_gateway() { # start_gateway DIR API...: DIR/gateway.yaml over fresh copies of the bundles its APIs name; PID, GW_T0 (ms), GW_LOG
  local dir=$1 a b; shift
  port_free "$GW_PORT" "$ADMIN_PORT"
  mkdir -p "$dir/bundles"
  for a in "$@"; do   # only those, so that each gateway sees the bundles of its own row
    b=$(sed -n 's/.*custom_middleware_bundle: \([^,}]*\).*/\1/p' <<< "$a")
    [ -z "$b" ] || cp -r "$WORK/bundles/$b" "$dir/bundles/$b"
  done
  cat > "$dir/gateway.yaml" <<YAML
host: 127.0.0.1
listen_port: $GW_PORT
admin: {host: 127.0.0.1, port: $ADMIN_PORT, secret: $SECRET}
storage: {type: memory}
bundles_dir: $dir/bundles
apis:
$(printf '  - %s\n' "$@")
YAML
  GW_LOG=$dir/gateway.log; mark GW_T0
  launch "$GW_LOG" env POLYGATE_LOG_LEVEL=WARN JAVA_OPTS='-Xms1g -Xmx1g' taskset -c "$GW_CORE" \
    "$POLYGATE_HOME/polygate" start --config "$dir/gateway.yaml"
}

# ---------------------------------------------------------------- measuring
field() { grep -o "\"$1\":\"[^\"]*\"" "$2" | head -1 | cut -d'"' -f4; }   # field NAME JSON-FILE: its first "NAME":"value"
secs() { awk -v ms="$1" 'BEGIN {printf "%.2f s", ms / 1000}'; }
curve() { # curve ID URL N: N consecutive wrk slices of SLICE_SECONDS; prints req/s of each; RATES
  local id=$1 url=$2 i rps errs notes=()
  RATES=()
  for i in $(seq 1 "$3"); do
    read -r rps _ _ errs < <(run "$id-$i" "$url" -H "Key: $KEY")
    [ -n "$rps" ] || fail "$id: wrk gave no result (slice $i): $(head -c 300 "$WORK/$id-$i.txt")"
    RATES+=("$(printf '%.0f' "$rps")")
    printf ' %s%s' "${RATES[-1]}" "${errs:+*}"
    [ -z "$errs" ] || notes+=("slice $i: $errs")
  done
  echo
  [ ${#notes[@]} -eq 0 ] || printf '      * %s\n' "${notes[@]}"
}
mean() { # mean first|last: mean req/s of the first / last WIN_N slices of RATES
  local s; if [ "$1" = first ]; then s=("${RATES[@]:0:WIN_N}"); else s=("${RATES[@]: -WIN_N}"); fi
  printf '%s\n' "${s[@]}" | awk '{t += $1} END {printf "%.0f", t / NR}'
}
measure() { # measure ROW PHASE URL: the curve of one phase (live|reload) of a Polygate row, and its means
  printf '  %-7s req/s per %ss:' "$2" "$SLICE_SECONDS"
  curve "$1-$2" "$3" "$SLICES"
  R[$1.$2.first]=$(mean first); R[$1.$2.steady]=$(mean last)
  echo "          first ${WIN_S}s ${R[$1.$2.first]} req/s, last ${WIN_S}s (steady) ${R[$1.$2.steady]} req/s"
}

nginx_row() { # nginx_row ROW CONF PORT LABEL: nginx CONF.conf on GW_CORE, 2 s warm-up, then WIN_N slices
  local row=$1 url=http://127.0.0.1:$3/ pid
  echo "-- $row: $4; load average $(cut -d' ' -f1 /proc/loadavg)"
  start_nginx "$2" "$GW_CORE" "$3"; pid=$PID
  if [ "$row" = njs ]; then
    expect "njs, an unknown key" 401 "$url" nope
    expect "njs, X-User upstream" 200 "${url}whoami" "$KEY" user=alice
  fi
  DURATION=2 run "$row-warmup" "$url" -H "Key: $KEY" > /dev/null
  printf '  steady  req/s per %ss:' "$SLICE_SECONDS"
  curve "$row" "$url" "$WIN_N"
  R[$row.live.steady]=$(mean last)
  echo "          ${R[$row.live.steady]} req/s"
  stop "$pid"
}

# polygate_row ROW LABEL AUTH [BUNDLE REJECT]: a fresh gateway with one API at /; the curve from its
# first 200; with a BUNDLE, checks (an unknown key gets REJECT), the upload of version 2 (bundle
# sources with "alice" -> "alice-v2") and the curve from the upload's answer
polygate_row() {
  local row=$1 auth=$3 bundle=${4:-} reject=${5:-} url=http://127.0.0.1:$GW_PORT/ sent answered served code
  echo "-- $row: $2; load average $(cut -d' ' -f1 /proc/loadavg)"
  start_gateway "$WORK/$row" "$(api "$row" / "$auth" "$bundle")"
  wait_live "$row: GET / answering 200" "$url"
  mark served; LIVE_MS[$row]=$((served - GW_T0))
  echo "  live $(secs "${LIVE_MS[$row]}") after the gateway was started (first 200 on GET /)"
  measure "$row" live "$url"
  [ -n "$bundle" ] || { stop "$PID"; return; }
  expect "$row, an unknown key" "$reject" "$url" nope
  [ "$auth" != none ] || expect "$row, X-User upstream" 200 "${url}whoami" "$KEY" user=alice
  mark sent
  code=$(curl -s -o "$WORK/$row/upload.json" -w '%{http_code}' --max-time "$LIVE_TIMEOUT" -H "X-Polygate-Secret: $SECRET" \
    -H 'Content-Type: application/zip' --data-binary @"$WORK/$bundle-v2.zip" "http://127.0.0.1:$ADMIN_PORT/bundles?name=$bundle" || true)
  mark answered; UPLOAD_MS[$row]=$((answered - sent))
  [ "$code" = 201 ] || fail "$row: the upload of version 2 answered HTTP $code: $(head -c 400 "$WORK/$row/upload.json")"
  if [ "$auth" = none ]; then   # poll before printing anything: the printing would count into the lag
    wait_for "$row: version 2 (X-User: alice-v2) serving" "$PID" serves_v2 "${url}whoami"
    mark served; LAG_MS[$row]=$((served - answered))
  fi
  printf '  upload of version 2: HTTP 201 after %s (version %s -> %s, status %s)\n' "$(secs "${UPLOAD_MS[$row]}")" \
    "$(field previous_version "$WORK/$row/upload.json")" "$(field version "$WORK/$row/upload.json")" "$(field status "$WORK/$row/upload.json")"
  if [ -n "${LAG_MS[$row]:-}" ]; then
    echo "  version 2 served (upstream got X-User: alice-v2) $(secs "${LAG_MS[$row]}") after the upload's answer (that request took $(printf '%.2f' "$TOOK") s)"
  else
    echo "  (version 2 is not visible upstream; the cached sessions went with version 1, so the hook runs again once)"
  fi
  measure "$row" reload "$url"
  stop "$PID"
}

golive_row() { # gateway start until every API answers 200: one API with a Python bundle, then ten, each its own
  local n i apis urls live
  echo "-- golive: gateway start until 1 and 10 Python bundles (an API each, pre hook as py-pre) answer 200"
  for n in 1 10; do
    apis=(); urls=()
    for i in $(seq 1 "$n"); do apis+=("$(api "py$i" "/py$i/" none "bench-py-pre-$i")"); urls+=("http://127.0.0.1:$GW_PORT/py$i/"); done
    start_gateway "$WORK/golive-$n" "${apis[@]}"
    wait_live "golive: $n Python bundle(s) answering 200" "${urls[@]}"
    mark live; LIVE_MS[golive-$n]=$((live - GW_T0))
    echo "  $n: all live $(secs "${LIVE_MS[golive-$n]}") after the gateway was started"
    stop "$PID"
  done
}

# ---------------------------------------------------------------- bundles: a working copy, ten Python copies, version 2 zips
cp -r "$HERE/bundles" "$WORK/bundles"
for i in $(seq 1 10); do
  cp -r "$WORK/bundles/bench-py-pre" "$WORK/bundles/bench-py-pre-$i"
  echo "# copy $i, so that every API has a bundle version of its own" >> "$WORK/bundles/bench-py-pre-$i/middleware.py"
done
for b in bench-js-pre bench-py-pre bench-py-auth; do
  cp -r "$HERE/bundles/$b" "$WORK/$b-v2"
  sed -i 's/"alice"/"alice-v2"/' "$WORK/$b-v2"/middleware.*
  grep -q alice-v2 "$WORK/$b-v2"/middleware.* || fail "$b: no \"alice\" in its middleware to change for version 2"
  # also builds POLYGATE_HOME first if its sources changed, so no build happens while a start is timed
  "$POLYGATE_HOME/polygate" bundle build "$WORK/$b-v2" -o "$WORK/$b-v2.zip" > "$WORK/$b-v2.log" 2>&1 \
    || fail "bundle build $b version 2: $(tail -3 "$WORK/$b-v2.log")"
done

# ---------------------------------------------------------------- summary
declare -A NAME=([nginx]="nginx proxy_pass" [njs]="nginx + njs auth" [plain]="Polygate plain"
  [js-pre]="Polygate JS pre" [py-pre]="Polygate Python pre" [py-auth]="Polygate Python auth_check")
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {print ((op == ">=") ? v >= t : v <= t) ? "ok" : "MISSED"}'; }
ratio() { # ratio LABEL NUM DEN [TARGET]: NUM/DEN, and against ">= TARGET" when given; nothing when a row did not run
  [ -n "$2" ] && [ -n "$3" ] || return 0
  local r; r=$(awk -v a="$2" -v b="$3" 'BEGIN {printf "%.2f", a / b}')
  printf '  %-64s %6sx%s\n' "$1" "$r" "${4:+   target >= ${4}x: $(verdict "$r" '>=' "$4")}"
}
golive_line() { # golive_line LABEL MS TARGET-SECONDS; nothing when not measured
  [ -n "$2" ] || return 0
  printf '  %-64s %8s   target <= %s s: %s\n' "$1" "$(secs "$2")" "$3" "$(verdict "$2" '<=' "$(awk -v s="$3" 'BEGIN {print s * 1000}')")"
}
summary() { # what was measured, with the ratios and targets
  local row phase plain=${R[plain.live.steady]:-} steady_target first_target ten
  echo
  echo "== req/s: first = mean of the first ${WIN_S}s of a curve, steady = mean of its last ${WIN_S}s"
  printf '  %-36s %12s %12s %12s %12s\n' "" "live first" "live steady" "reload first" "reload steady"
  for row in nginx njs plain js-pre py-pre py-auth; do
    [ -n "${R[$row.live.steady]:-}" ] || continue
    printf '  %-36s %12s %12s %12s %12s\n' "${NAME[$row]}" "${R[$row.live.first]:--}" "${R[$row.live.steady]}" \
      "${R[$row.reload.first]:--}" "${R[$row.reload.steady]:--}"
  done
  echo "== ratios"
  ratio "nginx + njs / nginx proxy_pass" "${R[njs.live.steady]:-}" "${R[nginx.live.steady]:-}"
  ratio "Polygate plain / nginx proxy_pass" "$plain" "${R[nginx.live.steady]:-}"
  for row in js-pre py-pre py-auth; do
    if [ "$row" = py-auth ]; then steady_target=0.9; first_target=""; else steady_target=0.7; first_target=0.3; fi
    for phase in live reload; do
      ratio "${NAME[$row]}, $phase steady / plain steady" "${R[$row.$phase.steady]:-}" "$plain" "$steady_target"
      ratio "${NAME[$row]}, $phase first ${WIN_S}s / plain steady" "${R[$row.$phase.first]:-}" "$plain" "$first_target"
    done
  done
  echo "== go-live"
  golive_line "gateway start -> an API with a Python bundle answers 200" "${LIVE_MS[golive-1]:-}" 5
  if [ -n "${LIVE_MS[golive-10]:-}" ]; then
    ten=$(awk -v a="${LIVE_MS[golive-10]}" -v b="${LIVE_MS[golive-1]}" 'BEGIN {printf "%.2f", a / b}')
    printf '  %-64s %8s   %sx one bundle, target <= 2x: %s\n' "gateway start -> ten APIs with a Python bundle each answer 200" \
      "$(secs "${LIVE_MS[golive-10]}")" "$ten" "$(verdict "$ten" '<=' 2)"
  fi
  golive_line "Python: upload answered -> version 2 serves (upload: $(secs "${UPLOAD_MS[py-pre]:-0}"))" "${LAG_MS[py-pre]:-}" 1
  golive_line "JS: upload answered -> version 2 serves (upload: $(secs "${UPLOAD_MS[js-pre]:-0}"))" "${LAG_MS[js-pre]:-}" 0.2
  for row in plain js-pre py-pre py-auth; do
    [ -z "${LIVE_MS[$row]:-}" ] || printf '  %-64s %8s\n' "${NAME[$row]}: start -> first 200 (curve t=0)" "$(secs "${LIVE_MS[$row]}")"
  done
}

# ---------------------------------------------------------------- the run
echo "== bench/plugins.sh $(date -u +%FT%TZ); Polygate at $POLYGATE_HOME ($(git -C "$POLYGATE_HOME" rev-parse --abbrev-ref HEAD 2>/dev/null) $(git -C "$POLYGATE_HOME" rev-parse --short HEAD 2>/dev/null))"
echo "   cpu$GW_CORE: the proxy under test (nginx proxy or Polygate, -Xms1g -Xmx1g); cpu$LOAD_CORE: wrk -t$WRK_THREADS -c$CONNS (Key: $KEY), nginx upstream (1 worker), this script; nice $(nice)"
echo "   curves: $SLICES slices of ${SLICE_SECONDS}s; first/steady = mean of the first/last ${WIN_S}s; load average $(cut -d' ' -f1-3 /proc/loadavg); work dir $WORK"
curve_seconds=0   # the load alone; gateway starts, bundle loads and uploads come on top
for row in nginx njs plain js-pre py-pre py-auth; do
  case $ROWS,$row in
    *,$row,*,nginx | *,$row,*,njs) curve_seconds=$((curve_seconds + 2 + WIN_S));;
    *,$row,*,plain) curve_seconds=$((curve_seconds + SLICES * SLICE_SECONDS));;
    *,$row,*) curve_seconds=$((curve_seconds + 2 * SLICES * SLICE_SECONDS));;
  esac
done
echo "   the curves take $((curve_seconds / 60)) min $((curve_seconds % 60)) s; gateway starts, bundle loads and uploads come on top"
port_free "$UP_PORT"
start_nginx upstream "$LOAD_CORE" "$UP_PORT"
case $ROWS in *,nginx,*) nginx_row nginx proxy "$NGINX_PORT" "nginx proxy_pass (bench/nginx/proxy.conf)";; esac
case $ROWS in *,njs,*) nginx_row njs njs "$NJS_PORT" "nginx + njs auth plugin (bench/nginx/njs.conf, auth.js)";; esac
case $ROWS in *,plain,*) polygate_row plain "Polygate plain proxy (keyless API at /)" none;; esac
case $ROWS in *,js-pre,*) polygate_row js-pre "Polygate + JS pre hook (bundles/bench-js-pre)" none bench-js-pre 401;; esac
case $ROWS in *,py-pre,*) polygate_row py-pre "Polygate + Python pre hook (bundles/bench-py-pre)" none bench-py-pre 401;; esac
case $ROWS in *,py-auth,*) polygate_row py-auth "Polygate + Python auth_check, session cached per Key (bundles/bench-py-auth)" plugin bench-py-auth 403;; esac
case $ROWS in *,golive,*) golive_row;; esac

summary
echo "(wrk outputs and gateway logs: $WORK)"
