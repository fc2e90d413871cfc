/* SPDX-License-Identifier: MIT */
/*
 * A perf buffer's state (perfbuf.c sets it up, perfbuf_read.c reads the rings). Per online CPU,
 * a BPF output event with its ring: a control page (struct perf_event_mmap_page), then a
 * power-of-two number of data pages.
 */
#ifndef BEL_LOADER_PERFBUF_H
#define BEL_LOADER_PERFBUF_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

/* perf_event_header.size is 16 bits: no record is longer. */
#define LDR_PERF_MAX_RECORD 65535u

struct cpu_ring {
	struct perf_event_mmap_page *meta;
	const uint8_t *data;
	uint64_t mask;               /* data size - 1 */
	int fd;                      /* the perf event */
	int cpu;
	bool in_map;                 /* stored in the map's slot */
	bool pending;                /* woke a poll that stopped before reading it all */
	bool borrowed;               /* memory of the caller's (event_test.h) */
};

struct bel_perfbuf {
	int (*sample)(void *ctx, int cpu, const void *data, uint32_t size);
	void (*lost)(void *ctx, int cpu, uint64_t count);
	void *ctx;
	struct cpu_ring *rings;
	uint32_t nrings;
	struct epoll_event *events;
	uint32_t npending;           /* rings marked pending */
	int epoll_fd;
	int map_fd;                  /* our own dup of the caller's fd */
	uint32_t map_id;
	size_t page_size;
	size_t mmap_size;            /* control page + data pages */
	uint8_t *scratch;            /* a record that wraps, made contiguous */
	size_t scratch_size;
};

#endif
