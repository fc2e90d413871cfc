#!/bin/bash
# Fuzz the pure layers with libFuzzer (tests/fuzz): scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# TARGET is object, btf or binary (default: all, one after the other); SECONDS defaults to 60.
# - Sets up and builds build-fuzz (CC=clang, -Dfuzz=true; ASan+UBSan+libFuzzer).
# - Seeds build-fuzz/fuzz-corpus/<target>/ with the compiled fixtures, the committed seeds and
#   regressions (tests/fuzz/seeds, tests/fuzz/regressions) and the objects of
#   ../shared/corpus/fetch-corpus.sh (fetched when run as root; otherwise whatever an earlier
#   run left in the corpus directory); fuzz_btf gets each object's .BTF, alone and followed
#   by its .BTF.ext; fuzz_binary also gets this machine's small executables and libraries.
#   The corpus directory keeps what libFuzzer adds, run after run.
# - Runs each target for SECONDS on every core (-jobs=N -workers=N; one process if N is 1).
#   Crash inputs go to build-fuzz/fuzz-crashes/<target>/, logs to build-fuzz/fuzz-logs/<target>/.
# - Prints one line per target: executions, exec/s, seconds, crashes, and coverage (libFuzzer's
#   cov and ft, re-measured over the whole corpus after the run).
# Exits non-zero if any target crashed (or the build failed).
#
# Environment: BEL_FUZZ_BUILD (build directory, default build-fuzz), BEL_FUZZ_WORKERS (parallel
# processes per target, default: online CPUs), BEL_FUZZ_BPF_CORPUS (directory of fetched
# objects, default build-fuzz/bpf-corpus), BEL_FUZZ_NO_FETCH=1 (do not run fetch-corpus.sh),
# BEL_FUZZ_ARGS (extra libFuzzer flags).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

secs=${1:-60}
[ $# -gt 0 ] && shift
case $secs in
'' | *[!0-9]*)
	echo "usage: $0 [SECONDS_PER_TARGET] [object|btf|binary]..." >&2
	exit 2
	;;
esac
targets=()
[ $# -gt 0 ] || set -- object btf binary
for arg in "$@"; do
	t=${arg#fuzz_}
	case $t in
	object | btf | binary) targets+=("$t") ;;
	*)
		echo "$0: unknown target '$arg' (object, btf, binary)" >&2
		exit 2
		;;
	esac
done

build=${BEL_FUZZ_BUILD:-build-fuzz}
case $build in /*) ;; *) build=$root/$build ;; esac
ncpu=$(nproc)
workers=${BEL_FUZZ_WORKERS:-$ncpu}
bpf_corpus=${BEL_FUZZ_BPF_CORPUS:-$build/bpf-corpus}
max_seed=$((256 * 1024)) # larger objects (the generated 200-program one) only slow it down

# ---- build ---------------------------------------------------------------------------------
if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" -Dfuzz=true -Db_lundef=false >"$build.setup.log" 2>&1 || {
		cat "$build.setup.log" >&2
		exit 1
	}
	mv "$build.setup.log" "$build/meson-logs/fuzz-setup.log"
else
	meson configure "$build" -Dfuzz=true -Db_lundef=false >/dev/null
fi
# Only what fuzzing needs: the targets and the fixtures (not the loader, not the other tests).
mapfile -t wanted < <(ninja -C "$build" -t targets all | sed -n 's|^\(tests/[^/:]*\.bpf\.o\): .*|\1|p')
for t in "${targets[@]}"; do wanted+=("tests/fuzz/fuzz_$t"); done
if ! ninja -C "$build" "${wanted[@]}" >"$build/meson-logs/fuzz-build.log" 2>&1; then
	cat "$build/meson-logs/fuzz-build.log" >&2
	echo "$0: build failed" >&2
	exit 1
fi

# ---- seed corpus ---------------------------------------------------------------------------
mkdir -p "$build/fuzz-logs"
fetch=../shared/corpus/fetch-corpus.sh
if [ "${BEL_FUZZ_NO_FETCH:-0}" != 1 ] && [ -x "$fetch" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		if ! "$fetch" "$bpf_corpus" >"$build/fuzz-logs/fetch-corpus.log" 2>&1; then
			echo "warning: $fetch failed (see $build/fuzz-logs/fetch-corpus.log); seeding with what is there" >&2
		fi
	elif ! ls "$bpf_corpus"/*.bpf.o >/dev/null 2>&1; then
		echo "warning: not root, so $fetch cannot run and $bpf_corpus is empty: fixtures only" >&2
	fi
fi

objects=()
for f in "$build"/tests/*.bpf.o "$bpf_corpus"/*.bpf.o; do
	[ -f "$f" ] && [ "$(stat -c %s "$f")" -le $max_seed ] && objects+=("$f")
done
committed=()
for f in tests/fuzz/seeds/* tests/fuzz/regressions/*; do
	case ${f##*/} in README* | .*) continue ;; esac
	[ -f "$f" ] && committed+=("$f")
done

seed() { # corpus-dir file: copied under its content hash, as libFuzzer names its own
	cp "$2" "$1/$(sha1sum "$2" | cut -c1-40)"
}
objcopy=$(command -v llvm-objcopy || command -v llvm-objcopy-14)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in "${targets[@]}"; do
	corpus=$build/fuzz-corpus/$t
	mkdir -p "$corpus"
	for f in "${committed[@]}"; do seed "$corpus" "$f"; done
	nseeds=${#committed[@]}
	if [ "$t" = binary ]; then
		for f in /usr/bin/true /usr/bin/env /usr/lib/x86_64-linux-gnu/libz.so.1 \
			/usr/lib/x86_64-linux-gnu/libelf.so.1; do
			if [ -f "$f" ] && [ "$(stat -L -c %s "$f")" -le $max_seed ]; then
				seed "$corpus" "$f"
				nseeds=$((nseeds + 1))
			fi
		done
	fi
	for f in "${objects[@]}"; do
		if [ "$t" = object ] || [ "$t" = binary ]; then
			seed "$corpus" "$f"
			nseeds=$((nseeds + 1))
			continue
		fi
		rm -f "$tmp"/btf "$tmp"/ext
		"$objcopy" --dump-section .BTF="$tmp/btf" "$f" "$tmp/out" 2>/dev/null || continue
		seed "$corpus" "$tmp/btf"
		nseeds=$((nseeds + 1))
		if "$objcopy" --dump-section .BTF.ext="$tmp/ext" "$f" "$tmp/out" 2>/dev/null; then
			cat "$tmp/btf" "$tmp/ext" >"$tmp/both"
			seed "$corpus" "$tmp/both"
			nseeds=$((nseeds + 1))
		fi
	done
	echo "fuzz_$t: $nseeds seeds, $(find "$corpus" -type f | wc -l) inputs in $corpus"
done

# ---- run -----------------------------------------------------------------------------------
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
summary=()
any_crash=0
for t in "${targets[@]}"; do
	exe=$build/tests/fuzz/fuzz_$t
	corpus=$build/fuzz-corpus/$t
	crashes=$build/fuzz-crashes/$t
	logs=$build/fuzz-logs/$t
	mkdir -p "$crashes"
	rm -rf "$logs"
	mkdir -p "$logs"
	find "$crashes" -type f -printf '%f\n' | sort >"$tmp/before"
	args=(-max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
		-artifact_prefix="$crashes/")
	# shellcheck disable=SC2206
	args+=(${BEL_FUZZ_ARGS:-})
	echo "fuzz_$t: ${secs} s on $workers worker(s), logs in $logs"
	start=$(date +%s.%N)
	if [ "$workers" -gt 1 ]; then
		(cd "$logs" && "$exe" "${args[@]}" -jobs="$workers" -workers="$workers" "$corpus" \
			>"$logs/jobs.log" 2>&1) || true
	else
		(cd "$logs" && "$exe" "${args[@]}" "$corpus" >"$logs/fuzz-0.log" 2>&1) || true
	fi
	end=$(date +%s.%N)

	# Final stats of every process: executions and per-process exec/s add up; cov and ft
	# are each process's own, so the best one is reported.
	read -r execs rate cov ft < <(awk '
		/^stat::number_of_executed_units:/ { e += $2 }
		/^stat::average_exec_per_sec:/ { r += $2 }
		/ cov: / { for (i = 1; i < NF; i++) { if ($i == "cov:" && $(i+1) > c) c = $(i+1);
		                                       if ($i == "ft:" && $(i+1) > f) f = $(i+1) } }
		END { printf "%d %d %d %d\n", e, r, c, f }' "$logs"/fuzz-*.log)
	wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
	new_crashes=$(find "$crashes" -type f -printf '%f\n' | sort | comm -13 "$tmp/before" - |
		grep -E '^(crash|leak|timeout|oom)-' || true)
	ncrash=$(printf '%s' "$new_crashes" | grep -c . || true)
	# Coverage of the whole corpus as it now stands (what the next run starts from).
	inited=$("$exe" -runs=0 -artifact_prefix="$tmp/" "$corpus" 2>&1 | grep -m1 'INITED' || true)
	ccov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$inited")
	cft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$inited")
	ncorp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$inited")
	overall=$(awk -v e="$execs" -v w="$wall" 'BEGIN { printf "%d", (w > 0 ? e / w : 0) }')
	summary+=("$(printf 'fuzz_%-7s %11d execs  %7d exec/s  %5d s  %d crashes  (workers %d, %d exec/s each; run: cov %d ft %d; corpus %s: cov %s ft %s)' \
		"$t" "$execs" "$overall" "$wall" "$ncrash" "$workers" "$((workers ? rate / workers : 0))" \
		"$cov" "$ft" "${ncorp:-?}" "${ccov:-?}" "${cft:-?}")")
	if [ "$ncrash" -gt 0 ]; then
		any_crash=1
		for c in $new_crashes; do
			echo "fuzz_$t: CRASH $crashes/$c (replay: $exe $crashes/$c)"
		done
		# the first report, from the first log that has one
		for l in "$logs"/fuzz-*.log; do
			if grep -q 'ERROR: \|runtime error\|invariant broken\|deadly signal' "$l"; then
				grep -m1 -A25 'ERROR: \|runtime error\|invariant broken\|deadly signal' "$l"
				break
			fi
		done
	fi
done

echo "== fuzz summary ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -r), $ncpu CPUs)"
printf '%s\n' "${summary[@]}"
exit $any_crash
