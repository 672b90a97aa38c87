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
# ${XDG_CACHE_HOME:-~/.cache}/signet-tools/vault-<version>-minimal/; fast and idempotent when
# cached.
#
# The build is Vault's own `minimal` one (build tag `minimal`, defined by Vault:
# helper/builtinplugins/registry_min.go, command/commands_min.go): the same server, HTTP API,
# core, token store, policies, audit devices, raft and in-memory storage, and the built-in
# approle, cert, jwt/oidc, userpass, kv, pki, ssh and transit plugins, but none of the cloud,
# database and LDAP plugins or of the 23 other storage backends. Signet's tests need two things
# that the minimal build leaves out, so the two files above are replaced, in a copy of Vault's
# module source, by versions that add exactly them, registered as the full build registers
# them: the kubernetes auth method (vault-plugin-auth-kubernetes, which deploy/vault/setup.sh
# enables) and the file storage backend (VaultTestServer's restartable server). Measured
# (docs/benchmarks.md): about half the full build's 1,984 CPU seconds when cold, the largest
# single cost of a cold CI run.
set -euo pipefail

VERSION=${SIGNET_VAULT_VERSION:-v1.21.0}
# The api and sdk versions Vault v1.21.0's go.mod names. Its own build uses ./api and ./sdk of
# the same commit; these tags match that code (later patch releases, e.g. v1.21.4, build with an
# untagged sdk between v0.20.0 and v0.21.0 and do not compile from the proxy). The replace below
# keeps any dependency from raising the sdk past the matching version.
API_VERSION=v1.22.0
SDK_VERSION=v0.20.0

cache=${XDG_CACHE_HOME:-$HOME/.cache}/signet-tools/vault-${VERSION#v}-minimal
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
# Vault's module source, writable, with the two additions (see above); the go command does not
# let an -overlay replace files in the module cache, hence the copy (57 MB, a second).
src=$(cd "$work" && GOFLAGS=-mod=mod go list -m -f '{{.Dir}}' github.com/hashicorp/vault)
cp -R "$src" "$work/vault"
chmod -R u+w "$work/vault"
cat >"$work/vault/helper/builtinplugins/registry_min.go" <<'GO'
//go:build minimal

package builtinplugins

// Written by Signet's .ci/tools/vault.sh over Vault's no-op: the minimal build plus the
// kubernetes auth method, registered as registry_full.go registers it.

import (
	credKube "github.com/hashicorp/vault-plugin-auth-kubernetes"
	"github.com/hashicorp/vault/helper/pluginconsts"
)

func extendAddonPlugins(reg *registry) {
	reg.credentialBackends[pluginconsts.AuthTypeKubernetes] = credentialBackend{Factory: credKube.Factory}
}
GO
cat >"$work/vault/command/commands_min.go" <<'GO'
//go:build minimal

package command

// Written by Signet's .ci/tools/vault.sh over Vault's no-op: the minimal build plus the file
// storage backend, registered as commands_full.go registers it.

import (
	_ "github.com/hashicorp/vault/helper/builtinplugins"
	physFile "github.com/hashicorp/vault/sdk/physical/file"
)

func extendAddonHandlers(handlers *vaultHandlers) {
	handlers.physicalBackends["file"] = physFile.NewFileBackend
	handlers.physicalBackends["file_transactional"] = physFile.NewTransactionalFileBackend
}
GO
(cd "$work" && go mod edit -replace github.com/hashicorp/vault=./vault)
echo "vault.sh: compiling (about 9 minutes on 2 idle cores when cold)" >&2
(cd "$work" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -tags minimal -trimpath -ldflags "-s -w" \
  -o "$cache/vault.tmp" github.com/hashicorp/vault >&2)
mv "$cache/vault.tmp" "$bin"
echo "vault.sh: built $bin in $(( $(date +%s) - start ))s" >&2
echo "$bin"
