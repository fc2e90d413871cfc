#!/bin/sh
# tests/dist/deb.sh: the Debian packages build from a copy of the tree as an unprivileged user
# (`dpkg-buildpackage -b -us -uc`: no root, no kernel; dh_auto_test runs the unit suite), hold
# what they should, and lintian reports no error. Installs lintian if it is missing (about 130
# packages, so only here and not in scripts/install-deps.sh).
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/bel-deb.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fail=0
# the corpus of real objects is the main build's business (scripts/test.sh sets it): not here
unset BEL_CORPUS_DIR
if ! command -v lintian >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends lintian \
		>"$WORK/apt.log" 2>&1 || { echo "FAIL: cannot install lintian"; tail "$WORK/apt.log"; exit 1; }
fi
# the tree as a fresh clone has it (what git tracks, and new files it does not ignore)
mkdir "$WORK/bel-0.2.0"
if git -C "$SRC" rev-parse >/dev/null 2>&1; then
	(cd "$SRC" && git ls-files -z -co --exclude-standard | xargs -0 tar cf - --no-recursion) |
		tar xf - -C "$WORK/bel-0.2.0"
else
	(cd "$SRC" && tar cf - --exclude='./build*' .) | tar xf - -C "$WORK/bel-0.2.0"
fi
# build as nobody when we are root, so the build proves it needs no privilege
as_user=""
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	chown -R nobody:nogroup "$WORK"
	as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups --reset-env"
fi
start=$(date +%s)
# shellcheck disable=SC2086
if ! (cd "$WORK/bel-0.2.0" && HOME=$WORK $as_user env HOME="$WORK" PATH="$PATH" \
	DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -b -us -uc) >"$WORK/build.log" 2>&1; then
	echo "FAIL: dpkg-buildpackage:"
	tail -40 "$WORK/build.log"
	exit 1
fi
who=$(id -un)
[ -n "$as_user" ] && who=nobody
echo "deb: dpkg-buildpackage -b -us -uc as $who: built in $(($(date +%s) - start)) s"
grep -E '^ *[0-9]+/[0-9]+ .*(OK|FAIL|SKIP)' "$WORK/build.log" | sed 's/^/  dh_auto_test: /'
for pkg in bel libbel0 libbel-dev; do
	deb=$(ls "$WORK"/${pkg}_0.2.0_*.deb 2>/dev/null)
	[ -n "$deb" ] || { echo "FAIL: no $pkg package"; fail=1; continue; }
	dpkg-deb -c "$deb" | awk '{print $6}' >"$WORK/$pkg.files"
	case $pkg in
	bel) want="./usr/bin/bel ./usr/share/man/man1/bel.1.gz ./usr/share/bash-completion/completions/bel" ;;
	libbel0) want="./usr/lib/x86_64-linux-gnu/libbel.so.0.2.0" ;;
	libbel-dev) want="./usr/include/bel/bel.h ./usr/lib/x86_64-linux-gnu/libbel.a ./usr/lib/x86_64-linux-gnu/pkgconfig/bel.pc ./usr/share/man/man3/bel.3.gz" ;;
	esac
	for f in $want; do
		grep -qxF "$f" "$WORK/$pkg.files" || { echo "FAIL: $pkg lacks $f"; fail=1; }
	done
	echo "deb: $(basename "$deb"): $(wc -l <"$WORK/$pkg.files") entries, $(stat -c %s "$deb") bytes"
done
dpkg-deb -I "$WORK"/libbel0_0.2.0_*.deb shlibs 2>/dev/null | grep -q 'libbel 0 libbel0' ||
	{ echo "FAIL: libbel0 has no shlibs entry for libbel.so.0"; fail=1; }
# from $WORK: the unprivileged user may not enter the directory the tests run from (a clone
# under a mktemp -d of root's is mode 0700)
# shellcheck disable=SC2086
(cd "$WORK" && $as_user env HOME="$WORK" PATH="$PATH" lintian --fail-on error \
	--tag-display-limit 0 "$WORK"/bel_0.2.0_*.changes) >"$WORK/lintian.log" 2>&1
lintian_status=$?
sed 's/^/  lintian: /' "$WORK/lintian.log"
if [ $lintian_status -ne 0 ] || grep -q '^E: ' "$WORK/lintian.log"; then
	echo "FAIL: lintian reports errors"
	fail=1
fi
echo "deb: lintian: $(grep -c '^E: ' "$WORK/lintian.log") errors, $(grep -c '^W: ' "$WORK/lintian.log") warnings"
exit $fail
