#!/bin/sh
# tests/abi_check.sh CC INCLUDE_DIR LIBBEL_SO: libbel.so exports exactly the functions bel/bel.h
# declares (nm -D --defined-only against the header's prototypes, as the compiler lists them),
# each with the symbol version BEL_0.2, and nothing else; its SONAME is libbel.so.0.
# A function declared without BEL_API is missing from the library; an internal one exported
# is extra: both fail here, naming the function.
set -eu
CC=$1 INC=$2 LIB=$3
HERE=$(dirname "$0")
WORK=$(mktemp -d /tmp/bel-abi.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
status=0

"$HERE/bel_h_functions.sh" "$CC" "$INC" >"$WORK/declared"
nm -D --defined-only --with-symbol-versions "$LIB" >"$WORK/nm"
# functions: "000...0 T name@@BEL_0.2"; the version node itself: "0 A BEL_0.2"
awk '$2 == "T" || $2 == "W" || $2 == "i" { sub(/@.*/, "", $3); print $3 }' "$WORK/nm" | sort -u >"$WORK/exported"
n_declared=$(wc -l <"$WORK/declared")
n_exported=$(wc -l <"$WORK/exported")
if [ "$n_declared" -lt 50 ]; then
	echo "FAIL: only $n_declared functions found in bel/bel.h: the header list is broken"
	status=1
fi
if ! cmp -s "$WORK/declared" "$WORK/exported"; then
	echo "FAIL: exported functions differ from bel/bel.h's declarations:"
	comm -23 "$WORK/declared" "$WORK/exported" | sed 's/^/  declared, not exported (BEL_API missing?): /'
	comm -13 "$WORK/declared" "$WORK/exported" | sed 's/^/  exported, not declared: /'
	status=1
fi
# every defined dynamic symbol is a function of BEL_0.2 or the BEL_0.2 node
others=$(awk '!(($2 == "T" && $3 ~ /@@BEL_0\.2$/) || ($2 == "A" && $3 == "BEL_0.2"))' "$WORK/nm")
if [ -n "$others" ]; then
	echo "FAIL: dynamic symbols that are not BEL_0.2 functions:"
	echo "$others" | sed 's/^/  /'
	status=1
fi
soname=$(readelf -d "$LIB" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" != libbel.so.0 ]; then
	echo "FAIL: SONAME is '$soname', not libbel.so.0"
	status=1
fi
[ $status -eq 0 ] && echo "abi: $n_exported functions exported, all declared in bel/bel.h, version BEL_0.2, SONAME $soname"
exit $status
