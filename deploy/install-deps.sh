#!/bin/sh
# Installs the Debian 12 packages Tessera needs.
#   install-deps.sh        what building and running need (make run)
#   install-deps.sh test   that, plus the tools only tests use (make test)
# Only missing packages are installed; when everything is present this
# script changes nothing and needs no network.
set -eu

MODE="${1:-run}"

PACKAGES="
  cmake
  ninja-build
  g++
  make
  pkg-config
  libgrpc++-dev
  libgrpc-dev
  libprotobuf-dev
  protobuf-compiler
  protobuf-compiler-grpc
  libabsl-dev
  librocksdb-dev
  libicu-dev
  libcmark-gfm-dev
  libcmark-gfm-extensions-dev
  libssl-dev
  libgtest-dev
  libgmock-dev
  libbenchmark-dev
  golang-github-gogo-googleapis-dev
  python3-grpcio
  python3-protobuf
  openssl
  python3
  libxml2-dev
  libcurl4-openssl-dev
  apertium
  apertium-fr-es
  apertium-fra-cat
  apertium-eng-spa
  apertium-eng-cat
  libboost-dev
  nodejs
"

# Used only by tests and test-only targets (fuzzing, sanitizers, proxies).
TEST_PACKAGES="
  nginx
  clang-14
  libclang-rt-14-dev
  llvm-14
  libxml2-utils
  dpkg-dev
  chromium
  fonts-noto-core
  fonts-noto-cjk
"

if [ "$MODE" = "test" ]; then
  PACKAGES="$PACKAGES $TEST_PACKAGES"
fi

# The web client's build needs npm; a machine may carry its own npm (newer
# than Debian's, installed by npm itself), which Debian's package conflicts
# with, so the package is asked for only when there is no npm at all.
if ! command -v npm >/dev/null 2>&1; then
  PACKAGES="$PACKAGES npm"
fi

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  exit 0
fi

echo "install-deps: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
