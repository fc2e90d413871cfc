# bash completion for bel(1). The candidates come from bel itself (`bel __complete WORD...`),
# from the same tables its option parser uses, so they follow the binary: commands, options,
# and an object's program, map and variable names.
_bel()
{
	local cur=${COMP_WORDS[COMP_CWORD]} i w kind lead r
	local -a words=() reply=()

	# bash splits words at '=' and ':' (COMP_WORDBREAKS); bel wants "NAME=VALUE" whole
	for ((i = 1; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((${#words[@]})) && [[ $w == [=:]* || ${words[-1]} == *[=:] ]] &&
			[[ ${COMP_LINE:0:COMP_POINT} != *[[:space:]]"$w" || $w == [=:]* ]]; then
			words[-1]+=$w
		else
			words+=("$w")
		fi
	done
	mapfile -t reply < <("${COMP_WORDS[0]}" __complete "${words[@]}" 2>/dev/null)
	kind=${reply[0]}
	reply=("${reply[@]:1}")
	COMPREPLY=()
	case $kind in
	files)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	dirs)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		;;
	words)
		# candidates replace the whole word; bash replaces only what follows a break
		lead=${words[-1]%"$cur"}
		for r in "${reply[@]}"; do
			COMPREPLY+=("${r#"$lead"}")
		done
		if ((${#COMPREPLY[@]} == 1)) && [[ ${COMPREPLY[0]} == *= ]]; then
			compopt -o nospace 2>/dev/null
		fi
		;;
	esac
	return 0
}
complete -F _bel bel
