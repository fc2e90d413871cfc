#!/bin/sh
# tests/dist/initramfs.sh STATIC_BEL OBJECT: the minimal-image case. ../shared/vmtest boots
# Debian 12's Linux 6.1 with an initramfs holding only busybox, the fully static bel
# (-Dstatic_cli=true) and OBJECT (--no-libs: no libc, no libelf, no zlib), and runs there
# bel inspect, bel load --pin (into a bpffs directory it makes) and bel unpin, checking what
# they print and that the tree is gone after. Skips (77) without vmtest, or fails under CI=true.
set -u
BEL=$1 OBJ=$2
SRC=$(cd "$(dirname "$0")/../.." && pwd)
VMTEST=$SRC/../shared/vmtest/vmtest.sh
export VMTEST_CACHE=${VMTEST_CACHE:-/var/cache/bel-vmtest}
if [ ! -x "$VMTEST" ]; then
	echo "initramfs: $VMTEST not found"
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi
if ! file -L "$BEL" | grep -q 'statically linked'; then
	echo "FAIL: $BEL is not statically linked: $(file -L "$BEL")"
	exit 1
fi
WORK=$(mktemp -d /tmp/bel-initramfs.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
name=$(basename "$OBJ")
tree=$(basename "$OBJ" | sed 's/\..*//')
cat >"$WORK/guest.sh" <<EOG
set -e
echo "guest: Linux \$(uname -r)"
for lib in /lib/x86_64-linux-gnu/libc.so.6 /lib64/ld-linux-x86-64.so.2 /usr/lib/x86_64-linux-gnu/libelf.so.1; do
	[ ! -e \$lib ] || { echo "\$lib is in the image"; exit 1; }
done
echo "guest: no libc, libelf or zlib in the image"
bel --version
bel inspect /obj/$name
bel load /obj/$name --pin /sys/fs/bpf/x
echo "pins:" \$(ls /sys/fs/bpf/x/$tree/programs)
bel unpin /sys/fs/bpf/x/$tree
echo "after unpin: [\$(ls -A /sys/fs/bpf/x)]"
echo guest-done
EOG
"$VMTEST" --no-libs -k 6.1 -t 300 -C / -a "$BEL:/bin/bel" -a "$OBJ:/obj/$name" \
	-a "$WORK/guest.sh:/guest.sh" -- sh /guest.sh >"$WORK/out" 2>&1
status=$?
cat "$WORK/out"
fail=0
check() { # PATTERN WHAT
	if grep -Eq -- "$1" "$WORK/out"; then echo "ok: $2"; else echo "FAIL: $2"; fail=1; fi
}
check '^guest: Linux 6\.1\.' "booted Debian 12's 6.1"
check '^guest: no libc' "no libc, libelf or zlib in the image"
check '^bel [0-9]+\.[0-9]+\.[0-9]+$' "bel --version"
check "^object $tree: license \"[^\"]*\", [1-9][0-9]* programs" "bel inspect"
check "^prog [^ ]+ .* id [0-9]+ +tag [0-9a-f]{16} " "bel load: programs loaded, with kernel ids and tags"
check "^pinned at /sys/fs/bpf/x/$tree\$" "bel load --pin made /sys/fs/bpf/x and pinned there"
check '^pins: [^ ]' "pins listed"
check '^after unpin: \[\]$' "bel unpin removed the tree"
check '^guest-done$' "the guest script ran to its end"
[ $status -eq 0 ] || { echo "FAIL: vmtest exited $status"; fail=1; }
[ $fail -eq 0 ] && echo "initramfs: the static bel inspects, loads, pins and unpins on Linux 6.1 with nothing but busybox"
exit $fail
