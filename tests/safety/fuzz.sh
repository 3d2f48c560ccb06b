#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the environment-parser fuzz target with clang's libFuzzer and run it
# for a bounded time on a seed corpus. Exit 77 (skip) without the toolchain.
# usage: fuzz.sh SOURCE_ROOT SECONDS
# A longer run: tests/safety/fuzz.sh . 3600
set -eu
src=$1 secs=$2
. "$src/tests/fuzzlib.sh"
fuzz_setup config
fuzz_build "$work/fuzz_config" -I"$src/src" -I"$src/include" \
	"$src/tests/safety/fuzz_config.c" "$src/src/base/config.c" "$src/src/base/addr.c"
c=$work/corpus
# values in the order of fuzz_config.c's names[], NUL-separated
printf '1\00010us\00010\00064\00065536\00065536\000/tmp\000127.0.0.1:6060\000100ms\000USR2' >"$c/defaults"
printf '0\0001.5ms\0000\000128\0001\00064\000\000[::1]:0\000off\000RTMIN+3' >"$c/edges"
printf 'x\0003600s\0001000000000\000129\00016777216\00016777217\000.\000unix:/tmp/s\00099ms\000SIGKILL' >"$c/bad"
printf '0.000000001s' >"$c/frac"
fuzz_run "$work/fuzz_config" "$secs" 512
