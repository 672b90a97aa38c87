#!/usr/bin/env bash
# Restart-storm benchmarks, Signet and istiod's CA side by side, one command:
#
#   bash src/bench/storm.sh            # both servers, every scenario
#   SERVERS=signet bash src/bench/storm.sh
#
# istiod's CA is Istio's own CA server code (src/e2e/istio/cmd/istiod-ca, built with istiod by
# .ci/tools/istio-bin.sh for the newest pinned Istio release) over the same CA files, the same
# RS256 service-account tokens (a JWKS: istiod's out-of-cluster authentication) and the same
# load generator (dev.signet.bench.LoadGenerator). Server CPU and memory come from /proc for
# both. Scenarios, per server:
#   cold   a freshly started server, flat out from its first request (client already warm),
#          server CPU per certificate by window of WINDOW requests;
#   steady the same server, warm, flat out: the steady-state figure the others are compared to;
#   fresh  one new TLS connection (full handshake) per certificate, FRESH_WORKERS at a time,
#          after FRESH_WARMUP (default 1000) of them; 20000 lets the JIT finish the connection
#          path, so that repeated runs agree within about 10%;
#   tokens as fresh, and every request with a token and identity the server has never seen;
#   pinned the server on core 1 and the generator on core 0 (taskset): flat out, then a fixed
#          rate at half of that for RATE_SECONDS, for its p99.
# The TokenReview storm (tokens from a real kube-apiserver) is src/bench/tokenreview-storm.sh.
# Results go to stdout; docs/benchmarks.md records them with the machine they came from.
set -euo pipefail
cd "$(dirname "$0")/../.."
servers=${SERVERS:-signet istiod}
scenarios=${SCENARIOS:-cold steady fresh tokens pinned}
cold_requests=${COLD_REQUESTS:-100000}
window=${WINDOW:-10000}
steady_requests=${STEADY_REQUESTS:-100000}
fresh_requests=${FRESH_REQUESTS:-5000}
fresh_workers=${FRESH_WORKERS:-4}
fresh_warmup=${FRESH_WARMUP:-1000}
rate_seconds=${RATE_SECONDS:-20}
key_flag=$([ "${KEY:-rsa}" = ecdsa ] && echo --ecdsa || true)
release=${ISTIO_RELEASE:-$(cd src/e2e/istio && ls istio-*.mod | sed 's/^istio-//; s/\.mod$//' | sort -rV | head -n1)}

. src/bench/lib.sh
bench_build
peer=${ISTIOD_CA:-$(bash .ci/tools/istio-bin.sh "$release")/istiod-ca}
[ -x "$peer" ] || { echo "storm: no istiod-ca in the Istio $release build" >&2; exit 1; }

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "$(java -version 2>&1 | head -n1), Istio $release CA server built with $(go version | cut -d' ' -f3)"

dir=$(mktemp -d)
log=$dir/signet.log
server=""
trap 'if [ -n "$server" ]; then kill -- -"$server" 2>/dev/null || true; fi; rm -rf "$dir"' EXIT
# One dev directory for both servers: Signet's dev CA, and an RS256 token key made first.
java -cp "$cp" dev.signet.bench.RsaDevTokenKey "$dir/dev"
bench_ports
bench_start
bench_await_ready
kill -- -"$server"; wait "$server" 2>/dev/null || true
server=""

# start NAME: starts that server on $grpc (Signet's admin on $admin), waits until it serves.
# The generator is one address where a storm is a pod per address: Signet's per-address limit on
# first token checks (auth.peer.max-pending, 8) is raised so that it measures the CA, as for
# istiod's CA, which has none.
start() {
  if [ "$1" = signet ]; then
    # shellcheck disable=SC2086
    bench_start --set auth.peer.max-pending=100000 ${SIGNET_ARGS:-}
    bench_await_ready
  else
    : >"$dir/peer.log"
    setsid ${SERVER_PREFIX:-} "$peer" -addr "127.0.0.1:$grpc" -ca-dir "$dir/dev" \
      -jwks "$dir/dev/jwks.json" -issuer signet-dev >"$dir/peer.log" 2>&1 &
    server=$!
    until grep -q 'serving CA' "$dir/peer.log"; do
      kill -0 "$server" 2>/dev/null || { cat "$dir/peer.log" >&2; exit 1; }
      sleep 0.05
    done
  fi
}
stop() {
  kill -- -"$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
}
measure() {
  load --rsa-tokens --server-pid "$server" "$@"
}

for name in $servers; do
  for scenario in $scenarios; do
    case $scenario in
      cold)
        echo "== $name: cold start, flat out, server CPU per window of $window (client warmed first)"
        # The instance the client warms against may run with other JVM flags
        # (TRAIN_JAVA_OPTS, e.g. to record an ahead-of-time cache the cold one then uses).
        JAVA_OPTS="${TRAIN_JAVA_OPTS-${JAVA_OPTS:-}}" start "$name"
        rm -f "$dir/go" "$dir/pid"
        coproc COLD { load --rsa-tokens --requests "$cold_requests" --window "$window" \
          --warmup 20000 --hold-after-warmup "$dir/go" --server-pid-file "$dir/pid"; }
        cold=$COLD_PID
        read -r _ <&"${COLD[0]}"   # "warmed": now the server it warmed against goes
        stop
        start "$name"
        echo "$server" >"$dir/pid"
        touch "$dir/go"
        cat <&"${COLD[0]}"
        wait "$cold" ;;
      steady)
        echo "== $name: steady state, flat out"
        [ -n "$server" ] || start "$name"
        measure --requests "$steady_requests" --warmup 20000 ;;
      fresh)
        echo "== $name: a new TLS connection per certificate, $fresh_workers at a time"
        [ -n "$server" ] || start "$name"
        measure --fresh-connections --concurrency "$fresh_workers" --requests "$fresh_requests" \
          --warmup "$fresh_warmup" ;;
      tokens)
        echo "== $name: a new connection and a never-seen token per certificate"
        [ -n "$server" ] || start "$name"
        measure --fresh-connections --concurrency "$fresh_workers" --requests "$fresh_requests" \
          --identities $((fresh_requests + fresh_warmup)) --warmup "$fresh_warmup" ;;
      pinned)
        echo "== $name: server on core 1, generator on core 0"
        stop
        SERVER_PREFIX="taskset -c 1" start "$name"
        out=$(LOAD_PREFIX="taskset -c 0" measure --requests 50000 --warmup 50000)
        echo "$out"
        max=$(echo "$out" | awk '/throughput/ {print $2}')
        half=$((max / 2))
        echo "-- fixed rate $half/s (half of that maximum) for ${rate_seconds}s"
        LOAD_PREFIX="taskset -c 0" measure --rate "$half" --requests $((half * rate_seconds)) \
          --warmup 20000
        stop ;;
      *) echo "storm: unknown scenario $scenario" >&2; exit 2 ;;
    esac
  done
  stop
done
