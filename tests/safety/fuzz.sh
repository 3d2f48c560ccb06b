#!/bin/sh
# Build the environment-parser fuzz target with clang's libFuzzer and run it
# for a bounded time on a seed corpus. Exit 77 (skip) without the toolchain.
# usage: fuzz.sh SOURCE_ROOT SECONDS
# A longer run: tests/safety/fuzz.sh . 3600
set -eu
src=$1 secs=$2
if ! command -v clang >/dev/null 2>&1; then
	echo "SKIP: clang is not installed (Debian clang): no fuzzing"
	exit 77
fi
work=$(mktemp -d /tmp/lockprof-fuzz-config-XXXXXX)
trap 'rm -rf "$work"' EXIT
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){return 0;}' >"$work/probe.c"
if ! clang -fsanitize=fuzzer "$work/probe.c" -o "$work/probe" 2>/dev/null; then
	echo "SKIP: clang has no libFuzzer (-fsanitize=fuzzer)"
	exit 77
fi
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-D_GNU_SOURCE -I"$src/src" -I"$src/include" \
	"$src/tests/safety/fuzz_config.c" "$src/src/config.c" "$src/src/http/addr.c" \
	-o "$work/fuzz_config"
c=$work/corpus
mkdir "$c"
# values in the order of fuzz_config.c's names[], NUL-separated
printf '1\00010us\00010\00064\00065536\00065536\000/tmp\000127.0.0.1:6060\000100ms\000USR2' >"$c/defaults"
printf '0\0001.5ms\0000\000128\0001\00064\000\000[::1]:0\000off\000RTMIN+3' >"$c/edges"
printf 'x\0003600s\0001000000000\000129\00016777216\00016777217\000.\000unix:/tmp/s\00099ms\000SIGKILL' >"$c/bad"
printf '0.000000001s' >"$c/frac"
"$work/fuzz_config" -max_total_time="$secs" -max_len=512 -rss_limit_mb=2048 \
	-timeout=10 -print_final_stats=1 "$c" 2>"$work/log" || {
	tail -60 "$work/log"
	exit 1
}
grep -E "stat::number_of_executed_units|Done" "$work/log" || true
