# SPDX-License-Identifier: MIT
# What the libFuzzer drivers share (tests/*/fuzz.sh source this file):
# a skip (exit 77) without clang's libFuzzer, a scratch directory, the
# sanitized build, and a bounded run that shows the log on failure.

# fuzz_setup NAME: check the toolchain, make $work (removed at exit).
fuzz_setup() {
	if ! command -v clang >/dev/null 2>&1; then
		echo "SKIP: clang is not installed (Debian clang): no fuzzing"
		exit 77
	fi
	work=$(mktemp -d "/tmp/lockprof-fuzz-$1-XXXXXX")
	trap 'rm -rf "$work"' EXIT
	echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){return 0;}' >"$work/probe.c"
	if ! clang -fsanitize=fuzzer "$work/probe.c" -o "$work/probe" 2>/dev/null; then
		echo "SKIP: clang has no libFuzzer (-fsanitize=fuzzer)"
		exit 77
	fi
	mkdir "$work/corpus"
}

# fuzz_build OUTPUT CLANG-ARGS...: a target with ASan and UBSan, aborting
# on the first report.
fuzz_build() {
	out=$1
	shift
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-D_GNU_SOURCE "$@" -o "$out"
}

# fuzz_run TARGET SECONDS MAX_LEN: run on $work/corpus.
fuzz_run() {
	"$1" -max_total_time="$2" -max_len="$3" -rss_limit_mb=2048 \
		-timeout=10 -print_final_stats=1 "$work/corpus" 2>"$work/log" || {
		tail -60 "$work/log"
		exit 1
	}
	grep -E "stat::number_of_executed_units|Done" "$work/log" || true
}
