#!/bin/sh
# Builds Debian's own Abseil source with -fsanitize=thread into PREFIX, so
# TSan sees absl::Mutex (used by Tessera and by gRPC) instead of reporting
# every absl-guarded access as a race. Same version and SONAMEs as the
# installed libabsl-dev; tests pick it up through LD_LIBRARY_PATH.
#
#   build_absl_tsan.sh WORK_DIR       leaves the libraries in WORK_DIR/prefix
#
# Needs Debian's source archive (a deb-src entry is added if none exists)
# and does nothing when WORK_DIR/prefix already holds this version.
set -eu

WORK=$(mkdir -p "$1" && cd "$1" && pwd)
PREFIX=$WORK/prefix
JOBS=${JOBS:-2}
version=$(dpkg-query -W -f='${Version}' libabsl-dev)
stamp=$PREFIX/.tessera-absl-version

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then
  exit 0
fi

if ! apt-get source --print-uris "abseil=$version" >/dev/null 2>&1; then
  echo "tsan: adding Debian's source archive to fetch abseil $version" >&2
  cat >/etc/apt/sources.list.d/tessera-src.sources <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -qq
fi

cd "$WORK"
rm -rf src build "$PREFIX"
mkdir src
(cd src && apt-get source -qq "abseil=$version" >/dev/null)
srcdir=$(find "$WORK/src" -mindepth 1 -maxdepth 1 -type d -name 'abseil-*' | head -n1)
echo "tsan: building instrumented abseil $version (a few minutes)" >&2
cmake -S "$srcdir" -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_STANDARD=17 -DBUILD_SHARED_LIBS=ON -DABSL_PROPAGATE_CXX_STD=ON \
  -DBUILD_TESTING=OFF \
  "-DCMAKE_CXX_FLAGS=-fsanitize=thread" "-DCMAKE_C_FLAGS=-fsanitize=thread" \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" \
  "-DCMAKE_INSTALL_PREFIX=$PREFIX" >build.log
cmake --build build -j "$JOBS" >>build.log
cmake --install build >>build.log
echo "$version" >"$stamp"
rm -rf src build
