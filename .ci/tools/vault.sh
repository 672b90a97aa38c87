#!/usr/bin/env bash
# Builds a Vault-compatible server (HashiCorp Vault) for Signet's Vault tests (and its CLI, used by
# deploy/vault/setup.sh),
# from the Go module proxy, and prints the absolute path of the binary on stdout (only that).
#
# Why Vault and not OpenBao: the module proxy reachable here answers 403 ("not available") for
# every version of github.com/openbao/openbao (only its api/v2 and sdk/v2 modules are served),
# while github.com/hashicorp/vault is served. Both speak the same HTTP API for transit, pki, kv v2,
# token, approle and kubernetes auth, which is all Signet uses.
#
# `go install github.com/hashicorp/vault@v` refuses because Vault's go.mod has replace
# directives (./api, ./sdk, two forks). So a tiny wrapper module requires the main module and
# its api/sdk modules at the versions Vault's own go.mod names, repeats the non-local replace
# directives, and builds the main package. Cached under
# ${XDG_CACHE_HOME:-~/.cache}/signet-tools/vault-<version>/; fast and idempotent when cached.
set -euo pipefail

VERSION=${SIGNET_VAULT_VERSION:-v1.21.0}
# The api and sdk versions Vault v1.21.0's go.mod names. Its own build uses ./api and ./sdk of
# the same commit; these tags match that code (later patch releases, e.g. v1.21.4, build with an
# untagged sdk between v0.20.0 and v0.21.0 and do not compile from the proxy). The replace below
# keeps any dependency from raising the sdk past the matching version.
API_VERSION=v1.22.0
SDK_VERSION=v0.20.0

cache=${XDG_CACHE_HOME:-$HOME/.cache}/signet-tools/vault-${VERSION#v}
bin=$cache/vault
if [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { echo "vault.sh: needs the Go toolchain (go) on PATH" >&2; exit 1; }

mkdir -p "$cache"
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat >"$work/go.mod" <<MOD
module signet.dev/tools/vault

go 1.25

require (
	github.com/hashicorp/vault $VERSION
	github.com/hashicorp/vault/api $API_VERSION
	github.com/hashicorp/vault/sdk $SDK_VERSION
)

replace github.com/hashicorp/vault/sdk => github.com/hashicorp/vault/sdk $SDK_VERSION

replace github.com/99designs/keyring => github.com/Jeffail/keyring v1.2.3

replace github.com/ma314smith/signedxml v1.1.1 => github.com/moov-io/signedxml v1.1.1
MOD
cat >"$work/tools.go" <<'GO'
//go:build tools

// Package tools pins the Vault main package so `go mod` resolves its whole build graph.
package tools

import _ "github.com/hashicorp/vault"
GO
start=$(date +%s)
echo "vault.sh: resolving modules for vault $VERSION (first run downloads a few hundred modules)" >&2
(cd "$work" && GOFLAGS=-mod=mod go get "github.com/hashicorp/vault@$VERSION" >&2)
echo "vault.sh: compiling (about 20 minutes on 2 cores when cold)" >&2
(cd "$work" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$cache/vault.tmp" github.com/hashicorp/vault >&2)
mv "$cache/vault.tmp" "$bin"
echo "vault.sh: built $bin in $(( $(date +%s) - start ))s" >&2
echo "$bin"
