/* SPDX-License-Identifier: MIT */
/* lp_cpu_now against the kernel's own answer: a thread bound to one CPU at
 * a time reads that CPU, as the getcpu system call says (when glibc
 * registered its rseq area; else the one value every thread reads). */
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cpu.h"
#include "unit.h"

#ifdef LP_HAVE_RSEQ
#include <sys/rseq.h>
#endif

int main(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;
	int bound = 0;

	for (int cpu = 0; cpu < cpus && cpu < CPU_SETSIZE; cpu++) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0)
			continue; /* not ours to run on (a container's cpuset) */
		bound++;
#ifdef LP_HAVE_RSEQ
		if (__rseq_size > 0) {
			unsigned int now = ~0u;

			EXPECT(syscall(SYS_getcpu, &now, NULL, NULL) == 0 && now == (unsigned int)cpu);
			EXPECT(lp_cpu_now() == (uint32_t)cpu);
			continue;
		}
#endif
		EXPECT(lp_cpu_now() == lp_cpu_now());
	}
	EXPECT(bound > 0);
	return unit_summary();
}
