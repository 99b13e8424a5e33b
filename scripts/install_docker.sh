#!/usr/bin/env bash
# What the image test (tests/integration/docker_image.test.ts) needs to build and run fitlake's
# Dockerfile on this machine: Debian's Docker engine (docker.io; the test starts its own dockerd on a
# private socket and data root, and stops it), and a stand-in for the node:20 bookworm-slim base
# image for machines that cannot reach Docker Hub (package registries only): Debian bookworm minbase
# (debootstrap), this machine's node and npm, the `node` user (uid 1000) as in the official image, and
# this machine's CA bundle (so npm ci works behind its TLS proxy). Kept in the git-ignored
# .tools/docker/. Run by `npm test` (pretest) and .ci/run; quick and silent when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."
WHAT="fitlake's image test"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

command -v dockerd >/dev/null 2>&1 || apt_install docker.io
command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap

NODE_VERSION="$(node --version)"
BASE=".tools/docker/node-base-${NODE_VERSION}-bookworm.tar"
[ -f "${BASE}" ] && exit 0
echo "${WHAT}: building a node ${NODE_VERSION} bookworm base image (debootstrap, once, about a minute)" >&2
mkdir -p .tools/docker
ROOTFS="$(mktemp -d)"
trap 'as_root rm -rf "${ROOTFS}"' EXIT
as_root debootstrap --variant=minbase bookworm "${ROOTFS}" http://deb.debian.org/debian >/dev/null
NPM_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
as_root sh -c "
  set -e
  cp '$(command -v node)' '${ROOTFS}/usr/local/bin/node'
  mkdir -p '${ROOTFS}/usr/local/lib/node_modules' && cp -a '${NPM_DIR}' '${ROOTFS}/usr/local/lib/node_modules/npm'
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js '${ROOTFS}/usr/local/bin/npm'
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js '${ROOTFS}/usr/local/bin/npx'
  mkdir -p '${ROOTFS}/etc/ssl/certs' && cp /etc/ssl/certs/ca-certificates.crt '${ROOTFS}/etc/ssl/certs/ca-certificates.crt'
  chroot '${ROOTFS}' sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  rm -rf '${ROOTFS}/var/cache/apt/archives/'*.deb '${ROOTFS}/var/lib/apt/lists/'*
  chmod 0755 '${ROOTFS}' # mktemp's 0700 would become the image's /, closed to the node user
  tar --numeric-owner -C '${ROOTFS}' -cf '${BASE}.tmp' .
"
mv "${BASE}.tmp" "${BASE}"
