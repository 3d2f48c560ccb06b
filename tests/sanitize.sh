#!/bin/sh
# SPDX-License-Identifier: MIT
# The test suite against sanitized builds of the library (docs/safety.md).
#
# ASan+UBSan: a separate build dir with -Db_sanitize=address,undefined; the
# ASan runtime must come first in LD_PRELOAD, before the library, which
# the drivers do from LOCKPROF_PRELOAD_FIRST. Runs the suites that preload
# through those drivers (safety, integration, unit, format).
#
# TSan cannot run the preload library: an instrumented interposer is
# called by TSan's own runtime before TSan is initialized (its start-up
# sigaction and pthread_mutex_lock land in the library) and crashes; see
# docs/safety.md.
#
# usage: tests/sanitize.sh [BUILD_DIR] (default build-asan)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-asan}
cd "$src"
if [ ! -d "$build" ]; then
	meson setup "$build" -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug >/dev/null
fi
meson compile -C "$build" >/dev/null || { meson compile -C "$build" | tail -20; exit 1; }
asan=$(gcc -print-file-name=libasan.so)
[ -e "$asan" ] || { echo "sanitize.sh: no libasan (Debian libasan8)"; exit 1; }
export LOCKPROF_PRELOAD_FIRST=$(readlink -f "$asan")
# Leaks of a process that exits with threads running are not the point;
# every error is fatal and reported with a stack.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1:verify_asan_link_order=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
meson test -C "$build" --suite safety --suite integration --suite unit \
	--suite format --no-suite fuzz --timeout-multiplier 3 --num-processes 2 \
	--print-errorlogs
