#!/usr/bin/env bash
# Builds helm-docs (github.com/norwoodj/helm-docs), which generates deploy/helm/signet/README.md
# from the chart's values.yaml, and prints the absolute path of the binary.
#
# GitHub release downloads are not reachable from CI; the Go module proxy is. helm-docs has no
# replace directives, so `go install module@version` builds it directly. GOPATH, GOBIN and
# GOCACHE live under the cache directory so the build leaves nothing elsewhere. Cold: about 86 CPU
# seconds (docs/benchmarks.md). It keeps a Go build cache of its own: it pins helm v3.15.2, not
# helm.sh's version, so mostly the standard library would come from helm.sh's cache (about 70 CPU
# seconds), and .ci/run starts both builds together, when neither cache has it yet.
# Cached under ${XDG_CACHE_HOME:-~/.cache}/signet-tools/helm-docs-<version>/; idempotent.
# Progress goes to stderr; stdout is only the absolute path of the binary.
set -euo pipefail

version="${SIGNET_HELM_DOCS_VERSION:-v1.14.2}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/signet-tools/helm-docs-${version#v}"
bin="$cache/bin/helm-docs"
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { echo "helm-docs.sh: needs the Go toolchain (go) on PATH" >&2; exit 1; }

mkdir -p "$cache"
start=$(date +%s)
echo "helm-docs.sh: building helm-docs $version from the Go module proxy" >&2
export GOFLAGS=-mod=mod GOPATH="$cache/gopath" GOCACHE="$cache/gocache"
# Stamped as its release build (goreleaser) does: the version is printed by --version and in the
# footer of the README it generates, so a README made by another version does not match.
GOBIN="$cache/bin" CGO_ENABLED=0 go install -trimpath \
  -ldflags "-s -w -X main.version=${version#v}" "github.com/norwoodj/helm-docs/cmd/helm-docs@${version}" >&2
# Module files are read-only; make the cache removable with rm -rf.
chmod -R u+w "$cache/gopath" 2>/dev/null || true
"$bin" --version >/dev/null
echo "helm-docs.sh: built $bin in $(( $(date +%s) - start ))s" >&2
echo "$bin"
