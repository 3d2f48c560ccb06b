#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs what tests/real/ runs: the programs, their load generators, and
# memcached's Debian source package with its build dependencies (the test
# builds an unstripped memcached from it). Run as root before
# `meson test --suite real`; the tests skip (77) whatever is missing.
set -eu
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" != 0 ]; then
	exec sudo "$0" "$@"
fi

# deb-src for the same suites as the deb lines, so `apt-get source` gets the
# memcached the machine runs (deb822 or one-line format).
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
	if ! grep -q '^Types:.*deb-src' /etc/apt/sources.list.d/debian.sources; then
		sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
			>/etc/apt/sources.list.d/lockprof-deb-src.sources
	fi
elif [ -f /etc/apt/sources.list ] && ! grep -q '^deb-src' /etc/apt/sources.list; then
	grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
		>/etc/apt/sources.list.d/lockprof-deb-src.list
fi

apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	memcached libmemcached-tools sysbench stress-ng rocksdb-tools postgresql \
	dpkg-dev binutils gdb golang-go golang-github-google-pprof-dev >/dev/null
# Build dependencies of memcached (libevent-dev and friends).
apt-get build-dep -y -qq memcached >/dev/null
# libstdc++'s debug build (named libstdc++ frames in test_rocksdb.py); its
# name follows the gcc version, so only where it exists.
apt-get install -y -qq --no-install-recommends libstdc++6-12-dbg >/dev/null 2>&1 ||
	echo "install-packages.sh: no libstdc++6-12-dbg here; that check will be skipped"
