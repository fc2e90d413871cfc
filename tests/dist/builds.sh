#!/bin/sh
# tests/dist/builds.sh WORK_DIR [BOTH_BUILD]: bel configures, builds and passes its unit suite as
# each kind of library a distribution may want (meson's default_library): static (with the fully
# static `bel` of -Dstatic_cli=true, kept in WORK_DIR/static for tests/dist/initramfs.sh) and
# shared. `both` is what scripts/build.sh makes (meson.build's default): given its build dir, that
# one is only checked for its libraries, since scripts/test.sh ran every suite there already.
# Each build checks it made the libraries it should, and only those. The suite `compilers`
# (generated C compiled by clang, gcc and g++) does not depend on the kind of library: it runs in
# the main builds, not here.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$1
mkdir -p "$WORK"
# the corpus of real objects is the main build's business (scripts/test.sh sets it): not here
unset BEL_CORPUS_DIR
fail=0
# the targets the unit suite needs (its tests' dependencies, as meson introspects them): the
# kernel tests, benchmarks and examples are left out to keep this quick
unit_targets() {
	python3 - "$1" <<'PY'
import json, os, subprocess, sys
d = os.path.abspath(sys.argv[1])
tests = json.loads(subprocess.check_output(['meson', 'introspect', '--tests', d]))
want = set(x for t in tests if any(s.endswith(':unit') for s in t['suite'])
           and not any(s.endswith(':compilers') for s in t['suite']) for x in t['depends'])
for t in json.loads(subprocess.check_output(['meson', 'introspect', '--targets', d])):
    if t['id'] in want or t['name'] == 'bel':
        print('\n'.join(os.path.relpath(f, d) for f in t['filename']))
PY
}
for kind in static shared ${2:+both}; do
	dir=$WORK/$kind
	if [ $kind = both ]; then
		dir=$2
		a=no so=no
		[ -f "$dir/libbel.a" ] && a=yes
		[ -f "$dir/libbel.so.0" ] && so=yes
		result=passed
		[ "$a $so" = "yes yes" ] || { result=FAILED; fail=$((fail + 1)); }
		echo "builds: default_library=both ($dir): $result (libbel.a $a, libbel.so.0 $so)"
		continue
	fi
	opts="-Ddefault_library=$kind"
	[ $kind = static ] && opts="$opts -Dstatic_cli=true"
	start=$(date +%s)
	rm -rf "$dir"
	# shellcheck disable=SC2086
	if ! meson setup "$dir" "$SRC" $opts >"$WORK/$kind.log" 2>&1 ||
		! ninja -C "$dir" $(unit_targets "$dir") >>"$WORK/$kind.log" 2>&1; then
		echo "FAIL: $kind: configure or build:"
		tail -20 "$WORK/$kind.log"
		fail=$((fail + 1))
		continue
	fi
	before=$fail
	if ! meson test -C "$dir" --suite unit --no-suite compilers --no-rebuild >>"$WORK/$kind.log" 2>&1; then
		echo "FAIL: $kind: unit suite:"
		grep -E '^ *[0-9]+/[0-9]+ ' "$dir/meson-logs/testlog.txt" "$WORK/$kind.log" | grep -v ' OK ' | tail -10
		fail=$((fail + 1))
	fi
	a=no so=no
	[ -f "$dir/libbel.a" ] && a=yes
	[ -f "$dir/libbel.so.0" ] && so=yes
	case $kind in
	static) want="yes no" ;;
	shared) want="no yes" ;;
	both) want="yes yes" ;;
	esac
	if [ "$a $so" != "$want" ]; then
		echo "FAIL: $kind: libbel.a: $a, libbel.so.0: $so (want $want)"
		fail=$((fail + 1))
	fi
	if [ $kind = static ] && ! file "$dir/bel" | grep -q 'statically linked'; then
		echo "FAIL: static: -Dstatic_cli=true made a bel that is not statically linked: $(file "$dir/bel")"
		fail=$((fail + 1))
	fi
	[ $fail -eq "$before" ] && result=passed || result=FAILED
	echo "builds: default_library=$kind: $result (unit suite; libbel.a $a, libbel.so.0 $so; $(($(date +%s) - start)) s)"
done
[ $fail -eq 0 ]
