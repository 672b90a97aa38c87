#!/usr/bin/env bash
# Installs DigiCert's pkilint (PyPI) into a virtual environment and prints the absolute path of
# its lint_pkix_cert command, the RFC 5280 certificate linter (dev.signet.lint.CertificateLintTest
# runs it; the package's other commands, lint_cabf_serverauth_cert and friends, are Web PKI
# profiles that do not apply to a private mesh CA, docs/compatibility.md).
#
# pkilint and every dependency are pinned (PINS below: `pip freeze` of an install of pkilint at
# this version), so a later release of a dependency cannot change the lint results.
# Cached under ${XDG_CACHE_HOME:-~/.cache}/signet-tools/pkilint-<version>/; idempotent.
# Progress goes to stderr; stdout is only the absolute path of the command.
set -euo pipefail

version="${SIGNET_PKILINT_VERSION:-0.13.3}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/signet-tools/pkilint-${version}"
bin="$cache/venv/bin/lint_pkix_cert"
if [ -f "$cache/installed" ] && [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
python=$(command -v python3 || true)
[ -n "$python" ] || { echo "pkilint.sh: needs python3 (3.9 or later, with venv) on PATH" >&2; exit 1; }

start=$(date +%s)
echo "pkilint.sh: installing pkilint $version from PyPI" >&2
# A venv holds its own absolute path, so it is built in place; "installed" marks it complete.
rm -rf "$cache"
mkdir -p "$cache"
"$python" -m venv "$cache/venv" >&2
# Every dependency of pkilint 0.13.3 (pip freeze of its install); other versions go unpinned.
pins=(
  cffi==2.1.1 cryptography==50.0.2 iso3166==3.0.0 iso4217==1.16.20260101 pkilint==0.13.3
  publicsuffixlist==1.1.2.20261023 pyasn1==0.6.5 pyasn1-fasder==0.1.3 pyasn1_alt_modules==0.4.10
  pycparser==3.12 python-dateutil==4.0.0 python-iso639==2026.7.23 tzdata==2026.6
  validators==0.22.0
)
if [ "$version" = 0.13.3 ]; then printf '%s\n' "${pins[@]}"; fi >"$cache/constraints.txt"
"$cache/venv/bin/pip" install -q --disable-pip-version-check --no-cache-dir \
  -c "$cache/constraints.txt" "pkilint==$version" >&2
"$bin" --help >/dev/null
touch "$cache/installed"
echo "pkilint.sh: installed $bin in $(( $(date +%s) - start ))s" >&2
echo "$bin"
