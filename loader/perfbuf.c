/* SPDX-License-Identifier: MIT */
/*
 * Reader of BPF_MAP_TYPE_PERF_EVENT_ARRAY maps.
 *
 * bpf_perf_event_output() writes into the ring of the perf event stored in the map's slot for
 * a CPU. Per online CPU this opens a BPF output event, maps its ring (a control page, struct
 * perf_event_mmap_page, then a power-of-two number of data pages), enables it and stores it in
 * the slot. The kernel advances data_head after writing records; the reader advances
 * data_tail after reading them. Records are perf_event_header-framed, 8-byte aligned, and may
 * run past the end of the data area into its start: those are copied out whole first.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cpu_list.h"
#include "event_map.h"
#include "event_test.h"
#include "internal.h"
#include "syscall/perf.h"

#define DEFAULT_PAGES_PER_CPU 64
/* Data pages per CPU at most: 4 GiB rings with 4 KiB pages, beyond any sane use. */
#define MAX_PAGES_PER_CPU (1u << 20)
/* perf_event_header.size is 16 bits: no record is longer. */
#define MAX_RECORD 65535u

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

struct lost_record {
	struct perf_event_header header;
	uint64_t id;
	uint64_t lost;
};

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

static int fail_new(struct bel_perfbuf *pb, int map_fd, struct bel_err *err)
{
	bel_perfbuf_free(pb);
	bel_err_prefix(err, "perf buffer (map fd %d)", map_fd);
	return ldr_thread_fail(err);
}

int bel_perfbuf_new(int map_fd, const struct bel_perfbuf_opts *opts, struct bel_perfbuf **out)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), pages, data_size;
	struct bel_err err = {0};
	struct bpf_map_info info;
	struct bel_perfbuf *pb;
	struct open_job job;
	int ret;

	if (!out) {
		bel_errf(&err, EINVAL, "perf buffer: no place to return the reader");
		return ldr_thread_fail(&err);
	}
	*out = NULL;
	if (bel_opts_check(opts, sizeof(*opts), "bel_perfbuf_opts", &err)) {
		bel_err_prefix(&err, "perf buffer");
		return ldr_thread_fail(&err);
	}
	pages = BEL_OPT(opts, pages_per_cpu, 0);
	if (!pages)
		pages = DEFAULT_PAGES_PER_CPU;
	if (pages & (pages - 1) || pages > MAX_PAGES_PER_CPU) {
		bel_errf(&err, EINVAL, "perf buffer: pages_per_cpu is %llu; it must be a power of "
			 "two up to %u", (unsigned long long)pages, MAX_PAGES_PER_CPU);
		return ldr_thread_fail(&err);
	}
	ret = ldr_event_map_info(map_fd, BPF_MAP_TYPE_PERF_EVENT_ARRAY, "perf buffer", &info, &err);
	if (ret)
		return ldr_thread_fail(&err);
	if (info.key_size != 4 || info.value_size != 4) {
		bel_errf(&err, EINVAL, "perf buffer: map fd %d (id %u): key_size %u and value_size %u;"
			 " a perf event array has 4 and 4", map_fd, info.id, info.key_size,
			 info.value_size);
		return ldr_thread_fail(&err);
	}
	data_size = pages * page;
	pb = calloc(1, sizeof(*pb));
	if (!pb) {
		bel_errf(&err, ENOMEM, "perf buffer: out of memory");
		return ldr_thread_fail(&err);
	}
	pb->epoll_fd = -1;
	pb->map_fd = -1;
	pb->sample = BEL_OPT(opts, sample, NULL);
	if (!pb->sample)
		pb->sample = ignore_sample;
	pb->lost = BEL_OPT(opts, lost, NULL);
	pb->ctx = BEL_OPT(opts, ctx, NULL);
	pb->map_id = info.id;
	pb->page_size = (size_t)page;
	pb->mmap_size = (size_t)(page + data_size);
	pb->scratch_size = data_size < MAX_RECORD ? (size_t)data_size : MAX_RECORD;
	pb->scratch = malloc(pb->scratch_size);
	if (!pb->scratch) {
		bel_errf(&err, ENOMEM, "out of memory");
		return fail_new(pb, map_fd, &err);
	}
	/* The slots are cleared again at free(); our own fd stays valid until then even if the
	 * caller closes theirs first. */
	pb->map_fd = fcntl(map_fd, F_DUPFD_CLOEXEC, 0);
	if (pb->map_fd < 0) {
		bel_errf(&err, errno, "dup: %s", strerror(errno));
		return fail_new(pb, map_fd, &err);
	}
	pb->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (pb->epoll_fd < 0) {
		bel_errf(&err, errno, "epoll_create1: %s", strerror(errno));
		return fail_new(pb, map_fd, &err);
	}
	job.pb = pb;
	job.cap = 0;
	job.err = &err;
	ret = ldr_for_each_online_cpu(info.max_entries, open_cpu, &job, &err);
	if (ret)
		return fail_new(pb, map_fd, &err);
	if (!pb->nrings) {
		bel_errf(&err, ENODEV, "no online CPU has a slot in the map (max_entries %u)",
			 info.max_entries);
		return fail_new(pb, map_fd, &err);
	}
	pb->events = calloc(pb->nrings, sizeof(*pb->events));
	if (!pb->events) {
		bel_errf(&err, ENOMEM, "out of memory");
		return fail_new(pb, map_fd, &err);
	}
	*out = pb;
	return 0;
}

/*
 * A perf event reports readiness once per wake-up, not while data is there: a ring that woke
 * a poll which a callback stopped before it read that ring to the end would not wake the next
 * one. Such rings are marked pending and read by the next poll before it waits.
 */
static void mark_pending(struct bel_perfbuf *pb, struct cpu_ring *r)
{
	if (!r->pending) {
		r->pending = true;
		pb->npending++;
	}
}

static void clear_pending(struct bel_perfbuf *pb, struct cpu_ring *r)
{
	if (r->pending) {
		r->pending = false;
		pb->npending--;
	}
}

/* A ring whose control page or records say what no kernel writes: reported, never read
 * past. */
static __attribute__((noinline, cold, format(printf, 3, 4))) int
ring_corrupt(const struct bel_perfbuf *pb, const struct cpu_ring *r, const char *fmt, ...)
{
	struct bel_err err = {0};
	va_list ap;

	err.code = -EBADMSG;
	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
	va_end(ap);
	bel_err_prefix(&err, "perf buffer (map id %u): CPU %d", pb->map_id, r->cpu);
	return ldr_thread_fail(&err);
}

int ldr_perfbuf_new_memory(struct perf_event_mmap_page *meta, const void *data, size_t size,
			   const struct bel_perfbuf_opts *opts, struct bel_perfbuf **out)
{
	struct bel_perfbuf *pb;

	*out = NULL;
	if (!size || size & (size - 1) || size % 8)
		return -EINVAL;
	pb = calloc(1, sizeof(*pb));
	if (!pb)
		return -ENOMEM;
	pb->epoll_fd = -1;
	pb->map_fd = -1;
	pb->sample = BEL_OPT(opts, sample, NULL);
	if (!pb->sample)
		pb->sample = ignore_sample;
	pb->lost = BEL_OPT(opts, lost, NULL);
	pb->ctx = BEL_OPT(opts, ctx, NULL);
	pb->scratch_size = size < MAX_RECORD ? size : MAX_RECORD;
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

/*
 * Hand the records of one CPU's ring to the callbacks, up to the data_head read at the start
 * (bounded: what comes meanwhile is for the next call). *count grows by the samples and lost
 * reports handed over; returns 0, 1 when a callback asked to stop, a negative callback value,
 * or -EBADMSG (reported).
 */
static int ring_consume(struct bel_perfbuf *pb, struct cpu_ring *r, int64_t *count)
{
	struct perf_event_mmap_page *meta = r->meta;
	const uint8_t *data = r->data;
	const uint64_t mask = r->mask;
	const uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	const uint64_t tail = meta->data_tail;
	int (*sample)(void *, int, const void *, uint32_t) = pb->sample;
	void *ctx = pb->ctx;
	const int cpu = r->cpu;
	uint64_t off = tail & mask, left = head - tail;
	int64_t n = 0;
	int ret = 0;

	clear_pending(pb, r);
	/* Records are 8-byte multiples in an area of 8-byte multiples: with both ends on that
	 * grid, a header is never split by the end of the area. */
	if (__builtin_expect(left > mask + 1 || (head | tail) % 8, 0))
		return ring_corrupt(pb, r, "the head (%llu) is not within the ring (%llu bytes) "
				    "from the tail (%llu)", (unsigned long long)head,
				    (unsigned long long)(mask + 1), (unsigned long long)tail);
	while (left) {
		const struct perf_event_header *hdr = (const void *)(data + off);
		const uint8_t *rec = (const uint8_t *)hdr;
		const uint64_t rec_size = hdr->size;
		uint32_t raw_size;

		/* at least a header, on the grid, and within what is written (left >= 8) */
		if (__builtin_expect(rec_size - 8 > left - 8 || rec_size % 8, 0)) {
			ret = ring_corrupt(pb, r, "the record at %llu claims %u bytes; %llu are "
					   "written", (unsigned long long)(head - left),
					   (unsigned)rec_size, (unsigned long long)left);
			break;
		}
		if (__builtin_expect(off + rec_size > mask + 1, 0)) {
			uint64_t first = mask + 1 - off;

			/* rec_size <= left <= the ring, and the scratch holds any record size */
			memcpy(pb->scratch, rec, first);
			memcpy(pb->scratch + first, data, rec_size - first);
			rec = pb->scratch;
		}
		if (__builtin_expect(hdr->type == PERF_RECORD_SAMPLE, 1)) {
			/* a sample holds a 4-byte size and that many bytes of data */
			if (__builtin_expect(rec_size < 16, 0))
				goto short_record;
			memcpy(&raw_size, rec + sizeof(*hdr), sizeof(raw_size));
			if (__builtin_expect(raw_size + 12ull > rec_size, 0))
				goto short_record;
			left -= rec_size;
			off = (off + rec_size) & mask;
			n++;
			ret = sample(ctx, cpu, rec + 12, raw_size);
			if (__builtin_expect(ret != 0, 0)) {
				ret = ret < 0 ? ret : 1;
				mark_pending(pb, r); /* maybe more behind it */
				break;
			}
			continue;
		}
		if (hdr->type == PERF_RECORD_LOST) {
			struct lost_record lost;

			if (rec_size < sizeof(lost))
				goto short_record;
			memcpy(&lost, rec, sizeof(lost));
			n++;
			if (pb->lost)
				pb->lost(ctx, cpu, lost.lost);
		}
		/* other record types are not for this reader */
		left -= rec_size;
		off = (off + rec_size) & mask;
		continue;
short_record:
		ret = ring_corrupt(pb, r, "the record of type %u at %llu is %u bytes, too short for "
				   "what it says it holds", hdr->type, (unsigned long long)(head - left),
				   (unsigned)rec_size);
		break;
	}
	/* once per call: the kernel reads the tail on every write, and the line would bounce */
	__atomic_store_n(&meta->data_tail, head - left, __ATOMIC_RELEASE);
	*count += n;
	return ret;
}

static int saturate(int64_t count)
{
	return count > INT_MAX ? INT_MAX : (int)count;
}

int bel_perfbuf_consume(struct bel_perfbuf *pb)
{
	struct bel_err err; /* filled only on failure: no 1 KiB memset per call */
	int64_t count = 0;
	uint32_t i;
	int ret;

	if (!pb) {
		bel_errf(&err, EINVAL, "perf buffer: no reader");
		return ldr_thread_fail(&err);
	}
	for (i = 0; i < pb->nrings; i++) {
		ret = ring_consume(pb, &pb->rings[i], &count);
		if (ret) {
			/* the rings not read yet may hold what an earlier poll took the wake-up of */
			while (++i < pb->nrings)
				mark_pending(pb, &pb->rings[i]);
			return ret < 0 ? ret : saturate(count);
		}
	}
	return saturate(count);
}

int bel_perfbuf_poll(struct bel_perfbuf *pb, int timeout_ms)
{
	struct bel_err err; /* filled only on failure: no 1 KiB memset per call */
	int64_t count = 0;
	int n, i, attempt, ret = 0;
	uint32_t j;

	if (!pb) {
		bel_errf(&err, EINVAL, "perf buffer: no reader");
		return ldr_thread_fail(&err);
	}
	/* With rings left pending, look without waiting first; wait only if they held nothing. */
	for (attempt = pb->npending ? 0 : 1; attempt < 2 && !count && !ret; attempt++) {
		n = epoll_wait(pb->epoll_fd, pb->events, (int)pb->nrings, attempt ? timeout_ms : 0);
		if (n < 0) {
			bel_errf(&err, errno, "perf buffer (map id %u): epoll_wait: %s", pb->map_id,
				 strerror(errno));
			return ldr_thread_fail(&err);
		}
		/* Only the rings that woke us and those left pending: most CPUs are idle. */
		for (i = 0; i < n; i++)
			mark_pending(pb, &pb->rings[pb->events[i].data.u32]);
		for (j = 0; j < pb->nrings && pb->npending; j++) {
			if (!pb->rings[j].pending)
				continue;
			ret = ring_consume(pb, &pb->rings[j], &count);
			if (ret)
				break;
		}
	}
	return ret < 0 ? ret : saturate(count);
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
