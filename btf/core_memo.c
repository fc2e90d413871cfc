/* SPDX-License-Identifier: MIT */
/*
 * CO-RE, the memo: results of recursive comparisons remembered for the candidate being
 * matched, so a type graph that reuses one type many times costs its size, not the paths
 * through it.
 */
#include "core_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>


static uint32_t memo_hash(uint8_t tag, uint32_t a, uint32_t b, uint8_t extra)
{
	uint64_t h = ((uint64_t)a << 32 | b) * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32) ^ (uint32_t)(tag * 0x85ebca6bu) ^ (uint32_t)(extra * 0xc2b2ae35u);
}

struct memo_slot *core_memo_find(struct core_ctx *cx, uint8_t tag, uint32_t a, uint32_t b,
				 uint8_t extra)
{
	uint32_t i;

	if (!cx->memo)
		return NULL;
	for (i = memo_hash(tag, a, b, extra) & cx->memo_mask; cx->memo[i].gen == cx->gen;
	     i = (i + 1) & cx->memo_mask) {
		struct memo_slot *m = &cx->memo[i];

		if (m->tag == tag && m->a == a && m->b == b && m->extra == extra)
			return m;
	}
	return &cx->memo[i]; /* empty: where it would go */
}

/* Remember a result (memory permitting: forgetting only costs time). */
void core_memo_put(struct core_ctx *cx, uint8_t tag, uint32_t a, uint32_t b, uint8_t extra,
		   int result, int depth)
{
	struct memo_slot *m;

	if (!cx->memo || (cx->memo_count + 1) * 2 > cx->memo_mask + 1) {
		uint32_t size = cx->memo ? (cx->memo_mask + 1) * 2 : 64, i, j;
		struct memo_slot *bigger;

		/* the table never outgrows the steps that filled it */
		if (size > 4 * (cx->max_steps + 16) || !(bigger = calloc(size, sizeof(*bigger))))
			return;
		for (i = 0; cx->memo && i <= cx->memo_mask; i++) {
			if (cx->memo[i].gen != cx->gen)
				continue;
			for (j = memo_hash(cx->memo[i].tag, cx->memo[i].a, cx->memo[i].b,
					   cx->memo[i].extra) & (size - 1);
			     bigger[j].gen == cx->gen; j = (j + 1) & (size - 1))
				;
			bigger[j] = cx->memo[i];
		}
		free(cx->memo);
		cx->memo = bigger;
		cx->memo_mask = size - 1;
		if (cx->gen == 0) /* calloc'd slots are generation 0: never the current one */
			cx->gen = 1;
	}
	m = core_memo_find(cx, tag, a, b, extra);
	if (m->gen != cx->gen) {
		cx->memo_count++;
		m->gen = cx->gen;
		m->tag = tag;
		m->a = a;
		m->b = b;
		m->extra = extra;
	} else if (tag == MEMO_MEMBER ? m->depth >= depth : m->depth <= depth) {
		return; /* what is there is reusable at least as widely */
	}
	m->result = (int8_t)result;
	m->depth = (uint8_t)depth;
}

/* A new candidate: forget what the last one taught (ids are per target BTF). */
void core_memo_next(struct core_ctx *cx)
{
	if (++cx->gen == 0) { /* wrapped: clear for real */
		if (cx->memo)
			memset(cx->memo, 0, (cx->memo_mask + 1) * sizeof(*cx->memo));
		cx->gen = 1;
	}
	cx->memo_count = 0;
}
