#!/usr/bin/env bash
# Builds kube-apiserver from the Go module proxy (no prebuilt binaries) and prints its path.
#
# k8s.io/kubernetes points its k8s.io/* staging modules at local paths with `replace`, which Go
# ignores when the module is a dependency. So we build it from a small wrapper module that
# requires k8s.io/kubernetes at one release and replaces every staging module (the list is the
# replace block of k8s.io/kubernetes' own go.mod) with its published v0.<minor>.<patch> twin.
#
# Cached under ${XDG_CACHE_HOME:-~/.cache}/signet-tools/kube-apiserver-<version>/; idempotent.
# Progress goes to stderr; stdout is only the absolute path of the binary.
set -euo pipefail

version="${SIGNET_KUBE_VERSION:-1.37.2}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/signet-tools/kube-apiserver-${version}"
bin="$cache/kube-apiserver"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "kube-apiserver.sh: needs the Go toolchain (go) on PATH" >&2; exit 1; }
minor="${version#*.}"
staging_version="v0.${minor}"
work="$cache/build"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

echo "kube-apiserver.sh: fetching k8s.io/kubernetes v${version} from the Go module proxy" >&2
upstream_dir=$(GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@v${version}" \
  | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -f "$upstream_dir/go.mod" ] || { echo "kube-apiserver.sh: could not download k8s.io/kubernetes v${version}" >&2; exit 1; }
go_directive=$(sed -n 's/^go \(.*\)$/\1/p' "$upstream_dir/go.mod" | head -n1)

{
  echo "module signet.dev/tools/kube-apiserver"
  echo
  echo "go ${go_directive}"
  echo
  echo "require k8s.io/kubernetes v${version}"
  echo
  echo "replace ("
  # Every "k8s.io/x => ./staging/src/k8s.io/x" line becomes "k8s.io/x => k8s.io/x v0.<minor>".
  sed -n 's#^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/src/.*$#\t\1 => \1 '"${staging_version}"'#p' "$upstream_dir/go.mod"
  echo ")"
} > go.mod
cat > tools.go <<'GO'
//go:build tools

// Package tools only pins the command we build; it is never compiled.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
GO

echo "kube-apiserver.sh: resolving dependencies" >&2
GOFLAGS=-mod=mod go mod tidy >&2

echo "kube-apiserver.sh: building kube-apiserver v${version} (long the first time; the Go build cache makes later builds fast)" >&2
start=$(date +%s)
pkg=k8s.io/component-base/version
ldflags="-s -w -X ${pkg}.gitVersion=v${version} -X ${pkg}.gitMajor=${version%%.*} -X ${pkg}.gitMinor=${minor%%.*}"
ldflags="$ldflags -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=1970-01-01T00:00:00Z"
CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$work/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver >&2
mv "$work/kube-apiserver" "$bin"
echo "kube-apiserver.sh: built in $(( $(date +%s) - start ))s" >&2
echo "$bin"
