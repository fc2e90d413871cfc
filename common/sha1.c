/* SPDX-License-Identifier: MIT */
#include "sha1.h"

#include <string.h>

#include "md.h"

static uint32_t rol(uint32_t x, unsigned int n)
{
	return (x << n) | (x >> (32 - n));
}

static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void block(uint32_t h[5], const uint8_t *p)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f, k, t;
	unsigned int i;

	for (i = 0; i < 16; i++)
		w[i] = load_be32(p + 4 * i);
	for (; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

static void blocks(void *state, const uint8_t *p, size_t n)
{
	struct bel_sha1 *s = state;

	for (; n; n--, p += 64)
		block(s->h, p);
}

void bel_sha1_init(struct bel_sha1 *s)
{
	static const uint32_t h0[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};

	memcpy(s->h, h0, sizeof(h0));
	bel_md_init(&s->md);
}

void bel_sha1_update(struct bel_sha1 *s, const void *data, size_t size)
{
	bel_md_update(&s->md, data, size, blocks, s);
}

void bel_sha1_final(struct bel_sha1 *s, uint8_t digest[BEL_SHA1_SIZE])
{
	bel_md_finish(&s->md, blocks, s);
	bel_md_put_be32(s->h, 5, digest);
}

void bel_sha1(const void *data, size_t size, uint8_t digest[BEL_SHA1_SIZE])
{
	struct bel_sha1 s;

	bel_sha1_init(&s);
	bel_sha1_update(&s, data, size);
	bel_sha1_final(&s, digest);
}
