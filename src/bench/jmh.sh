#!/usr/bin/env bash
# Runs Signet's JMH microbenchmarks (src/test/java/dev/signet/bench/*Bench.java).
# Arguments go to JMH: e.g. `src/bench/jmh.sh CsrBench -p provider=native -f 1 -wi 3 -i 5`.
# Without arguments it runs every benchmark with settings short enough for a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >&2
cp="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
if [ $# -eq 0 ]; then
  set -- -f 1 -wi 3 -w 2s -i 5 -r 2s
fi
exec java -cp "$cp" org.openjdk.jmh.Main "$@"
