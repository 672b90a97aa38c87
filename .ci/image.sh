#!/usr/bin/env bash
# Builds Signet's image from the shaded jar (target/signet.jar: ./mvnw -B -DskipTests package)
# on the local base image (.ci/tools/jre-image.sh), with no registry, and prints its tag on
# stdout (only that). The tag names the jar's content: signet:ci-<hash>.
#
#   export DOCKER_HOST=$(bash .ci/tools/docker.sh)
#   export SIGNET_IMAGE=$(bash .ci/image.sh)      # for dev.signet.image.ImageTest
set -euo pipefail
cd "$(dirname "$0")/.."
export DOCKER_HOST="${DOCKER_HOST:-$(bash .ci/tools/docker.sh)}"
[ -f target/signet.jar ] || { echo "image.sh: no target/signet.jar; run ./mvnw -B -DskipTests package" >&2; exit 1; }
base=$(bash .ci/tools/jre-image.sh)
hash=$( (sha256sum target/signet.jar server/Dockerfile server/bin/signet server/config/signet.yaml; echo "$base") | sha256sum | cut -c1-12)
tag="signet:ci-$hash"
if ! docker image inspect "$tag" >/dev/null 2>&1; then
  start=$(date +%s)
  echo "image.sh: building $tag on $base" >&2
  version=$("${JAVA_HOME:+$JAVA_HOME/bin/}java" -jar target/signet.jar version | cut -d' ' -f2)
  DOCKER_BUILDKIT=0 docker build -q -f server/Dockerfile --build-arg BASE_IMAGE="$base" \
    --build-arg SIGNET_VERSION="$version" -t "$tag" . >&2
  echo "image.sh: built $tag ($(docker image inspect --format '{{.Size}}' "$tag") bytes) in $(( $(date +%s) - start ))s" >&2
  # Earlier builds are stale; their layers would fill the engine's (vfs) data root run by run.
  # A run that was killed (a stopped job, a machine torn down mid-test) can leave a container
  # of a stale image behind; it holds the image, so it goes first. Cleaning is best effort: a
  # stale image that stays costs disk, never this build.
  for old in $(docker image ls --format '{{.Repository}}:{{.Tag}}' signet); do
    case "$old" in
      signet:ci-*)
        [ "$old" != "$tag" ] || continue
        for c in $(docker ps -aq --filter "ancestor=$old"); do
          docker rm -f -v "$c" >/dev/null 2>&1 || true
        done
        docker image rm "$old" >/dev/null 2>&1 || echo "image.sh: could not remove $old (left in place)" >&2
        ;;
    esac
  done
  docker image prune -f >/dev/null 2>&1 || true
fi
echo "$tag"
