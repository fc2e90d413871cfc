#!/bin/sh
# Scaling figures for README's threat model: open time against the number of maps and programs,
# CO-RE work on adversarial type graphs and on the corpus. Prints markdown tables.
#
#     tests/bench/scaling.sh [BUILD_DIR] [bel-scaling options]    # BUILD_DIR defaults to build
#
# Builds BUILD_DIR (./scripts/build.sh), fetches the corpus into BUILD_DIR/tests/corpus with
# ../shared/corpus/fetch-corpus.sh when run as root and it is not there yet (BEL_CORPUS points at
# another directory), then runs BUILD_DIR/tests/bench/bel-scaling. A few minutes on 2 cores.
set -eu
cd "$(dirname "$0")/../.."
build=${1:-build}
[ $# -gt 0 ] && shift
./scripts/build.sh "$build" >/dev/null
corpus=${BEL_CORPUS:-$build/tests/corpus}
fetch=../shared/corpus/fetch-corpus.sh
if [ ! -d "$corpus" ] && [ -f "$fetch" ] && [ "$(id -u)" = 0 ] && command -v bash >/dev/null; then
	bash "$fetch" "$corpus" >&2 || true
fi
echo "## bel scaling ($(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
if [ -d "$corpus" ]; then
	exec "$build/tests/bench/bel-scaling" --bel "$build/bel" --corpus "$corpus" "$@"
fi
exec "$build/tests/bench/bel-scaling" --bel "$build/bel" "$@"
