#!/usr/bin/env bash
# Sets up a fresh Vault (or OpenBao) for Signet's three custody models, with the CLI:
#   transit/            key signet-ca (ECDSA P-256); its CA certificate chain goes to KV
#                       secret/signet/transit-chain (public: no key)
#   secret/ (KV v2)     signet/ca: Istio plug-in layout for vault-kv (key made locally, once)
#   pki_root/           an example root (use your corporate root instead in production)
#   pki_mesh/           mesh intermediate (3 years, pathLen 1) signed by the root; it signs
#                       Signet's 90-day signing certificates (pathLen 0) in all three models
#   transit/ signet-pki the key of vault-pki with key-source transit
#   policies            signet-transit, signet-kv, signet-pki, signet-pki-transit
#                       (deploy/vault/*.hcl)
#   auth                approle roles signet-<model> (no default policy), and kubernetes auth
#                       roles signet-<model> bound to service account signet-system/signet
#
# Usage: VAULT_ADDR=... VAULT_TOKEN=<admin token> deploy/vault/setup.sh
# Env:   VAULT_BIN (default: vault, else bao), KUBERNETES_HOST (default
#        https://kubernetes.default.svc), KUBERNETES_CA_CERT (PEM file of the API server's CA), SIGNET_NAMESPACE (signet-system),
#        SIGNET_SERVICE_ACCOUNT (signet), TRUST_DOMAIN (cluster.local).
# Prints the approle role ids at the end. Key material made locally (the vault-kv key) lives only
# in a private temporary directory that is removed on exit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
VAULT_BIN=${VAULT_BIN:-$(command -v vault || command -v bao || true)}
[ -n "$VAULT_BIN" ] || { echo "setup.sh: needs the vault or bao CLI (VAULT_BIN)" >&2; exit 1; }
: "${VAULT_ADDR:?set VAULT_ADDR}" "${VAULT_TOKEN:?set VAULT_TOKEN (an admin token)}"
export VAULT_ADDR VAULT_TOKEN
KUBERNETES_HOST=${KUBERNETES_HOST:-https://kubernetes.default.svc}
NS=${SIGNET_NAMESPACE:-signet-system}
SA=${SIGNET_SERVICE_ACCOUNT:-signet}
TD=${TRUST_DOMAIN:-cluster.local}
v() { "$VAULT_BIN" "$@"; }
# `write -field=` prints no final newline; PEM files joined with cat need one.
wf() { local field=$1; shift; "$VAULT_BIN" write -field="$field" "$@"; echo; }
say() { echo "setup.sh: $*" >&2; }

umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Whether a mount exists. The listing is captured first: `| grep -q` would end the CLI early
# (SIGPIPE), which pipefail reports as "not found".
enabled() { local all; all=$(v secrets list -format=json); [[ $all == *"\"$1/\""* ]]; }
auth_enabled() { local all; all=$(v auth list -format=json); [[ $all == *"\"$1/\""* ]]; }

say "PKI: example root and mesh intermediate"
enabled pki_root || v secrets enable -path=pki_root -max-lease-ttl=87600h pki >/dev/null
wf certificate pki_root/root/generate/internal common_name="Signet example root" \
  ttl=87600h key_type=ec key_bits=256 >"$work/root.pem"
enabled pki_mesh || v secrets enable -path=pki_mesh -max-lease-ttl=26280h pki >/dev/null
wf csr pki_mesh/intermediate/generate/internal common_name="Mesh intermediate $TD" \
  key_type=ec key_bits=256 >"$work/mesh.csr"
wf certificate pki_root/root/sign-intermediate csr=@"$work/mesh.csr" \
  common_name="Mesh intermediate $TD" ttl=26280h max_path_length=1 format=pem >"$work/mesh.pem"
cat "$work/mesh.pem" "$work/root.pem" >"$work/mesh-bundle.pem"
v write pki_mesh/intermediate/set-signed certificate=@"$work/mesh-bundle.pem" >/dev/null

# Signs a CA CSR as one of Signet's signing certificates (pathLen 0, 90 days).
sign_ca() { # csr-file common-name out-file
  wf certificate pki_mesh/root/sign-intermediate csr=@"$1" common_name="$2" \
    ttl=2160h max_path_length=0 exclude_cn_from_sans=true format=pem >"$3"
}

say "Transit: key signet-ca and its CA certificate"
enabled transit || v secrets enable transit >/dev/null
v write -f transit/keys/signet-ca type=ecdsa-p256 >/dev/null
# The key of vault-pki with key-source transit (its certificate comes from Signet at start).
v write -f transit/keys/signet-pki type=ecdsa-p256 >/dev/null
wf csr -f transit/keys/signet-ca/csr >"$work/transit.csr"
sign_ca "$work/transit.csr" "Signet transit CA" "$work/transit-ca.pem"
cat "$work/transit-ca.pem" "$work/mesh.pem" "$work/root.pem" >"$work/transit-chain.pem"
# Transit's keys/<key>/set-certificate refuses CA certificates, so the chain goes to KV below.

say "KV v2: secret/signet/ca (vault-kv model)"
enabled secret || v secrets enable -path=secret -version=2 kv >/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/kv-key.pem" 2>/dev/null
openssl req -new -key "$work/kv-key.pem" -subj "/CN=Signet KV CA" -out "$work/kv.csr"
sign_ca "$work/kv.csr" "Signet KV CA" "$work/kv-ca.pem"
cat "$work/kv-ca.pem" "$work/mesh.pem" "$work/root.pem" >"$work/kv-chain.pem"
v kv put -mount=secret signet/ca ca-cert.pem=@"$work/kv-ca.pem" \
  ca-key.pem=@"$work/kv-key.pem" cert-chain.pem=@"$work/kv-chain.pem" \
  root-cert.pem=@"$work/root.pem" >/dev/null
# The public chain alone, for vault-transit (chain-source kv, ca.vault.kv.path=signet/transit-chain).
v kv put -mount=secret signet/transit-chain ca-cert.pem=@"$work/transit-ca.pem" \
  cert-chain.pem=@"$work/transit-chain.pem" root-cert.pem=@"$work/root.pem" >/dev/null

say "policies"
for model in transit kv pki pki-transit; do
  v policy write "signet-$model" "$here/signet-$model.hcl" >/dev/null
done

say "auth: approle and kubernetes"
auth_enabled approle || v auth enable approle >/dev/null
auth_enabled kubernetes || v auth enable kubernetes >/dev/null
# Vault verifies the API server with KUBERNETES_CA_CERT (a PEM file) if given, else with the
# pod's service-account CA when Vault runs in the cluster, else with the system trust store.
k8s_ca=()
if [ -n "${KUBERNETES_CA_CERT:-}" ]; then
  k8s_ca=(kubernetes_ca_cert=@"$KUBERNETES_CA_CERT")
elif [ ! -f /var/run/secrets/kubernetes.io/serviceaccount/ca.crt ]; then
  k8s_ca=(disable_local_ca_jwt=true)
fi
v write auth/kubernetes/config kubernetes_host="$KUBERNETES_HOST" "${k8s_ca[@]}" >/dev/null
for model in transit kv pki pki-transit; do
  v write "auth/approle/role/signet-$model" token_policies="signet-$model" \
    token_no_default_policy=true token_ttl=1h token_max_ttl=24h secret_id_ttl=0 >/dev/null
  v write "auth/kubernetes/role/signet-$model" bound_service_account_names="$SA" \
    bound_service_account_namespaces="$NS" audience=vault token_policies="signet-$model" \
    token_no_default_policy=true token_ttl=1h token_max_ttl=24h >/dev/null
  echo "signet-$model role_id=$(v read -field=role_id "auth/approle/role/signet-$model/role-id")"
done
say "done: give Signet a secret id with"
say "  $VAULT_BIN write -f -field=secret_id auth/approle/role/signet-<model>/secret-id"
