#!/usr/bin/env bash
# Signet's load benchmark, one command: builds Signet, measures the crypto floor with
# `openssl speed`, starts Signet in dev mode as its own process (with the JVM flags shipped in
# server/), and drives it with dev.signet.bench.LoadGenerator over TLS gRPC:
#   1. start-up to first certificate;
#   2. flat out (maximum throughput, errors, server CPU per certificate, RSS);
#   3. a fixed rate at half of that maximum (p50/p99/p99.9);
#   4. one new TLS connection per certificate (each pod dials on its own in a real storm);
#   5. a 100k-certificate burst (a mesh restart storm), which must end with no error.
# Results go to stdout; docs/benchmarks.md records them with the machine they came from.
# Environment: REQUESTS (flat-out run, default 100000), BURST (default 100000), KEY (rsa|ecdsa),
# WARMUP (requests each measuring client sends first on its own connections, default 150000:
# the server's JIT needs that many to settle, and a cold client falls behind a fixed rate and
# charges its own warm-up to the server).
set -euo pipefail
cd "$(dirname "$0")/../.."
requests=${REQUESTS:-100000}
burst=${BURST:-100000}
warmup=${WARMUP:-150000}
key_flag=$([ "${KEY:-rsa}" = ecdsa ] && echo --ecdsa || true)

. src/bench/lib.sh
bench_build

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "$(java -version 2>&1 | head -n1)"
echo "== crypto floor (openssl speed, 1 core)"
speed=$(openssl speed -seconds 3 ecdsap256 rsa2048 2>/dev/null)
p256_sign=$(echo "$speed" | awk '/256 bits ecdsa \(nistp256\)/ {print $(NF-1)}')
rsa_verify=$(echo "$speed" | awk '/^rsa 2048 bits/ {print $NF}')
floor_us=$(python3 -c "print(f'{1e6/$p256_sign + 1e6/$rsa_verify:.1f}')")
echo "P-256 sign ${p256_sign}/s, RSA-2048 verify ${rsa_verify}/s: one sign + one verify = ${floor_us} us"

dir=$(mktemp -d)
log=$dir/signet.log
pids=()
trap 'for p in "${pids[@]}"; do kill -- -"$p" 2>/dev/null || true; done; rm -rf "$dir"' EXIT

echo "== start-up to first certificate (CA already in place, as on a restart)"
bench_ports
bench_start
pids+=("$server")
bench_await_ready
kill -- -"$server"; wait "$server" 2>/dev/null || true
bench_ports
coproc FIRST { load --first-cert-after "$dir/launched" --identities 1; }
read -r _ <&"${FIRST[0]}"   # "prepared": the client is warm and waits for the launch
date +%s%3N >"$dir/launched.tmp" && mv "$dir/launched.tmp" "$dir/launched"
# The generator is one address where a storm is a pod per address: the per-address limit on
# first token checks (auth.peer.max-pending, 8) would refuse the burst's 64 new tokens arriving
# at once from it (RESOURCE_EXHAUSTED, by design), so it is raised, as in storm.sh.
bench_start --set auth.peer.max-pending=100000
pids+=("$server")
cat <&"${FIRST[0]}"
grep -o 'ready [0-9]* ms after the JVM started' "$log" || true
bench_await_ready

echo "== flat out"
out=$(load --requests "$requests" --warmup "$warmup")
echo "$out"
max=$(echo "$out" | awk '/throughput/ {print $2}')
cpu=$(echo "$out" | sed -n 's/.*CPU \([0-9.]*\) us\/cert.*/\1/p')
echo "server CPU per certificate / crypto floor = $(python3 -c "print(f'{$cpu/$floor_us:.2f}')")"

echo "== half of the maximum"
half=$((max / 2))
load --rate "$half" --requests $((half * 20)) --warmup "$warmup"

echo "== restart storm, new connection per certificate (handshake included)"
load --requests 7500 --concurrency 64 --warmup 1000 --fresh-connections

echo "== burst of $burst (restart storm)"
load --requests "$burst" --concurrency 1000 --connections 8 --warmup 0 --fail-on-error
