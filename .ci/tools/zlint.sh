#!/usr/bin/env bash
# Builds zlint (the X.509 linter of ZMap, used by CT logs and CAs) from the Go module proxy and
# prints the absolute path of the binary (dev.signet.lint.CertificateLintTest runs it).
#
# github.com/zmap/zlint/v3 has no replace directives, so `go install module@version` builds it
# directly. GOPATH, GOBIN and GOCACHE live under the cache directory so the build leaves nothing
# elsewhere and a cold build is really cold.
# Cached under ${XDG_CACHE_HOME:-~/.cache}/signet-tools/zlint-<version>/; idempotent.
# Progress goes to stderr; stdout is only the absolute path of the binary.
set -euo pipefail

version="${SIGNET_ZLINT_VERSION:-v3.7.3}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/signet-tools/zlint-${version#v}"
bin="$cache/bin/zlint"
if [ -x "$bin" ] && "$bin" -list-lints-source >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi
go=$(command -v go || true)
if [ -z "$go" ] && [ -x /usr/local/go/bin/go ]; then go=/usr/local/go/bin/go; fi
[ -n "$go" ] || { echo "zlint.sh: needs the Go toolchain (go) on PATH" >&2; exit 1; }

mkdir -p "$cache"
start=$(date +%s)
echo "zlint.sh: building zlint $version from the Go module proxy" >&2
export GOFLAGS=-mod=mod GOPATH="$cache/gopath" GOCACHE="$cache/gocache"
GOBIN="$cache/bin" CGO_ENABLED=0 "$go" install -trimpath -ldflags "-s -w" \
  "github.com/zmap/zlint/v3/cmd/zlint@${version}" >&2
# Module files are read-only; make the cache removable with rm -rf. The build cache is only
# needed for this one build.
chmod -R u+w "$cache/gopath" 2>/dev/null || true
rm -rf "$cache/gocache"
"$bin" -list-lints-source >/dev/null
echo "zlint.sh: built $bin in $(( $(date +%s) - start ))s" >&2
echo "$bin"
