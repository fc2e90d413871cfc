/* SPDX-License-Identifier: MIT */
/* Growing arrays: the one realloc-by-doubling every collector in bel needs. */
#ifndef BEL_COMMON_ARRAY_H
#define BEL_COMMON_ARRAY_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * Make room for element number `count` in *arrp (an array of `elem`-byte elements with *cap
 * slots), doubling from `first`. 0, or -ENOMEM with the array untouched.
 */
static inline int bel_grow(void *arrp, uint32_t count, uint32_t *cap, size_t elem, uint32_t first)
{
	void **arr = arrp, *grown;
	uint32_t want;

	if (count < *cap)
		return 0;
	want = *cap ? *cap * 2 : first;
	if (want <= count)
		want = count + 1;
	grown = realloc(*arr, (size_t)want * elem);
	if (!grown)
		return -ENOMEM;
	*arr = grown;
	*cap = want;
	return 0;
}

#endif
