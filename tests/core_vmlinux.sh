#!/bin/sh
# tests/core_vmlinux.sh BEL CLANG SOURCE [CLANG_FLAGS...]
#
# CO-RE equivalence of bel's vmlinux.h and bpftool's: SOURCE (tests/progs/core_vmlinux.bpf.c)
# is built against `BEL gen vmlinux` and against `bpftool btf dump file /sys/kernel/btf/vmlinux
# format c` (bpftool: a test-only oracle), both objects are loaded by `BEL load` on the running
# kernel, and the kernel must report the same tag for each program: after CO-RE relocation the
# two builds are the same instructions. Needs root and /sys/kernel/btf/vmlinux; without them it
# skips (77), or fails under CI=true.
set -eu
BEL=$1 CLANG=$2 SOURCE=$3
shift 3

skip() {
	echo "core_vmlinux: $*" >&2
	if [ "${CI:-}" = true ]; then exit 1; fi
	exit 77
}
[ "$(id -u)" -eq 0 ] || skip "not root"
[ -r /sys/kernel/btf/vmlinux ] || skip "no /sys/kernel/btf/vmlinux"
command -v bpftool >/dev/null || skip "no bpftool"

WORK=$(mktemp -d /tmp/bel-core-vmlinux.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/bel" "$WORK/bpftool"
"$BEL" gen vmlinux -o "$WORK/bel/vmlinux.h"
bpftool btf dump file /sys/kernel/btf/vmlinux format c >"$WORK/bpftool/vmlinux.h"

for h in bel bpftool; do
	"$CLANG" "$@" -I"$WORK/$h" -c "$SOURCE" -o "$WORK/$h.o"
	# bel load prints "prog NAME SECTION TYPE id N tag TAG ..." per program, and unloads on exit
	"$BEL" load "$WORK/$h.o" --name "core_vmlinux_$h" >"$WORK/$h.load" 2>&1 || {
		echo "core_vmlinux: bel load of the object built with $h's vmlinux.h failed:" >&2
		cat "$WORK/$h.load" >&2
		exit 1
	}
	awk '$1 == "prog" { for (i = 1; i < NF; i++) if ($i == "tag") print $2, $(i + 1) }' \
		"$WORK/$h.load" | sort >"$WORK/$h.tags"
done

n=$(wc -l <"$WORK/bel.tags")
if [ "$n" -lt 2 ] || ! cmp -s "$WORK/bel.tags" "$WORK/bpftool.tags"; then
	echo "core_vmlinux: program tags differ (or fewer than 2 programs loaded):" >&2
	echo "  with bel's vmlinux.h:" >&2
	sed 's/^/    /' "$WORK/bel.tags" >&2
	echo "  with bpftool's vmlinux.h:" >&2
	sed 's/^/    /' "$WORK/bpftool.tags" >&2
	exit 1
fi
# Before relocation the two objects may well differ (other local types); say whether they did.
if cmp -s "$WORK/bel.o" "$WORK/bpftool.o"; then same="identical objects"; else same="different objects"; fi
echo "core_vmlinux: $n programs, same tags with bel's and bpftool's vmlinux.h ($same):"
sed 's/^/  /' "$WORK/bel.tags"
