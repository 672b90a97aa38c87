#!/usr/bin/env bash
# TokenReview storm, Signet and istiod's CA side by side against one real kube-apiserver:
#
#   bash src/bench/tokenreview-storm.sh        # TOKENS (default 12000), WORKERS (default 4)
#   SERVERS=signet bash src/bench/tokenreview-storm.sh   # one of the two CA servers only
#
# dev.signet.bench.TokenReviewStorm starts etcd and kube-apiserver (.ci/tools), creates TOKENS
# service accounts and three sets of fresh tokens from the TokenRequest API, and measures how fast
# the API server answers TokenReviews sent to it directly, WORKERS at a time. Then each CA server
# (Signet with auth.kind=tokenreview; istiod's CA with Istio's TokenReview authenticator, as
# istiod runs in a cluster) gets its own set: a new TLS connection and a token it has never seen
# per certificate, WORKERS at a time, the first WARMUP of them as warm-up. Reported per server:
# certificates per second, time to certificate, its CPU and the API server's CPU per certificate.
set -euo pipefail
cd "$(dirname "$0")/../.."
tokens=${TOKENS:-12000}
workers=${WORKERS:-4}
warmup=${WARMUP:-2000}
servers=${SERVERS:-signet istiod}
key_flag=$([ "${KEY:-rsa}" = ecdsa ] && echo --ecdsa || true)
release=${ISTIO_RELEASE:-$(cd src/e2e/istio && ls istio-*.mod | sed 's/^istio-//; s/\.mod$//' | sort -rV | head -n1)}
SIGNET_ETCD=${SIGNET_ETCD:-$(bash .ci/tools/etcd.sh)}
SIGNET_KUBE_APISERVER=${SIGNET_KUBE_APISERVER:-$(bash .ci/tools/kube-apiserver.sh)}
export SIGNET_ETCD SIGNET_KUBE_APISERVER

. src/bench/lib.sh
bench_build
peer=${ISTIOD_CA:-$(bash .ci/tools/istio-bin.sh "$release")/istiod-ca}

dir=$(mktemp -d)
log=$dir/signet.log
server=""
trap 'if [ -n "$server" ]; then kill -- -"$server" 2>/dev/null || true; fi; rm -rf "$dir"' EXIT
echo "== machine: $(nproc) cores, $(java -version 2>&1 | head -n1), kube-apiserver $("$SIGNET_KUBE_APISERVER" --version 2>/dev/null | cut -d' ' -f2)"
coproc KUBE { java -cp "$cp" dev.signet.bench.TokenReviewStorm "$dir" "$tokens" "$workers"; }
exec {kube_out}<&"${KUBE[0]}" {kube_in}>&"${KUBE[1]}"
apiserver=""
while read -r line <&"$kube_out"; do
  case $line in
    ready*) apiserver=${line#ready } && break ;;
    *) echo "$line" ;;
  esac
done
[ -n "$apiserver" ] || { echo "tokenreview-storm: the cluster did not start" >&2; exit 1; }

measure() { # NAME TOKENS-FILE
  local before after
  before=$(awk '{ print $14 + $15 }' "/proc/$apiserver/stat")
  load --tokens-file "$2" --namespace storm --fresh-connections --concurrency "$workers" \
    --warmup "$warmup" --requests $((tokens - warmup)) --server-pid "$server" | tee "$dir/$1.out"
  after=$(awk '{ print $14 + $15 }' "/proc/$apiserver/stat")
  # USER_HZ 100: ticks of 10 ms; the warm-up's reviews are in it too, so divide by every token.
  echo "  kube-apiserver CPU $(( (after - before) * 10000 / tokens )) us per certificate (warm-up included)"
}

bench_ports
if [[ " $servers " == *" signet "* ]]; then
  echo "== signet: a new connection and a never-seen token per certificate, TokenReview"
  bench_start --set auth.kind=tokenreview --set kubernetes.kubeconfig="$dir/kubeconfig" \
    --set auth.peer.max-pending=100000
  bench_await_ready
  measure signet "$dir/tokens-0.txt"
  kill -- -"$server"; wait "$server" 2>/dev/null || true
  server=""
fi

if [[ " $servers " == *" istiod "* ]]; then
  echo "== istiod: a new connection and a never-seen token per certificate, TokenReview"
  setsid "$peer" -addr "127.0.0.1:$grpc" -ca-dir "$dir/dev" -kubeconfig "$dir/kubeconfig" \
    >"$dir/peer.log" 2>&1 &
  server=$!
  until grep -q 'serving CA' "$dir/peer.log"; do
    kill -0 "$server" 2>/dev/null || { cat "$dir/peer.log" >&2; exit 1; }
    sleep 0.05
  done
  measure istiod "$dir/tokens-1.txt"
  kill -- -"$server"; wait "$server" 2>/dev/null || true
  server=""
fi
exec {kube_in}>&-
