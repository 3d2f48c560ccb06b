#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the request-handling fuzz target with clang's libFuzzer and run it
# for a bounded time on a seed corpus. Exit 77 (skip) without the toolchain.
# usage: fuzz.sh SOURCE_ROOT SECONDS
# A longer run: tests/live/fuzz.sh . 3600
set -eu
src=$1 secs=$2
. "$src/tests/fuzzlib.sh"
fuzz_setup http
fuzz_build "$work/fuzz_request" -I"$src/src" -I"$src/include" \
	"$src/tests/live/fuzz_request.c" "$src/src/http/request.c" \
	"$src/src/http/route.c" "$src/src/http/response.c"
c=$work/corpus
printf 'GET /debug/pprof/mutex?seconds=2 HTTP/1.1\r\nHost: 127.0.0.1:6060\r\nUser-Agent: Go-http-client/1.1\r\nAccept-Encoding: gzip\r\n\r\n' >"$c/go"
printf 'GET /debug/pprof/block?debug=1&seconds=&%%73econds=x HTTP/1.1\r\nConnection: close\r\n\r\nHEAD /debug/pprof/ HTTP/1.0\r\n\r\n' >"$c/pipelined"
printf 'GET http://h/debug/pprof/delta_mutex HTTP/1.1\r\nContent-Length: 3\r\n\r\n' >"$c/absolute"
printf 'POST /debug/pprof/%%6Dutex?a=b;c&debug=%%zz HTTP/1.1\nTransfer-Encoding: chunked\n\n' >"$c/odd"
fuzz_run "$work/fuzz_request" "$secs" 20000
