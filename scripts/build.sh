#!/bin/sh
# Configure (once) and build a meson build directory: build.sh DIR [meson options...]
set -eu
dir=$1
shift
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" "$@"
fi
ninja -C "$dir"
