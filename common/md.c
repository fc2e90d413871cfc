/* SPDX-License-Identifier: MIT */
#include "md.h"

#include <string.h>

void bel_md_init(struct bel_md *m)
{
	m->buffered = 0;
	m->size = 0;
}

void bel_md_update(struct bel_md *m, const void *data, size_t size, bel_md_blocks_fn *blocks,
		   void *state)
{
	const uint8_t *p = data;
	size_t take;

	m->size += size;
	if (m->buffered) {
		take = 64 - m->buffered < size ? 64 - m->buffered : size;
		memcpy(m->buf + m->buffered, p, take);
		m->buffered += take;
		p += take;
		size -= take;
		if (m->buffered < 64)
			return;
		blocks(state, m->buf, 1);
		m->buffered = 0;
	}
	blocks(state, p, size / 64);
	p += size / 64 * 64;
	size %= 64;
	memcpy(m->buf, p, size);
	m->buffered = size;
}

void bel_md_finish(struct bel_md *m, bel_md_blocks_fn *blocks, void *state)
{
	uint64_t bits = m->size * 8;
	uint8_t tail[128];
	size_t n, i;

	memset(tail, 0, sizeof(tail));
	memcpy(tail, m->buf, m->buffered);
	tail[m->buffered] = 0x80;
	n = m->buffered < 56 ? 64 : 128;
	for (i = 0; i < 8; i++)
		tail[n - 1 - i] = (uint8_t)(bits >> (8 * i));
	blocks(state, tail, n / 64);
}

void bel_md_put_be32(const uint32_t *h, unsigned int n, uint8_t *out)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		out[4 * i] = (uint8_t)(h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(h[i] >> 8);
		out[4 * i + 3] = (uint8_t)h[i];
	}
}
