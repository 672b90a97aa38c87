#!/usr/bin/env bash
# Builds the local base image for Signet's image, without any registry, and prints its tag
# (signet-base/jre:25-bookworm-<hash>) on stdout, only that; progress goes to stderr.
#
#   DOCKER_HOST=$(bash .ci/tools/docker.sh) bash .ci/tools/jre-image.sh
#
# The image is a Debian bookworm root filesystem made with `debootstrap --variant=minbase` from
# the Debian mirror apt uses here, plus a Java runtime made with `jlink` from the Temurin 25 JDK
# under /usr/lib/jvm (the modules jdeps finds in signet.jar, a few more; with its default CDS
# archive, which the launcher's AppCDS archive builds on), at /opt/java/openjdk with JAVA_HOME and
# PATH set as in the public eclipse-temurin image. No apt lists, caches, docs, man pages or
# locales. The root filesystem is cached as a tarball under
# ${XDG_CACHE_HOME:-~/.cache}/signet-tools/jre-image-<hash>/ (the hash covers this script, the
# JDK's release file and the mirror), so an engine with a new data root re-imports it in
# seconds; an engine that already has the tag is not touched. Needs root (debootstrap chroots).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
export DOCKER_HOST="${DOCKER_HOST:-$(bash "$here/docker.sh")}"
jdk=${SIGNET_JDK25:-$(ls -d /usr/lib/jvm/temurin-25-jdk* 2>/dev/null | head -n1 || true)}
[ -x "$jdk/bin/jlink" ] || { echo "jre-image.sh: no Temurin 25 JDK with jlink under /usr/lib/jvm (SIGNET_JDK25)" >&2; exit 1; }
suite=bookworm
# The mirror apt uses: the first Debian URI in deb822 sources, else in sources.list.
mirror=$(sed -n 's#^URIs: *\(http[^ ]*/debian\)/*$#\1#p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 || true)
[ -n "$mirror" ] || mirror=$(sed -n 's#^deb \(\[[^]]*\] \)\{0,1\}\(http[^ ]*/debian\)/* .*#\2#p' /etc/apt/sources.list 2>/dev/null | head -n1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
# What Signet needs (jdeps --print-module-deps on signet.jar: java.base, java.desktop for
# java.beans, java.naming, java.net.http, java.sql, jdk.jfr, jdk.management, jdk.unsupported),
# plus what it may load by name: logging, management (JMX), the EC provider module, zip
# filesystems, DNS for JNDI.
modules=java.base,java.desktop,java.logging,java.management,java.naming,java.net.http,java.sql
modules=$modules,jdk.jfr,jdk.management,jdk.unsupported,jdk.zipfs,jdk.naming.dns
if grep -q 'jdk.crypto.ec' "$jdk/release"; then modules=$modules,jdk.crypto.ec; fi

hash=$( (cat "$0" "$jdk/release"; echo "$mirror $suite $modules") | sha256sum | cut -c1-12)
tag="signet-base/jre:25-$suite-$hash"
cache=${XDG_CACHE_HOME:-$HOME/.cache}/signet-tools/jre-image-$hash
tarball=$cache/rootfs.tar
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag"
  exit 0
fi

start=$(date +%s)
if [ ! -f "$tarball" ]; then
  [ "$(id -u)" = 0 ] || { echo "jre-image.sh: needs root (debootstrap)" >&2; exit 1; }
  if ! command -v debootstrap >/dev/null; then
    echo "jre-image.sh: installing Debian's debootstrap" >&2
    export DEBIAN_FRONTEND=noninteractive
    install=(apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends debootstrap)
    "${install[@]}" >&2 || { apt-get update -q >&2 && "${install[@]}" >&2; }
  fi
  mkdir -p "$cache"
  root=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  echo "jre-image.sh: debootstrap --variant=minbase $suite from $mirror" >&2
  debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || { tail -n 30 "$cache/debootstrap.log" >&2; exit 1; }
  echo "jre-image.sh: jlink $modules from $jdk" >&2
  mkdir -p "$root/opt/java"
  "$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --compress=zip-6 --generate-cds-archive --output "$root/opt/java/openjdk" >&2
  # Minimal: no package lists or caches, documentation, man pages or translations.
  rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/* \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/usr/share/locale/* "$root"/tmp/* "$root"/var/tmp/*
  # The image's DNS comes from the engine at run time.
  : >"$root/etc/resolv.conf"
  # mktemp made the directory 0700; it becomes the image's /.
  chmod 0755 "$root"
  "$root/opt/java/openjdk/bin/java" -version >&2
  tar --numeric-owner -C "$root" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
fi
echo "jre-image.sh: importing $tarball as $tag" >&2
docker import \
  --change 'ENV JAVA_HOME=/opt/java/openjdk' \
  --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["java", "-version"]' \
  "$tarball" "$tag" >&2
echo "jre-image.sh: $tag ($(docker image inspect --format '{{.Size}}' "$tag") bytes) in $(( $(date +%s) - start ))s" >&2
# Bases of other hashes (an older script or JDK) are stale: their tarballs and tags go.
for old in "${cache%-*}"-*; do
  if [ "$old" != "$cache" ]; then rm -rf "$old"; fi
done
for old in $(docker image ls --format '{{.Repository}}:{{.Tag}}' signet-base/jre); do
  [ "$old" = "$tag" ] || docker image rm "$old" >/dev/null 2>&1 || true
done
echo "$tag"
