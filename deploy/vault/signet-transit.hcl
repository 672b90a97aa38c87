# Signet with ca.source=vault-transit: sign digests with the CA key (which never leaves Vault) and
# read the key's public versions and stored certificate chain. Nothing else: no export, no
# rotation, no key configuration.
path "transit/sign/signet-ca" {
  capabilities = ["update"]
}
path "transit/keys/signet-ca" {
  capabilities = ["read"]
}
# Only with ca.vault.transit.chain-source=kv: the public chain (no key) in KV v2.
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
