#!/usr/bin/env bash
# Builds Kubernetes' kube-apiserver and kubectl from the Go module proxy (no prebuilt binaries)
# and prints the path of the one asked for:
#
#   bash .ci/tools/kubernetes.sh kube-apiserver|kubectl
#
# (.ci/tools/kube-apiserver.sh and .ci/tools/kubectl.sh are the short forms.) Both come from one
# `go build` of the same k8s.io/kubernetes release, so the packages they share (client-go,
# apimachinery, api, ...) compile once. An existing cache that lacks one builds only that one.
#
# k8s.io/kubernetes points its k8s.io/* staging modules at local paths with `replace`, which Go
# ignores when the module is a dependency. So we build it from a small wrapper module that
# requires k8s.io/kubernetes at one release and replaces every staging module (the list is the
# replace block of k8s.io/kubernetes' own go.mod) with its published v0.<minor>.<patch> twin.
#
# Cached under ${XDG_CACHE_HOME:-~/.cache}/signet-tools/kube-apiserver-<version>/ (both
# binaries); idempotent, and safe to run twice at once (a lock beside the cache directory).
# Progress goes to stderr; stdout is only the absolute path of the binary.
set -euo pipefail

want=${1:?usage: kubernetes.sh kube-apiserver|kubectl}
case "$want" in
  kube-apiserver | kubectl) ;;
  *) echo "kubernetes.sh: builds kube-apiserver or kubectl, not '$want'" >&2; exit 2 ;;
esac
version="${SIGNET_KUBE_VERSION:-1.37.2}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/signet-tools/kube-apiserver-${version}"
if [ -x "$cache/$want" ]; then
  echo "$cache/$want"
  exit 0
fi

mkdir -p "$cache"
# One build at a time (CI asks for both binaries side by side): the second waits, then finds
# what the first built.
exec 9>"$cache.lock"
flock 9
missing=()
for cmd in kube-apiserver kubectl; do
  [ -x "$cache/$cmd" ] || missing+=("$cmd")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "$cache/$want"
  exit 0
fi

command -v go >/dev/null || { echo "kubernetes.sh: needs the Go toolchain (go) on PATH" >&2; exit 1; }
minor="${version#*.}"
staging_version="v0.${minor}"
work="$cache/build"
rm -rf "$work"
mkdir -p "$work/bin"
cd "$work"

echo "kubernetes.sh: fetching k8s.io/kubernetes v${version} from the Go module proxy" >&2
upstream_dir=$(GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@v${version}" \
  | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -f "$upstream_dir/go.mod" ] || { echo "kubernetes.sh: could not download k8s.io/kubernetes v${version}" >&2; exit 1; }
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

// Package tools only pins the commands we build; it is never compiled.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO

echo "kubernetes.sh: resolving dependencies" >&2
GOFLAGS=-mod=mod go mod tidy >&2

packages=()
for cmd in "${missing[@]}"; do packages+=("k8s.io/kubernetes/cmd/$cmd"); done
echo "kubernetes.sh: building ${missing[*]} v${version} (long the first time; the Go build cache makes later builds fast)" >&2
start=$(date +%s)
# Stamped as Kubernetes' hack/lib/version.sh does (`kubectl version` reads client-go's copy).
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X ${pkg}.gitVersion=v${version} -X ${pkg}.gitMajor=${version%%.*}"
  ldflags="$ldflags -X ${pkg}.gitMinor=${minor%%.*} -X ${pkg}.gitTreeState=clean"
  ldflags="$ldflags -X ${pkg}.buildDate=1970-01-01T00:00:00Z"
done
CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$work/bin/" "${packages[@]}" >&2
for cmd in "${missing[@]}"; do
  mv "$work/bin/$cmd" "$cache/$cmd"
done
echo "kubernetes.sh: built ${missing[*]} in $(( $(date +%s) - start ))s" >&2
echo "$cache/$want"
