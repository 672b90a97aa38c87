# Signet with ca.source=vault-pki and ca.vault.pki.key-source=transit: the signing key is the
# Transit key signet-pki (it never leaves Vault). Signet makes a CSR with it, has the mesh
# intermediate sign that CSR, then signs leaf digests with it. Nothing else.
path "pki_mesh/root/sign-intermediate" {
  capabilities = ["update"]
}
path "transit/keys/signet-pki" {
  capabilities = ["read"]
}
path "transit/keys/signet-pki/csr" {
  capabilities = ["update"]
}
path "transit/sign/signet-pki" {
  capabilities = ["update"]
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
