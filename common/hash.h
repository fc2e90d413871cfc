/* SPDX-License-Identifier: MIT */
/* The one string hash of bel's name indexes (ELF symbols and sections, kernel BTF types). */
#ifndef BEL_COMMON_HASH_H
#define BEL_COMMON_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* FNV-style over 8-byte words: indexing vmlinux hashes some 14k names, so bytes matter. */
static inline uint32_t bel_hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ull, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 1099511628211ull;
	}
	w = 0;
	memcpy(&w, s + i, len - i);
	h = (h ^ w ^ len) * 1099511628211ull;
	return (uint32_t)(h ^ (h >> 32));
}

#endif
