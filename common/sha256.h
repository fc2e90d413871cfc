/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4): kernels since 6.17 tag programs with it (earlier ones with SHA-1). */
#ifndef BEL_COMMON_SHA256_H
#define BEL_COMMON_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "md.h"

#define BEL_SHA256_SIZE 32

struct bel_sha256 {
	uint32_t h[8];
	struct bel_md md;
	bool portable;   /* the C rounds even where the CPU has SHA instructions (for tests) */
};

void bel_sha256_init(struct bel_sha256 *s);
void bel_sha256_update(struct bel_sha256 *s, const void *data, size_t size);
void bel_sha256_final(struct bel_sha256 *s, uint8_t digest[BEL_SHA256_SIZE]);
void bel_sha256(const void *data, size_t size, uint8_t digest[BEL_SHA256_SIZE]);

#endif
