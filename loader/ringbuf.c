/* SPDX-License-Identifier: MIT */
/*
 * Reader of BPF_MAP_TYPE_RINGBUF maps.
 *
 * The kernel's layout, by mmap offset of the map fd: page 0 holds the consumer position and is
 * the only page user space may write; page 1 holds the producer position; the data area
 * follows, mapped twice in a row so that a record that runs past the end of the area can be
 * read as one contiguous block. Each record starts with an 8-byte header: a 32-bit length whose
 * top bits say "not committed yet" (BUSY) and "dropped by the producer" (DISCARD), then the
 * page offset the kernel uses to find its ring; records take their length plus the header
 * rounded up to 8 bytes. Positions only grow; masking them with size - 1 gives the offset.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/array.h"
#include "event_map.h"
#include "event_test.h"
#include "internal.h"

/* The largest data area mapped: the kernel's own limit is lower still. */
#define RING_MAX_SIZE (1ull << 34)

struct ring {
	bel_ringbuf_fn fn;
	void *ctx;
	unsigned long *consumer_pos;     /* in the writable page */
	const unsigned long *producer_pos;
	const uint8_t *data;             /* size * 2 bytes mapped */
	unsigned long mask;              /* size - 1 */
	size_t meta_size;                /* one page */
	size_t read_size;                /* producer page + twice the data area */
	int map_fd;                      /* the caller's, for messages */
	uint32_t map_id;
	bool borrowed;                   /* memory of the caller's (event_test.h) */
};

struct bel_ringbuf {
	struct ring *rings;
	uint32_t nrings, cap;
	struct epoll_event *events;      /* one slot per ring for epoll_wait */
	uint32_t events_cap;
	int epoll_fd;
};

int bel_ringbuf_new(struct bel_ringbuf **out)
{
	struct bel_err err = {0};
	struct bel_ringbuf *rb;

	if (!out) {
		bel_errf(&err, EINVAL, "ring buffer: no place to return the reader");
		return ldr_thread_fail(&err);
	}
	*out = NULL;
	rb = calloc(1, sizeof(*rb));
	if (!rb) {
		bel_errf(&err, ENOMEM, "ring buffer: out of memory");
		return ldr_thread_fail(&err);
	}
	rb->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (rb->epoll_fd < 0) {
		bel_errf(&err, errno, "ring buffer: epoll_create1: %s", strerror(errno));
		free(rb);
		return ldr_thread_fail(&err);
	}
	*out = rb;
	return 0;
}

static void ring_unmap(struct ring *r)
{
	if (r->borrowed)
		return;
	if (r->consumer_pos)
		munmap(r->consumer_pos, r->meta_size);
	if (r->producer_pos)
		munmap((void *)r->producer_pos, r->read_size);
}

static int ring_map(struct ring *r, int map_fd, const struct bpf_map_info *info,
		    struct bel_err *err)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), size = info->max_entries;
	void *p;

	if (info->key_size || info->value_size || !size || size & (size - 1) || size % page ||
	    size > RING_MAX_SIZE)
		return bel_errf(err, EINVAL, "map fd %d (id %u): not the shape of a ring buffer "
				"(key_size %u, value_size %u, max_entries %u)", map_fd, info->id,
				info->key_size, info->value_size, info->max_entries);
	r->meta_size = page;
	r->read_size = page + 2 * size;
	p = mmap(NULL, r->meta_size, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		return bel_errf(err, errno, "map fd %d (id %u): mmap of the consumer page: %s",
				map_fd, info->id, strerror(errno));
	r->consumer_pos = p;
	p = mmap(NULL, r->read_size, PROT_READ, MAP_SHARED, map_fd, (off_t)page);
	if (p == MAP_FAILED) {
		int e = errno;

		munmap(r->consumer_pos, r->meta_size);
		r->consumer_pos = NULL;
		return bel_errf(err, e, "map fd %d (id %u): mmap of %llu bytes of data: %s", map_fd,
				info->id, (unsigned long long)r->read_size, strerror(e));
	}
	r->producer_pos = p;
	r->data = (const uint8_t *)p + page;
	r->mask = (unsigned long)(size - 1);
	r->map_fd = map_fd;
	r->map_id = info->id;
	return 0;
}

int bel_ringbuf_add(struct bel_ringbuf *rb, int map_fd, bel_ringbuf_fn fn, void *ctx)
{
	struct bel_err err = {0};
	struct bpf_map_info info;
	struct epoll_event ev;
	struct ring r;
	int ret;

	if (!rb || !fn) {
		bel_errf(&err, EINVAL, "ring buffer: %s", rb ? "no callback" : "no reader");
		return ldr_thread_fail(&err);
	}
	memset(&r, 0, sizeof(r));
	ret = ldr_event_map_info(map_fd, BPF_MAP_TYPE_RINGBUF, "ring buffer", &info, &err);
	if (ret)
		return ldr_thread_fail(&err);
	if (bel_grow(&rb->rings, rb->nrings, &rb->cap, sizeof(*rb->rings), 4) ||
	    bel_grow(&rb->events, rb->nrings, &rb->events_cap, sizeof(*rb->events), 4)) {
		bel_errf(&err, ENOMEM, "ring buffer: out of memory");
		return ldr_thread_fail(&err);
	}
	ret = ring_map(&r, map_fd, &info, &err);
	if (ret) {
		bel_err_prefix(&err, "ring buffer");
		return ldr_thread_fail(&err);
	}
	r.fn = fn;
	r.ctx = ctx;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u32 = rb->nrings;
	if (epoll_ctl(rb->epoll_fd, EPOLL_CTL_ADD, map_fd, &ev) < 0) {
		ret = -errno;
		ring_unmap(&r);
		bel_errf(&err, -ret, "ring buffer: map fd %d (id %u): epoll_ctl: %s", map_fd,
			 info.id, strerror(-ret));
		return ldr_thread_fail(&err);
	}
	rb->rings[rb->nrings++] = r;
	return 0;
}

int ldr_ringbuf_add_memory(struct bel_ringbuf *rb, unsigned long *consumer_pos,
			   const unsigned long *producer_pos, const void *data, size_t size,
			   bel_ringbuf_fn fn, void *ctx)
{
	struct ring *r;

	if (!rb || !fn || !size || size & (size - 1))
		return -EINVAL;
	if (bel_grow(&rb->rings, rb->nrings, &rb->cap, sizeof(*rb->rings), 4) ||
	    bel_grow(&rb->events, rb->nrings, &rb->events_cap, sizeof(*rb->events), 4))
		return -ENOMEM;
	r = &rb->rings[rb->nrings++];
	memset(r, 0, sizeof(*r));
	r->fn = fn;
	r->ctx = ctx;
	r->consumer_pos = consumer_pos;
	r->producer_pos = producer_pos;
	r->data = data;
	r->mask = size - 1;
	r->map_fd = -1;
	r->borrowed = true;
	return 0;
}

/* A ring whose producer page says what no kernel writes: reported, never read past. */
static __attribute__((noinline, cold)) int ring_corrupt(const struct ring *r, unsigned long cons,
							 unsigned long prod, uint32_t len)
{
	struct bel_err err = {0};

	if ((cons | prod) & 7)
		bel_errf(&err, EBADMSG, "ring buffer: map fd %d (id %u): consumer position %lu and "
			 "producer position %lu are not both on the 8-byte grid records are on",
			 r->map_fd, r->map_id, cons, prod);
	else
		bel_errf(&err, EBADMSG, "ring buffer: map fd %d (id %u): at consumer position %lu, "
			 "the producer position is %lu and the record claims %u bytes: past what the "
			 "producer has written or the data area (%lu bytes)", r->map_fd, r->map_id, cons,
			 prod, len, r->mask + 1);
	return ldr_thread_fail(&err);
}

/*
 * Hand the committed records of one ring to its callback, from the consumer position up to the
 * producer position, stopping at a record not yet committed. The producer position is read
 * twice at most (again once caught up, for what was committed meanwhile), which bounds a call
 * to two passes over the data area. *count grows by the records handed over; returns 0, 1 when
 * a callback asked to stop, a negative callback value, or -EBADMSG (reported).
 */
static int ring_consume(const struct ring *r, int64_t *count)
{
	unsigned long *consumer_pos = r->consumer_pos;
	const uint8_t *data = r->data;
	const unsigned long mask = r->mask;
	bel_ringbuf_fn fn = r->fn;
	void *ctx = r->ctx;
	unsigned long cons = *consumer_pos, prod;
	int64_t n = 0;
	int pass, ret = 0;

	for (pass = 0; pass < 2; pass++) {
		prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
		/* never more than the data area ahead: each record is then checked against
		 * prod alone, and lies within the double mapping. Records take multiples of 8
		 * bytes from 0, so both positions are on that grid: the consumer page is anyone's
		 * with the map to write, and a header read off it is neither aligned nor a header */
		if (__builtin_expect((prod > cons && prod - cons > mask + 1) || ((prod | cons) & 7), 0)) {
			ret = ring_corrupt(r, cons, prod, 0);
			goto out;
		}
		while (cons < prod) {
			const uint8_t *rec = data + (cons & mask);
			uint32_t hdr = __atomic_load_n((const uint32_t *)rec, __ATOMIC_ACQUIRE);
			uint32_t len = hdr & ~(uint32_t)(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
			unsigned long total = ((unsigned long)len + BPF_RINGBUF_HDR_SZ + 7) & ~7ul;

			if (hdr & BPF_RINGBUF_BUSY_BIT)
				goto out;
			/* the kernel commits no record longer than what it reserved */
			if (__builtin_expect(total > prod - cons, 0)) {
				ret = ring_corrupt(r, cons, prod, len);
				goto out;
			}
			cons += total;
			if (!(hdr & BPF_RINGBUF_DISCARD_BIT)) {
				int cb = fn(ctx, rec + BPF_RINGBUF_HDR_SZ, len);

				n++;
				if (__builtin_expect(cb != 0, 0)) {
					/* the record was handed over: it is consumed */
					__atomic_store_n(consumer_pos, cons, __ATOMIC_RELEASE);
					ret = cb < 0 ? cb : 1;
					goto out;
				}
			}
			/* each record frees its space at once, for a producer facing a full ring */
			__atomic_store_n(consumer_pos, cons, __ATOMIC_RELEASE);
		}
	}
out:
	*count += n;
	return ret;
}

static int consume_all(struct bel_ringbuf *rb)
{
	int64_t count = 0;
	uint32_t i;
	int ret;

	for (i = 0; i < rb->nrings; i++) {
		ret = ring_consume(&rb->rings[i], &count);
		if (ret)
			return ret < 0 ? ret : count > INT_MAX ? INT_MAX : (int)count;
	}
	return count > INT_MAX ? INT_MAX : (int)count;
}

int bel_ringbuf_consume(struct bel_ringbuf *rb)
{
	struct bel_err err; /* filled only on failure: no 1 KiB memset per call */

	if (!rb) {
		bel_errf(&err, EINVAL, "ring buffer: no reader");
		return ldr_thread_fail(&err);
	}
	return consume_all(rb);
}

int bel_ringbuf_poll(struct bel_ringbuf *rb, int timeout_ms)
{
	struct bel_err err; /* filled only on failure: no 1 KiB memset per call */
	int n;

	if (!rb) {
		bel_errf(&err, EINVAL, "ring buffer: no reader");
		return ldr_thread_fail(&err);
	}
	if (!rb->nrings) {
		bel_errf(&err, EINVAL, "ring buffer: no ring added to wait on");
		return ldr_thread_fail(&err);
	}
	/* Records already there need no wait: a busy stream is read without a system call per
	 * poll. Readiness of a ring buffer's fd is "data there", so skipping epoll_wait leaves
	 * no wake-up behind. */
	n = consume_all(rb);
	if (n)
		return n;
	n = epoll_wait(rb->epoll_fd, rb->events, (int)rb->nrings, timeout_ms);
	if (n < 0) {
		bel_errf(&err, errno, "ring buffer: epoll_wait: %s", strerror(errno));
		return ldr_thread_fail(&err);
	}
	/* Whichever ring woke us, every ring is read: a ring costs two loads when empty. */
	return n ? consume_all(rb) : 0;
}

int bel_ringbuf_epoll_fd(const struct bel_ringbuf *rb)
{
	return rb ? rb->epoll_fd : -EINVAL;
}

void bel_ringbuf_free(struct bel_ringbuf *rb)
{
	uint32_t i;

	if (!rb)
		return;
	for (i = 0; i < rb->nrings; i++)
		ring_unmap(&rb->rings[i]);
	if (rb->epoll_fd >= 0)
		close(rb->epoll_fd);
	free(rb->rings);
	free(rb->events);
	free(rb);
}
