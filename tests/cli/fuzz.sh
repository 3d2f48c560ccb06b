#!/bin/sh
# Build the decoder fuzz target with clang's libFuzzer and run it for a
# bounded time on a seed corpus. Exit 77 (skip) without the toolchain.
# usage: fuzz.sh SOURCE_ROOT BUILD_ROOT SECONDS [SEED_DIR...]
# A longer run: fuzz.sh . build-b 3600 ../shared/fixtures/go
set -eu
src=$1 build=$2 secs=$3
shift 3
if ! command -v clang >/dev/null 2>&1; then
	echo "SKIP: clang is not installed (Debian clang): no fuzzing"
	exit 77
fi
work=$(mktemp -d /tmp/lockprof-fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){return 0;}' >"$work/probe.c"
if ! clang -fsanitize=fuzzer "$work/probe.c" -o "$work/probe" 2>/dev/null; then
	echo "SKIP: clang has no libFuzzer (-fsanitize=fuzzer)"
	exit 77
fi
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-D_GNU_SOURCE -I"$src/src" -I"$src/src/cli" -I"$build" \
	"$src/tests/cli/fuzz_decode.c" "$src/src/pprof_decode.c" \
	"$build/profile.pb-c.c" "$src/src/cli/profile_model.c" \
	"$src/src/cli/sites.c" "$src/src/cli/strmap.c" "$src/src/cli/sbuf.c" \
	"$src/src/cli/primitives.c" "$src/src/cli/pprof_build.c" \
	"$src/src/cli/demangle.c" -lprotobuf-c -lz -lm -lstdc++ -o "$work/fuzz_decode"
mkdir "$work/corpus"
PYTHONPATH="$src/tests/cli" python3 - "$work/corpus" <<'PY'
import os, sys
from pprof_writer import Profile
d = sys.argv[1]
p = Profile(duration_ns=10**9).add(["main", "worker", "pthread_mutex_lock"], 3, 7000)
p.add(["main", "logger", "pthread_cond_wait"], 1, 50)
p.comments.append("kind=block")
p.write(os.path.join(d, "seed.pprof"))
p.write(os.path.join(d, "seed-plain.pprof"), compress=False)
PY
for seeds in "$@"; do
	[ -d "$seeds" ] && cp "$seeds"/*.pprof "$work/corpus/" 2>/dev/null || true
done
"$work/fuzz_decode" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
	-timeout=10 -print_final_stats=1 "$work/corpus" 2>"$work/log" || {
	tail -60 "$work/log"
	exit 1
}
grep -E "stat::number_of_executed_units|Done" "$work/log" || true
