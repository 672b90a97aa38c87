# Signet with ca.source=vault-transit: sign digests with the CA key (which never leaves Vault),
# read the key's public versions, and read the public CA chain in KV. Nothing else: no export,
# no rotation, no key configuration.
path "transit/sign/signet-ca" {
  capabilities = ["update"]
}
path "transit/keys/signet-ca" {
  capabilities = ["read"]
}
# The public CA chain (no key) in KV v2 (chain-source kv, the default).
path "secret/data/signet/transit-chain" {
  capabilities = ["read"]
}
# Own token upkeep (also in Vault's default policy, repeated for roles without it).
path "auth/token/renew-self" {
  capabilities = ["update"]
}
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
# Revoke a token Signet replaced after Vault refused it (so refused tokens do not pile up).
path "auth/token/revoke-self" {
  capabilities = ["update"]
}
