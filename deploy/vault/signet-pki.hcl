# Signet with ca.source=vault-pki: have the mesh intermediate sign Signet's own signing-CA CSR.
# Nothing else: no issuing of leaves through Vault, no reading or changing of the issuer.
path "pki_mesh/root/sign-intermediate" {
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
