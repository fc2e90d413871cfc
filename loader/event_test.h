/* SPDX-License-Identifier: MIT */
/*
 * Readers over memory the caller lays out as the kernel lays out its rings, so that tests can
 * put in the shared pages what no kernel writes (lengths past the data, heads too far ahead,
 * torn records) and check that the readers refuse it. Not part of bel.h.
 */
#ifndef BEL_LOADER_EVENT_TEST_H
#define BEL_LOADER_EVENT_TEST_H

#include <linux/perf_event.h>
#include <stddef.h>

#include "bel/bel.h"

/* A ring buffer whose consumer and producer positions and data (size bytes, a power of two,
 * followed by a second copy of itself as the kernel's double mapping) are the caller's. */
int ldr_ringbuf_add_memory(struct bel_ringbuf *rb, unsigned long *consumer_pos,
			   const unsigned long *producer_pos, const void *data, size_t size,
			   bel_ringbuf_fn fn, void *ctx);

/* A perf buffer of one ring, "CPU 0", whose control page and data (size bytes, a power of
 * two) are the caller's. */
int ldr_perfbuf_new_memory(struct perf_event_mmap_page *meta, const void *data, size_t size,
			   const struct bel_perfbuf_opts *opts, struct bel_perfbuf **out);

#endif
