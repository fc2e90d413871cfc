#!/bin/sh
# tests/bench/run.sh [BUILD_DIR] [bel-bench options...]
#
# bel vs libbpf, side by side, in one run: builds bel-bench (default build directory:
# build-bench), makes the synthetic objects with ../shared/bench/make-objects.sh, fetches the
# corpus with ../shared/corpus/fetch-corpus.sh when it can, runs, and prints a markdown table
# (also saved as BUILD_DIR/tests/bench/results.md). Needs root. Environment:
#   BEL_BENCH_SHARED  the shared material (default: ../shared next to the source tree)
#   BEL_BENCH_CORPUS  a corpus object or directory to use instead of fetching
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build-bench}
[ $# -gt 0 ] && shift
SHARED=${BEL_BENCH_SHARED:-$(cd "$SRC/.." && pwd)/shared}
OUT=$BUILD/tests/bench

if [ "$(id -u)" -ne 0 ]; then
	echo "$0: must run as root (loads BPF programs)" >&2
	exit 1
fi
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" "$SRC" >&2
fi
meson compile -C "$BUILD" bel-bench libbpf-min bel:executable bel:shared_library >&2

mkdir -p "$OUT"
echo "run.sh: building the synthetic objects" >&2
"$SHARED/bench/make-objects.sh" "$OUT/objects" >/dev/null

CORPUS=${BEL_BENCH_CORPUS:-}
if [ -z "$CORPUS" ] && [ -x "$SHARED/corpus/fetch-corpus.sh" ]; then
	echo "run.sh: fetching the corpus (log: $OUT/corpus.log)" >&2
	if "$SHARED/corpus/fetch-corpus.sh" "$OUT/corpus" >"$OUT/corpus.log" 2>&1; then
		CORPUS=$OUT/corpus
	else
		echo "run.sh: fetch-corpus.sh failed (see $OUT/corpus.log); no corpus figures" >&2
		CORPUS=$OUT/corpus-unavailable
	fi
fi

LIBBPF_SO=$(ldd "$OUT/bel-bench" | awk '$1 ~ /^libbpf\.so/ {print $3}')
LIBBPF_SO=$(readlink -f "${LIBBPF_SO:-/usr/lib/$(gcc -print-multiarch)/libbpf.so.1}")
BEL_SO=$(readlink -f "$BUILD/libbel.so")
set -- -d "$OUT/objects" ${CORPUS:+-c "$CORPUS" -C "$OUT/corpus-probe.tsv"} \
	-z "library (bel: libbel.so; libbpf: libbpf.so)=$BEL_SO,$LIBBPF_SO" "$@"
if [ -x "$OUT/libbpf-min" ]; then
	set -- "$@" -z "loader executable (bel: CLI; libbpf: libbpf-min, libbpf.a inside)=$BUILD/bel,$OUT/libbpf-min"
fi
"$OUT/bel-bench" "$@" | tee "$OUT/results.md"
