#!/usr/bin/env bash
# The attacks of docs/security.md, one command: builds Signet, starts it in dev mode as its own
# process with the chart's heap (1 GiB memory limit -> -Xmx614m), and runs
# dev.signet.bench.AttackBench once per attack (loopback only: attackers on 127.0.0.2 and up).
# Each prints the legitimate caller's latency (a certificate at RATE per second on its own
# connection) and /readyz's under the attack; after each, this script checks that Signet is
# still up and prints its RSS. Signet runs on core 0 and the attackers with the measuring client
# on core 1 (taskset), so the attacker's own CPU does not count against Signet: on a real
# network it is spent on the attacker's machine. For the same reason the measuring client runs at
# real-time priority where the system allows it (chrt; as root) and the attackers, a process of
# their own, at nice 10: on the shared core the attackers' threads would otherwise delay the
# measuring client itself. Environment: ATTACKS (default: all), SECONDS_EACH (default 60: at
# least four request-timeout cycles of the streams attack), RATE (default 50).
set -euo pipefail
cd "$(dirname "$0")/../.."
attacks=${ATTACKS:-none streams resets idle handshake-stall admin-slow oversized garbage-tokens}
seconds=${SECONDS_EACH:-60}
rate=${RATE:-50}

. src/bench/lib.sh
bench_build
bench_ports
dir=$(mktemp -d)
log=$dir/signet.log
# The server is found by its own dev directory, whatever process group it ended up in.
trap 'pkill -f -- "ca.dev.directory=$dir/dev" 2>/dev/null || true; rm -rf "$dir"' EXIT
JAVA_OPTS="${JAVA_OPTS:-} -Xmx614m" bench_start
# Every thread of the launcher (it execs java) onto core 0; threads made later inherit it.
taskset -a -p -c 0 "$server" >/dev/null
bench_await_ready
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "$(java -version 2>&1 | head -n1); Signet heap -Xmx614m"
pid=$server
rt=""
if chrt -f 1 true 2>/dev/null; then
  rt="chrt -f 1"
else
  echo "== the measuring client runs at normal priority (chrt -f refused): figures include the attackers' CPU on its core"
fi
for attack in $attacks; do
  $rt taskset -c 1 java ${ATTACK_JAVA_OPTS:-} -cp "$cp" dev.signet.bench.AttackBench --grpc-port "$grpc" --admin-port "$admin" \
    --dev-dir "$dir/dev" --attack "$attack" --seconds "$seconds" --rate "$rate"
  if ! curl -sf "http://127.0.0.1:$admin/healthz" >/dev/null; then
    echo "Signet is down after attack $attack; its log:" >&2
    tail -n 50 "$log" >&2
    exit 1
  fi
  echo "   after $attack: up, RSS $(( $(ps -o rss= -p "$pid") / 1024 )) MiB"
done
