#!/bin/sh
# tests/bench/gen_vmlinux.sh [BEL] [ROUNDS]
#
# `bel gen vmlinux` beside `bpftool btf dump file /sys/kernel/btf/vmlinux format c`, in one run:
# ROUNDS rounds (default 11), each running both once with their order alternating, both
# writing the header to /dev/null. Each run is timed from fork to exit (wall and user+sys CPU)
# with its peak RSS (wait4's ru_maxrss); medians over the rounds, and bel/bpftool. Prints a
# markdown table. BEL defaults to build/bel next to this source tree.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BEL=${1:-$SRC/build/bel}
ROUNDS=${2:-11}
BTF=/sys/kernel/btf/vmlinux

[ -r "$BTF" ] || { echo "gen_vmlinux.sh: no $BTF" >&2; exit 1; }
command -v bpftool >/dev/null || { echo "gen_vmlinux.sh: no bpftool" >&2; exit 1; }
[ -x "$BEL" ] || { echo "gen_vmlinux.sh: no $BEL (build first)" >&2; exit 1; }

exec python3 - "$BEL" "$ROUNDS" "$BTF" <<'PY'
import os, statistics, subprocess, sys, time

bel, rounds, btf = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cmds = {
    "bel": [bel, "gen", "vmlinux"],
    "bpftool": ["bpftool", "btf", "dump", "file", btf, "format", "c"],
}

def run(argv):
    """Wall ms, CPU ms and peak RSS (KiB) of one run, its output to /dev/null."""
    with open(os.devnull, "wb") as null:
        t0 = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            os.dup2(null.fileno(), 1)
            try:
                os.execvp(argv[0], argv)
            finally:
                os._exit(127)
        _, status, ru = os.wait4(pid, 0)
        wall = (time.perf_counter() - t0) * 1e3
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status):
        sys.exit("gen_vmlinux.sh: %s failed" % " ".join(argv))
    return wall, (ru.ru_utime + ru.ru_stime) * 1e3, ru.ru_maxrss

def text(argv):
    return subprocess.run(argv, check=True, stdout=subprocess.PIPE).stdout

load0 = open("/proc/loadavg").read().split()[0]
out = {k: text(v) for k, v in cmds.items()}   # also warms the page cache
res = {k: [] for k in cmds}
for r in range(rounds):
    order = ["bel", "bpftool"] if r % 2 == 0 else ["bpftool", "bel"]
    for k in order:
        res[k].append(run(cmds[k]))
load1 = open("/proc/loadavg").read().split()[0]

med = {k: [statistics.median(x[i] for x in v) for i in range(3)] for k, v in res.items()}
ntypes = subprocess.run(["bpftool", "btf", "dump", "file", btf], check=True,
                        stdout=subprocess.PIPE).stdout.count(b"\n[")
release = os.uname().release
print("`bel gen vmlinux` vs `bpftool btf dump file %s format c` (bpftool %s), kernel %s, "
      "%d BTF types (%d bytes); median of %d interleaved rounds; load average %s at start, %s at end"
      % (btf, subprocess.run(["bpftool", "version"], stdout=subprocess.PIPE, text=True)
         .stdout.split()[1], release, ntypes + 1, os.path.getsize(btf) or len(open(btf, "rb").read()),
         rounds, load0, load1))
print()
print("| | bel | bpftool | bel / bpftool |")
print("|---|---:|---:|---:|")
rows = [("wall time", 0, "%.1f ms"), ("CPU time (user+sys)", 1, "%.1f ms"), ("peak RSS", 2, "%.0f KiB")]
for name, i, fmt in rows:
    b, t = med["bel"][i], med["bpftool"][i]
    print("| %s | %s | %s | %.2f |" % (name, fmt % b, fmt % t, b / t if t else float("nan")))
print("| header | %d bytes, %d lines | %d bytes, %d lines | %.2f |"
      % (len(out["bel"]), out["bel"].count(b"\n"), len(out["bpftool"]), out["bpftool"].count(b"\n"),
         len(out["bel"]) / len(out["bpftool"])))
print("| wall time, min .. max | %.1f .. %.1f ms | %.1f .. %.1f ms | |"
      % (min(x[0] for x in res["bel"]), max(x[0] for x in res["bel"]),
         min(x[0] for x in res["bpftool"]), max(x[0] for x in res["bpftool"])))
PY
