#!/usr/bin/env bash
# CPU profile of Signet under flat-out load: where the server's CPU per certificate goes.
# Starts Signet in dev mode with async-profiler (from Maven Central, tools.profiler) attached,
# warms it with WARMUP requests (default 150000), then profiles REQUESTS more (default 100000)
# and prints CPU samples by thread group and the top frames. The flame graph and collapsed
# stacks are written to target/profile/. EVENT=cpu (perf events) or itimer (default: cpu where
# the kernel allows it, itimer otherwise). LOAD_ARGS adds load-generator flags, e.g.
# LOAD_ARGS="--fresh-connections --concurrency 4" profiles a new TLS connection per certificate.
set -euo pipefail
cd "$(dirname "$0")/../.."
warmup=${WARMUP:-150000}
requests=${REQUESTS:-100000}
ap_version=4.1

. src/bench/lib.sh
bench_build
./mvnw -B -q dependency:get -Dartifact=tools.profiler:async-profiler:$ap_version >&2
out=target/profile
rm -rf "$out" && mkdir -p "$out/lib"
arch=$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
unzip -q -o -j "$HOME/.m2/repository/tools/profiler/async-profiler/$ap_version/async-profiler-$ap_version.jar" \
  "linux-$arch/libasyncProfiler.so" -d "$out/lib"
lib=$(pwd)/$out/lib/libasyncProfiler.so
event=${EVENT:-$([ "$(cat /proc/sys/kernel/perf_event_paranoid)" -le 2 ] && echo cpu || echo itimer)}

dir=$(mktemp -d)
log=$dir/signet.log
trap 'kill -- -"$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
bench_ports
# The agent is loaded at launch (idle) so that starting it later does not deoptimise the JIT's
# code, which loading a new agent into a warm JVM does.
JAVA_OPTS="-agentpath:$lib -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints" \
  SIGNET_CDS_DIR=off bench_start
bench_await_ready
pid=$(pgrep -f -n "ca.dev.directory=$dir/dev")
# async-profiler is driven the way its own asprof does, by loading the agent into the running JVM;
# the quotes keep jcmd from splitting its options at "=".
profiler() { jcmd "$pid" JVMTI.agent_load "$lib" "'$1'" | sed "s/^/profiler: /" >&2; }

# One client: it warms the server up on the connections it then measures on (a new client's
# connections would make the JIT recompile the handshake paths inside the profile), and holds
# between the two until the profiler runs.
echo "== warm-up: $warmup requests, then profiling $requests (event=$event)" >&2
# shellcheck disable=SC2086
coproc CLIENT { load --warmup "$warmup" --requests "$requests" --hold-after-warmup "$dir/go" ${LOAD_ARGS:-}; }
exec {client}<&"${CLIENT[0]}"   # a plain descriptor: a pipeline's subshell cannot see coproc's
read -r _ <&"$client"          # "warmed"
profiler "start,event=$event,interval=${INTERVAL:-1ms},threads"
touch "$dir/go"
cat <&"$client" | tee "$out/load.txt"
profiler "dump,file=$(pwd)/$out/collapsed.txt,collapsed"
profiler "stop,file=$(pwd)/$out/flame.html"
python3 src/bench/profile_summary.py "$out/collapsed.txt" | tee "$out/summary.txt"
