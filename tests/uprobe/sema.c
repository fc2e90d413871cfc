/* SPDX-License-Identifier: MIT */
/* A USDT probe with a semaphore: the kernel counts attached probes in bel_sema_semaphore. */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

#include "probes.h"

__extension__ unsigned short bel_sema_semaphore __attribute__((section(".probes"), used));

__attribute__((noinline)) void bel_fire_sema(long v)
{
	if (bel_sema_semaphore)
		STAP_PROBE1(bel, sema, v);
}

unsigned short bel_sema_value(void)
{
	return *(volatile unsigned short *)&bel_sema_semaphore;
}
