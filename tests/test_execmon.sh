#!/bin/sh
# tests/test_execmon.sh EXECMON: the example agent (examples/execmon) on this kernel.
# Starts execmon for this shell's children, runs two probe processes with names of their own,
# and checks that their pids and names appear in its exec and exit events, with the exit code;
# then with --no-exit, that only exec events come (only the exec program was loaded).
# Needs root; skips (77) otherwise, or fails under CI=true.
set -u
EXECMON=$1
skip() {
	echo "test_execmon: $*" >&2
	[ "${CI:-}" = true ] && exit 1
	exit 77
}
[ "$(id -u)" -eq 0 ] || skip "not root"
WORK=$(mktemp -d /tmp/bel-execmon.XXXXXX)
trap 'kill $mon 2>/dev/null; rm -rf "$WORK"' EXIT
probe=$WORK/belprobe$$
cp /bin/sh "$probe"

# run_mon ARGS...: execmon in the background, once it says it is watching
run_mon() {
	"$EXECMON" --ppid $$ "$@" >"$WORK/out" 2>"$WORK/err" &
	mon=$!
	i=0
	while ! grep -q watching "$WORK/err" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 $mon 2>/dev/null; then
			echo "FAIL: execmon did not start:"; cat "$WORK/err"; exit 1
		fi
		sleep 0.1
	done
}

fail=0
check() { # PATTERN WHAT
	if grep -Eq "$1" "$WORK/out"; then echo "ok: $2"; else echo "FAIL: $2"; fail=1; fi
}

run_mon --seconds 30
"$probe" -c 'exit 7' & p1=$!
wait $p1
"$probe" -c 'exit 0' & p2=$!
wait $p2
sleep 1
kill -INT $mon
wait $mon
status=$?
cat "$WORK/out"
[ $status -eq 0 ] || { echo "FAIL: execmon exited $status"; cat "$WORK/err"; fail=1; }
check "^EXEC pid $p1 +ppid $$ +comm .* file $probe\$" "exec of the first probe (pid $p1)"
check "^EXIT pid $p1 +ppid $$ +code 7 " "exit of the first probe, code 7"
check "^EXEC pid $p2 +ppid $$ +comm .* file $probe\$" "exec of the second probe (pid $p2)"
check "^EXIT pid $p2 +ppid $$ +code 0 " "exit of the second probe, code 0"
check "^execs [1-9][0-9]* exits [1-9][0-9]* dropped 0\$" "counters from .bss"

run_mon --no-exit --seconds 30
grep -q "programs: exec)" "$WORK/err" && echo "ok: only the exec program loaded" ||
	{ echo "FAIL: --no-exit loaded more than the exec program"; fail=1; }
"$probe" -c 'exit 1' & p3=$!
wait $p3
sleep 1
kill -TERM $mon
wait $mon
check "^EXEC pid $p3 " "exec with --no-exit"
if grep -q "^EXIT" "$WORK/out"; then echo "FAIL: exit events with --no-exit"; fail=1; else echo "ok: no exit events with --no-exit"; fi
check "^execs [1-9][0-9]* exits 0 dropped 0\$" "no exits counted with --no-exit"
[ $fail -eq 0 ] && echo "execmon: all checks passed"
exit $fail
