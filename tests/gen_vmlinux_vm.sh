#!/bin/bash
# tests/gen_vmlinux_vm.sh [BUILD_DIR]: `bel gen vmlinux` on other kernels' BTF.
#
# Boots each kernel (GEN_VMLINUX_KERNELS, default "6.1 6.12") with ../shared/vmtest/vmtest.sh,
# runs `bel gen vmlinux` there and brings back its header and the raw /sys/kernel/btf/vmlinux
# (gzip + base64 over the serial line). Then, on the host:
#   - the header compiles with clang -target bpf and with gcc (-Wall -Wextra -Werror);
#   - `bel gen vmlinux --btf` of the raw BTF gives the same bytes (nothing depends on where it runs);
#   - test_btf_c checks that BTF as it checks the running kernel's: two dumps alike, and layout
#     asserts generated from the BTF (every named struct's size, every member's offset and size)
#     hold under both compilers.
# Exit 0 when every kernel passed; 77 (skip) when QEMU is missing, unless CI=true (then 1).
# VMTEST_CACHE defaults to /var/cache/bel-vmtest.
set -u -o pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
VMTEST=${VMTEST:-$SRC/../shared/vmtest/vmtest.sh}
KERNELS=${GEN_VMLINUX_KERNELS:-6.1 6.12}
export VMTEST_CACHE=${VMTEST_CACHE:-/var/cache/bel-vmtest}
BEL=$BUILD/bel
CLANG=${CLANG:-clang}
GCC=${GCC:-gcc}

skip() {
	echo "gen_vmlinux_vm: $*" >&2
	if [ "${CI:-}" = true ]; then exit 1; fi
	exit 77
}
[ -x "$VMTEST" ] || skip "no $VMTEST"
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64 (apt-get install qemu-system-x86 busybox-static cpio)"
[ -x "$BEL" ] && [ -x "$BUILD/tests/test_btf_c" ] || { echo "gen_vmlinux_vm: build $BUILD first" >&2; exit 1; }

WORK=$(mktemp -d /tmp/bel-gen-vmlinux-vm.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
failed=0

# The part of the serial output between two marker lines, decoded.
section() {
	sed -n "/^@@$2\$/,/^@@/p" "$1" | sed '1d;$d' | tr -d '\r' | base64 -d | gunzip
}

for k in $KERNELS; do
	out=$WORK/$k
	mkdir -p "$out"
	echo "gen_vmlinux_vm: kernel $k: booting" >&2
	# The guest's sh is busybox's; bel runs from its host path (vmtest adds it and its libraries).
	if ! "$VMTEST" -k "$k" -t 900 -a "$BEL" -- sh -c "set -e -o pipefail; uname -r;
		echo @@HEADER; $BEL gen vmlinux | gzip -1 | base64; echo @@BTF;
		gzip -1 < /sys/kernel/btf/vmlinux | base64; echo @@END" >"$out/serial" 2>"$out/vmtest.log"; then
		echo "gen_vmlinux_vm: kernel $k: the guest failed:" >&2
		tail -20 "$out/vmtest.log" "$out/serial" >&2
		failed=1
		continue
	fi
	release=$(sed -n '1p' "$out/serial" | tr -d '\r')
	if ! section "$out/serial" HEADER >"$out/vmlinux.h" || ! section "$out/serial" BTF >"$out/vmlinux.btf"; then
		echo "gen_vmlinux_vm: kernel $k: could not decode what the guest sent" >&2
		failed=1
		continue
	fi
	echo "gen_vmlinux_vm: kernel $release: header $(wc -c <"$out/vmlinux.h") bytes, BTF $(wc -c <"$out/vmlinux.btf") bytes" >&2
	echo '#include "vmlinux.h"' >"$out/use.c"
	ok=1
	for cc in "$CLANG -target bpf" "$GCC"; do
		if ! $cc -std=gnu11 -Wall -Wextra -Werror -fsyntax-only -I"$out" "$out/use.c" >"$out/cc.log" 2>&1; then
			echo "gen_vmlinux_vm: kernel $release: $cc rejects the header:" >&2
			head -20 "$out/cc.log" >&2
			ok=0
		fi
	done
	if ! "$BEL" gen vmlinux --btf "$out/vmlinux.btf" -o "$out/host.h" || ! cmp -s "$out/vmlinux.h" "$out/host.h"; then
		echo "gen_vmlinux_vm: kernel $release: the header made on the host from its BTF differs" >&2
		ok=0
	fi
	if ! BEL_BTF_C_FILES="$out/vmlinux.btf" CK_RUN_CASE=files CK_RUN_SUITE=btf_c \
		"$BUILD/tests/test_btf_c" >"$out/check.log" 2>&1; then
		echo "gen_vmlinux_vm: kernel $release: layout check failed:" >&2
		grep -v '^btf_c: [a-z_0-9]*: [0-9]* bytes' "$out/check.log" | head -20 >&2
		ok=0
	fi
	if [ $ok = 1 ]; then
		echo "gen_vmlinux_vm: kernel $release: ok ($(grep -o 'file0: .*' "$out/check.log"))"
	else
		failed=1
	fi
done
exit $failed
