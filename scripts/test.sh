#!/bin/sh
# Every test: install, build twice (plain, and with ASan+UBSan), run every suite in both.
# Kernel tests need root and bpffs; under CI=true they fail rather than skip.
# Ends with one line "tests: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
./scripts/install-deps.sh || exit 1
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

status=0
passed=0
failed=0
run_suites() { # build dir
	dir=$1
	echo "== meson test ($dir)"
	if ! meson test -C "$dir" --print-errorlogs; then
		status=1
	fi
	# Check's own summary lines, one per suite binary: "NN%: Checks: C, Failures: F, Errors: E"
	counts=$(grep -ho 'Checks: [0-9]*, Failures: [0-9]*, Errors: [0-9]*' "$dir/meson-logs/testlog.txt" |
		awk -F'[:,] *' '{c+=$2; f+=$4+$6} END {printf "%d %d", c-f, f}')
	passed=$((passed + ${counts% *}))
	failed=$((failed + ${counts#* }))
}

./scripts/build.sh build || exit 1
run_suites build
# The same suites under AddressSanitizer (with LeakSanitizer) and UBSan; any report fails.
./scripts/build.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false || exit 1
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 run_suites build-asan

left=$(find /sys/fs/bpf -mindepth 1 -maxdepth 1 -name 'bel-*' 2>/dev/null)
if [ -n "$left" ]; then
	echo "pins left behind under /sys/fs/bpf: $left"
	status=1
fi
[ "$failed" -eq 0 ] || status=1
echo "tests: $passed passed, $failed failed"
exit $status
