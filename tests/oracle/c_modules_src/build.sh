#!/bin/sh
# Rebuilds the two modules of samples/openresty-c-modules (Debian: gcc and musl-tools). Small flags keep each file near 5 KB.
set -eu
cd "$(dirname "$0")"
small="-shared -fPIC -s -Wl,-z,noseparate-code -Wl,--build-id=none -nostartfiles"
out=${1:-../../../samples/openresty-c-modules/lib}
gcc $small -O2 -D_FORTIFY_SOURCE=2 -o "$out/greet.so" greet.c
musl-gcc $small -Os -Wl,-soname,libtolua++.so -o "$out/libtolua++.so" tolua.c
musl-gcc $small -Os -o "$out/bindings.so" bindings.c -L"$out" -ltolua++
rm "$out/libtolua++.so"  # built to link against; the image never gets it
