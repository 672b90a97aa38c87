#!/usr/bin/env bash
# Builds, without any registry, the images the Testcontainers Vault tests run, and prints the
# Vault image's name (hashicorp/vault:<version>) on stdout, only that; progress goes to stderr.
#
#   DOCKER_HOST=$(bash .ci/tools/docker.sh) bash .ci/tools/vault-image.sh
#
# - hashicorp/vault:<version>: FROM scratch, the static Vault binary that .ci/tools/vault.sh
#   builds (debug symbols stripped) at /bin/vault, and Debian's static busybox as /bin/sh for
#   the module's init commands (`/bin/sh -c "vault ..."` through execInContainer). It starts
#   `vault server -dev` on 0.0.0.0:8200 like the public image, so VaultContainer (which reads
#   VAULT_DEV_ROOT_TOKEN_ID) behaves the same with either; a developer with a registry pulls the
#   public image of the same name instead.
# - alpine:3.17: the same busybox alone, the tiny image Testcontainers runs for its own
#   occasional checks (file mounting, the default gateway); it is never pulled.
# Both are tagged on the engine DOCKER_HOST names (CI's own engine from docker.sh). The build
# context is cached under ${XDG_CACHE_HOME:-~/.cache}/signet-tools/vault-image-<version>/;
# idempotent, and fast when the engine already has both tags.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
export DOCKER_HOST="${DOCKER_HOST:-$(bash "$here/docker.sh")}"
vault=$(bash "$here/vault.sh")
version=$("$vault" version | sed -n 's/^Vault v\([0-9.]*\).*/\1/p')
[ -n "$version" ] || { echo "vault-image.sh: $vault reports no version" >&2; exit 1; }
image="hashicorp/vault:$version"
tiny="alpine:3.17"
ctx=${XDG_CACHE_HOME:-$HOME/.cache}/signet-tools/vault-image-$version
# The image is current when it exists and was built after this binary (vault.sh may rebuild
# the same version another way); the stamp is touched once both images are built.
if docker image inspect "$image" >/dev/null 2>&1 && docker image inspect "$tiny" >/dev/null 2>&1 \
  && [ "$ctx/built.stamp" -nt "$vault" ]; then
  echo "$image"
  exit 0
fi

start=$(date +%s)
mkdir -p "$ctx/vault/bin" "$ctx/tiny/bin"
if [ ! -x "$ctx/busybox" ]; then
  echo "vault-image.sh: fetching Debian's busybox-static" >&2
  deb=$(mktemp -d)
  (cd "$deb" && apt-get download busybox-static >&2 2>/dev/null \
    || { apt-get update -q >&2 && apt-get download busybox-static >&2; })
  dpkg-deb -x "$deb"/busybox-static_*.deb "$deb/x"
  cp "$deb/x/bin/busybox" "$ctx/busybox.tmp" && mv "$ctx/busybox.tmp" "$ctx/busybox"
  rm -rf "$deb"
fi
if [ ! -x "$ctx/vault/bin/vault" ] || [ "$vault" -nt "$ctx/vault/bin/vault" ]; then
  # Without its debug symbols the binary is 361 MB instead of 501 MB (binutils' strip).
  if command -v strip >/dev/null; then
    strip -o "$ctx/vault/bin/vault.tmp" "$vault"
  else
    cp "$vault" "$ctx/vault/bin/vault.tmp"
  fi
  mv "$ctx/vault/bin/vault.tmp" "$ctx/vault/bin/vault"
fi
for d in vault tiny; do
  cp "$ctx/busybox" "$ctx/$d/bin/busybox"
  ln -sf busybox "$ctx/$d/bin/sh"
  mkdir -p "$ctx/$d/tmp"
  chmod 1777 "$ctx/$d/tmp"
done
cat >"$ctx/vault/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY bin/ /bin/
COPY tmp/ /tmp/
ENV PATH=/bin HOME=/tmp VAULT_ADDR=http://127.0.0.1:8200
EXPOSE 8200
ENTRYPOINT ["/bin/vault"]
CMD ["server", "-dev", "-dev-listen-address=0.0.0.0:8200", "-dev-no-store-token"]
DOCKERFILE
cat >"$ctx/tiny/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY bin/ /bin/
COPY tmp/ /tmp/
ENV PATH=/bin
CMD ["/bin/sh"]
DOCKERFILE
echo "vault-image.sh: building $image and $tiny" >&2
DOCKER_BUILDKIT=0 docker build -q -t "$image" "$ctx/vault" >&2
DOCKER_BUILDKIT=0 docker build -q -t "$tiny" "$ctx/tiny" >&2
touch "$ctx/built.stamp"
echo "vault-image.sh: built in $(( $(date +%s) - start ))s" >&2
echo "$image"
