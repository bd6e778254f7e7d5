# syntax=docker/dockerfile:1
# Polygate image (docs/install.md § Docker): the distribution tarball built by Maven, unpacked on a
# Temurin 25 JDK and run as a non-root user.
#   docker build -t polygate .
#   docker run --rm -p 8080:8080 polygate          # the embedded demo: curl localhost:8080/demo/x
# Not built by the repo's tests (no Docker where they run).

FROM maven:3-eclipse-temurin-25 AS build
WORKDIR /src
COPY pom.xml README.md ./
# the parent pom lists bench/jmh as a module: Maven reads its pom even when building host only
COPY bench/jmh/pom.xml bench/jmh/
COPY plugin-sdk plugin-sdk
COPY host host
COPY packaging packaging
COPY samples samples
COPY bundles bundles
COPY docs docs
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests -pl host -am package

# A JDK, not the JRE: the plugin JIT needs JVMCI (jdk.internal.vm.ci, and the jdk.graal.compiler
# module that compiler/ upgrades), which the JDK has; bin/polygate also looks for a JDK.
FROM eclipse-temurin:25-jdk
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /var/lib/polygate --shell /usr/sbin/nologin polygate
COPY --from=build /src/host/target/polygate-*.tar.gz /tmp/
RUN mkdir /opt/polygate && tar xzf /tmp/polygate-*.tar.gz -C /opt/polygate --strip-components=1 \
 && rm /tmp/polygate-*.tar.gz && chown -R polygate:polygate /opt/polygate/bundles
# the installation is read-only to the gateway except bundles/ (uploads); GraalPy unpacks its
# resources into the user's home (/var/lib/polygate/.cache) on first start
USER polygate
WORKDIR /opt/polygate
EXPOSE 8080 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS --max-time 2 -o /dev/null http://localhost:8080/hello || exit 1
# exec form: bin/polygate execs the JVM as PID 1, so `docker stop` (SIGTERM) shuts it down cleanly
ENTRYPOINT ["/opt/polygate/bin/polygate"]
CMD ["start"]
