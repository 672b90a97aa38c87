#!/usr/bin/env bash
# Istio's own Helm charts (base, istiod, cni, ztunnel, gateway) at every Istio release pinned in
# src/interop/istio/istio-<release>.mod, taken from the istio.io/istio module zip (the Go module
# proxy; no Helm repository), and prints the directory that holds them:
#
#   <dir>/<release>/{base,istiod,cni,ztunnel,gateway}
#
# Cached under ${XDG_CACHE_HOME:-~/.cache}/signet-tools/istio-charts-<hash>/ (hash of the pinned
# .mod files and this script); the module itself lands in Go's module cache, which
# .ci/tools/istio-interop.sh fills as well. Progress goes to stderr.
set -euo pipefail
src=$(cd "$(dirname "$0")/../../src/interop/istio" && pwd)
go=$(command -v go || true)
if [ -z "$go" ] && [ -x /usr/local/go/bin/go ]; then go=/usr/local/go/bin/go; fi
if [ -z "$go" ]; then
  echo "istio-charts: no Go toolchain (go) on PATH or in /usr/local/go" >&2
  exit 1
fi
hash=$( (cat "$0" "$src"/istio-*.mod) | sha256sum | cut -c1-16)
tools=${XDG_CACHE_HOME:-$HOME/.cache}/signet-tools
dir=$tools/istio-charts-$hash
if [ ! -f "$dir/.complete" ]; then
  rm -rf "$dir.tmp"
  mkdir -p "$dir.tmp"
  for mod in "$src"/istio-*.mod; do
    release=$(basename "$mod" .mod)
    release=${release#istio-}
    version=$(awk '$1 == "istio.io/istio" { print $2 }' "$mod")
    module=$(cd "$src" && GOFLAGS=-mod=mod "$go" mod download -json "istio.io/istio@$version" \
      | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    charts=$module/manifests/charts
    if [ ! -d "$charts/istio-control/istio-discovery" ]; then
      echo "istio-charts: no charts in istio.io/istio@$version ($module)" >&2
      exit 1
    fi
    echo "istio-charts: Istio $release charts from istio.io/istio@$version" >&2
    mkdir -p "$dir.tmp/$release"
    cp -r "$charts/base" "$dir.tmp/$release/base"
    cp -r "$charts/istio-control/istio-discovery" "$dir.tmp/$release/istiod"
    cp -r "$charts/istio-cni" "$dir.tmp/$release/cni"
    cp -r "$charts/ztunnel" "$dir.tmp/$release/ztunnel"
    cp -r "$charts/gateway" "$dir.tmp/$release/gateway"
    echo "istio.io/istio@$version" >"$dir.tmp/$release/VERSION"
  done
  # Module files are read-only; keep the copy removable.
  chmod -R u+w "$dir.tmp"
  touch "$dir.tmp/.complete"
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
fi
# Other versions of this script's output go once unused for two days (another checkout may be
# using one right now), as istio-bin.sh's do.
find "$tools" -maxdepth 1 -name "istio-charts-*" ! -path "$dir" ! -name "*.tmp" -mtime +1 \
  -exec rm -rf {} +
echo "$dir"
