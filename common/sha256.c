/* SPDX-License-Identifier: MIT */
#include "sha256.h"

#include <stdbool.h>
#include <string.h>

#include "md.h"

static const uint32_t k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

static void block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
		 x = h[7], t1, t2;
	unsigned int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++)
		w[i] = (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10)) + w[i - 7] +
		       (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3)) + w[i - 16];
	/* the working variables in locals, not an array shifted each round: tags of a large
	 * object are a visible part of a restart */
	for (i = 0; i < 64; i++) {
		t1 = x + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
		t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		x = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += x;
}

/*
 * With the x86 SHA extensions (most x86 CPUs since 2017), four rounds per pair of
 * instructions: a restart computes the tag of every pinned program. GCC only: its
 * __builtin_cpu_supports knows "sha" (clang 14's does not), and it reads what libgcc
 * learnt once at startup instead of running cpuid, which traps in a VM.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#include <immintrin.h>

#define HAVE_SHA_NI 1

__attribute__((target("sha,sse4.1"))) static void blocks_sha_ni(uint32_t h[8], const uint8_t *p,
								 size_t n)
{
	const __m128i be = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i abef, cdgh, t, m[4];
	unsigned int g;

	/* the instructions keep the state as (a, b, e, f) and (c, d, g, h) */
	t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xb1);
	cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1b);
	abef = _mm_alignr_epi8(t, cdgh, 8);
	cdgh = _mm_blend_epi16(cdgh, t, 0xf0);
	for (; n; n--, p += 64) {
		__m128i abef0 = abef, cdgh0 = cdgh;

		for (g = 0; g < 4; g++)
			m[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), be);
		/* group g: rounds 4g..4g+3 with words m[g % 4]; then words 4(g+4).. replace them */
		for (g = 0; g < 16; g++) {
			__m128i w = _mm_add_epi32(m[g & 3], _mm_loadu_si128((const __m128i *)&k[4 * g]));

			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, w);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(w, 0x0e));
			if (g < 12) {
				t = _mm_sha256msg1_epu32(m[g & 3], m[(g + 1) & 3]);
				t = _mm_add_epi32(t, _mm_alignr_epi8(m[(g + 3) & 3], m[(g + 2) & 3], 4));
				m[g & 3] = _mm_sha256msg2_epu32(t, m[(g + 3) & 3]);
			}
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	t = _mm_shuffle_epi32(abef, 0x1b);
	cdgh = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(t, cdgh, 0xf0));
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(cdgh, t, 8));
}
#endif

/* n blocks of 64 bytes at p (bel_md_blocks_fn). */
static void blocks(void *state, const uint8_t *p, size_t n)
{
	struct bel_sha256 *s = state;

#ifdef HAVE_SHA_NI
	if (!s->portable && __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1")) {
		blocks_sha_ni(s->h, p, n);
		return;
	}
#endif
	for (; n; n--, p += 64)
		block(s->h, p);
}

void bel_sha256_init(struct bel_sha256 *s)
{
	static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

	memcpy(s->h, h0, sizeof(h0));
	bel_md_init(&s->md);
	s->portable = false;
}

void bel_sha256_update(struct bel_sha256 *s, const void *data, size_t size)
{
	bel_md_update(&s->md, data, size, blocks, s);
}

void bel_sha256_final(struct bel_sha256 *s, uint8_t digest[BEL_SHA256_SIZE])
{
	bel_md_finish(&s->md, blocks, s);
	bel_md_put_be32(s->h, 8, digest);
}

void bel_sha256(const void *data, size_t size, uint8_t digest[BEL_SHA256_SIZE])
{
	struct bel_sha256 s;

	bel_sha256_init(&s);
	bel_sha256_update(&s, data, size);
	bel_sha256_final(&s, digest);
}
