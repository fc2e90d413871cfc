#!/bin/sh
# tests/dist/install.sh BUILD_DIR OBJECT: `meson install` of a default_library=both build into a
# DESTDIR holds what a distribution ships (the CLI, libbel.so.0 and libbel.a, <bel/bel.h>,
# bel.pc, bel(1), bel(3), the bash completion) and nothing else under include/; then programs
# are built against that copy the way users build them, with pkg-config only: tests/consumer.c
# linked shared and fully static, and a skeleton made by the installed bel. Each runs on OBJECT
# (opening it needs no root).
set -u
BUILD=$(cd "$1" && pwd) OBJ=$2
SRC=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/bel-install.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/root
n=0 fail=0
ok() { n=$((n + 1)); echo "ok: $*"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "FAIL: $*"; }

if ! meson install -C "$BUILD" --destdir "$ROOT" --no-rebuild >"$WORK/install.log" 2>&1; then
	bad "meson install"; tail -20 "$WORK/install.log"; exit 1
fi
pc=$(find "$ROOT" -name bel.pc)
[ -n "$pc" ] || { bad "no bel.pc installed"; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
prefix=$(sed -n 's/^prefix=//p' "$pc")
for f in "$prefix/bin/bel" "$prefix/include/bel/bel.h" "$prefix/share/man/man1/bel.1" \
	"$prefix/share/man/man3/bel.3" "$prefix/share/bash-completion/completions/bel" \
	"${libdir#"$ROOT"}/libbel.so.0" "${libdir#"$ROOT"}/libbel.so" "${libdir#"$ROOT"}/libbel.a"; do
	if [ -e "$ROOT$f" ]; then ok "installed $f"; else bad "not installed: $f"; fi
done
headers=$(cd "$ROOT$prefix/include" && find . -type f)
[ "$headers" = ./bel/bel.h ] && ok "include/ holds bel/bel.h alone" || bad "include/ holds: $headers"
soname=$(readelf -d "$libdir/libbel.so.0" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libbel.so.0 ] && ok "SONAME libbel.so.0" || bad "SONAME '$soname'"

export PKG_CONFIG_PATH="$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$ROOT"
cflags_libs=$(pkg-config --cflags --libs bel) || bad "pkg-config --cflags --libs bel"
static_libs=$(pkg-config --static --cflags --libs bel) || bad "pkg-config --static --cflags --libs bel"
echo "pkg-config: $cflags_libs"
echo "pkg-config --static: $static_libs"
# shellcheck disable=SC2086
if cc -Wall -Wextra -Werror -o "$WORK/consumer-shared" "$SRC/tests/consumer.c" $cflags_libs 2>"$WORK/cc.log" &&
	LD_LIBRARY_PATH=$libdir "$WORK/consumer-shared" "$OBJ" >"$WORK/out" 2>&1 && grep -q '^prog ' "$WORK/out"; then
	ok "shared consumer: $(head -1 "$WORK/out")"
else
	bad "shared consumer:"; cat "$WORK/cc.log" "$WORK/out" 2>/dev/null
fi
readelf -d "$WORK/consumer-shared" 2>/dev/null | grep -q 'NEEDED.*\[libbel\.so\.0\]' &&
	ok "shared consumer needs libbel.so.0" || bad "shared consumer does not need libbel.so.0"
# shellcheck disable=SC2086
if cc -static -Wall -Wextra -Werror -o "$WORK/consumer-static" "$SRC/tests/consumer.c" $static_libs 2>"$WORK/cc.log" &&
	"$WORK/consumer-static" "$OBJ" >"$WORK/out" 2>&1 && grep -q '^prog ' "$WORK/out"; then
	ok "static consumer: $(head -1 "$WORK/out")"
else
	bad "static consumer:"; cat "$WORK/cc.log" "$WORK/out" 2>/dev/null
fi
file "$WORK/consumer-static" | grep -q 'statically linked' && ok "static consumer is statically linked" ||
	bad "static consumer: $(file "$WORK/consumer-static")"

# a skeleton from the installed bel, built on the installed header and library
if LD_LIBRARY_PATH=$libdir "$ROOT$prefix/bin/bel" gen skeleton "$OBJ" --name probe -o "$WORK/probe.skel.h" 2>"$WORK/gen.log"; then
	cat >"$WORK/skel.c" <<'EOC'
#include <stdio.h>
#include "probe.skel.h"
int main(void)
{
	struct probe *s = probe__open(NULL);

	if (!s)
		return 1;
	printf("skeleton: object %s, %u programs\n", bel_object_name(s->obj), bel_object_program_count(s->obj));
	probe__destroy(s);
	return 0;
}
EOC
	# shellcheck disable=SC2086
	if cc -Wall -Wextra -Werror -I"$WORK" -o "$WORK/skel" "$WORK/skel.c" $cflags_libs 2>"$WORK/cc.log" &&
		LD_LIBRARY_PATH=$libdir "$WORK/skel" >"$WORK/out" 2>&1; then
		ok "$(cat "$WORK/out") (the installed bel's skeleton, on <bel/bel.h>)"
	else
		bad "skeleton program:"; cat "$WORK/cc.log" "$WORK/out"
	fi
else
	bad "installed bel gen skeleton: $(cat "$WORK/gen.log")"
fi
v=$(LD_LIBRARY_PATH=$libdir "$ROOT$prefix/bin/bel" --version)
[ "$v" = "bel $(pkg-config --modversion bel)" ] && ok "bel --version: $v" || bad "bel --version: '$v'"
c=$(bash -c ". '$ROOT$prefix/share/bash-completion/completions/bel' && complete -p bel" 2>&1)
[ "$c" = "complete -F _bel bel" ] && ok "completion registers: $c" || bad "completion: $c"
for page in man1/bel.1 man3/bel.3; do
	if MANWIDTH=80 man -l "$ROOT$prefix/share/man/$page" 2>&1 | grep -q '^NAME'; then ok "man -l $page"; else bad "man -l $page"; fi
done
echo "install: $n checks, $((n - fail)) passed, $fail failed"
[ $fail -eq 0 ]
