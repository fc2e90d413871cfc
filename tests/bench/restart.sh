#!/bin/sh
# tests/bench/restart.sh [BUILD_DIR] [bel-bench-restart options]
# Makes ../shared/bench's `large` (200 programs) and a copy with one program's code changed
# (kp_000 shifts by 2 instead of 1), then runs bel-bench-restart on them. Needs root.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build}
[ $# -gt 0 ] && shift
SHARED=${BEL_BENCH_SHARED:-$(cd "$SRC/.." && pwd)/shared}
OUT=$BUILD/tests/bench/restart
mkdir -p "$OUT"
ninja -C "$BUILD" tests/bench/bel-bench-restart >&2
python3 "$SHARED/bench/gen-bpf-obj.py" --progs 200 --maps 50 -o "$OUT/large.bpf.c" 2>/dev/null
python3 - "$OUT/large.bpf.c" "$OUT/large-1.bpf.c" <<'PY'
import sys
src = open(sys.argv[1]).read()
at = src.index("int kp_000(")
old = "__u64 acc = arg0 ^ (arg1 << 1);"
i = src.index(old, at)
open(sys.argv[2], "w").write(src[:i] + old.replace("<< 1", "<< 2") + src[i + len(old):])
PY
for o in large large-1; do
	clang -O2 -g -target bpf -I/usr/include/"$(uname -m)"-linux-gnu -c "$OUT/$o.bpf.c" -o "$OUT/$o.bpf.o"
done
"$BUILD/tests/bench/bel-bench-restart" "$OUT/large.bpf.o" "$OUT/large-1.bpf.o" "$@"
