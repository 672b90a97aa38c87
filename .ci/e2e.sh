#!/usr/bin/env bash
# Istio e2e suite: Istio's own istiod (pilot-discovery) and proxyless pilot-agents, built from the
# istio.io/istio module of each pinned release (src/e2e/istio/istio-<release>.mod;
# SIGNET_ISTIO_RELEASES to choose), and two grpc-go workloads calling each other over mTLS, run
# as processes against a real kube-apiserver with two Signet replicas as their CA (files CA,
# then vault-pki, under a mesh intermediate in a real Vault; dev.signet.e2e.IstioE2E;
# docs/compatibility.md says what it covers).
# Signet and Istio are installed by deploy/install.sh, with the real kubectl and helm.
# Needs the peers of .ci/run (SIGNET_ETCD, SIGNET_KUBE_APISERVER, SIGNET_KUBECTL, SIGNET_HELM,
# SIGNET_VAULT, SIGNET_ISTIO_CHARTS); builds them if unset. Prints the time each part took.
set -euo pipefail
cd "$(dirname "$0")/.."
export CI="${CI:-true}"
releases=${SIGNET_ISTIO_RELEASES:-$(cd src/e2e/istio && ls istio-*.mod | sed 's/^istio-//; s/\.mod$//' | sort -rV)}

# The agents dial Signet at signet.signet-system.svc:443 through a hosts file bound over
# /etc/hosts in a mount namespace of their own; that, port 443, and the workloads' pod IPs on
# the loopback interface need root (CI is root).
if [ "$(id -u)" != 0 ]; then
  echo "e2e: needs root (unshare --mount for the agents' /etc/hosts, port 443 for Signet)" >&2
  exit 1
fi

start=$SECONDS
SIGNET_ETCD="${SIGNET_ETCD:-$(bash .ci/tools/etcd.sh)}"
SIGNET_KUBE_APISERVER="${SIGNET_KUBE_APISERVER:-$(bash .ci/tools/kube-apiserver.sh)}"
SIGNET_KUBECTL="${SIGNET_KUBECTL:-$(bash .ci/tools/kubectl.sh)}"
SIGNET_HELM="${SIGNET_HELM:-$(bash .ci/tools/helm.sh)}"
SIGNET_VAULT="${SIGNET_VAULT:-$(bash .ci/tools/vault.sh)}"
SIGNET_ISTIO_CHARTS="${SIGNET_ISTIO_CHARTS:-$(bash .ci/tools/istio-charts.sh)}"
# One directory of <release> -> istio-bin build links, the releases the test runs.
bins=$(mktemp -d)
trap 'rm -rf "$bins"' EXIT
for r in $releases; do
  built=$(bash .ci/tools/istio-bin.sh "$r")
  ln -s "$built" "$bins/$r"
done
SIGNET_ISTIO_BIN=$bins
export SIGNET_ETCD SIGNET_KUBE_APISERVER SIGNET_KUBECTL SIGNET_HELM SIGNET_VAULT SIGNET_ISTIO_CHARTS SIGNET_ISTIO_BIN
echo "e2e: peers and Istio binaries ready in $((SECONDS - start))s"

tests=$SECONDS
./mvnw -B test -Dtest=IstioE2E -Dsurefire.failIfNoSpecifiedTests=false
echo "e2e: Istio ($(echo $releases)) passed in $((SECONDS - tests))s; stage $((SECONDS - start))s"
