/* SPDX-License-Identifier: MIT */
/*
 * Reader of BPF_MAP_TYPE_PERF_EVENT_ARRAY maps: setting it up and taking it down (the rings are
 * read by perfbuf_read.c).
 *
 * bpf_perf_event_output() writes into the ring of the perf event stored in the map's slot for
 * a CPU. Per online CPU this opens a BPF output event, maps its ring (a control page, struct
 * perf_event_mmap_page, then a power-of-two number of data pages), enables it and stores it in
 * the slot.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cpu_list.h"
#include "event_map.h"
#include "event_test.h"
#include "internal.h"
#include "perfbuf.h"
#include "syscall/perf.h"

#define DEFAULT_PAGES_PER_CPU 64
/* Data pages per CPU at most: 4 GiB rings with 4 KiB pages, beyond any sane use. */
#define MAX_PAGES_PER_CPU (1u << 20)

/* Samples are consumed even when nobody asked to see them. */
static int ignore_sample(void *ctx, int cpu, const void *data, uint32_t size)
{
	(void)ctx;
	(void)cpu;
	(void)data;
	(void)size;
	return 0;
}

struct open_job {
	struct bel_perfbuf *pb;
	uint32_t cap;
	struct bel_err *err;
};

/* One CPU: its event, its ring, enabled, in the map's slot and in the epoll set. */
static int open_cpu(void *arg, int cpu)
{
	struct open_job *job = arg;
	struct bel_perfbuf *pb = job->pb;
	struct cpu_ring *r;
	struct epoll_event ev;
	uint32_t key = (uint32_t)cpu, value;
	void *p;
	int ret;

	if (pb->nrings == job->cap) {
		uint32_t cap = job->cap ? job->cap * 2 : 8;
		void *grown = realloc(pb->rings, cap * sizeof(*pb->rings));

		if (!grown)
			return bel_errf(job->err, ENOMEM, "out of memory");
		pb->rings = grown;
		job->cap = cap;
	}
	r = &pb->rings[pb->nrings];
	memset(r, 0, sizeof(*r));
	r->cpu = cpu;
	r->fd = bel_sys_perf_bpf_output_open(cpu);
	if (r->fd < 0)
		return bel_errf(job->err, -r->fd, "CPU %d: perf_event_open: %s", cpu,
				strerror(-r->fd));
	pb->nrings++; /* from here on, free() undoes it */
	p = mmap(NULL, pb->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (p == MAP_FAILED)
		return bel_errf(job->err, errno, "CPU %d: mmap of %zu bytes: %s", cpu,
				pb->mmap_size, strerror(errno));
	r->meta = p;
	r->data = (const uint8_t *)p + pb->page_size;
	r->mask = pb->mmap_size - pb->page_size - 1;
	ret = bel_sys_perf_enable(r->fd);
	if (ret)
		return bel_errf(job->err, -ret, "CPU %d: enabling the event: %s", cpu,
				strerror(-ret));
	value = (uint32_t)r->fd;
	ret = bel_sys_map_update_elem(pb->map_fd, &key, &value, BPF_ANY);
	if (ret)
		return bel_errf(job->err, -ret, "CPU %d: storing the event in slot %u: %s", cpu, key,
				strerror(-ret));
	r->in_map = true;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u32 = pb->nrings - 1;
	if (epoll_ctl(pb->epoll_fd, EPOLL_CTL_ADD, r->fd, &ev) < 0)
		return bel_errf(job->err, errno, "CPU %d: epoll_ctl: %s", cpu, strerror(errno));
	return 0;
}

/* A reader with the caller's callbacks, owning nothing yet; NULL when out of memory. */
static struct bel_perfbuf *perfbuf_alloc(const struct bel_perfbuf_opts *opts, size_t scratch_size)
{
	struct bel_perfbuf *pb = calloc(1, sizeof(*pb));

	if (!pb)
		return NULL;
	pb->epoll_fd = -1;
	pb->map_fd = -1;
	pb->sample = BEL_OPT(opts, sample, NULL);
	if (!pb->sample)
		pb->sample = ignore_sample;
	pb->lost = BEL_OPT(opts, lost, NULL);
	pb->ctx = BEL_OPT(opts, ctx, NULL);
	pb->scratch_size = scratch_size; /* a record that wraps, copied whole: any record fits */
	return pb;
}

/* The options and the map checked: the data pages per CPU, and what the kernel says of the map. */
static int check_new(int map_fd, const struct bel_perfbuf_opts *opts, uint64_t *pages,
		     struct bpf_map_info *info, struct bel_err *err)
{
	int ret;

	if (bel_opts_check(opts, sizeof(*opts), "bel_perfbuf_opts", err))
		return bel_err_prefix(err, "perf buffer");
	*pages = BEL_OPT(opts, pages_per_cpu, 0);
	if (!*pages)
		*pages = DEFAULT_PAGES_PER_CPU;
	if (*pages & (*pages - 1) || *pages > MAX_PAGES_PER_CPU)
		return bel_errf(err, EINVAL, "perf buffer: pages_per_cpu is %llu; it must be a power "
				"of two up to %u", (unsigned long long)*pages, MAX_PAGES_PER_CPU);
	ret = ldr_event_map_info(map_fd, BPF_MAP_TYPE_PERF_EVENT_ARRAY, "perf buffer", info, err);
	if (ret)
		return ret;
	if (info->key_size != 4 || info->value_size != 4)
		return bel_errf(err, EINVAL, "perf buffer: map fd %d (id %u): key_size %u and "
				"value_size %u; a perf event array has 4 and 4", map_fd, info->id,
				info->key_size, info->value_size);
	return 0;
}

/* The scratch, our own map fd, the epoll set, and a ring per online CPU with a slot in the map. */
static int open_rings(struct bel_perfbuf *pb, int map_fd, uint32_t max_entries,
		      struct bel_err *err)
{
	struct open_job job = {.pb = pb, .cap = 0, .err = err};
	int ret;

	pb->scratch = malloc(pb->scratch_size);
	if (!pb->scratch)
		return bel_errf(err, ENOMEM, "out of memory");
	/* The slots are cleared again at free(); our own fd stays valid until then even if the
	 * caller closes theirs first. */
	pb->map_fd = fcntl(map_fd, F_DUPFD_CLOEXEC, 0);
	if (pb->map_fd < 0)
		return bel_errf(err, errno, "dup: %s", strerror(errno));
	pb->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (pb->epoll_fd < 0)
		return bel_errf(err, errno, "epoll_create1: %s", strerror(errno));
	ret = ldr_for_each_online_cpu(max_entries, open_cpu, &job, err);
	if (ret)
		return ret;
	if (!pb->nrings)
		return bel_errf(err, ENODEV, "no online CPU has a slot in the map (max_entries %u)",
				max_entries);
	pb->events = calloc(pb->nrings, sizeof(*pb->events));
	if (!pb->events)
		return bel_errf(err, ENOMEM, "out of memory");
	return 0;
}

int bel_perfbuf_new(int map_fd, const struct bel_perfbuf_opts *opts, struct bel_perfbuf **out)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), pages = 0, data_size;
	struct bel_err err = {0};
	struct bpf_map_info info;
	struct bel_perfbuf *pb;

	if (!out) {
		bel_errf(&err, EINVAL, "perf buffer: no place to return the reader");
		return ldr_thread_fail(&err);
	}
	*out = NULL;
	if (check_new(map_fd, opts, &pages, &info, &err))
		return ldr_thread_fail(&err);
	data_size = pages * page;
	pb = perfbuf_alloc(opts, data_size < LDR_PERF_MAX_RECORD ? (size_t)data_size
							      : LDR_PERF_MAX_RECORD);
	if (!pb) {
		bel_errf(&err, ENOMEM, "perf buffer: out of memory");
		return ldr_thread_fail(&err);
	}
	pb->map_id = info.id;
	pb->page_size = (size_t)page;
	pb->mmap_size = (size_t)(page + data_size);
	if (open_rings(pb, map_fd, info.max_entries, &err)) {
		bel_perfbuf_free(pb);
		bel_err_prefix(&err, "perf buffer (map fd %d)", map_fd);
		return ldr_thread_fail(&err);
	}
	*out = pb;
	return 0;
}

int ldr_perfbuf_new_memory(struct perf_event_mmap_page *meta, const void *data, size_t size,
			   const struct bel_perfbuf_opts *opts, struct bel_perfbuf **out)
{
	struct bel_perfbuf *pb;

	*out = NULL;
	if (!size || size & (size - 1) || size % 8)
		return -EINVAL;
	pb = perfbuf_alloc(opts, size < LDR_PERF_MAX_RECORD ? size : LDR_PERF_MAX_RECORD);
	if (!pb)
		return -ENOMEM;
	pb->scratch = malloc(pb->scratch_size);
	pb->rings = calloc(1, sizeof(*pb->rings));
	pb->events = calloc(1, sizeof(*pb->events));
	if (!pb->scratch || !pb->rings || !pb->events) {
		bel_perfbuf_free(pb);
		return -ENOMEM;
	}
	pb->nrings = 1;
	pb->rings[0].meta = meta;
	pb->rings[0].data = data;
	pb->rings[0].mask = size - 1;
	pb->rings[0].fd = -1;
	pb->rings[0].borrowed = true;
	*out = pb;
	return 0;
}

int bel_perfbuf_epoll_fd(const struct bel_perfbuf *pb)
{
	return pb ? pb->epoll_fd : -EINVAL;
}

void bel_perfbuf_free(struct bel_perfbuf *pb)
{
	uint32_t i;

	if (!pb)
		return;
	for (i = 0; i < pb->nrings; i++) {
		struct cpu_ring *r = &pb->rings[i];
		uint32_t key = (uint32_t)r->cpu;

		/* An emptied slot makes the producer's output fail rather than fill a ring no
		 * one reads. */
		if (r->borrowed)
			continue;
		if (r->in_map)
			bel_sys_map_delete_elem(pb->map_fd, &key);
		if (r->meta)
			munmap(r->meta, pb->mmap_size);
		close(r->fd);
	}
	if (pb->epoll_fd >= 0)
		close(pb->epoll_fd);
	if (pb->map_fd >= 0)
		close(pb->map_fd);
	free(pb->rings);
	free(pb->events);
	free(pb->scratch);
	free(pb);
}
