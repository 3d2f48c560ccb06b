#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the decoder fuzz target with clang's libFuzzer and run it for a
# bounded time on a seed corpus. Exit 77 (skip) without the toolchain.
# usage: fuzz.sh SOURCE_ROOT BUILD_ROOT SECONDS [SEED_DIR...]
# A longer run: fuzz.sh . build-b 3600 tests/fixtures/go
set -eu
src=$1 build=$2 secs=$3
shift 3
. "$src/tests/fuzzlib.sh"
fuzz_setup decode
fuzz_build "$work/fuzz_decode" -I"$src/src" -I"$src/src/cli" -I"$build" \
	"$src/tests/cli/fuzz_decode.c" "$src/src/format/pprof_decode.c" \
	"$build/profile.pb-c.c" "$src/src/cli/profile_model.c" \
	"$src/src/cli/sites.c" "$src/src/cli/strmap.c" "$src/src/cli/sbuf.c" \
	"$src/src/cli/primitives.c" "$src/src/cli/pprof_build.c" \
	"$src/src/cli/demangle.c" "$src/src/cli/profile_meta.c" \
	"$src/src/cli/srcpath.c" "$src/src/cli/url.c" \
	"$src/src/base/hashtab.c" "$src/src/format/pprof_write.c" \
	-lprotobuf-c -lz -lm -lstdc++ -lcurl
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
fuzz_run "$work/fuzz_decode" "$secs" 65536
