#!/usr/bin/env bash
# Istio interop suite: starts Signet from target/signet.jar in dev mode on loopback ports it
# picks at start, then drives it with Istio's own CA client from every Istio release pinned in
# src/interop/istio/istio-<release>.mod (SIGNET_ISTIO_RELEASES to choose). Each scenario prints
# a PASS/FAIL line; any failure fails the script. See docs/compatibility.md.
set -euo pipefail
cd "$(dirname "$0")/.."
releases=${SIGNET_ISTIO_RELEASES:-$(cd src/interop/istio && ls istio-*.mod | sed 's/^istio-//; s/\.mod$//' | sort -rV)}

declare -A peer
for r in $releases; do
  peer[$r]=$(bash .ci/tools/istio-interop.sh "$r")
done
if [ ! -f target/signet.jar ]; then
  ./mvnw -B -q -DskipTests package
fi

work=$(mktemp -d)
# Created before the background start, which opens it only once it runs.
: >"$work/signet.log"
java -jar target/signet.jar serve --dev --dev-dir "$work/ca" --set server.address=127.0.0.1 \
  --set server.grpc-port=0 --set server.admin-port=0 >"$work/signet.log" 2>&1 &
signet=$!
cleanup() {
  kill "$signet" 2>/dev/null || true
  wait "$signet" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Port 0 lets Signet bind free ports; it logs the ones it got.
deadline=$((SECONDS + 120))
ports=""
while [ -z "$ports" ]; do
  ports=$(sed -n 's/.*serving gRPC on port \([0-9]*\) and admin on port \([0-9]*\).*/\1 \2/p' "$work/signet.log")
  if [ -z "$ports" ]; then
    if ! kill -0 "$signet" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      echo "signet did not start; its log:" >&2
      cat "$work/signet.log" >&2
      exit 1
    fi
    sleep 0.2
  fi
done
read -r grpc_port admin_port <<<"$ports"
until curl -sf "http://127.0.0.1:$admin_port/readyz" >/dev/null; do
  if ! kill -0 "$signet" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
    echo "signet did not become ready; its log:" >&2
    cat "$work/signet.log" >&2
    exit 1
  fi
  sleep 0.2
done

# Projected service-account tokens, as the agent's pod would have them mounted.
for sa in web other; do
  java -jar target/signet.jar token --dev-dir "$work/ca" --namespace demo --service-account "$sa" \
    >"$work/$sa.jwt"
done

passed=0
failed=0
for r in $releases; do
  out=$work/istio-$r.out
  status=0
  timeout 600 "${peer[$r]}" -grpc-port "$grpc_port" -admin-port "$admin_port" \
    -root-cert "$work/ca/root-cert.pem" -token "$work/web.jwt" -other-token "$work/other.jwt" \
    -work-dir "$work/istio-$r" -istio-log "$work/istio-$r.log" | tee "$out" || status=$?
  passed=$((passed + $(grep -c '^PASS ' "$out" || true)))
  failed=$((failed + $(grep -c '^FAIL ' "$out" || true)))
  if [ "$status" -ne 0 ]; then
    if ! grep -q '^FAIL ' "$out"; then failed=$((failed + 1)); fi
    echo "--- Istio $r client log (last 40 lines):" >&2
    tail -n 40 "$work/istio-$r.log" >&2 || true
  fi
done
if [ "$failed" -ne 0 ]; then
  echo "--- Signet log (last 60 lines):" >&2
  tail -n 60 "$work/signet.log" >&2
fi
echo "interop: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
