#!/bin/sh
# tests/skeleton_compile.sh BEL INCLUDE_DIR FETCH_SCRIPT OBJECT...
#   (and every *.bpf.o in $BEL_CORPUS_DIR, fetched there with FETCH_SCRIPT if it is empty)
#
# `BEL gen skeleton` of each object must compile with gcc and clang as C and with g++ as C++,
# with no warning at -Wall -Wextra (-Werror), in a program that uses its calls. The header's
# static assertions, generated from BTF, check every variable's offset and size as it compiles.
# An object the generator refuses must be refused with a message (exit 1, "gen skeleton: ...").
# BEL_SKELETON_COMPILERS=none only generates (scripts/test.sh: the ASan build's generator on
# every object, where the compilers would add minutes and nothing ASan sees).
set -eu
BEL=$1 INC=$2 FETCH=$3
shift 3
WORK=$(mktemp -d /tmp/bel-skeleton.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
objs="$*"
if [ -n "${BEL_CORPUS_DIR:-}" ] && ! ls "$BEL_CORPUS_DIR"/*.bpf.o >/dev/null 2>&1 && [ -x "$FETCH" ]; then
	"$FETCH" "$BEL_CORPUS_DIR" >"$WORK/fetch.log" 2>&1 || { cat "$WORK/fetch.log"; exit 1; }
fi
if [ -n "${BEL_CORPUS_DIR:-}" ] && [ -d "$BEL_CORPUS_DIR" ]; then
	objs="$objs $(ls "$BEL_CORPUS_DIR"/*.bpf.o 2>/dev/null || true)"
fi
n=0 ok=0 refused=0 failed=0
for obj in $objs; do
	n=$((n + 1))
	name=skel$n
	if ! "$BEL" gen skeleton "$obj" --name "$name" -o "$WORK/$name.skel.h" 2>"$WORK/$name.err"; then
		if grep -q "gen skeleton: " "$WORK/$name.err"; then
			refused=$((refused + 1))
			echo "refused: $obj: $(cat "$WORK/$name.err")"
			continue
		fi
		echo "FAIL: $obj: gen skeleton failed without a message"
		failed=$((failed + 1))
		continue
	fi
	cat >"$WORK/$name.c" <<EOC
#include "$name.skel.h"
int main(void)
{
	struct $name *s = ${name}__open(NULL);

	if (!s)
		return 1;
	if (${name}__load_threads(s, 2) == 0 && ${name}__attach(s) == 0)
		${name}__detach(s);
	${name}__destroy(s);
	return 0;
}
EOC
	good=1
	if [ "${BEL_SKELETON_COMPILERS:-}" = none ]; then
		ok=$((ok + 1))
		continue
	fi
	for cc in "gcc -x c -std=gnu11" "clang -x c -std=gnu11" "g++ -x c++ -std=gnu++17"; do
		if ! $cc -Wall -Wextra -Werror -I"$INC" -I"$WORK" -c "$WORK/$name.c" -o "$WORK/$name.o" \
			>"$WORK/$name.cc.log" 2>&1; then
			echo "FAIL: $obj: $cc:"
			head -20 "$WORK/$name.cc.log"
			good=0
		fi
	done
	if [ $good = 1 ]; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
done
if [ "${BEL_SKELETON_COMPILERS:-}" = none ]; then
	echo "skeletons: $n objects: $ok generated (not compiled: BEL_SKELETON_COMPILERS=none), $refused refused with a message, $failed failed"
else
	echo "skeletons: $n objects: $ok compile as C (gcc, clang) and C++ (g++), $refused refused with a message, $failed failed"
fi
[ "$failed" -eq 0 ]
