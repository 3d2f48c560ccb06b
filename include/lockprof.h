/* SPDX-License-Identifier: MIT */
/*
 * lockprof: block and mutex profiles of pthread programs, as Go writes them.
 *
 * The same library works preloaded (LD_PRELOAD=liblockprof.so) or linked
 * (-llockprof). Every function here is safe to call from any thread at any
 * time after the library is loaded; none of them may be called from a
 * signal handler.
 */
#ifndef LOCKPROF_H
#define LOCKPROF_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Block profile rate, as runtime.SetBlockProfileRate: on average one
 * blocking event per `rate_ns` nanoseconds spent blocked is sampled; 1 keeps
 * every event, 0 or less turns the block profile off. Returns the previous
 * rate.
 */
int64_t lockprof_set_block_rate(int64_t rate_ns);
int64_t lockprof_block_rate(void);

/*
 * Mutex profile fraction, as runtime.SetMutexProfileFraction: on average 1
 * in `fraction` contended releases is sampled (a release charged more than
 * 10 us counts as several: docs/profiles.md); 0 turns the mutex profile
 * off; a negative value only reads; above 1000000000, 1000000000 (as
 * LOCKPROF_MUTEX_FRACTION). Returns the previous fraction.
 */
int64_t lockprof_set_mutex_fraction(int64_t fraction);
int64_t lockprof_mutex_fraction(void);

/*
 * Recording on or off (rates are kept). Profiles keep what they hold.
 * lockprof_start() returns 0; both return the previous state (1 recording).
 */
int lockprof_start(void);
int lockprof_stop(void);

/*
 * Write both cumulative profiles now, as gzip-compressed pprof. A NULL path
 * (or a negative fd) skips that profile. Paths are written atomically (a
 * temporary file in the same directory, then rename). Return 0, or -1 with
 * errno set.
 */
int lockprof_dump(const char *block_path, const char *mutex_path);
int lockprof_dump_fd(int block_fd, int mutex_fd);

/*
 * Write the cumulative hold profile (LOCKPROF_HOLD_FRACTION) now, the same
 * way; it holds no sample when the hold profile is off.
 */
int lockprof_dump_hold(const char *hold_path);
int lockprof_dump_hold_fd(int hold_fd);

/*
 * Write the waits in progress now (the hang view, docs/live.md) to `fd`:
 * gzip-compressed pprof, or with `debug` non-zero the text, one block per
 * waiting thread, its owner and any deadlock cycle. Return 0, or -1 with
 * errno set.
 */
int lockprof_dump_waiting(int fd, int debug);

/*
 * Deltas: what was recorded between two moments, as Go's
 * /debug/pprof/mutex?seconds=N serves it. A snapshot holds both profiles as
 * they were when it was taken (a copy: nothing is reset). One snapshot must
 * not be used by two threads at once.
 *
 *	lockprof_snapshot *s = lockprof_snapshot_take();
 *	for (;;) {
 *		sleep(60);
 *		lockprof_dump_delta(s, "block.delta.pprof", NULL, 1);
 *	}
 */
typedef struct lockprof_snapshot lockprof_snapshot;

/* Both profiles now. NULL with errno ENOMEM when out of memory. */
lockprof_snapshot *lockprof_snapshot_take(void);
void lockprof_snapshot_free(lockprof_snapshot *s);

/*
 * Write what was recorded between `since` and now, as gzip-compressed
 * pprof: time_nanos is now, duration_nanos the time since `since`, and
 * stacks with nothing new are left out. With `advance` non-zero, `since`
 * then holds this "now", so that successive calls write consecutive windows
 * that miss nothing and count nothing twice. A NULL path (or a negative fd)
 * skips that profile; paths are written atomically. Return 0, or -1 with
 * errno set (`since` is then unchanged).
 */
int lockprof_dump_delta(lockprof_snapshot *since, const char *block_path,
			const char *mutex_path, int advance);
int lockprof_dump_delta_fd(lockprof_snapshot *since, int block_fd,
			   int mutex_fd, int advance);

#ifdef __cplusplus
}
#endif

#endif /* LOCKPROF_H */
