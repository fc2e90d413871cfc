/* SPDX-License-Identifier: MIT */
/*
 * Ring buffer and perf buffer readers against the running kernel. The producers are the XDP
 * programs of tests/progs/events.bpf.c, run `repeat` times by BPF_PROG_TEST_RUN; every record
 * carries a sequence number and a payload derived from it, so the reader side checks that each
 * record arrives once, in order, whole, and with the length the program gave it.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "bel/bel.h"
#include "event_test.h"
#include "syscall/bpf.h"
#include "testutil.h"

/* What events.bpf.c does (keep in step with it). */
#define PATTERN_MUL 0x9E3779B97F4A7C15ull
enum { TARGET_RING_A = 1, TARGET_RING_B = 2 };
enum { STAT_SEQ, STAT_DROPS_A, STAT_DROPS_B, STAT_BENCH_SEQ, STAT_BENCH_DROPS };
struct config {
	uint32_t targets, discard_every, ring_len, perf_len;
};

static uint32_t ring_len_of(uint64_t seq)
{
	return 12 + (uint32_t)((seq * 13) % 61);
}

static uint32_t perf_len_of(uint64_t seq)
{
	return 12 + (uint32_t)((seq * 37) % 300);
}

/* The raw size the kernel reports for a sample of len bytes: padded so that the 4-byte size
 * field and the data end on an 8-byte boundary. */
static uint32_t perf_raw_size(uint32_t len)
{
	return ((len + 4 + 7) & ~7u) - 4;
}

struct events {
	struct bel_object *obj;
	int config, stats, ring_a, ring_b, perf;
	int ring_produce, perf_produce;
};

static int map_fd(struct bel_object *obj, const char *name)
{
	struct bel_map *m = bel_object_find_map(obj, name);

	ck_assert_msg(m, "no map %s", name);
	return bel_map_fd(m);
}

static int prog_fd(struct bel_object *obj, const char *name)
{
	struct bel_program *p = bel_object_find_program(obj, name);

	ck_assert_msg(p, "no program %s", name);
	return bel_program_fd(p);
}

static void events_load(struct events *ev)
{
	ck_assert_msg(bel_object_open_file(fixture_path("events"), NULL, &ev->obj) == 0, "open: %s",
		      bel_thread_error());
	ck_assert_msg(bel_object_load(ev->obj, NULL) == 0, "load: %s",
		      bel_object_last_error(ev->obj));
	ev->config = map_fd(ev->obj, "config");
	ev->stats = map_fd(ev->obj, "stats");
	ev->ring_a = map_fd(ev->obj, "ring_a");
	ev->ring_b = map_fd(ev->obj, "ring_b");
	ev->perf = map_fd(ev->obj, "perf_events");
	ev->ring_produce = prog_fd(ev->obj, "ring_produce");
	ev->perf_produce = prog_fd(ev->obj, "perf_produce");
}

static void set_config(struct events *ev, uint32_t targets, uint32_t discard_every,
		       uint32_t ring_len, uint32_t perf_len)
{
	struct config c = {targets, discard_every, ring_len, perf_len};
	uint32_t zero = 0;
	int ret = bel_sys_map_update_elem(ev->config, &zero, &c, 0);

	ck_assert_msg(ret == 0, "config: %s", strerror(-ret));
}

static uint64_t stat_of(struct events *ev, uint32_t i)
{
	uint64_t v = 0;

	if (bel_sys_map_lookup_elem(ev->stats, &i, &v, 0))
		return UINT64_MAX;
	return v;
}

/* Run an XDP producer `repeat` times; 0 or -errno (callable from any thread). */
static int produce(int prog, uint32_t repeat)
{
	unsigned char packet[64] = {0}, out[64];
	struct bel_test_run_args args = {
		.data_in = packet, .data_size_in = sizeof(packet),
		/* not needed by the kernel, but memcheck's model of the call reads it */
		.data_out = out, .data_size_out = sizeof(out),
		.repeat = repeat,
	};
	int ret = bel_sys_prog_test_run(prog, &args);

	if (ret)
		return ret;
	return args.retval == 2 /* XDP_PASS */ ? 0 : -EPROTO;
}

static void produce_ok(int prog, uint32_t repeat)
{
	int ret = produce(prog, repeat);

	ck_assert_msg(ret == 0, "test run: %s", strerror(-ret));
}

/* The payload after the sequence number: words seq * PATTERN_MUL + j, cut to len bytes. */
static bool payload_ok(const uint8_t *data, size_t len, uint64_t seq)
{
	size_t i;

	for (i = 8; i < len; i++) {
		uint64_t word = seq * PATTERN_MUL + i / 8;

		if (data[i] != (uint8_t)(word >> (8 * (i % 8))))
			return false;
	}
	return true;
}

/* What a reader callback checks: order, completeness, length and contents. */
struct seq_check {
	uint64_t next;          /* the sequence number expected next */
	uint64_t seen;
	uint32_t discard_every; /* these are never expected */
	bool perf;              /* perf lengths and raw sizes */
	uint32_t fixed_len;     /* the length every record has, or 0: by seq */
	bool gaps;              /* records may be missing (a producer on a full ring) */
	int expect_cpu;         /* perf: the CPU samples come from, or -1 */
	uint64_t stop_at;       /* return stop_value on the record that makes `seen` this */
	int stop_value;
	uint64_t lost;
	char error[256];
};

static void skip_discarded(struct seq_check *c)
{
	if (c->discard_every && c->next % c->discard_every == 0)
		c->next++;
}

static int check_record(struct seq_check *c, const void *data, size_t size, int cpu)
{
	uint64_t seq;
	uint32_t len;

	if (c->error[0])
		return 0;
	if (size < 8) {
		snprintf(c->error, sizeof(c->error), "record %llu: %zu bytes",
			 (unsigned long long)c->seen, size);
		return 0;
	}
	memcpy(&seq, data, 8);
	skip_discarded(c);
	if (c->gaps ? seq < c->next : seq != c->next) {
		snprintf(c->error, sizeof(c->error), "record %llu: seq %llu, expected %s%llu",
			 (unsigned long long)c->seen, (unsigned long long)seq, c->gaps ? ">= " : "",
			 (unsigned long long)c->next);
		return 0;
	}
	if (c->discard_every && seq % c->discard_every == 0) {
		snprintf(c->error, sizeof(c->error), "seq %llu was discarded, yet read",
			 (unsigned long long)seq);
		return 0;
	}
	len = c->fixed_len ? c->fixed_len : c->perf ? perf_len_of(seq) : ring_len_of(seq);
	if (c->perf ? size != perf_raw_size(len) : size != len) {
		snprintf(c->error, sizeof(c->error), "seq %llu: %zu bytes, expected %u",
			 (unsigned long long)seq, size, c->perf ? perf_raw_size(len) : len);
		return 0;
	}
	if (!payload_ok(data, len, seq)) {
		snprintf(c->error, sizeof(c->error), "seq %llu: payload differs",
			 (unsigned long long)seq);
		return 0;
	}
	if (c->expect_cpu >= 0 && cpu != c->expect_cpu) {
		snprintf(c->error, sizeof(c->error), "seq %llu: from CPU %d, expected %d",
			 (unsigned long long)seq, cpu, c->expect_cpu);
		return 0;
	}
	c->next = seq + 1;
	c->seen++;
	return c->stop_at && c->seen == c->stop_at ? c->stop_value : 0;
}

static int on_ring(void *ctx, const void *data, size_t size)
{
	return check_record(ctx, data, size, -1);
}

static int on_sample(void *ctx, int cpu, const void *data, uint32_t size)
{
	return check_record(ctx, data, size, cpu);
}

static void on_lost(void *ctx, int cpu, uint64_t count)
{
	struct seq_check *c = ctx;

	(void)cpu;
	c->lost += count;
	c->gaps = true; /* the lost ones leave a gap in the sequence */
}

static struct seq_check checker(void)
{
	struct seq_check c;

	memset(&c, 0, sizeof(c));
	c.expect_cpu = -1;
	return c;
}

#define CHECK_OK(c) ck_assert_msg(!(c).error[0], "%s", (c).error)

/* A one-page ring written and read in 200 rounds of 1..40 records (~80 wraps of the ring),
 * each round read while the next has not been written. */
START_TEST(test_ring_sequence_wraps)
{
	struct seq_check c = checker();
	struct bel_ringbuf *rb;
	struct events ev;
	uint64_t total = 0, bytes = 0;
	int round, n, fds;

	if (!kernel_ready())
		return;
	events_load(&ev);
	set_config(&ev, TARGET_RING_A, 0, 0, 0);
	fds = count_fds();
	ck_assert_msg(bel_ringbuf_new(&rb) == 0, "%s", bel_thread_error());
	ck_assert_msg(bel_ringbuf_add(rb, ev.ring_a, on_ring, &c) == 0, "%s", bel_thread_error());
	ck_assert_int_eq(bel_ringbuf_consume(rb), 0);
	for (round = 0; round < 200; round++) {
		uint32_t batch = 1 + (uint32_t)round % 40, i;

		for (i = 0; i < batch; i++)
			bytes += (8 + ring_len_of(total + i) + 7) & ~7u;
		produce_ok(ev.ring_produce, batch);
		n = bel_ringbuf_consume(rb);
		ck_assert_msg(n == (int)batch, "round %d: %d records, expected %u (%s)", round, n,
			      batch, bel_thread_error());
		CHECK_OK(c);
		total += batch;
	}
	ck_assert_uint_eq(c.seen, total);
	ck_assert_uint_eq(stat_of(&ev, STAT_DROPS_A), 0);
	ck_assert_uint_gt(bytes, 40 * 4096); /* the ring went round 40 times at least */
	bel_ringbuf_free(rb);
	ck_assert_int_eq(count_fds(), fds);
	bel_object_close(ev.obj);
}
END_TEST

/* Every third record is reserved and discarded by the producer: never handed over, and the
 * ones around it still arrive in order. */
START_TEST(test_ring_discard)
{
	struct seq_check c = checker();
	struct bel_ringbuf *rb;
	struct events ev;
	uint64_t kept = 0, seq;
	int round, n;

	if (!kernel_ready())
		return;
	events_load(&ev);
	set_config(&ev, TARGET_RING_A, 3, 0, 0);
	c.discard_every = 3;
	ck_assert_int_eq(bel_ringbuf_new(&rb), 0);
	ck_assert_int_eq(bel_ringbuf_add(rb, ev.ring_a, on_ring, &c), 0);
	for (round = 0, seq = 0; round < 100; round++) {
		uint32_t batch = 1 + (uint32_t)round % 30, want = 0, i;

		for (i = 0; i < batch; i++, seq++)
			want += seq % 3 != 0;
		produce_ok(ev.ring_produce, batch);
		n = bel_ringbuf_consume(rb);
		ck_assert_msg(n == (int)want, "round %d: %d records, expected %u", round, n, want);
		CHECK_OK(c);
		kept += want;
	}
	ck_assert_uint_eq(c.seen, kept);
	ck_assert_uint_eq(stat_of(&ev, STAT_DROPS_A), 0);
	bel_ringbuf_free(rb);
	bel_object_close(ev.obj);
}
END_TEST

/* Two rings in one reader, each with its own callback; poll reads both. */
START_TEST(test_ring_two_rings)
{
	struct seq_check a = checker(), b = checker();
	struct bel_ringbuf *rb;
	struct events ev;
	int round, n, got;

	if (!kernel_ready())
		return;
	events_load(&ev);
	set_config(&ev, TARGET_RING_A | TARGET_RING_B, 0, 0, 0);
	ck_assert_int_eq(bel_ringbuf_new(&rb), 0);
	ck_assert_int_eq(bel_ringbuf_add(rb, ev.ring_a, on_ring, &a), 0);
	ck_assert_int_eq(bel_ringbuf_add(rb, ev.ring_b, on_ring, &b), 0);
	for (round = 0; round < 50; round++) {
		produce_ok(ev.ring_produce, 25);
		/* one wake-up may come before both rings are full: poll until both are read */
		for (got = 0; got < 50; got += n) {
			n = bel_ringbuf_poll(rb, 1000);
			ck_assert_msg(n > 0, "round %d: poll returned %d after %d records (%s)", round,
				      n, got, bel_thread_error());
		}
		ck_assert_int_eq(got, 50);
		CHECK_OK(a);
		CHECK_OK(b);
	}
	ck_assert_uint_eq(a.seen, 50 * 25);
	ck_assert_uint_eq(b.seen, 50 * 25);
	bel_ringbuf_free(rb);
	bel_object_close(ev.obj);
}
END_TEST

/* A callback that returns non-zero stops the consume at that record, which counts as read; a
 * negative value is what consume returns. The next consume goes on after it. */
START_TEST(test_ring_callback_stops)
{
	struct seq_check c = checker();
	struct bel_ringbuf *rb;
	struct events ev;

	if (!kernel_ready())
		return;
	events_load(&ev);
	set_config(&ev, TARGET_RING_A, 0, 0, 0);
	ck_assert_int_eq(bel_ringbuf_new(&rb), 0);
	ck_assert_int_eq(bel_ringbuf_add(rb, ev.ring_a, on_ring, &c), 0);
	produce_ok(ev.ring_produce, 10);
	c.stop_at = 3;
	c.stop_value = 1;
	ck_assert_int_eq(bel_ringbuf_consume(rb), 3);
	c.stop_at = 5;
	c.stop_value = -42;
	ck_assert_int_eq(bel_ringbuf_poll(rb, 0), -42);
	c.stop_at = 0;
	ck_assert_int_eq(bel_ringbuf_consume(rb), 5);
	ck_assert_int_eq(bel_ringbuf_consume(rb), 0);
	CHECK_OK(c);
	ck_assert_uint_eq(c.seen, 10);
	bel_ringbuf_free(rb);
	bel_object_close(ev.obj);
}
END_TEST

/* The reader's epoll fd, in the caller's own epoll set, says when records are there. */
START_TEST(test_ring_epoll_fd)
{
	struct seq_check c = checker();
	struct epoll_event e = {.events = EPOLLIN}, out;
	struct bel_ringbuf *rb;
	struct events ev;
	struct timespec t0, t1;
	int ep;

	if (!kernel_ready())
		return;
	events_load(&ev);
	set_config(&ev, TARGET_RING_B, 0, 0, 0);
	ck_assert_int_eq(bel_ringbuf_new(&rb), 0);
	ck_assert_int_eq(bel_ringbuf_add(rb, ev.ring_b, on_ring, &c), 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ck_assert_int_ge(ep, 0);
	ck_assert_int_ge(bel_ringbuf_epoll_fd(rb), 0);
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_ADD, bel_ringbuf_epoll_fd(rb), &e), 0);
	ck_assert_int_eq(epoll_wait(ep, &out, 1, 0), 0);
	/* nothing there: poll waits its timeout out */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(bel_ringbuf_poll(rb, 50), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_ge((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000, 40);
	produce_ok(ev.ring_produce, 7);
	ck_assert_int_eq(epoll_wait(ep, &out, 1, 1000), 1);
	ck_assert_int_eq(bel_ringbuf_consume(rb), 7);
	ck_assert_int_eq(epoll_wait(ep, &out, 1, 0), 0);
	CHECK_OK(c);
	close(ep);
	bel_ringbuf_free(rb);
	bel_object_close(ev.obj);
}
END_TEST

struct producer {
	int prog;
	uint32_t batches, repeat;
	int status;
	volatile int done;
};

static void *producer_main(void *arg)
{
	struct producer *p = arg;
	uint32_t i;

	for (i = 0; i < p->batches && !p->status; i++)
		p->status = produce(p->prog, p->repeat);
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* A producer thread writes while the reader polls: the ring fills now and then (the program
 * counts what it could not write), and what is read is still in order, each record once. */
START_TEST(test_ring_concurrent_producer)
{
	struct seq_check c = checker();
	struct producer p = {.batches = 40, .repeat = 500};
	struct bel_ringbuf *rb;
	struct events ev;
	pthread_t thread;
	uint64_t produced, drops;
	int n;

	if (!kernel_ready())
		return;
	events_load(&ev);
	set_config(&ev, TARGET_RING_B, 0, 0, 0);
	c.gaps = true;
	ck_assert_int_eq(bel_ringbuf_new(&rb), 0);
	ck_assert_int_eq(bel_ringbuf_add(rb, ev.ring_b, on_ring, &c), 0);
	p.prog = ev.ring_produce;
	ck_assert_int_eq(pthread_create(&thread, NULL, producer_main, &p), 0);
	while (!__atomic_load_n(&p.done, __ATOMIC_ACQUIRE)) {
		n = bel_ringbuf_poll(rb, 10);
		ck_assert_msg(n >= 0, "poll: %d (%s)", n, bel_thread_error());
	}
	pthread_join(thread, NULL);
	ck_assert_msg(p.status == 0, "producer: %s", strerror(-p.status));
	while ((n = bel_ringbuf_consume(rb)) > 0)
		;
	ck_assert_int_eq(n, 0);
	CHECK_OK(c);
	produced = stat_of(&ev, STAT_SEQ);
	drops = stat_of(&ev, STAT_DROPS_B);
	ck_assert_uint_eq(produced, 40 * 500);
	ck_assert_msg(c.seen + drops == produced, "seen %llu + dropped %llu != produced %llu",
		      (unsigned long long)c.seen, (unsigned long long)drops,
		      (unsigned long long)produced);
	ck_assert_uint_gt(c.seen, 0);
	bel_ringbuf_free(rb);
	bel_object_close(ev.obj);
}
END_TEST

static cpu_set_t saved_affinity;

/* The online CPUs we may run on, in order; returns how many (at most max). */
static int usable_cpus(int *cpus, int max)
{
	int cpu, n = 0;

	ck_assert_int_eq(sched_getaffinity(0, sizeof(saved_affinity), &saved_affinity), 0);
	for (cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++)
		if (CPU_ISSET(cpu, &saved_affinity))
			cpus[n++] = cpu;
	return n;
}

/* BPF_PROG_TEST_RUN runs the program on the caller's CPU, so BPF_F_CURRENT_CPU is this one. */
static void run_on(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(set), &set), 0);
}

static void run_anywhere(void)
{
	sched_setaffinity(0, sizeof(saved_affinity), &saved_affinity);
}

/* The programs loaded to write perf records of perf_len bytes (0: of every length) and c set to
 * expect them, this thread on the first CPU it may use; returns that CPU. */
static int perf_on_one_cpu(struct events *ev, struct seq_check *c, uint32_t perf_len)
{
	int cpu;

	events_load(ev);
	set_config(ev, 0, 0, 0, perf_len);
	c->perf = true;
	c->fixed_len = perf_len;
	usable_cpus(&cpu, 1);
	run_on(cpu);
	return cpu;
}

/* Samples from each CPU arrive on that CPU's ring, tagged with it, in order and whole. */
START_TEST(test_perf_sequence)
{
	struct seq_check c = checker();
	struct bel_perfbuf_opts o = {.sz = sizeof(o), .sample = on_sample, .lost = on_lost, .ctx = &c};
	struct bel_perfbuf *pb;
	struct events ev;
	int cpus[8], ncpus, i, round, n, got, fds;

	if (!kernel_ready())
		return;
	events_load(&ev);
	set_config(&ev, 0, 0, 0, 0);
	c.perf = true;
	ncpus = usable_cpus(cpus, 8);
	fds = count_fds();
	ck_assert_msg(bel_perfbuf_new(ev.perf, &o, &pb) == 0, "%s", bel_thread_error());
	ck_assert_int_ge(bel_perfbuf_epoll_fd(pb), 0);
	for (round = 0; round < 20; round++) {
		i = round % ncpus;
		run_on(cpus[i]);
		c.expect_cpu = cpus[i];
		produce_ok(ev.perf_produce, 50);
		for (got = 0; got < 50; got += n) {
			n = bel_perfbuf_poll(pb, 1000);
			ck_assert_msg(n > 0, "round %d: poll %d after %d samples (%s)", round, n, got,
				      bel_thread_error());
		}
		ck_assert_int_eq(got, 50);
		CHECK_OK(c);
	}
	run_anywhere();
	ck_assert_uint_eq(c.seen, 20 * 50);
	ck_assert_uint_eq(c.lost, 0);
	bel_perfbuf_free(pb);
	ck_assert_int_eq(count_fds(), fds);
	bel_object_close(ev.obj);
}
END_TEST

/* One data page per CPU and samples of 12..311 bytes, read in rounds: many samples run past
 * the end of the ring and must arrive whole. */
START_TEST(test_perf_wrap)
{
	struct seq_check c = checker();
	struct bel_perfbuf_opts o = {.sz = sizeof(o), .pages_per_cpu = 1, .sample = on_sample,
				     .lost = on_lost, .ctx = &c};
	long page = sysconf(_SC_PAGESIZE);
	struct bel_perfbuf *pb;
	struct events ev;
	uint64_t pos = 0, seq = 0, wrapped = 0;
	int round, n;

	if (!kernel_ready())
		return;
	c.expect_cpu = perf_on_one_cpu(&ev, &c, 0);
	ck_assert_msg(bel_perfbuf_new(ev.perf, &o, &pb) == 0, "%s", bel_thread_error());
	for (round = 0; round < 150; round++) {
		uint32_t batch = 1 + (uint32_t)round % 10, i;

		/* where the kernel puts each record: header, size field, padded data */
		for (i = 0; i < batch; i++, seq++) {
			uint64_t rec = 8 + 4 + perf_raw_size(perf_len_of(seq));

			wrapped += pos % (uint64_t)page + rec > (uint64_t)page;
			pos += rec;
		}
		produce_ok(ev.perf_produce, batch);
		n = bel_perfbuf_consume(pb);
		ck_assert_msg(n == (int)batch, "round %d: %d samples, expected %u (%s)", round, n,
			      batch, bel_thread_error());
		CHECK_OK(c);
	}
	run_anywhere();
	ck_assert_uint_eq(c.seen, seq);
	ck_assert_uint_eq(c.lost, 0);
	ck_assert_uint_gt(wrapped, 20);
	bel_perfbuf_free(pb);
	bel_object_close(ev.obj);
}
END_TEST

/* Big samples into one page: the kernel drops what does not fit and says how many when it
 * next has room; samples read plus samples lost is everything produced. */
START_TEST(test_perf_lost)
{
	struct seq_check c = checker();
	struct bel_perfbuf_opts o = {.sz = sizeof(o), .pages_per_cpu = 1, .sample = on_sample,
				     .lost = on_lost, .ctx = &c};
	struct bel_perfbuf *pb;
	struct events ev;
	int n, i;

	if (!kernel_ready())
		return;
	c.expect_cpu = perf_on_one_cpu(&ev, &c, 1000);
	ck_assert_msg(bel_perfbuf_new(ev.perf, &o, &pb) == 0, "%s", bel_thread_error());
	produce_ok(ev.perf_produce, 200);
	for (i = 0; i < 3; i++) {
		n = bel_perfbuf_consume(pb);
		ck_assert_msg(n > 0, "%d (%s)", n, bel_thread_error());
		/* room again: the next sample comes after a report of those lost */
		produce_ok(ev.perf_produce, 1);
	}
	ck_assert_int_gt(bel_perfbuf_consume(pb), 0);
	run_anywhere();
	CHECK_OK(c);
	ck_assert_msg(c.lost > 150 && c.seen >= 3, "lost %llu, read %llu",
		      (unsigned long long)c.lost, (unsigned long long)c.seen);
	ck_assert_uint_eq(c.seen + c.lost, stat_of(&ev, STAT_SEQ));
	bel_perfbuf_free(pb);
	bel_object_close(ev.obj);
}
END_TEST

/* A callback that returns non-zero stops the perf buffer's consume too. */
START_TEST(test_perf_callback_stops)
{
	struct seq_check c = checker();
	struct bel_perfbuf_opts o = {.sz = sizeof(o), .sample = on_sample, .ctx = &c};
	struct bel_perfbuf *pb;
	struct events ev;

	if (!kernel_ready())
		return;
	perf_on_one_cpu(&ev, &c, 0);
	ck_assert_msg(bel_perfbuf_new(ev.perf, &o, &pb) == 0, "%s", bel_thread_error());
	produce_ok(ev.perf_produce, 10);
	run_anywhere();
	c.stop_at = 4;
	c.stop_value = -7;
	ck_assert_int_eq(bel_perfbuf_consume(pb), -7);
	c.stop_at = 6;
	c.stop_value = 1;
	ck_assert_int_eq(bel_perfbuf_consume(pb), 2);
	c.stop_at = 0;
	ck_assert_int_eq(bel_perfbuf_consume(pb), 4);
	CHECK_OK(c);
	ck_assert_uint_eq(c.seen, 10);
	bel_perfbuf_free(pb);
	bel_object_close(ev.obj);
}
END_TEST

/* A poll that a callback stopped took the rings' wake-ups with it; the next poll still reads
 * what they hold, without new samples to wake it. */
START_TEST(test_perf_poll_after_stop)
{
	struct seq_check c = checker();
	struct bel_perfbuf_opts o = {.sz = sizeof(o), .sample = on_sample, .ctx = &c};
	struct bel_perfbuf *pb;
	struct events ev;
	int cpus[2], ncpus, i, n, got = 0;
	uint64_t per_cpu[2] = {0, 0};

	if (!kernel_ready())
		return;
	events_load(&ev);
	set_config(&ev, 0, 0, 0, 0);
	c.perf = true;
	c.gaps = true; /* two CPUs: each ring in order, the two interleaved by the reader */
	ncpus = usable_cpus(cpus, 2);
	ck_assert_msg(bel_perfbuf_new(ev.perf, &o, &pb) == 0, "%s", bel_thread_error());
	for (i = 0; i < ncpus; i++) {
		run_on(cpus[i]);
		produce_ok(ev.perf_produce, 10);
		per_cpu[i] = 10;
	}
	run_anywhere();
	c.stop_at = 3;
	c.stop_value = 1;
	ck_assert_int_eq(bel_perfbuf_poll(pb, 1000), 3);
	c.stop_at = 0;
	while (got < 10 * ncpus - 3) {
		n = bel_perfbuf_poll(pb, 2000);
		ck_assert_msg(n > 0, "poll returned %d after %d of %d", n, got, 10 * ncpus - 3);
		got += n;
	}
	ck_assert_int_eq(got, 10 * ncpus - 3);
	ck_assert_int_eq(bel_perfbuf_poll(pb, 0), 0);
	ck_assert_uint_eq(c.seen, per_cpu[0] + per_cpu[1]);
	bel_perfbuf_free(pb);
	bel_object_close(ev.obj);
}
END_TEST

/* Mappings of BPF maps and perf events in /proc/self/maps (others come and go with the
 * allocator and sanitizers): a reader that fails must leave none behind. */
static int count_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "bpf-map") || strstr(line, "perf_event");
	fclose(f);
	return n;
}

static int create_map(uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t max_entries)
{
	struct bel_map_create_args args = {
		.map_type = type, .key_size = key_size, .value_size = value_size,
		.max_entries = max_entries,
	};

	return bel_sys_map_create(&args);
}

static void assert_refused(int ret, int want, const char *what, const char *needle1,
			   const char *needle2)
{
	const char *msg = bel_thread_error();

	ck_assert_msg(ret == want, "%s: returned %d, expected %d (%s)", what, ret, want, msg);
	ck_assert_msg(strstr(msg, needle1) && (!needle2 || strstr(msg, needle2)),
		      "%s: message '%s' lacks '%s'/'%s'", what, msg, needle1, needle2 ? needle2 : "");
}

/* What the readers refuse, with -errno and a message that says which fd and why; nothing is
 * left open behind a refusal. */
START_TEST(test_bad_input)
{
	struct bel_perfbuf_opts o = {.sz = sizeof(o), .pages_per_cpu = 3, .sample = on_sample};
	struct bel_perfbuf *pb = (void *)1;
	struct bel_ringbuf *rb;
	struct events ev;
	char fd_text[32], closed_text[32];
	int fds, closed;

	if (!kernel_ready())
		return;
	events_load(&ev);
	ck_assert_int_eq(bel_ringbuf_new(&rb), 0);
	fds = count_fds();

	snprintf(fd_text, sizeof(fd_text), "fd %d", ev.config);
	assert_refused(bel_ringbuf_add(rb, ev.config, on_ring, NULL), -EINVAL, "array map",
		       fd_text, "is a array map (type 2), not a ringbuf");
	snprintf(fd_text, sizeof(fd_text), "fd %d", ev.perf);
	assert_refused(bel_ringbuf_add(rb, ev.perf, on_ring, NULL), -EINVAL, "perf map", fd_text,
		       "perf_event_array");
	snprintf(fd_text, sizeof(fd_text), "fd %d", ev.ring_produce);
	assert_refused(bel_ringbuf_add(rb, ev.ring_produce, on_ring, NULL), -EINVAL, "program",
		       fd_text, "is a program, not a BPF map");
	assert_refused(bel_ringbuf_add(rb, 0, on_ring, NULL), -EINVAL, "stdin", "fd 0",
		       "not a BPF map");
	closed = dup(ev.ring_a);
	close(closed);
	snprintf(closed_text, sizeof(closed_text), "map fd %d", closed);
	assert_refused(bel_ringbuf_add(rb, closed, on_ring, NULL), -EBADF, "closed fd",
		       closed_text, "not an open file descriptor");
	assert_refused(bel_ringbuf_add(rb, -1, on_ring, NULL), -EBADF, "fd -1", "map fd -1", NULL);
	assert_refused(bel_ringbuf_add(rb, ev.ring_a, NULL, NULL), -EINVAL, "no callback",
		       "no callback", NULL);
	assert_refused(bel_ringbuf_add(NULL, ev.ring_a, on_ring, NULL), -EINVAL, "no reader",
		       "no reader", NULL);
	/* an empty reader has nothing to wait for */
	assert_refused(bel_ringbuf_poll(rb, 10), -EINVAL, "poll with no ring", "no ring", NULL);
	ck_assert_int_eq(bel_ringbuf_consume(rb), 0);

	assert_refused(bel_perfbuf_new(ev.perf, &o, &pb), -EINVAL, "pages_per_cpu 3",
		       "pages_per_cpu is 3", "power of two");
	ck_assert_ptr_null(pb);
	snprintf(fd_text, sizeof(fd_text), "fd %d", ev.ring_a);
	o.pages_per_cpu = 0;
	assert_refused(bel_perfbuf_new(ev.ring_a, &o, &pb), -EINVAL, "ringbuf as perf", fd_text,
		       "ringbuf map (type 27), not a perf_event_array");
	assert_refused(bel_perfbuf_new(closed, &o, &pb), -EBADF, "closed fd", closed_text, NULL);
	/* a newer caller's field this version does not know, set */
	struct {
		struct bel_perfbuf_opts o;
		uint64_t newer;
	} newer = {.o = {.sz = sizeof(newer), .sample = on_sample}, .newer = 1};
	assert_refused(bel_perfbuf_new(ev.perf, &newer.o, &pb), -EINVAL, "sz", "bel_perfbuf_opts",
		       NULL);
	ck_assert_int_eq(count_fds(), fds);

	/* and the NULL-tolerant calls */
	bel_ringbuf_free(NULL);
	bel_perfbuf_free(NULL);
	ck_assert_int_lt(bel_ringbuf_epoll_fd(NULL), 0);
	ck_assert_int_lt(bel_perfbuf_epoll_fd(NULL), 0);
	ck_assert_int_lt(bel_ringbuf_consume(NULL), 0);
	ck_assert_int_lt(bel_perfbuf_consume(NULL), 0);
	bel_ringbuf_free(rb);
	bel_object_close(ev.obj);
}
END_TEST

/* Failures after the reader has opened, mapped or registered something undo all of it. */
START_TEST(test_failures_leave_nothing)
{
	struct bel_perfbuf_opts o = {.sz = sizeof(o), .pages_per_cpu = 4};
	struct bel_ringbuf *rb;
	struct bel_perfbuf *pb;
	int fds, maps, perf, ring;

	if (!kernel_ready())
		return;
	ring = create_map(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);
	ck_assert_int_ge(ring, 0);
	ck_assert_int_eq(bel_ringbuf_new(&rb), 0);
	ck_assert_int_eq(bel_ringbuf_add(rb, ring, on_ring, NULL), 0);
	fds = count_fds();
	maps = count_mappings();
	/* mapped, then refused by epoll: the same map twice */
	assert_refused(bel_ringbuf_add(rb, ring, on_ring, NULL), -EEXIST, "same ring twice",
		       "epoll_ctl", NULL);
	ck_assert_int_eq(count_fds(), fds);
	ck_assert_int_eq(count_mappings(), maps);
	ck_assert_int_eq(maps, 2); /* the ring's own: consumer page, producer page and data */
	bel_ringbuf_free(rb);
	ck_assert_int_eq(count_mappings(), 0);
	close(ring);

	/* a frozen map takes no event: refused after events were opened, mapped, enabled */
	perf = create_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, (uint32_t)sysconf(_SC_NPROCESSORS_CONF));
	ck_assert_int_ge(perf, 0);
	ck_assert_int_eq(bel_sys_map_freeze(perf), 0);
	fds = count_fds();
	maps = count_mappings();
	assert_refused(bel_perfbuf_new(perf, &o, &pb), -EPERM, "frozen map", "storing the event",
		       NULL);
	ck_assert_int_eq(count_fds(), fds);
	ck_assert_int_eq(count_mappings(), maps);
	close(perf);

	/* a slot for CPU 0 only: one event, the other CPUs left out */
	perf = create_map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 1);
	ck_assert_int_ge(perf, 0);
	fds = count_fds();
	ck_assert_msg(bel_perfbuf_new(perf, &o, &pb) == 0, "%s", bel_thread_error());
	ck_assert_int_eq(count_fds(), fds + 3); /* the event, the epoll set, the map fd's dup */
	ck_assert_int_eq(count_mappings(), 1);  /* its ring */
	bel_perfbuf_free(pb);
	ck_assert_int_eq(count_fds(), fds);
	ck_assert_int_eq(count_mappings(), 0);
	close(perf);
}
END_TEST

/* The perf buffer empties the map's slots when it goes, so another reader can take the map;
 * and a second reader after the first sees only what came after it. */
START_TEST(test_perf_reopen)
{
	struct seq_check c = checker();
	struct bel_perfbuf_opts o = {.sz = sizeof(o), .sample = on_sample, .ctx = &c};
	struct bel_perfbuf *pb;
	struct events ev;
	int fds;

	if (!kernel_ready())
		return;
	perf_on_one_cpu(&ev, &c, 0);
	fds = count_fds();
	ck_assert_int_eq(bel_perfbuf_new(ev.perf, &o, &pb), 0);
	produce_ok(ev.perf_produce, 5);
	bel_perfbuf_free(pb);
	ck_assert_int_eq(count_fds(), fds);
	produce_ok(ev.perf_produce, 5); /* no reader: nowhere to go */
	c.next = 10;
	ck_assert_int_eq(bel_perfbuf_new(ev.perf, &o, &pb), 0);
	produce_ok(ev.perf_produce, 5);
	run_anywhere();
	ck_assert_int_eq(bel_perfbuf_consume(pb), 5);
	CHECK_OK(c);
	bel_perfbuf_free(pb);
	bel_object_close(ev.obj);
}
END_TEST

/*
 * What the readers do with what they find in the shared pages, on memory laid out as the
 * kernel lays it out but written by the test: the records no kernel writes must be refused
 * with a message, without a callback and without moving the consumer position.
 */
#define FAKE_SIZE 4096ul

struct fake_ring {
	unsigned long consumer, producer;
	uint8_t data[2 * FAKE_SIZE]; /* the data area, then its copy, as the double mapping */
};

static void fake_put(struct fake_ring *f, unsigned long pos, const void *bytes, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		f->data[(pos + i) & (FAKE_SIZE - 1)] = ((const uint8_t *)bytes)[i];
	memcpy(f->data + FAKE_SIZE, f->data, FAKE_SIZE);
}

/* Append a record of len payload bytes (each byte = tag + i) with the given header bits. */
static unsigned long fake_record(struct fake_ring *f, uint32_t len, uint32_t bits, uint8_t tag)
{
	unsigned long pos = f->producer;
	uint32_t hdr[2] = {len | bits, 0};
	uint8_t payload[256];
	uint32_t i;

	for (i = 0; i < len && i < sizeof(payload); i++)
		payload[i] = (uint8_t)(tag + i);
	fake_put(f, pos, hdr, sizeof(hdr));
	fake_put(f, pos + 8, payload, len < sizeof(payload) ? len : sizeof(payload));
	f->producer = pos + ((8 + len + 7) & ~7ul);
	return pos;
}

struct seen {
	int n;
	uint8_t tags[16];
	size_t sizes[16];
	bool intact;
};

static int on_fake(void *ctx, const void *data, size_t size)
{
	struct seen *s = ctx;
	const uint8_t *d = data;
	size_t i;

	for (i = 1; i < size; i++)
		if (d[i] != (uint8_t)(d[0] + i))
			s->intact = false;
	if (s->n < 16) {
		s->tags[s->n] = size ? d[0] : 0;
		s->sizes[s->n] = size;
	}
	s->n++;
	return 0;
}

START_TEST(test_ring_layout)
{
	struct fake_ring *f = calloc(1, sizeof(*f));
	struct seen s = {.intact = true};
	struct bel_ringbuf *rb;
	unsigned long busy;

	/* start near the end of the area, at a position that has gone round many times */
	f->consumer = f->producer = 1000 * FAKE_SIZE - 40;
	fake_record(f, 5, 0, 10);                          /* 16 bytes */
	fake_record(f, 16, BPF_RINGBUF_DISCARD_BIT, 20);   /* 24, wraps: skipped */
	fake_record(f, 61, 0, 30);                          /* after the wrap */
	fake_record(f, 200, 0, 40);
	busy = fake_record(f, 9, BPF_RINGBUF_BUSY_BIT, 50); /* not committed yet */
	ck_assert_int_eq(bel_ringbuf_new(&rb), 0);
	ck_assert_int_eq(ldr_ringbuf_add_memory(rb, &f->consumer, &f->producer, f->data, FAKE_SIZE,
						on_fake, &s), 0);
	ck_assert_int_eq(bel_ringbuf_consume(rb), 3);
	ck_assert(s.intact);
	ck_assert_int_eq(s.tags[0], 10);
	ck_assert_uint_eq(s.sizes[0], 5);
	ck_assert_int_eq(s.tags[1], 30);
	ck_assert_uint_eq(s.sizes[1], 61);
	ck_assert_int_eq(s.tags[2], 40);
	ck_assert_uint_eq(f->consumer, busy); /* stopped at the uncommitted one */
	ck_assert_int_eq(bel_ringbuf_consume(rb), 0);
	fake_put(f, busy, &(uint32_t){9}, 4);              /* committed now */
	ck_assert_int_eq(bel_ringbuf_consume(rb), 1);
	ck_assert_int_eq(s.tags[3], 50);
	ck_assert_uint_eq(f->consumer, f->producer);
	/* a record that wraps the end arrives whole from the second copy */
	f->consumer = f->producer = 2000 * FAKE_SIZE - 16;
	fake_record(f, 100, 0, 60);
	ck_assert_int_eq(bel_ringbuf_consume(rb), 1);
	ck_assert(s.intact);
	ck_assert_uint_eq(s.sizes[4], 100);
	bel_ringbuf_free(rb);
	free(f);
}
END_TEST

START_TEST(test_ring_layout_refused)
{
	struct fake_ring *f = calloc(1, sizeof(*f));
	struct seen s = {.intact = true};
	struct bel_ringbuf *rb;
	unsigned long start = 7 * FAKE_SIZE + 8;
	uint32_t hdr[2] = {0, 0};

	ck_assert_int_eq(bel_ringbuf_new(&rb), 0);
	ck_assert_int_eq(ldr_ringbuf_add_memory(rb, &f->consumer, &f->producer, f->data, FAKE_SIZE,
						on_fake, &s), 0);
	/* a length past the data area */
	f->consumer = f->producer = start;
	fake_record(f, 16, 0, 1);
	hdr[0] = 5000;
	fake_put(f, start, hdr, sizeof(hdr));
	assert_refused(bel_ringbuf_consume(rb), -EBADMSG, "length past the area", "claims 5000 bytes",
		       NULL);
	/* a length past what the producer has written */
	hdr[0] = 64;
	fake_put(f, start, hdr, sizeof(hdr));
	assert_refused(bel_ringbuf_consume(rb), -EBADMSG, "length past the producer",
		       "claims 64 bytes", "past what the producer has written");
	/* a length whose top bits say nothing the reader knows still counts in full */
	hdr[0] = 0x3fffffff;
	fake_put(f, start, hdr, sizeof(hdr));
	assert_refused(bel_ringbuf_consume(rb), -EBADMSG, "huge length", "claims", NULL);
	/* a producer position more than the area ahead */
	f->producer = start + 2 * FAKE_SIZE;
	assert_refused(bel_ringbuf_consume(rb), -EBADMSG, "producer too far", "producer position",
		       NULL);
	ck_assert_int_eq(s.n, 0);
	ck_assert_uint_eq(f->consumer, start);
	/* a consumer position off the 8-byte grid (the consumer page is writable by anyone
	 * holding the map): its "header" would be the middle of a record */
	f->consumer = start + 4;
	f->producer = start + 64;
	assert_refused(bel_ringbuf_consume(rb), -EBADMSG, "consumer off the grid",
		       "consumer position 28684 and producer position 28744 are not both on the "
		       "8-byte grid", NULL);
	ck_assert_uint_eq(f->consumer, start + 4);
	ck_assert_int_eq(s.n, 0); /* no half record handed over as one */
	f->consumer = start;
	/* behind the consumer: nothing to read, not an error */
	f->producer = start - 8;
	ck_assert_int_eq(bel_ringbuf_consume(rb), 0);
	ck_assert_uint_eq(f->consumer, start);
	bel_ringbuf_free(rb);
	free(f);
}
END_TEST

struct fake_perf {
	struct perf_event_mmap_page meta;
	uint8_t data[FAKE_SIZE];
};

static void perf_put(struct fake_perf *f, uint64_t pos, const void *bytes, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		f->data[(pos + i) & (FAKE_SIZE - 1)] = ((const uint8_t *)bytes)[i];
}

/* Append a record: header, then body (n bytes); returns where it starts. */
static uint64_t perf_record(struct fake_perf *f, uint32_t type, uint16_t size, const void *body,
			    size_t n)
{
	struct perf_event_header h = {.type = type, .misc = 0, .size = size};
	uint64_t pos = f->meta.data_head;

	perf_put(f, pos, &h, sizeof(h));
	perf_put(f, pos + sizeof(h), body, n);
	f->meta.data_head = pos + size;
	return pos;
}

static uint64_t perf_sample(struct fake_perf *f, uint32_t raw_size, uint8_t tag)
{
	uint8_t body[300];
	uint32_t i;

	memcpy(body, &raw_size, 4);
	for (i = 0; i < raw_size; i++)
		body[4 + i] = (uint8_t)(tag + i);
	return perf_record(f, PERF_RECORD_SAMPLE, (uint16_t)(8 + 4 + raw_size), body, 4 + raw_size);
}

static int on_fake_sample(void *ctx, int cpu, const void *data, uint32_t size)
{
	(void)cpu;
	return on_fake(ctx, data, size);
}

static void on_fake_lost(void *ctx, int cpu, uint64_t count)
{
	(void)cpu;
	((struct seq_check *)ctx)->lost += count;
}

START_TEST(test_perf_layout)
{
	struct fake_perf *f = calloc(1, sizeof(*f));
	struct seen s = {.intact = true};
	struct bel_perfbuf_opts o = {.sz = sizeof(o), .sample = on_fake_sample, .ctx = &s};
	struct bel_perfbuf *pb;
	uint64_t lost[2] = {1, 7}, throttle[2] = {0, 0};
	struct seq_check lost_count = checker();

	f->meta.data_head = f->meta.data_tail = 55 * FAKE_SIZE - 24;
	perf_sample(f, 4, 10);                                     /* 16 bytes */
	perf_sample(f, 36, 20);                                    /* 48: wraps the end */
	perf_record(f, PERF_RECORD_LOST, 24, lost, sizeof(lost));
	perf_record(f, PERF_RECORD_THROTTLE, 24, throttle, sizeof(throttle)); /* not ours */
	perf_sample(f, 252, 30);
	ck_assert_int_eq(ldr_perfbuf_new_memory(&f->meta, f->data, FAKE_SIZE, &o, &pb), 0);
	/* no lost callback: the report still counts as a record read */
	ck_assert_int_eq(bel_perfbuf_consume(pb), 4);
	ck_assert(s.intact);
	ck_assert_int_eq(s.n, 3);
	ck_assert_uint_eq(s.sizes[1], 36);
	ck_assert_int_eq(s.tags[1], 20);
	ck_assert_uint_eq(s.sizes[2], 252);
	ck_assert_uint_eq(f->meta.data_tail, f->meta.data_head);
	bel_perfbuf_free(pb);

	o.ctx = &lost_count;
	o.sample = NULL;
	o.lost = on_fake_lost;
	ck_assert_int_eq(ldr_perfbuf_new_memory(&f->meta, f->data, FAKE_SIZE, &o, &pb), 0);
	perf_record(f, PERF_RECORD_LOST, 24, lost, sizeof(lost));
	perf_sample(f, 4, 1);
	ck_assert_int_eq(bel_perfbuf_consume(pb), 2);
	ck_assert_uint_eq(lost_count.lost, 7);
	bel_perfbuf_free(pb);
	free(f);
}
END_TEST

START_TEST(test_perf_layout_refused)
{
	struct fake_perf *f = calloc(1, sizeof(*f));
	struct seen s = {.intact = true};
	struct bel_perfbuf_opts o = {.sz = sizeof(o), .sample = on_fake_sample, .ctx = &s};
	struct bel_perfbuf *pb;
	uint64_t start = 3 * FAKE_SIZE + 16, lost = 0;
	uint64_t raw = 100; /* the size field of a sample, then 4 bytes of data */
	const struct {
		uint32_t type;
		uint16_t size;
		const char *says;
	} bad[] = {
		{PERF_RECORD_SAMPLE, 0, "claims 0 bytes"},     /* would never advance */
		{PERF_RECORD_SAMPLE, 20, "claims 20 bytes"},   /* not a multiple of 8 */
		{PERF_RECORD_SAMPLE, 16, "too short"},          /* raw size 100 in 4 bytes */
		{PERF_RECORD_LOST, 16, "too short"},            /* no count */
		{PERF_RECORD_SAMPLE, 4000, "4000 bytes; 64 are written"},
	};
	size_t i;

	ck_assert_int_eq(ldr_perfbuf_new_memory(&f->meta, f->data, FAKE_SIZE, &o, &pb), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f->meta.data_tail = start;
		f->meta.data_head = start;
		perf_record(f, bad[i].type, bad[i].size, bad[i].type == PERF_RECORD_LOST ?
			    (const void *)&lost : (const void *)&raw, 8);
		f->meta.data_head = start + 64;
		assert_refused(bel_perfbuf_consume(pb), -EBADMSG, bad[i].says, bad[i].says,
			       "perf buffer");
		ck_assert_uint_eq(f->meta.data_tail, start);
	}
	/* a head more than the ring ahead of the tail, and a tail not on a record boundary */
	f->meta.data_head = start + FAKE_SIZE + 8;
	assert_refused(bel_perfbuf_consume(pb), -EBADMSG, "head too far", "not within the ring",
		       NULL);
	f->meta.data_tail = start + 4;
	f->meta.data_head = start + 64;
	assert_refused(bel_perfbuf_consume(pb), -EBADMSG, "odd tail", "not within the ring", NULL);
	ck_assert_int_eq(s.n, 0);
	bel_perfbuf_free(pb);
	free(f);
}
END_TEST

static Suite *events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("ringbuf");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_ring_sequence_wraps);
	tcase_add_test(tc, test_ring_discard);
	tcase_add_test(tc, test_ring_two_rings);
	tcase_add_test(tc, test_ring_callback_stops);
	tcase_add_test(tc, test_ring_epoll_fd);
	tcase_add_test(tc, test_ring_concurrent_producer);
	suite_add_tcase(s, tc);

	tc = tcase_create("perfbuf");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_perf_sequence);
	tcase_add_test(tc, test_perf_wrap);
	tcase_add_test(tc, test_perf_lost);
	tcase_add_test(tc, test_perf_callback_stops);
	tcase_add_test(tc, test_perf_reopen);
	tcase_add_test(tc, test_perf_poll_after_stop);
	suite_add_tcase(s, tc);

	tc = tcase_create("layout");
	tcase_add_test(tc, test_ring_layout);
	tcase_add_test(tc, test_ring_layout_refused);
	tcase_add_test(tc, test_perf_layout);
	tcase_add_test(tc, test_perf_layout_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("input");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_failures_leave_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(events_suite());

	return run_srunner(sr);
}
