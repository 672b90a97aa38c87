#!/usr/bin/env bash
# Builds Istio's own pilot-discovery (istiod) and pilot-agent for one Istio release, the e2e
# suite's two proxyless gRPC workloads (src/e2e/istio/cmd/echo-server and echo-client, on the
# grpc-go that release pins) and istiod-ca (istiod's CA server alone, for the benchmarks beside
# Signet: src/bench/storm.sh), in one `go build`, and prints the directory that holds the five
# (progress goes to stderr).
#
#   bash .ci/tools/istio-bin.sh 1.31
#
# The release picks src/e2e/istio/istio-<release>.mod (+ .sum), which pins the same
# istio.io/istio as the interop peer's src/interop/istio/istio-<release>.mod, so the module is
# already in Go's module cache. Compiled packages go to Go's build cache; the binaries are
# cached under ${XDG_CACHE_HOME:-~/.cache}/signet-tools/istio-bin-<release>-<hash>/ (hash of the
# pins, this script and the Go version), so a second run only hashes files.
set -euo pipefail
release=${1:?usage: istio-bin.sh RELEASE (one of src/e2e/istio/istio-*.mod)}
src=$(cd "$(dirname "$0")/../../src/e2e/istio" && pwd)
modfile=$src/istio-$release.mod
if [ ! -f "$modfile" ] || [ ! -f "${modfile%.mod}.sum" ]; then
  echo "istio-bin: no $modfile (+ .sum); releases: $(cd "$src" && ls istio-*.mod)" >&2
  exit 1
fi
go=$(command -v go || true)
if [ -z "$go" ] && [ -x /usr/local/go/bin/go ]; then go=/usr/local/go/bin/go; fi
if [ -z "$go" ]; then
  echo "istio-bin: no Go toolchain (go) on PATH or in /usr/local/go" >&2
  exit 1
fi

hash=$( (cat "$0" "$modfile" "${modfile%.mod}.sum"; find "$src" -name '*.go' | LC_ALL=C sort | xargs cat
  "$go" version) | sha256sum | cut -c1-16)
tools=${XDG_CACHE_HOME:-$HOME/.cache}/signet-tools
dir=$tools/istio-bin-$release-$hash
bins="pilot-discovery pilot-agent echo-server echo-client istiod-ca"
missing=
for b in $bins; do
  if [ ! -x "$dir/$b" ]; then missing=1; fi
done
if [ -n "$missing" ]; then
  istio=$(awk '$1 == "istio.io/istio" { print $2 } $1 == "require" && $2 == "istio.io/istio" { print $3 }' "$modfile")
  echo "istio-bin: building pilot-discovery and pilot-agent of istio.io/istio@$istio (Istio $release), echo-server, echo-client and istiod-ca, with $("$go" version)" >&2
  start=$SECONDS
  rm -rf "$dir.tmp"
  mkdir -p "$dir.tmp"
  # Stamped as Istio's release builds stamp them, so istiod and the agent report the release.
  pkg=istio.io/istio/pkg/version
  (cd "$src" && GOFLAGS=-mod=readonly "$go" build -modfile="istio-$release.mod" \
    -trimpath -buildvcs=false -ldflags "-s -w -X $pkg.buildVersion=$release-signet-e2e" \
    -o "$dir.tmp/" istio.io/istio/pilot/cmd/pilot-discovery istio.io/istio/pilot/cmd/pilot-agent \
    ./cmd/echo-server ./cmd/echo-client ./cmd/istiod-ca) >&2
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
  echo "istio-bin: built in $((SECONDS - start))s" >&2
fi
# Builds of this release for other sources (older commits, other worktrees sharing this cache)
# are removed once unused for two days; this one is marked used.
touch "$dir"
find "$tools" -maxdepth 1 -name "istio-bin-$release-*" ! -path "$dir" -mtime +1 -exec rm -rf {} +
echo "$dir"
