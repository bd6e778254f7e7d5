# Sourced by both launchers, ./polygate (the repo) and bin/polygate (the distribution, which
# carries this file next to it): the JDK they pick, the JVM flags and the commands Java serves,
# kept in one place so that the two cannot drift. Not executable on its own.
#
# The launcher sets, before calling polygate_run:
#   POLYGATE_HOME          the installation: relative paths of the embedded demo config (bundles/)
#                          resolve against it (-Dpolygate.home)
#   POLYGATE_CLASSPATH     the gateway's class path
#   POLYGATE_COMPILER_DIR  the Graal compiler jars, for the upgrade module path (the plugin JIT)
#   JDK                    from find_jdk

# The commands polygate_run hands to Java; everything else is the launcher's own.
POLYGATE_JAVA_COMMANDS="start check version echo plugin bundle"

is_java_command() { # true when $1 is one of POLYGATE_JAVA_COMMANDS
  [ -n "$1" ] && case " $POLYGATE_JAVA_COMMANDS " in *" $1 "*) true ;; *) false ;; esac
}

java_version() { # major version of the JDK at $1, or 0
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
  echo "${v:-0}"
}

find_jdk() { # prints a JDK 21+: JAVA_HOME, else under /usr/lib/jvm (or POLYGATE_JVM_DIR), Temurin 25 first
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(java_version "$JAVA_HOME")" -ge 21 ]; then
    echo "$JAVA_HOME"; return
  fi
  local best="" bestv=0 d v
  local jvm="${POLYGATE_JVM_DIR:-/usr/lib/jvm}"
  for d in "$jvm"/temurin-25* "$jvm"/*; do
    [ -x "$d/bin/javac" ] || continue
    v=$(java_version "$d")
    if [ "$v" -ge 21 ] && [ "$v" -gt "$bestv" ]; then best="$d"; bestv="$v"; fi
    case "$d" in */temurin-25*) if [ "$v" -ge 25 ]; then echo "$d"; return; fi ;; esac
  done
  if [ -n "$best" ]; then echo "$best"; return; fi
  echo "polygate: no JDK 21+ found in JAVA_HOME or $jvm; install Temurin 25 (e.g. apt-get install temurin-25-jdk) or set JAVA_HOME" >&2
  exit 1
}

polygate_run() { # replaces the shell with the JVM serving command $1 (so that SIGTERM reaches it)
  local flags=()
  if [ -d "$POLYGATE_COMPILER_DIR" ]; then
    flags+=(-XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI "--upgrade-module-path=$POLYGATE_COMPILER_DIR")
  fi
  if [ "$(java_version "$JDK")" -ge 24 ]; then
    flags+=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
  fi
  # huge pages for the heap and the JIT's code where the kernel lets a process ask for them (fewer
  # TLB misses: +3 % on the plain proxy, docs/performance.md § Settings); with THP off the JVM would warn
  if grep -qs '\[always\]\|\[madvise\]' /sys/kernel/mm/transparent_hugepage/enabled; then
    flags+=(-XX:+UseTransparentHugePages)
  fi
  # shellcheck disable=SC2086
  exec "$JDK/bin/java" "${flags[@]}" ${JAVA_OPTS:-} -Dpolygate.home="$POLYGATE_HOME" -cp "$POLYGATE_CLASSPATH" io.polygate.Main "$@"
}

polygate_usage() { # to stderr; $1: the launcher's name, $2: lines for the launcher's own commands
  printf 'usage: %s <command> [options]      (%s <command> --help for each one'"'"'s options)\n\n' "$1" "$1" >&2
  cat >&2 <<'USAGE'
  start [--config FILE]     start the gateway (default: $POLYGATE_CONFIG, else the embedded demo
                            config: in-memory store, echo upstream, API /demo/ on :8080, admin on :8081)
  check --config FILE       check the config, its API definitions and the bundles in bundles_dir
                            without starting anything; list every problem (exit 0 valid, 1 not)
  version                   print the version, commit, JDK and GraalVM
  echo [--port N]           start a standalone echo upstream (default 127.0.0.1:9000)
  bundle build <dir> [-o x.zip] [--key private.pem] [--strict]
                            zip a plugin bundle (manifest.json + its file_list), writing checksum
                            and signature as Tyk's `tyk bundle build` does (docs/bundles.md)
  bundle verify x.zip [--key public.pem] [--strict]
                            check a bundle's checksum and signature as the gateway would
  bundle push x.zip --name NAME [--admin URL --secret S]
                            upload a bundle through the admin API and print the answer
  plugin run <bundle> <hook> --request req.json [--data key=value ...] [--allow-http host ...] [--timeout-ms N]
                            run one hook of a bundle (folder or zip) on a sample request, without
                            a gateway, and print what it changed (docs/plugins.md)
USAGE
  [ -z "${2:-}" ] || printf '%s\n' "$2" >&2
  cat >&2 <<'USAGE'

exit status: 0 success, 1 failure (bad config, port taken, Redis unreachable...), 2 a mistake in
             the command line (unknown option, missing value)
environment: JAVA_HOME (a JDK 21+; Temurin 25 for the plugin JIT), POLYGATE_ADMIN_SECRET,
             POLYGATE_CONFIG, POLYGATE_LOG_LEVEL, JAVA_OPTS (extra JVM options)
USAGE
}
