/* SPDX-License-Identifier: MIT */
/*
 * What liblockprof.so shows the program: everything is built hidden
 * (a program's own symbols of the same names must not bind to ours, nor
 * ours to theirs) but the public API and the calls it stands in for.
 */
#ifndef LP_EXPORT_H
#define LP_EXPORT_H

#define LP_EXPORT __attribute__((visibility("default")))

#endif /* LP_EXPORT_H */
