/* SPDX-License-Identifier: MIT */
/*
 * The descriptors the profiler keeps: libunwind's pipe for the process's
 * life (src/record/stackwalk.c), a dump's directory and file for the dump's
 * (src/export/safefile.c). Kept where the program's numbers are not (above them,
 * O_CLOEXEC), and out of reach of a program that closes every descriptor: close(), close_range() and closefrom() skip them
 * (interpose/fd.c), as if they were not there, so the numbers they hold
 * can never be handed to the program and read or written by the profiler.
 * A program that dup2()s onto one of them gets its way; the descriptor is
 * then marked lost and its user stops using the number.
 */
#ifndef LP_FDKEEP_H
#define LP_FDKEEP_H

#define LP_FDKEEP_MAX 8

/* Move `fd` above the program's numbers and keep it. Returns the new
 * number (the old one is closed), or -1 with `fd` closed when there is no
 * room (a tiny RLIMIT_NOFILE, or LP_FDKEEP_MAX kept already). */
int lp_fdkeep(int fd);

/* Is there room above the program's numbers (RLIMIT_NOFILE)? */
int lp_fdkeep_room(void);

/* The same for a descriptor needed only a while, which may stay where it
 * is when there is no room: returns the kept number, or `fd` itself. */
int lp_fdkeep_try(int fd);

/* Close a descriptor that lp_fdkeep_try returned: close's result. */
int lp_fdkeep_close(int fd);

/* Is `fd` kept? A load and a compare per kept descriptor. */
int lp_fdkeep_has(int fd);

/* The program put a file of its own at the kept number `fd`. */
void lp_fdkeep_lost(int fd);

/* How many kept descriptors were lost so far: when this moves, a user of
 * one checks whether its own is still kept (lp_fdkeep_has). */
unsigned lp_fdkeep_losses(void);

/* The kept numbers in increasing order, into `out` (LP_FDKEEP_MAX). */
int lp_fdkeep_sorted(int *out);

#endif /* LP_FDKEEP_H */
