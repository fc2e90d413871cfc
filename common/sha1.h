/* SPDX-License-Identifier: MIT */
/* SHA-1 (FIPS 180-4), for one thing: the kernel names programs by the SHA-1 of their
 * instructions (the program tag), and bel must compute the same name without the kernel. */
#ifndef BEL_COMMON_SHA1_H
#define BEL_COMMON_SHA1_H

#include <stddef.h>
#include <stdint.h>

#include "md.h"

#define BEL_SHA1_SIZE 20

struct bel_sha1 {
	uint32_t h[5];
	struct bel_md md;
};

void bel_sha1_init(struct bel_sha1 *s);
void bel_sha1_update(struct bel_sha1 *s, const void *data, size_t size);
void bel_sha1_final(struct bel_sha1 *s, uint8_t digest[BEL_SHA1_SIZE]);
void bel_sha1(const void *data, size_t size, uint8_t digest[BEL_SHA1_SIZE]);

#endif
