#!/usr/bin/env bash
# Makes Istio's plug-in CA files for Signet's files CA source, with openssl, the way Istio's
# tools/certs/Makefile.selfsigned.mk does: a root CA, and below it a signing CA for one cluster.
#
#   deploy/make-cacerts.sh DIR
#
# writes DIR/root-cert.pem and DIR/root-key.pem (the root: made once, reused by later runs;
# keep its key offline, it is never installed) and DIR/cacerts/ with ca-cert.pem, ca-key.pem,
# cert-chain.pem and root-cert.pem (a new P-256 signing CA, pathlen 0; days valid: ROOT_DAYS,
# default 3650, and CA_DAYS, default 365), then prints DIR/cacerts, what
# `deploy/install.sh --cacerts` takes. Run again, it makes a new signing CA under the same root:
# how the signing CA is rotated (replace the cacerts Secret's files; Signet re-reads them
# without a restart).
set -euo pipefail

case "${1:-}" in
  -h | --help | "")
    sed -n '2,13s/^# \{0,1\}//p' "$0"
    [ -n "${1:-}" ] && exit 0 || exit 2 ;;
esac
dir=$1
org=${ORG:-Signet}
root_days=${ROOT_DAYS:-3650}
ca_days=${CA_DAYS:-365}
umask 077
mkdir -p "$dir/cacerts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/ext.cnf" <<'EOF'
[root]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[signing]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF

if [ ! -f "$dir/root-key.pem" ]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/root-key.pem"
  openssl req -new -x509 -key "$dir/root-key.pem" -subj "/O=$org/CN=$org Root CA" \
    -days "$root_days" -config /dev/null -extensions root -extfile "$work/ext.cnf" \
    -out "$dir/root-cert.pem" 2>/dev/null || {
      # OpenSSL 1.1 wants a configuration file for req -x509.
      openssl req -new -x509 -key "$dir/root-key.pem" -subj "/O=$org/CN=$org Root CA" \
        -days "$root_days" -config "$work/ext.cnf" -extensions root -out "$dir/root-cert.pem"
    }
  echo "make-cacerts: new root $dir/root-cert.pem; keep $dir/root-key.pem offline" >&2
fi

out=$dir/cacerts
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/ca-key.pem"
openssl req -new -key "$work/ca-key.pem" -subj "/O=$org/CN=$org Signing CA" \
  -config /dev/null -out "$work/ca.csr" 2>/dev/null \
  || openssl req -new -key "$work/ca-key.pem" -subj "/O=$org/CN=$org Signing CA" \
    -config "$work/ext.cnf" -out "$work/ca.csr"
openssl x509 -req -in "$work/ca.csr" -CA "$dir/root-cert.pem" -CAkey "$dir/root-key.pem" \
  -set_serial "0x$(openssl rand -hex 16)" -days "$ca_days" \
  -extfile "$work/ext.cnf" -extensions signing -out "$work/ca-cert.pem" 2>/dev/null
cp "$dir/root-cert.pem" "$work/root-cert.pem"
cat "$work/ca-cert.pem" "$dir/root-cert.pem" >"$work/cert-chain.pem"
# Each file moved in whole (Signet refuses a mixed set and keeps signing with the last good one).
for f in root-cert.pem ca-cert.pem ca-key.pem cert-chain.pem; do
  mv -f "$work/$f" "$out/$f"
done
echo "make-cacerts: signing CA $(openssl x509 -noout -subject -in "$out/ca-cert.pem")" >&2
echo "$out"
