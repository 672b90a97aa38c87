#!/usr/bin/env bash
# Provides etcd for the tests' kube-apiserver and prints its path.
#
# Debian's etcd-server package (3.4.x) is enough for the kube-apiserver that
# .ci/tools/kube-apiserver.sh builds (it turns off the watch features older etcd lacks).
# It is installed with apt-get when missing (CI runs as root) and linked into
# ${XDG_CACHE_HOME:-~/.cache}/signet-tools/etcd-<version>/; idempotent.
# Progress goes to stderr; stdout is only the absolute path of the binary.
set -euo pipefail

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/signet-tools"
existing=$(ls -d "$cache_root"/etcd-*/etcd 2>/dev/null | head -n1 || true)
if [ -n "$existing" ] && [ -x "$existing" ] && "$existing" --version >/dev/null 2>&1; then
  echo "$existing"
  exit 0
fi

if ! [ -x /usr/bin/etcd ]; then
  echo "etcd.sh: installing Debian's etcd-server" >&2
  if [ "$(id -u)" != 0 ]; then
    echo "etcd.sh: needs root for apt-get (or install etcd-server yourself)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  install=(apt-get install -y -q -o DPkg::Lock::Timeout=600 etcd-server)
  "${install[@]}" >&2 || { apt-get update -q >&2 && "${install[@]}" >&2; }
  # Debian starts the packaged service where systemd runs; the tests start their own etcd.
fi
version=$(/usr/bin/etcd --version | sed -n 's/^etcd Version: //p')
[ -n "$version" ] || { echo "etcd.sh: /usr/bin/etcd does not report a version" >&2; exit 1; }
mkdir -p "$cache_root/etcd-$version"
ln -sf /usr/bin/etcd "$cache_root/etcd-$version/etcd"
echo "etcd.sh: etcd $version" >&2
echo "$cache_root/etcd-$version/etcd"
