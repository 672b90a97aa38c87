# Signet with ca.source=vault-kv: read the CA secret (key and chain) and its metadata (to notice a
# new version). Read only: Signet never writes, lists or deletes secrets.
path "secret/data/signet/ca" {
  capabilities = ["read"]
}
path "secret/metadata/signet/ca" {
  capabilities = ["read"]
}
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
