/* SPDX-License-Identifier: MIT */
/*
 * Reading a perf buffer's rings (perfbuf.h). The kernel advances data_head after writing
 * records; the reader advances data_tail after reading them. Records are
 * perf_event_header-framed, 8-byte aligned, and may run past the end of the data area into its
 * start: those are copied out whole first.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "perfbuf.h"

struct lost_record {
	struct perf_event_header header;
	uint64_t id;
	uint64_t lost;
};

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

/* A record that runs past the end of the data area into its start, copied whole into the
 * scratch: rec_size <= what is written <= the ring, and the scratch holds any record size. */
static const uint8_t *contiguous(struct bel_perfbuf *pb, const struct cpu_ring *r, uint64_t off,
				 uint64_t rec_size)
{
	uint64_t first = r->mask + 1 - off;

	memcpy(pb->scratch, r->data + off, first);
	memcpy(pb->scratch + first, r->data, rec_size - first);
	return pb->scratch;
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
		if (__builtin_expect(off + rec_size > mask + 1, 0))
			rec = contiguous(pb, r, off, rec_size);
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
