#!/usr/bin/env bash
# Bounded fuzzing: each Jazzer target in src/test/java/dev/signet/fuzz (or the @FuzzTest classes
# named in SIGNET_FUZZ_TARGETS) fuzzed for SIGNET_FUZZ_SECONDS (default 40) in a JVM of its own,
# on Java 17. Any finding fails the run;
# its input is printed here (the CI clone is thrown away) and reproduces as docs/security.md says.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${SIGNET_FUZZ_SECONDS:-40}
jdk=${SIGNET_JDK17:-$(ls -d /usr/lib/jvm/temurin-17-jdk* /usr/lib/jvm/java-17-openjdk* 2>/dev/null | head -n1 || true)}
if [ -z "$jdk" ] || [ ! -x "$jdk/bin/java" ]; then
  echo "missing JDK 17 under /usr/lib/jvm" >&2
  exit 1
fi
read -r -a targets <<< "${SIGNET_FUZZ_TARGETS:-CsrParserFuzzTest PemFuzzTest TokenFuzzTest}"
# Jazzer writes a finding into the target's inputs directory as found on the class path.
inputs=(src/test/resources/dev/signet target/test-classes/dev/signet)
log=$(mktemp)
marker=$(mktemp)
trap 'rm -f "$log" "$marker"' EXIT

# One JVM per target (Jazzer fuzzes one test per JVM). JUnit's own timeouts are off: Jazzer
# turns each target's @Timeout into libFuzzer's per-input -timeout, which reports a hang as a
# finding, while JUnit would apply it to the whole fuzzing run.
status=0
JAVA_HOME="$jdk" JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" \
  timeout $(( ${#targets[@]} * (seconds + 180) )) \
  ./mvnw -B test -Djazzer.hooks=true -DforkCount=1 -DreuseForks=false \
    -Dtest="$(IFS=,; echo "${targets[*]}")" -Dsurefire.failIfNoSpecifiedTests=false \
    -DargLine=-Djunit.jupiter.execution.timeout.mode=disabled 2>&1 | tee "$log" || status=$?

echo "=== fuzzing summary (${seconds}s per target)"
awk '/Running dev\.signet\./ { t = $NF }
     /DONE .*exec\/s/ { print t ": " $0 }' "$log"

findings=$(find "${inputs[@]}" -newer "$marker" -type f \
  \( -name 'crash-*' -o -name 'timeout-*' -o -name 'slow-unit-*' -o -name 'oom-*' \) || true)
if [ -n "$findings" ]; then
  echo "=== findings: put each into src/test/resources/<package>/<Target>Inputs/<method>/"
  echo "    (base64 -d) and ./mvnw -B test -Dtest=<Target> replays it (docs/security.md)"
  for f in $findings; do
    echo "--- $f"
    base64 -w 76 "$f"
  done
  exit 1
fi
exit "$status"
