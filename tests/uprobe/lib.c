/* SPDX-License-Identifier: MIT */
/* libbeluprobe.so: functions for uprobes in a shared library (tests/test_uprobe.c). */
#include "lib.h"

__attribute__((noinline)) long bel_lib_add(long a, long b)
{
	__asm__ volatile("" ::: "memory");
	return a + b;
}

/* Two versions of one function: the default one (@@BEL_2) and the old one (@BEL_1). */
__attribute__((noinline)) long bel_lib_versioned_1(long a)
{
	__asm__ volatile("" ::: "memory");
	return a + 1000;
}

__attribute__((noinline)) long bel_lib_versioned_2(long a)
{
	__asm__ volatile("" ::: "memory");
	return a + 2000;
}

__asm__(".symver bel_lib_versioned_1, bel_lib_versioned@BEL_1");
__asm__(".symver bel_lib_versioned_2, bel_lib_versioned@@BEL_2");
