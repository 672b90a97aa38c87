#!/usr/bin/env bash
# Builds helm (v3) from the Go module proxy and prints the absolute path of the binary.
#
# GitHub release downloads are not reachable from CI; the Go module proxy is. helm.sh/helm/v3
# has no replace directives, so `go install module@version` builds it directly. GOPATH, GOBIN
# and GOCACHE live under the cache directory so the build leaves nothing elsewhere.
# Cached under ${XDG_CACHE_HOME:-~/.cache}/signet-tools/helm-<version>/; idempotent.
# Progress goes to stderr; stdout is only the absolute path of the binary.
set -euo pipefail

version="${SIGNET_HELM_VERSION:-v3.19.5}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/signet-tools/helm-${version#v}"
bin="$cache/bin/helm"
if [ -x "$bin" ] && "$bin" version --short >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { echo "helm.sh: needs the Go toolchain (go) on PATH" >&2; exit 1; }

mkdir -p "$cache"
start=$(date +%s)
echo "helm.sh: building helm $version from the Go module proxy (a few minutes the first time)" >&2
export GOFLAGS=-mod=mod GOPATH="$cache/gopath" GOCACHE="$cache/gocache"
# Stamped the way helm's Makefile does: its version, and the Kubernetes version `helm template`
# and `helm lint` assume (one past the major of its k8s.io/client-go v0.x, that minor), without
# which charts with a kubeVersion constraint render as for Kubernetes 1.20.
gomod=$(go mod download -json "helm.sh/helm/v3@${version}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
client_go=$(sed -n 's#^[[:space:]]*k8s.io/client-go v0\.\([0-9]*\)\..*#\1#p' "$gomod" | head -n1)
[ -n "$client_go" ] || { echo "helm.sh: no k8s.io/client-go in $gomod" >&2; exit 1; }
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=${version}"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags="$ldflags -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=${client_go}"
done
GOBIN="$cache/bin" CGO_ENABLED=0 go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@${version}" >&2
# Module files are read-only; make the cache removable with rm -rf.
chmod -R u+w "$cache/gopath" 2>/dev/null || true
"$bin" version --short >/dev/null
echo "helm.sh: built $bin in $(( $(date +%s) - start ))s" >&2
echo "$bin"
