#!/usr/bin/env bash
# Installs Signet and Istio, with Signet as Istio's CA, on an empty cluster: the steps of
# docs/operations.md ("Point Istio at Signet"), which are this script's --print output
# (dev.signet.deploy.InstallScriptTest keeps them equal, and runs the script on a real API
# server; the Istio e2e suite installs with it too).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: deploy/install.sh [--ambient] [--cacerts DIR] [--istio-charts REPO|DIR] [--print]

Installs on an empty cluster, in this order: namespaces istio-system (Signet writes istiod's
certificate there, so it comes first) and signet-system; Secret signet-system/cacerts from
Istio's plug-in CA files; Signet's chart (deploy/helm/signet); Istio's base and istiod charts
with deploy/istio/istiod-values.yaml; and with --ambient, profile=ambient, Signet trusting
istio-system/ztunnel to ask for the certificates of its node's pods, and the cni and ztunnel
charts (deploy/istio/ztunnel-values.yaml).

  --ambient              ambient mode instead of sidecars (or AMBIENT=true)
  --cacerts DIR          the plug-in CA files ca-cert.pem, ca-key.pem, cert-chain.pem and
                         root-cert.pem (or CACERTS; default: cacerts). None yet?
                         deploy/make-cacerts.sh makes a root and a signing CA below it.
  --istio-charts REF     where Istio's charts are: a Helm repository name (default: istio,
                         after `helm repo add istio https://istio-release.storage.googleapis.com/charts`)
                         or a directory holding base, istiod, cni and ztunnel (or ISTIO_CHARTS)
  --print                print the commands instead of running them
  -h, --help             this text

Environment: KUBECTL and HELM name the programs (default: kubectl and helm on PATH); both use
KUBECONFIG and its current context as usual. Run from anywhere; the chart and values paths are
this checkout's. Nothing is waited for (helm install without --wait).
EOF
}

ambient=${AMBIENT:-false}
cacerts=${CACERTS:-cacerts}
charts=${ISTIO_CHARTS:-istio}
print=false
while [ $# -gt 0 ]; do
  case "$1" in
    --ambient) ambient=true ;;
    --cacerts) cacerts=${2:?--cacerts needs a directory}; shift ;;
    --istio-charts) charts=${2:?--istio-charts needs a repository name or directory}; shift ;;
    --print) print=true ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$ambient" in
  true | false) ;;
  *) echo "install.sh: AMBIENT is true or false, not '$ambient'" >&2; exit 2 ;;
esac

# One command as typed: an argument with characters a shell would read is single-quoted, and a
# line longer than 100 columns is continued with a backslash (an option stays with its value).
say() {
  local -a words=()
  local arg line="" word
  for arg in "$@"; do
    if [[ ! "$arg" =~ ^[A-Za-z0-9_./=:,@%+-]+$ ]]; then arg="'${arg//\'/\'\\\'\'}'"; fi
    if [ "${#words[@]}" -gt 0 ] && [[ "${words[-1]}" =~ ^-[^=\ ]*$ ]] && [[ "$arg" != -* ]]; then
      words[-1]="${words[-1]} $arg"
    else
      words+=("$arg")
    fi
  done
  for word in "${words[@]}"; do
    if [ -n "$line" ] && [ $(( ${#line} + 1 + ${#word} )) -gt 98 ]; then
      printf '%s \\\n' "$line"
      line="  $word"
    else
      line="${line:+$line }$word"
    fi
  done
  printf '%s\n' "$line"
}

# The steps below read as they are typed: kubectl and helm print (--print) or run.
kubectl() {
  if $print; then say kubectl "$@"; else say kubectl "$@" | sed 's/^/install: /' >&2; "${KUBECTL:-kubectl}" "$@"; fi
}
helm() {
  if $print; then say helm "$@"; else say helm "$@" | sed 's/^/install: /' >&2; "${HELM:-helm}" "$@"; fi
}
note() {
  if $print; then echo "# $*"; fi
}

if $print; then
  deploy=deploy
else
  deploy=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  for f in ca-cert.pem ca-key.pem cert-chain.pem root-cert.pem; do
    if [ ! -f "$cacerts/$f" ]; then
      echo "install.sh: no $cacerts/$f: give the plug-in CA files with --cacerts DIR, or make" \
        "a root and a signing CA with deploy/make-cacerts.sh" >&2
      exit 1
    fi
  done
  if [ -d "$charts" ]; then
    for c in base istiod $($ambient && echo cni ztunnel); do
      [ -f "$charts/$c/Chart.yaml" ] || { echo "install.sh: no chart $charts/$c" >&2; exit 1; }
    done
  fi
fi
profile=()
signet=()
if $ambient; then
  profile=(--set profile=ambient)
  signet=(--set 'config.auth.trusted-node-accounts={istio-system/ztunnel}')
fi

note "istiod-tls is written here: it must exist before Signet starts"
kubectl create namespace istio-system
kubectl create namespace signet-system
note "Istio's plug-in CA files"
kubectl -n signet-system create secret generic cacerts \
  --from-file="$cacerts/ca-cert.pem" --from-file="$cacerts/ca-key.pem" \
  --from-file="$cacerts/cert-chain.pem" --from-file="$cacerts/root-cert.pem"
helm install signet "$deploy/helm/signet" -n signet-system "${signet[@]}"
helm install istio-base "$charts/base" -n istio-system
helm install istiod "$charts/istiod" -n istio-system -f "$deploy/istio/istiod-values.yaml" \
  "${profile[@]}"
if $ambient; then
  note "ambient: the CNI node agent (it takes no CA settings), then ztunnel"
  helm install istio-cni "$charts/cni" -n istio-system "${profile[@]}"
  helm install ztunnel "$charts/ztunnel" -n istio-system -f "$deploy/istio/ztunnel-values.yaml" \
    "${profile[@]}"
fi
