/* SPDX-License-Identifier: MIT */
#include "sha1.h"

#include <string.h>

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

void bel_sha1_init(struct bel_sha1 *s)
{
	static const uint32_t h0[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};

	memcpy(s->h, h0, sizeof(h0));
	s->buffered = 0;
	s->size = 0;
}

void bel_sha1_update(struct bel_sha1 *s, const void *data, size_t size)
{
	const uint8_t *p = data;
	size_t take;

	s->size += size;
	if (s->buffered) {
		take = 64 - s->buffered < size ? 64 - s->buffered : size;
		memcpy(s->buf + s->buffered, p, take);
		s->buffered += take;
		p += take;
		size -= take;
		if (s->buffered < 64)
			return;
		block(s->h, s->buf);
		s->buffered = 0;
	}
	for (; size >= 64; p += 64, size -= 64)
		block(s->h, p);
	memcpy(s->buf, p, size);
	s->buffered = size;
}

void bel_sha1_final(struct bel_sha1 *s, uint8_t digest[BEL_SHA1_SIZE])
{
	uint64_t bits = s->size * 8;
	uint8_t tail[128];
	size_t n, i;

	memset(tail, 0, sizeof(tail));
	memcpy(tail, s->buf, s->buffered);
	tail[s->buffered] = 0x80;
	n = s->buffered < 56 ? 64 : 128;
	for (i = 0; i < 8; i++)
		tail[n - 1 - i] = (uint8_t)(bits >> (8 * i));
	block(s->h, tail);
	if (n == 128)
		block(s->h, tail + 64);
	for (i = 0; i < 5; i++) {
		digest[4 * i] = (uint8_t)(s->h[i] >> 24);
		digest[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		digest[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		digest[4 * i + 3] = (uint8_t)s->h[i];
	}
}

void bel_sha1(const void *data, size_t size, uint8_t digest[BEL_SHA1_SIZE])
{
	struct bel_sha1 s;

	bel_sha1_init(&s);
	bel_sha1_update(&s, data, size);
	bel_sha1_final(&s, digest);
}
