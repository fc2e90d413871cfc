/* SPDX-License-Identifier: MIT */
/* What tests/test_uprobe.c probes in its own binary: a function, and a USDT probe whose
 * arguments are a register, a constant and a memory operand. */
#include <sys/sdt.h>

#include "probes.h"

__attribute__((noinline)) long bel_target_add(long a, long b)
{
	__asm__ volatile("" ::: "memory");
	return 2 * a + b;
}

__attribute__((noinline)) void bel_fire_usdt(long reg, const struct bel_holder *h)
{
	/* reg arrives in a register, 7 is a constant, h->val is read where it is: N(%reg) */
	STAP_PROBE3(bel, args, reg, 7, h->val);
}
