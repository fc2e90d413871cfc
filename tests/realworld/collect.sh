#!/bin/bash
# collect.sh OUTDIR
#
# The real-world corpus: little-endian BPF objects (ELF64, ET_REL, EM_BPF) that public
# repositories commit (cilium/ebpf's testdata and examples, bpf2go outputs of Go agents, ...),
# taken from git snapshots already on this machine and written to OUTDIR as
# <owner+name>__<path>.bpf.o with SOURCES.tsv (repository, commit, path, sha256). Nothing is
# downloaded and nothing is built: a repository is used only if its snapshot is present, under
# $BEL_REALWORLD_MIRRORS (default /work/.mirror, one <owner+name>/repo git directory each).
# With no snapshot at all it exits 1 and the test that runs it skips. Never commit what it
# writes.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
OUT=$1
MIRRORS=${BEL_REALWORLD_MIRRORS:-/work/.mirror}

shopt -s nullglob
repos=("$MIRRORS"/*/repo)
if [ ${#repos[@]} -eq 0 ]; then
	echo "$0: no repository snapshot under $MIRRORS" >&2
	exit 1
fi
mkdir -p "$OUT"
rm -f "$OUT"/*.bpf.o
tsv="$OUT/SOURCES.tsv.tmp"
printf 'repository\tcommit\tpath\tsha256\n' >"$tsv"
n=0
for git in "${repos[@]}"; do
	repo=$(basename "$(dirname "$git")")
	commit=$(git --git-dir="$git" rev-parse HEAD 2>/dev/null) || continue
	while IFS= read -r path; do
		case "$path" in
		*.o | *.elf) ;;
		*) continue ;;
		esac
		tmp="$OUT/.obj.tmp"
		git --git-dir="$git" cat-file blob "$commit:$path" >"$tmp" 2>/dev/null || continue
		# \x7fELF, ELFCLASS64, ELFDATA2LSB; e_type ET_REL (1), e_machine EM_BPF (247)
		hdr=$(od -An -tx1 -N20 "$tmp" | tr -d ' \n')
		if [ "${hdr:0:12}" != "7f454c460201" ] || [ "${hdr:32:8}" != "0100f700" ]; then
			rm -f "$tmp"
			continue
		fi
		name="${repo}__$(printf '%s' "$path" | tr '/' '_')"
		name="${name%.o}"
		name="${name%.elf}"
		mv "$tmp" "$OUT/$name.bpf.o"
		printf '%s\t%s\t%s\t%s\n' "$repo" "$commit" "$path" \
			"$(sha256sum "$OUT/$name.bpf.o" | cut -d' ' -f1)" >>"$tsv"
		n=$((n + 1))
	done < <(git --git-dir="$git" ls-tree -r --name-only "$commit")
done
mv "$tsv" "$OUT/SOURCES.tsv"
echo "$0: $n objects from ${#repos[@]} repositories in $OUT"
