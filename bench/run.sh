#!/usr/bin/env bash
# Herald's benchmark suite (issue 5). Usage: ./bench/run.sh [scenario...]
#   scenarios: ceiling throughput latency fanout rate5k isolation backlog (none: all of them)
# Builds target/herald.jar (product, unchanged) and compiles src/bench/java into
# target/bench-classes against it (never into the product), then runs dev.herald.bench.Bench,
# which starts the sink and each Herald as separate processes, stops them by PID, and writes
# bench/results/latest.{json,md}, bench/results/latency.svg and the README's table.
# Needs PostgreSQL (postgres@127.0.0.1:5432/test, trust auth) and Redis (127.0.0.1:6379) for
# the pg-memory and pg-redis modes; BENCH_MODES=sqlite-memory runs without them.
# Settings (environment): BENCH_RUNS (3) BENCH_SECONDS (5) BENCH_CONCURRENCY (64)
#   BENCH_FANOUT_CONCURRENCY (8) BENCH_LATENCY_RATE (1000) BENCH_LATENCY_SECONDS (6)
#   BENCH_MODES (sqlite-memory,pg-memory,pg-redis) BENCH_ENDPOINT_CONCURRENCY (512)
#   BENCH_DRAIN_SECONDS (60) BENCH_ISOLATION_RATE (20) BENCH_ISOLATION_SECONDS (6)
#   BENCH_BACKLOG (1000000)
#   BENCH_BACKLOG_MAX_SECONDS (240) BENCH_STRESS_MODE (sqlite-memory) BENCH_NOTE ("")
#   BENCH_LEAD_IN_SECONDS (2: unmeasured 1→1 load before each measured 1→1 run, after its ceiling)
#   BENCH_HERALD_OPTS (extra JVM options for Herald, e.g. a JFR recording)
#   BENCH_DB_POOL_MAX_SIZE (Herald's HERALD_DB_POOL_MAX_SIZE in the PostgreSQL modes; default 20)
#   BENCH_LATENCY_DUMP (a directory: each latency run's samples as CSV, sent_ms,latency_ms)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
if [ -z "${JAVA_HOME:-}" ]; then
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    if [ -x "$candidate/bin/javac" ] && "$candidate/bin/java" -version 2>&1 | grep -Eq 'version "(2[1-9]|[3-9][0-9])'; then
      export JAVA_HOME="$candidate"
      break
    fi
  done
fi
[ -n "${JAVA_HOME:-}" ] || { echo "bench: needs a JDK 21+ (set JAVA_HOME)" >&2; exit 1; }

jar=target/herald.jar
if [ ! -f "$jar" ] || [ -n "$(find src/main pom.xml -newer "$jar" -print -quit)" ]; then
  echo "bench: building $jar ..." >&2
  ./mvnw -q -B -DskipTests package >&2
fi
classes=target/bench-classes
rm -rf "$classes" && mkdir -p "$classes"
"$JAVA_HOME/bin/javac" --release 21 -Xlint:all,-serial,-processing -cp "$jar" -d "$classes" \
  $(find src/bench/java -name '*.java')

export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec "$JAVA_HOME/bin/java" -Xmx2g -XX:+UseParallelGC \
  -Dbench.repo="$here" -cp "$classes:$jar" dev.herald.bench.Bench "$@"
