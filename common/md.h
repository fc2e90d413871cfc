/* SPDX-License-Identifier: MIT */
/*
 * What SHA-1 and SHA-256 share (FIPS 180-4's padding and framing): input cut into 64-byte
 * blocks for the digest's compression function, and a last block padded with 0x80, zeros and
 * the message length in bits, big-endian.
 */
#ifndef BEL_COMMON_MD_H
#define BEL_COMMON_MD_H

#include <stddef.h>
#include <stdint.h>

struct bel_md {
	uint8_t buf[64];         /* a block not yet full */
	size_t buffered;
	uint64_t size;           /* bytes so far */
};

/* The compression function of a digest: n blocks of 64 bytes at p into its state. */
typedef void bel_md_blocks_fn(void *state, const uint8_t *p, size_t n);

void bel_md_init(struct bel_md *m);
void bel_md_update(struct bel_md *m, const void *data, size_t size, bel_md_blocks_fn *blocks,
		   void *state);
/* The padding and length, compressed: the state holds the digest then. */
void bel_md_finish(struct bel_md *m, bel_md_blocks_fn *blocks, void *state);
/* n words of h, big-endian, at out. */
void bel_md_put_be32(const uint32_t *h, unsigned int n, uint8_t *out);

#endif
