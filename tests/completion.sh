#!/bin/bash
# tests/completion.sh BEL COMPLETION_SCRIPT OBJECT: the bash completion (cli/bel.bash), sourced
# into this shell as bash-completion would, completes commands, subcommands, options, an
# object's program, map and variable names, NAME= assignments and their values, and files and
# directories where the option wants them. Each case sets COMP_WORDS/COMP_CWORD/COMP_LINE as
# bash does (words split at '=' too) and calls the function `complete -p bel` names.
set -u
BEL=$1 SCRIPT=$2 OBJ=$3
# shellcheck source=/dev/null
. "$SCRIPT"
n=0 fail=0

spec=$(complete -p bel 2>&1)
fn=$(echo "$spec" | sed -n 's/^complete -F \([^ ]*\) bel$/\1/p')
if [ -z "$fn" ]; then
	echo "FAIL: complete -p bel: '$spec'"
	exit 1
fi

# check WANT_MODE PATTERN... -- WORD...: complete the last word; "has" wants every PATTERN among
# the candidates, "only" wants exactly them
check() {
	local mode=$1 w i
	local -a want=() words=()
	shift
	while [ "$1" != -- ]; do want+=("$1"); shift; done
	shift
	words=("$BEL" "$@")
	COMP_WORDS=("${words[@]}")
	COMP_CWORD=$((${#words[@]} - 1))
	# the line as typed: no space around a '=' that bash split a word at
	COMP_LINE=$BEL
	for ((i = 1; i < ${#words[@]}; i++)); do
		if [[ ${words[i]} == = || ${words[i - 1]} == = ]]; then
			COMP_LINE+=${words[i]}
		else
			COMP_LINE+=" ${words[i]}"
		fi
	done
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	"$fn" bel "${words[-1]}" "${words[-2]}"
	n=$((n + 1))
	local got=" ${COMPREPLY[*]} " ok=1
	for w in "${want[@]}"; do
		[[ $got == *" $w "* ]] || ok=0
	done
	if [ "$mode" = only ] && [ ${#COMPREPLY[@]} -ne ${#want[@]} ]; then
		ok=0
	fi
	if [ $ok = 0 ]; then
		echo "FAIL: bel ${*}<TAB>: want ($mode) ${want[*]}, got:${got}"
		fail=$((fail + 1))
	fi
}

check has inspect load verify run unpin gen help version -- ""
check only load -- lo
check only vmlinux skeleton -- gen ""
check only skeleton -- gen sk
check only --help --version -- --
check has --pin --program --json --keep-going --threads --attach -- load "$OBJ" --
check only --program -- load "$OBJ" --prog
check only handle_exec handle_exit -- load "$OBJ" --program ""
check only -- load --program "" # no object yet: nothing
check only handle_exec handle_exit -- run "$OBJ" handle_e
check only handle_exit -- run "$OBJ" handle_exi
check only exec_count= -- load "$OBJ" --max-entries exec
check has handle_exec= handle_exit= -- load "$OBJ" --type ""
# after the '=' (bash gives it as a word of its own): what comes after it
check has xdp socket_filter -- load "$OBJ" --type handle_exec = ""
check only xdp -- load "$OBJ" --type handle_exec = xd
check only exec_count= -- load "$OBJ" -M exec
check has inspect load -- help ""
check only vmlinux skeleton -- help gen ""
check has report_exits= total_execs= -- load "$OBJ" --set ""
check only report_exits= -- load "$OBJ" --set = rep
# files and directories, completed by bash itself
dir=$(dirname "$OBJ")
base=$(basename "$OBJ")
check has "$OBJ" -- inspect "$dir/${base%%.*}"
check has "$OBJ" -- load --json "$dir/${base%%.*}"
check only "$dir" -- load "$OBJ" --pin "$dir"
echo "completion: $n cases, $((n - fail)) passed, $fail failed"
[ $fail -eq 0 ]
