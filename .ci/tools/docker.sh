#!/usr/bin/env bash
# Provides a Docker engine for the image test and the Testcontainers tests, and prints its
# socket (unix:///.../docker.sock) on stdout, only that; progress goes to stderr.
#
#   export DOCKER_HOST=$(bash .ci/tools/docker.sh)   # start (or find) the engine
#   bash .ci/tools/docker.sh stop                     # stop the engine this script started
#
# Debian's docker.io (dockerd 20.10) is installed with apt-get when dockerd is missing (CI runs
# as root). The engine is this script's own: data root, exec root, pid file, log and socket all
# live under ${XDG_CACHE_HOME:-~/.cache}/signet-tools/docker/, so it never meets another
# engine on the machine (an existing /var/run/docker.sock is left alone). It uses the vfs
# storage driver by default (see below) and no iptables
# rules; published ports listen on 127.0.0.1 unless a run names another address (--ip), so test
# traffic stays on loopback (docker-proxy forwards it to the container). Idempotent: when an engine
# already answers on the socket it is only printed. CI leaves it running until the job's
# machine is torn down; `stop` ends it (only the dockerd whose pid this script recorded, and
# with it the containerd that dockerd started).
set -euo pipefail

# vfs works on any filesystem, inside any container; where overlayfs is available (this CI's
# machines: ext4 root), SIGNET_DOCKER_STORAGE_DRIVER=overlay2 avoids copying a whole image
# for each container and layer (docs/benchmarks.md). Each driver keeps its own data root; an
# engine already answering on the socket is used whatever its driver (stop it to switch).
driver=${SIGNET_DOCKER_STORAGE_DRIVER:-vfs}
dir="${XDG_CACHE_HOME:-$HOME/.cache}/signet-tools/docker"
sock="$dir/docker.sock"
pidfile="$dir/dockerd.pid"
host="unix://$sock"

answers() { [ -S "$sock" ] && docker -H "$host" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if [ "${1:-}" = stop ]; then
  if [ -f "$pidfile" ] && pid=$(cat "$pidfile") && kill -0 "$pid" 2>/dev/null \
    && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = dockerd ]; then
    kill -TERM "$pid"
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then echo "docker.sh: dockerd $pid did not stop in 30s" >&2; exit 1; fi
    echo "docker.sh: stopped dockerd $pid" >&2
  else
    echo "docker.sh: no dockerd started by this script is running" >&2
  fi
  exit 0
fi

mkdir -p "$dir"
if answers; then
  echo "$host"
  exit 0
fi

start=$(date +%s)
if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
  echo "docker.sh: installing Debian's docker.io" >&2
  if [ "$(id -u)" != 0 ]; then
    echo "docker.sh: needs root for apt-get and dockerd (or set DOCKER_HOST to your own engine)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # No recommends: no git, no needrestart; the package's own service is not used (where
  # systemd runs it starts one on /var/run/docker.sock, which this script never touches).
  install=(apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends docker.io)
  "${install[@]}" >&2 || { apt-get update -q >&2 && "${install[@]}" >&2; }
fi

if [ -f "$pidfile" ] && pid=$(cat "$pidfile") && kill -0 "$pid" 2>/dev/null \
  && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = dockerd ]; then
  # Ours, still starting (or another run of this script started it a moment ago): wait for it.
  echo "docker.sh: waiting for dockerd $pid on $host" >&2
else
  # A stale pid file or socket from a killed engine would stop dockerd from starting.
  rm -f "$pidfile" "$sock"
  # The log is appended to run after run; keep it small.
  if [ -f "$dir/dockerd.log" ] && [ "$(stat -c %s "$dir/dockerd.log")" -gt 10000000 ]; then
    mv "$dir/dockerd.log" "$dir/dockerd.log.1"
  fi
  echo "docker.sh: starting dockerd on $host (log: $dir/dockerd.log)" >&2
  data="$dir/data"
  [ "$driver" = vfs ] || data="$dir/data-$driver"
  setsid nohup dockerd --host="$host" --storage-driver="$driver" --iptables=false --ip=127.0.0.1 \
    --data-root="$data" --exec-root="$dir/exec" --pidfile="$pidfile" \
    >>"$dir/dockerd.log" 2>&1 </dev/null &
fi
for _ in $(seq 1 600); do
  if answers; then
    echo "docker.sh: dockerd $(docker -H "$host" version --format '{{.Server.Version}}') ready in $(( $(date +%s) - start ))s" >&2
    # Every container this engine holds now was left by an earlier run that was killed with
    # its engine; none of them runs, and each would pin its image (and a name) for good.
    docker -H "$host" container prune -f >/dev/null 2>&1 || true
    echo "$host"
    exit 0
  fi
  sleep 0.1
done
echo "docker.sh: dockerd did not answer on $sock within 60s; its log:" >&2
tail -n 30 "$dir/dockerd.log" >&2
exit 1
