/* SPDX-License-Identifier: MIT */
/*
 * The library's only way to speak: one line at a time, to the standard
 * error the process started with, or to LOCKPROF_LOG.
 *
 * A daemon closes descriptors 0-2 and opens its own files, which take those
 * numbers: writing to descriptor 2 then writes into the program's data. So
 * the identity (device and inode) of descriptor 2 is kept at start, and a
 * line is written only while descriptor 2 is still that file. A line with
 * nowhere safe to go is dropped.
 */
#ifndef LP_LOG_H
#define LP_LOG_H

/* Remember what descriptor 2 is; `path` (LOCKPROF_LOG, may be NULL or
 * empty) names a file that gets the lines instead. Called once at start;
 * lines said before it go nowhere. */
void lp_log_init(const char *path);

/* One line; a newline is added when missing. Async-signal-safe. */
void lp_log(const char *line);

/* printf-style; the line is cut at 1 KiB. Not from signal handlers. */
void lp_logf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* LP_LOG_H */
