#!/usr/bin/env bash
# Runs the README's quickstart from the repository root: build and start Signet in dev mode
# (default ports 8443/9102), then get a certificate with 'signet request' and check it with
# openssl. Fails if any step fails or the server is not ready within two minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf .signet-dev certs
log=$(mktemp)
# The README's run command, verbatim:
setsid bash -c './mvnw -B -q -DskipTests package && java -jar target/signet.jar serve --dev' \
  >"$log" 2>&1 &
group=$!
trap 'kill -- -"$group" 2>/dev/null || true; rm -f "$log"' EXIT

deadline=$((SECONDS + 120))
until curl -sf http://127.0.0.1:9102/readyz >/dev/null; do
  if ! kill -0 "$group" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
    echo "signet did not become ready; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.5
done

# The README's request command, verbatim:
java -jar target/signet.jar request --token "$(java -jar target/signet.jar token --namespace demo --service-account web)"

openssl verify -CAfile certs/root-cert.pem -untrusted certs/cert-chain.pem certs/cert-chain.pem
openssl x509 -in certs/cert-chain.pem -noout -ext subjectAltName | grep -q 'URI:spiffe://cluster.local/ns/demo/sa/web'
grep -q 'signet.audit: issued serial=' "$log"
echo "quickstart OK"
