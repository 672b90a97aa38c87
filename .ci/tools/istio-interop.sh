#!/usr/bin/env bash
# Builds the Istio interop peer (src/interop/istio) against one Istio release's own CA client
# and prints the binary's absolute path on stdout (progress goes to stderr).
#
#   bash .ci/tools/istio-interop.sh 1.31
#
# The release picks src/interop/istio/istio-<release>.mod (+ .sum), which pins istio.io/istio.
# Modules come from the Go module proxy into Go's module cache, compiled packages go to Go's
# build cache, and the binary is cached under
# ${XDG_CACHE_HOME:-~/.cache}/signet-tools/istio-interop-<release>-<hash>/ (hash of the sources,
# this script and the Go version), so a second run with unchanged sources only hashes files.
set -euo pipefail
release=${1:?usage: istio-interop.sh RELEASE (one of src/interop/istio/istio-*.mod)}
src=$(cd "$(dirname "$0")/../../src/interop/istio" && pwd)
modfile=$src/istio-$release.mod
if [ ! -f "$modfile" ] || [ ! -f "${modfile%.mod}.sum" ]; then
  echo "istio-interop: no $modfile (+ .sum); releases: $(cd "$src" && ls istio-*.mod)" >&2
  exit 1
fi
go=$(command -v go || true)
if [ -z "$go" ] && [ -x /usr/local/go/bin/go ]; then go=/usr/local/go/bin/go; fi
if [ -z "$go" ]; then
  echo "istio-interop: no Go toolchain (go) on PATH or in /usr/local/go" >&2
  exit 1
fi

hash=$( (cat "$0" "$src"/*.go "$modfile" "${modfile%.mod}.sum"; "$go" version) | sha256sum | cut -c1-16)
tools=${XDG_CACHE_HOME:-$HOME/.cache}/signet-tools
dir=$tools/istio-interop-$release-$hash
bin=$dir/istio-interop
if [ ! -x "$bin" ]; then
  istio=$(awk '$1 == "istio.io/istio" { print $2 }' "$modfile")
  echo "istio-interop: building against istio.io/istio@$istio (Istio $release) with $("$go" version)" >&2
  start=$SECONDS
  mkdir -p "$dir"
  (cd "$src" && GOFLAGS=-mod=readonly "$go" build -modfile="istio-$release.mod" -trimpath \
    -buildvcs=false -ldflags "-X main.istioRelease=$release" -o "$bin.tmp" .) >&2
  mv "$bin.tmp" "$bin"
  echo "istio-interop: built in $((SECONDS - start))s" >&2
fi
# Builds of this release for other sources (older commits, other worktrees sharing this cache)
# are removed once unused for two days; this one is marked used.
touch "$dir"
find "$tools" -maxdepth 1 -name "istio-interop-$release-*" ! -path "$dir" -mtime +1 -exec rm -rf {} +
echo "$bin"
