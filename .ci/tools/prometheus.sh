#!/usr/bin/env bash
# Provides Prometheus and promtool for the monitoring tests and prints the directory that holds
# both (stdout is only that absolute path; progress goes to stderr).
#
# Debian's prometheus package (2.42) ships /usr/bin/prometheus and /usr/bin/promtool. It is
# installed with apt-get when missing (CI runs as root), without recommends (no node exporter),
# and both binaries are linked into ${XDG_CACHE_HOME:-~/.cache}/signet-tools/prometheus-<version>/;
# idempotent and quick once installed. The tests start their own Prometheus on a loopback port
# with a temporary directory; the packaged service is never needed (where systemd runs, stop it
# with `systemctl disable --now prometheus` if you do not want it).
set -euo pipefail

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/signet-tools"
existing=$(ls -d "$cache_root"/prometheus-*/ 2>/dev/null | head -n1 || true)
if [ -n "$existing" ] && [ -x "$existing/prometheus" ] && [ -x "$existing/promtool" ] \
  && "$existing/promtool" --version >/dev/null 2>&1; then
  echo "${existing%/}"
  exit 0
fi

if ! [ -x /usr/bin/prometheus ] || ! [ -x /usr/bin/promtool ]; then
  echo "prometheus.sh: installing Debian's prometheus" >&2
  if [ "$(id -u)" != 0 ]; then
    echo "prometheus.sh: needs root for apt-get (or install prometheus yourself)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  install=(apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends prometheus)
  "${install[@]}" >&2 || { apt-get update -q >&2 && "${install[@]}" >&2; }
fi
version=$(/usr/bin/prometheus --version 2>&1 | sed -n 's/^prometheus, version \([0-9][0-9.]*\).*/\1/p')
[ -n "$version" ] || { echo "prometheus.sh: /usr/bin/prometheus does not report a version" >&2; exit 1; }
dir="$cache_root/prometheus-$version"
mkdir -p "$dir"
ln -sf /usr/bin/prometheus "$dir/prometheus"
ln -sf /usr/bin/promtool "$dir/promtool"
echo "prometheus.sh: prometheus $version" >&2
echo "$dir"
