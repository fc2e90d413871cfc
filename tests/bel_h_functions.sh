#!/bin/sh
# tests/bel_h_functions.sh CC INCLUDE_DIR: the functions bel/bel.h declares, one a line, sorted.
# The compiler says (-aux-info lists every prototype of a translation unit with the header it
# comes from), so the list follows the header as it is: a call added there is in it at once.
set -eu
CC=$1 INC=$2
WORK=$(mktemp -d /tmp/bel-h.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
printf '#include <bel/bel.h>\n' >"$WORK/h.c"
"$CC" -fsyntax-only -aux-info "$WORK/h.aux" -I"$INC" "$WORK/h.c"
# "/* .../bel/bel.h:49:NC */ extern const char *bel_version (void);" -> bel_version
grep '/bel/bel\.h:[0-9]*:' "$WORK/h.aux" | sed 's|^/\*[^*]*\*/ *||' |
	sed -n 's/^[^(]*[^A-Za-z0-9_]\([A-Za-z_][A-Za-z0-9_]*\) (.*/\1/p' | sort -u
