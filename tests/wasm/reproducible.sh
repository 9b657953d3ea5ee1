#!/usr/bin/env bash
# Two clean builds of the wasm sub-project must give byte-identical modules, and equal the ones in
# build/wasm: operators compare a deployed module hash with a local build. The second build uses a copy of
# the sources at another path and a build directory of another length, so absolute paths would show.
#   reproducible.sh REPO_ROOT WASM_DIR
set -euo pipefail
root=$1 wasm_dir=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hubctl-repro.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

build() {  # build SOURCE_ROOT BUILD_DIR
  cmake -S "$1/src/wasm" -B "$2" -DCMAKE_TOOLCHAIN_FILE="$1/cmake/wasm32-toolchain.cmake" \
        -DCMAKE_BUILD_TYPE=Release -DHUBCTL_WASM_OUT_DIR="$2/out" >"$2.log" 2>&1 &&
    cmake --build "$2" -j2 >>"$2.log" 2>&1 || { echo "build in $2 failed:"; tail -40 "$2.log"; exit 1; }
}
build "$root" "$tmp/a"
mkdir -p "$tmp/another/checkout/of/hubctl"
cp -r "$root/cmake" "$root/src" "$root/candid" "$tmp/another/checkout/of/hubctl/"
build "$tmp/another/checkout/of/hubctl" "$tmp/b-with-a-longer-build-directory-name"

status=0
count=0
for a in "$tmp"/a/out/*.wasm; do
  name=$(basename "$a")
  count=$((count + 1))
  same=1
  for other in "$tmp/b-with-a-longer-build-directory-name/out/$name" "$wasm_dir/$name"; do
    if ! cmp -s "$a" "$other"; then
      echo "FAIL $name differs: $a ($(sha256sum < "$a" | cut -c1-16)) vs $other ($( [ -f "$other" ] && sha256sum < "$other" | cut -c1-16 || echo missing))"
      status=1 same=0
    fi
  done
  [ $same = 1 ] && echo "ok   $name $(sha256sum < "$a" | cut -d' ' -f1)"
done
[ $count -gt 0 ] || { echo "FAIL no modules built"; exit 1; }
exit $status
