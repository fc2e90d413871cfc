#!/bin/sh
# The main job: install, build, load the bundled example (tests/progs/hello.bpf.c) with bel,
# pin it, show what the kernel holds, then unpin. Run as root on Debian 12.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh build >/dev/null
obj=build/tests/hello.bpf.o
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
root=$(mktemp -d /sys/fs/bpf/bel-demo-XXXXXX)
trap 'build/bel unpin "$root/hello" 2>/dev/null || true; rmdir "$root" 2>/dev/null || true' EXIT

echo "== bel inspect $obj"
build/bel inspect "$obj"
echo
echo "== bel load $obj --pin $root"
build/bel load "$obj" --pin "$root"
echo
echo "== the kernel's view (bpftool)"
for p in "$root"/hello/programs/*; do
	bpftool prog show pinned "$p"
done
for m in "$root"/hello/maps/*; do
	bpftool map show pinned "$m"
done
echo
echo "== pins"
find "$root/hello" | sort
echo
echo "== bel unpin $root/hello"
build/bel unpin "$root/hello"
rmdir "$root"
trap - EXIT
echo "done: loaded, pinned, shown and unpinned"
