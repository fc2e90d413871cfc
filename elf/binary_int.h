/* SPDX-License-Identifier: MIT */
/* What the parts of the binary reader share (binary.c, binary_syms.c, binary_usdt.c). */
#ifndef BEL_ELF_BINARY_INT_H
#define BEL_ELF_BINARY_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "binary.h"

/* A range [off, off + len) inside a buffer of size bytes, without overflow. */
static inline bool bel_binary_in_range(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* A NUL-terminated string at off in a string section, or NULL. */
const char *bel_binary_str(const struct bel_binary_sec *sec, uint64_t off);
/* The first section of a type, or NULL. */
const struct bel_binary_sec *bel_binary_sec_by_type(const struct bel_binary *b, uint32_t type);

#endif
