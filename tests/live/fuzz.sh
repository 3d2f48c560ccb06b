#!/bin/sh
# Build the request-handling fuzz target with clang's libFuzzer and run it
# for a bounded time on a seed corpus. Exit 77 (skip) without the toolchain.
# usage: fuzz.sh SOURCE_ROOT SECONDS
# A longer run: tests/live/fuzz.sh . 3600
set -eu
src=$1 secs=$2
if ! command -v clang >/dev/null 2>&1; then
	echo "SKIP: clang is not installed (Debian clang): no fuzzing"
	exit 77
fi
work=$(mktemp -d /tmp/lockprof-fuzz-http-XXXXXX)
trap 'rm -rf "$work"' EXIT
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){return 0;}' >"$work/probe.c"
if ! clang -fsanitize=fuzzer "$work/probe.c" -o "$work/probe" 2>/dev/null; then
	echo "SKIP: clang has no libFuzzer (-fsanitize=fuzzer)"
	exit 77
fi
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-D_GNU_SOURCE -I"$src/src" -I"$src/include" \
	"$src/tests/live/fuzz_request.c" "$src/src/http/request.c" \
	"$src/src/http/route.c" "$src/src/http/response.c" -o "$work/fuzz_request"
mkdir "$work/corpus"
c=$work/corpus
printf 'GET /debug/pprof/mutex?seconds=2 HTTP/1.1\r\nHost: 127.0.0.1:6060\r\nUser-Agent: Go-http-client/1.1\r\nAccept-Encoding: gzip\r\n\r\n' >"$c/go"
printf 'GET /debug/pprof/block?debug=1&seconds=&%%73econds=x HTTP/1.1\r\nConnection: close\r\n\r\nHEAD /debug/pprof/ HTTP/1.0\r\n\r\n' >"$c/pipelined"
printf 'GET http://h/debug/pprof/delta_mutex HTTP/1.1\r\nContent-Length: 3\r\n\r\n' >"$c/absolute"
printf 'POST /debug/pprof/%%6Dutex?a=b;c&debug=%%zz HTTP/1.1\nTransfer-Encoding: chunked\n\n' >"$c/odd"
"$work/fuzz_request" -max_total_time="$secs" -max_len=20000 -rss_limit_mb=2048 \
	-timeout=10 -print_final_stats=1 "$c" 2>"$work/log" || {
	tail -60 "$work/log"
	exit 1
}
grep -E "stat::number_of_executed_units|Done" "$work/log" || true
