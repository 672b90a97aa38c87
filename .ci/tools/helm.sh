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
# The version is stamped the way helm's Makefile does, so `helm version` reports it.
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=${version}"
GOFLAGS=-mod=mod GOBIN="$cache/bin" GOPATH="$cache/gopath" GOCACHE="$cache/gocache" \
  CGO_ENABLED=0 go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@${version}" >&2
# Module files are read-only; make the cache removable with rm -rf.
chmod -R u+w "$cache/gopath" 2>/dev/null || true
"$bin" version --short >/dev/null
echo "helm.sh: built $bin in $(( $(date +%s) - start ))s" >&2
echo "$bin"
