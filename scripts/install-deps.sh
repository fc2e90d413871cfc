#!/bin/sh
# Installs what bel needs to build and test on Debian 12 (run as root). Idempotent.
#   library and CLI: libelf, zlib (+ meson, ninja, a C compiler, pkg-config)
#   tests:           clang/llvm (BPF fixtures), Check, libbpf-dev (the differential oracle),
#                    bpftool (the kernel's view), iproute2, systemtap-sdt-dev (<sys/sdt.h>: USDT probes),
#                    qemu + busybox + cpio (../shared/vmtest: the tests under Linux 6.1 and 6.12)
#   distribution:    scdoc (the man pages), bash-completion, debhelper (the Debian packages;
#                    tests/dist/deb.sh installs lintian itself, being large)
set -eu
pkgs="build-essential meson ninja-build pkg-config libelf-dev zlib1g-dev
      clang llvm check libsubunit-dev libbpf-dev bpftool iproute2 systemtap-sdt-dev
      qemu-system-x86 busybox-static cpio valgrind
      scdoc bash-completion debhelper"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "install-deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi
