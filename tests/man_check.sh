#!/bin/sh
# tests/man_check.sh BEL CC INCLUDE_DIR BEL.1.SCD BEL.3.SCD: the man pages cover what the code
# has. bel(1): a "## COMMAND" section for every command `bel help --json` lists (the CLI's own
# tables), holding "*-s*, *--long*" for each of its options; the common options under
# "# COMMON OPTIONS". bel(3): every function bel/bel.h declares. Both render with scdoc when it
# is installed.
set -u
BEL=$1 CC=$2 INC=$3 MAN1=$4 MAN3=$5
HERE=$(dirname "$0")
WORK=$(mktemp -d /tmp/bel-man.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fail=0 checked=0

# section HEADING FILE: the lines under a heading (up to the next heading of any level)
section() {
	awk -v h="$1" 'index($0, h) == 1 && (length($0) == length(h) || substr($0, length(h) + 1, 1) == " ") { on = 1; next }
		/^#/ { on = 0 } on' "$2"
}

# options JSON: "name short" lines ("-" for none)
options() {
	grep -o '"name":"[^"]*","short":\("[^"]*"\|null\)' |
		sed 's/"name":"\([^"]*\)","short":"\{0,1\}\([^",]*\)"\{0,1\}/\1 \2/; s/ null$/ -/'
}

# check_options SECTION_FILE WHAT: every option on stdin documented in SECTION_FILE
check_options() {
	while read -r long short; do
		checked=$((checked + 1))
		if [ "$short" = - ]; then want="*--$long*"; else want="*-$short*, *--$long*"; fi
		if ! grep -qF -- "$want" "$1"; then
			echo "FAIL: bel(1): $2: '$want' not documented"
			fail=$((fail + 1))
		fi
	done
}

"$BEL" help --json >"$WORK/help.json" || { echo "FAIL: bel help --json"; exit 1; }
grep -o '{"name":"[^"]*","operands"' "$WORK/help.json" | sed 's/{"name":"\([^"]*\)".*/\1/' >"$WORK/commands"
[ "$(wc -l <"$WORK/commands")" -ge 7 ] || { echo "FAIL: too few commands in bel help --json"; exit 1; }
while read -r cmd; do
	checked=$((checked + 1))
	section "## $cmd" "$MAN1" >"$WORK/section"
	if [ ! -s "$WORK/section" ]; then
		echo "FAIL: bel(1): no section '## $cmd'"
		fail=$((fail + 1))
		continue
	fi
	# shellcheck disable=SC2086
	"$BEL" help $cmd --json | sed 's/"common_options".*//' | options >"$WORK/options"
	check_options "$WORK/section" "$cmd" <"$WORK/options"
done <"$WORK/commands"
section "# COMMON OPTIONS" "$MAN1" >"$WORK/common"
sed 's/.*"common_options"//' "$WORK/help.json" | options >"$WORK/options"
check_options "$WORK/common" "common options" <"$WORK/options"
for status in 0 1 2; do
	checked=$((checked + 1))
	section "# EXIT STATUS" "$MAN1" | grep -q "^\*$status\*" || { echo "FAIL: bel(1): exit status $status"; fail=$((fail + 1)); }
done

"$HERE/bel_h_functions.sh" "$CC" "$INC" >"$WORK/functions"
while read -r fn; do
	checked=$((checked + 1))
	grep -qw -- "$fn" "$MAN3" || { echo "FAIL: bel(3): $fn not documented"; fail=$((fail + 1)); }
done <"$WORK/functions"

if command -v scdoc >/dev/null; then
	for page in "$MAN1" "$MAN3"; do
		checked=$((checked + 1))
		scdoc <"$page" >"$WORK/page" 2>"$WORK/err" || { echo "FAIL: scdoc $page: $(cat "$WORK/err")"; fail=$((fail + 1)); }
	done
fi
echo "man pages: $checked checks (commands, options, exit statuses, functions), $fail failed"
[ $fail -eq 0 ]
