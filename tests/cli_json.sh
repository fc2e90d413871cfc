#!/bin/sh
# tests/cli_json.sh BEL JSON_CHECK unit|kernel OBJECT...
#
# Every command's --json output must be one valid JSON object (tests/json_check.c: strict
# grammar, valid UTF-8) whose "exit" member is the command's exit status: for every object given,
# and for failures (usage errors, missing files, programs the verifier refuses, trees that are
# not there). "unit" runs what needs no kernel (inspect, inspect --core, gen, help, version);
# "kernel" what loads (load, load --pin twice: a restart, status, unpin, verify, run), as root: it skips (77) otherwise,
# or fails under CI=true.
set -u
BEL=$1 CHECK=$2 MODE=$3
shift 3
WORK=$(mktemp -d /tmp/bel-json.XXXXXX)
PIN=""
cleanup() {
	[ -n "$PIN" ] && [ -d "$PIN" ] && {
		rm -f "$PIN"/by-name/*
		rmdir "$PIN"/by-name 2>/dev/null
		for t in "$PIN"/*; do [ -d "$t" ] && "$BEL" unpin "$t" >/dev/null 2>&1; done
		rmdir "$PIN"
	}
	rm -rf "$WORK"
}
trap cleanup EXIT
n=0 fail=0

# expect STATUS ARGS...: bel ARGS with --json exits STATUS (or any if "-") and prints JSON whose
# "exit" is that status, and nothing on stderr
expect() {
	want=$1
	shift
	n=$((n + 1))
	"$BEL" "$@" >"$WORK/out" 2>"$WORK/err"
	got=$?
	if ! "$CHECK" exit <"$WORK/out" >"$WORK/exit" 2>"$WORK/why"; then
		echo "FAIL: bel $*: not JSON: $(cat "$WORK/why")"
		head -c 600 "$WORK/out"; echo
		fail=$((fail + 1))
		return
	fi
	if [ "$(cat "$WORK/exit")" != "$got" ] || { [ "$want" != - ] && [ "$got" != "$want" ]; }; then
		echo "FAIL: bel $*: exit $got, \"exit\" $(cat "$WORK/exit"), wanted ${want}"
		head -c 600 "$WORK/out"; echo
		fail=$((fail + 1))
		return
	fi
	if [ -s "$WORK/err" ]; then
		echo "FAIL: bel $*: wrote to stderr under --json: $(head -c 300 "$WORK/err")"
		fail=$((fail + 1))
	fi
}

if [ "$MODE" = unit ]; then
	for obj in "$@"; do
		expect 0 inspect --json "$obj"
		expect - inspect -j --core "$obj"
		expect 0 gen skeleton "$obj" --json -o "$WORK/skel.h"
	done
	expect 0 help --json
	expect 0 help load -j
	expect 0 load --help --json
	expect 0 version -j
	[ -r /sys/kernel/btf/vmlinux ] && expect 0 gen vmlinux -j -o "$WORK/vmlinux.h"
	expect 1 gen vmlinux -j --btf "$WORK/nothing" -o "$WORK/vmlinux.h"
	# failures
	expect 1 inspect -j "$WORK/nothing.bpf.o"
	printf 'not an object\n' >"$WORK/junk.o"
	expect 1 inspect -j "$WORK/junk.o"
	printf '\377\376"\n\001' >"$WORK/$(printf 'bad\001name')"
	expect 1 inspect -j "$WORK/$(printf 'bad\001name')"
	expect 2 inspect -j
	expect 2 inspect -j --frobnicate "$1"
	expect 2 load -j --threads 0 "$1"
	expect 2 gen vmlinux -j
	expect 2 help -j nope
	expect 2 frobnicate -j
	expect 2 -j
else
	if [ "$(id -u)" -ne 0 ] || ! mountpoint -q /sys/fs/bpf; then
		echo "cli_json: needs root and bpffs at /sys/fs/bpf"
		[ "${CI:-}" = true ] && exit 1
		exit 77
	fi
	PIN=/sys/fs/bpf/bel-test-json-$$
	mkdir "$PIN" || exit 1
	# maps the fixtures pin by name go under it too, not at /sys/fs/bpf
	MAPS=$PIN/by-name
	mkdir "$MAPS" || exit 1
	for obj in "$@"; do
		expect - load --json "$obj" --maps-root "$MAPS"
		expect - verify -j "$obj"
		name=$(basename "$obj" .bpf.o)
		"$BEL" load --json "$obj" --pin "$PIN" --maps-root "$MAPS" >"$WORK/pinned" 2>&1
		if [ $? -eq 0 ]; then
			"$CHECK" <"$WORK/pinned" || { echo "FAIL: load --pin $obj: not JSON"; fail=$((fail + 1)); }
			expect 0 status -j "$PIN/$name" --maps-root "$MAPS"
			expect 0 status -j "$PIN/$name" "$obj" --maps-root "$MAPS"
			# a restart over the tree: every program taken as it is, none loaded again
			expect 0 load -j "$obj" --pin "$PIN" --maps-root "$MAPS"
			n=$((n + 1))
			if ! grep -q '"progs_loaded":0,' "$WORK/out"; then
				echo "FAIL: load --pin $obj over its own tree loaded programs again"
				head -c 600 "$WORK/out"; echo
				fail=$((fail + 1))
			fi
			expect 0 unpin -j "$PIN/$name"
		fi
		case $name in
		runtime)
			head -c 64 /dev/zero >"$WORK/pkt"
			expect 0 run -j "$obj" xdp_verdict --data "$WORK/pkt" --data "$WORK/pkt" --maps-root "$MAPS"
			expect 1 run -j "$obj" xdp_verdict --set cfg_on=maybe --data "$WORK/pkt" --maps-root "$MAPS"
			expect 1 run -j "$obj" no_such_program --maps-root "$MAPS"
			;;
		uprobe)
			# the attach options: a uprobe on libc's getpid, found by name, its link pinned
			expect 0 load -j "$obj" --program up_entry --attach --binary libc.so.6 --maps-root "$MAPS" \
				--func getpid --cookie 5 --pin "$PIN"
			expect 0 status -j "$PIN/uprobe" --maps-root "$MAPS"
			n=$((n + 1))
			if ! grep -q '"kind":"link","name":"up_entry","state":"pinned","type":"perf_event"' "$WORK/out"; then
				echo "FAIL: load --attach --binary --func: no perf_event link pinned"
				head -c 600 "$WORK/out"; echo
				fail=$((fail + 1))
			fi
			expect 0 unpin -j "$PIN/uprobe"
			;;
		bad_verify)
			expect 1 load -j "$obj" --maps-root "$MAPS"
			expect 1 load -j --keep-going --threads 2 -v "$obj" --maps-root "$MAPS"
			expect 1 verify -j "$obj"
			;;
		esac
	done
	expect 1 status -j "$PIN/not-there"
	expect 2 load -j --attach --nf ipv5:input "$1" --maps-root "$MAPS"
	expect 2 load -j --attach --xdp-mode turbo "$1" --maps-root "$MAPS"
	expect 2 load -j --attach --usdt nocolon "$1" --maps-root "$MAPS"
	expect 2 load -j --attach --perf-event software:nope "$1" --maps-root "$MAPS"
	expect 2 load -j --attach --pid 0 "$1" --maps-root "$MAPS"
	expect 1 unpin -j "$PIN/not-there"
	expect 1 load -j "$1" --program no_such_program --maps-root "$MAPS"
	expect 2 unpin -j
fi
echo "cli_json ($MODE): $n commands, $((n - fail)) with valid JSON and the right exit status, $fail failed"
[ $fail -eq 0 ]
