/* SPDX-License-Identifier: MIT */
/*
 * bel-bench-events: bel's ring buffer and perf buffer readers beside libbpf's, on the same maps,
 * in one process and one run.
 *
 * The producers are ring_bench and perf_bench of tests/progs/events.bpf.c (16-byte records),
 * loaded once with bel and run by BPF_PROG_TEST_RUN with `repeat`. Two modes:
 *
 *   batch   per round and reader: write R records (not timed), then time reading all of them
 *           (ring: *_consume; perf: *_poll). The thread is pinned to one CPU, so the records
 *           are written and read there.
 *   reread  the ring buffer only: R records written once, then read by each reader in turn,
 *           the consumer position put back after every read: the readers' own cost per
 *           record, on the same records in the same memory.
 *   thread  per round and reader: a producer thread writes T records in batches of 1000 while
 *           the reader polls; timed from the producer's start to the last record read. What
 *           the producer could not write (ring full) or the kernel lost is counted apart.
 *
 * The readers take turns, the first changing every round; records/s are per round, and the
 * table gives the medians, their ratio (bel / libbpf) and the range of the per-round ratios.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bel/bel.h"
#include "syscall/bpf.h"

#ifndef BEL_EVENTS_OBJECT
#define BEL_EVENTS_OBJECT "events.bpf.o"
#endif

enum { STAT_BENCH_SEQ = 3, STAT_BENCH_DROPS = 4 };
enum { BEL, LIBBPF };
#define NRESULTS 5
static const char *const reader_names[] = {"bel", "libbpf"};

struct bench_record {
	uint64_t seq, value;
};

struct options {
	const char *object;
	int rounds;
	uint32_t ring_records, perf_records, thread_records;
	size_t pages;
	bool batch, thread, reread, verbose;
};

struct maps {
	struct bel_object *obj;
	int ring, perf, stats;
	uint64_t ring_size;
	int ring_prog, perf_prog;
};

/* What a callback keeps: enough work per record that the records are really read. */
struct sink {
	uint64_t records, sum, lost;
};

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* This thread's CPU time: on a shared machine, time spent preempted by others is not the
 * reader's. */
static uint64_t cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "bel-bench-events: %s: %s\n", what, why);
	exit(1);
}

static int produce(int prog, uint32_t repeat)
{
	unsigned char packet[64] = {0};
	struct bel_test_run_args args = {
		.data_in = packet, .data_size_in = sizeof(packet), .repeat = repeat,
	};

	return bel_sys_prog_test_run(prog, &args);
}

static uint64_t stat_of(const struct maps *m, uint32_t i)
{
	uint64_t v = 0;

	bel_sys_map_lookup_elem(m->stats, &i, &v, 0);
	return v;
}

/* The same body behind each library's callback type. */
static inline __attribute__((always_inline)) void take(struct sink *s, const void *data)
{
	const struct bench_record *r = data;

	s->records++;
	s->sum += r->seq ^ r->value;
}

static int bel_ring_cb(void *ctx, const void *data, size_t size)
{
	(void)size;
	take(ctx, data);
	return 0;
}

static int libbpf_ring_cb(void *ctx, void *data, size_t size)
{
	(void)size;
	take(ctx, data);
	return 0;
}

static int bel_perf_cb(void *ctx, int cpu, const void *data, uint32_t size)
{
	(void)cpu;
	(void)size;
	take(ctx, data);
	return 0;
}

static void libbpf_perf_cb(void *ctx, int cpu, void *data, __u32 size)
{
	(void)cpu;
	(void)size;
	take(ctx, data);
}

static void bel_lost_cb(void *ctx, int cpu, uint64_t count)
{
	(void)cpu;
	((struct sink *)ctx)->lost += count;
}

static void libbpf_lost_cb(void *ctx, int cpu, __u64 count)
{
	(void)cpu;
	((struct sink *)ctx)->lost += count;
}

/* One reader of either library over one map, behind one interface. */
struct reader {
	int which;
	bool perf;
	struct sink sink;
	struct bel_ringbuf *bel_rb;
	struct bel_perfbuf *bel_pb;
	struct ring_buffer *lb_rb;
	struct perf_buffer *lb_pb;
};

static void reader_open(struct reader *r, int which, bool perf, const struct maps *m,
			size_t pages)
{
	memset(r, 0, sizeof(*r));
	r->which = which;
	r->perf = perf;
	if (!perf && which == BEL) {
		if (bel_ringbuf_new(&r->bel_rb) || bel_ringbuf_add(r->bel_rb, m->ring, bel_ring_cb,
								   &r->sink))
			die("bel ring buffer", bel_thread_error());
	} else if (!perf) {
		r->lb_rb = ring_buffer__new(m->ring, libbpf_ring_cb, &r->sink, NULL);
		if (!r->lb_rb)
			die("libbpf ring buffer", strerror(errno));
	} else if (which == BEL) {
		struct bel_perfbuf_opts o = {.sz = sizeof(o), .pages_per_cpu = pages,
					     .sample = bel_perf_cb, .lost = bel_lost_cb,
					     .ctx = &r->sink};

		if (bel_perfbuf_new(m->perf, &o, &r->bel_pb))
			die("bel perf buffer", bel_thread_error());
	} else {
		r->lb_pb = perf_buffer__new(m->perf, pages, libbpf_perf_cb, libbpf_lost_cb, &r->sink,
					    NULL);
		if (!r->lb_pb)
			die("libbpf perf buffer", strerror(errno));
	}
}

static void reader_close(struct reader *r)
{
	bel_ringbuf_free(r->bel_rb);
	bel_perfbuf_free(r->bel_pb);
	ring_buffer__free(r->lb_rb);
	perf_buffer__free(r->lb_pb);
	memset(r, 0, sizeof(*r));
}

static int reader_consume(struct reader *r)
{
	return r->bel_rb ? bel_ringbuf_consume(r->bel_rb) : ring_buffer__consume(r->lb_rb);
}

/* The ring buffer's poll, or the perf buffer's (libbpf's returns the rings it read, not the
 * records: callers count records in the sink). */
static int reader_poll(struct reader *r, int timeout_ms)
{
	if (r->bel_rb)
		return bel_ringbuf_poll(r->bel_rb, timeout_ms);
	if (r->lb_rb)
		return ring_buffer__poll(r->lb_rb, timeout_ms);
	if (r->bel_pb)
		return bel_perfbuf_poll(r->bel_pb, timeout_ms);
	return perf_buffer__poll(r->lb_pb, timeout_ms);
}

static void check(int ret, const struct reader *r, const char *what)
{
	char why[1200];

	if (ret >= 0)
		return;
	snprintf(why, sizeof(why), "%s", r->which == BEL ? bel_thread_error() : strerror(-ret));
	fprintf(stderr, "bel-bench-events: %s %s: %d (%s)\n", reader_names[r->which], what, ret,
		why);
	exit(1);
}

/* Read `want` records that are already in the ring; returns the CPU nanoseconds it took. */
static uint64_t timed_read(struct reader *r, uint64_t want)
{
	uint64_t start = r->sink.records, t0 = cpu_ns();
	int idle = 0;

	while (r->sink.records - start < want) {
		int ret = r->perf ? reader_poll(r, 100) : reader_consume(r);

		check(ret, r, "read");
		if (ret == 0 && ++idle > 50)
			die("read", "records went missing");
	}
	return cpu_ns() - t0;
}

struct producer {
	int prog;
	uint64_t records;
	int status;
	int done;
};

static void *producer_main(void *arg)
{
	struct producer *p = arg;
	uint64_t made;

	for (made = 0; made < p->records && !p->status; made += 1000)
		p->status = produce(p->prog, 1000);
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Poll while a producer thread writes `records`; records/s over the producer's run until the
 * last record read, and what never arrived. */
static double threaded_read(struct reader *r, const struct maps *m, uint64_t records,
			    uint64_t *missing, double *cpu_per_record)
{
	struct producer p = {.prog = r->perf ? m->perf_prog : m->ring_prog, .records = records};
	uint64_t start = r->sink.records, lost0 = r->sink.lost, drops0 = stat_of(m, STAT_BENCH_DROPS);
	uint64_t t0, t_last, c0, c_last, got;
	pthread_t thread;
	int idle = 0;

	t0 = now_ns();
	t_last = t0;
	c0 = cpu_ns();
	c_last = c0;
	if (pthread_create(&thread, NULL, producer_main, &p))
		die("producer thread", strerror(errno));
	for (;;) {
		bool done = __atomic_load_n(&p.done, __ATOMIC_ACQUIRE);
		int ret = reader_poll(r, done ? 0 : 100);

		check(ret, r, "poll");
		if (ret > 0) {
			t_last = now_ns();
			c_last = cpu_ns();
		}
		if (done && ret == 0 && ++idle > 3)
			break;
	}
	pthread_join(thread, NULL);
	if (p.status)
		die("producer", strerror(-p.status));
	got = r->sink.records - start;
	*missing = (r->sink.lost - lost0) + (stat_of(m, STAT_BENCH_DROPS) - drops0);
	*cpu_per_record = got ? (double)(c_last - c0) / (double)got : 0;
	return (double)got / ((double)(t_last - t0) / 1e9);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
	double *s = malloc((size_t)n * sizeof(*s));
	double m;

	if (!s)
		die("median", "out of memory");
	memcpy(s, v, (size_t)n * sizeof(*s));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

struct result {
	const char *reader, *mode;
	uint64_t records;
	double *rate[2];          /* records/s per round, per library */
	double *cpu[2];           /* thread mode: the reader's CPU ns per record, per round */
	uint64_t missing[2];      /* thread mode: dropped or lost, all rounds */
};

static void set_row(struct result *res, const char *reader, const char *mode, uint64_t records)
{
	res->reader = reader;
	res->mode = mode;
	res->records = records;
}

static void print_row(const struct result *res, int rounds)
{
	double lo = 1e300, hi = 0, ratio;
	int i;

	for (i = 0; i < rounds; i++) {
		ratio = res->rate[BEL][i] / res->rate[LIBBPF][i];
		lo = ratio < lo ? ratio : lo;
		hi = ratio > hi ? ratio : hi;
	}
	printf("| %s | %s | %llu | %.2f | %.2f | **%.2f** | %.2f–%.2f |", res->reader, res->mode,
	       (unsigned long long)res->records, median(res->rate[BEL], rounds) / 1e6,
	       median(res->rate[LIBBPF], rounds) / 1e6,
	       median(res->rate[BEL], rounds) / median(res->rate[LIBBPF], rounds), lo, hi);
	if (!strcmp(res->mode, "thread"))
		printf(" reader CPU %.0f / %.0f ns a record; dropped or lost %llu / %llu |\n",
		       median(res->cpu[BEL], rounds), median(res->cpu[LIBBPF], rounds),
		       (unsigned long long)res->missing[BEL], (unsigned long long)res->missing[LIBBPF]);
	else
		printf(" |\n");
}

static void pin_to_first_cpu(cpu_set_t *saved)
{
	cpu_set_t one;
	int cpu;

	if (sched_getaffinity(0, sizeof(*saved), saved))
		die("sched_getaffinity", strerror(errno));
	for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, saved); cpu++)
		;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		die("sched_setaffinity", strerror(errno));
}

/*
 * The first passes of a reader over a ring it has just mapped are several times slower than
 * the later ones, whichever the library (fresh mappings, caches, TLB): the rounds measure the
 * steady state, after the reader has been twice through its whole ring untimed.
 */
static void warm_up(struct reader *r, const struct maps *m, const struct options *o,
		    uint64_t per_pass)
{
	/* 16-byte records: 24 bytes in a ring buffer, 32 in a perf ring (header, size, data) */
	uint64_t ring_bytes = r->perf ? o->pages * (uint64_t)sysconf(_SC_PAGESIZE) : m->ring_size;
	uint64_t pass_bytes = per_pass * (r->perf ? 32 : 24), done;
	int prog = r->perf ? m->perf_prog : m->ring_prog;

	for (done = 0; done < 2 * ring_bytes; done += pass_bytes) {
		int ret = produce(prog, (uint32_t)per_pass);

		if (ret)
			die("test run", strerror(-ret));
		timed_read(r, per_pass);
	}
}

static void run_batch(const struct maps *m, const struct options *o, bool perf,
		      struct result *res)
{
	struct reader readers[2];
	uint64_t want = perf ? o->perf_records : o->ring_records;
	cpu_set_t saved;
	int round, k;

	pin_to_first_cpu(&saved);
	/* Ring readers share the ring, so both stay open; a perf buffer owns the map's slots, so
	 * each round opens the one whose turn it is. */
	if (!perf)
		for (k = 0; k < 2; k++) {
			reader_open(&readers[k], k, false, m, 0);
			warm_up(&readers[k], m, o, want);
		}
	for (round = 0; round < o->rounds; round++) {
		for (k = 0; k < 2; k++) {
			int which = (round + k) % 2;
			struct reader *r = &readers[which];
			int ret;

			if (perf) {
				reader_open(r, which, true, m, o->pages);
				warm_up(r, m, o, want);
			}
			ret = produce(perf ? m->perf_prog : m->ring_prog, (uint32_t)want);
			if (ret)
				die("test run", strerror(-ret));
			res->rate[which][round] = (double)want / ((double)timed_read(r, want) / 1e9);
			if (o->verbose)
				fprintf(stderr, "%s batch round %d %s: %.2f Mrec/s\n", res->reader,
					round, reader_names[which], res->rate[which][round] / 1e6);
			if (r->sink.lost)
				die("batch", "the kernel lost samples: use more pages (-P) or fewer records (-p)");
			if (perf)
				reader_close(r);
		}
	}
	if (!perf)
		for (k = 0; k < 2; k++)
			reader_close(&readers[k]);
	if (stat_of(m, STAT_BENCH_DROPS))
		die("batch", "the ring was full: fewer records (-r)");
	sched_setaffinity(0, sizeof(saved), &saved);
}

/*
 * The ring buffer's records read again and again by both readers: the consumer position is
 * put back after each read, so both read the same records in the same (cached) memory, and
 * what differs is the readers' own work per record.
 */
static void run_reread(const struct maps *m, const struct options *o, struct result *res)
{
	long page = sysconf(_SC_PAGESIZE);
	struct reader readers[2];
	unsigned long *consumer_pos, start;
	cpu_set_t saved;
	int round, k, ret;

	pin_to_first_cpu(&saved);
	consumer_pos = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, m->ring, 0);
	if (consumer_pos == MAP_FAILED)
		die("mmap of the consumer page", strerror(errno));
	for (k = 0; k < 2; k++) {
		reader_open(&readers[k], k, false, m, 0);
		warm_up(&readers[k], m, o, o->ring_records);
	}
	ret = produce(m->ring_prog, o->ring_records);
	if (ret)
		die("test run", strerror(-ret));
	start = *consumer_pos;
	for (round = -2; round < o->rounds; round++) {
		for (k = 0; k < 2; k++) {
			int which = (round + 2 + k) % 2;
			uint64_t ns;

			*consumer_pos = start;
			ns = timed_read(&readers[which], o->ring_records);
			if (round >= 0) /* two rounds to bring the records into the caches */
				res->rate[which][round] = (double)o->ring_records / ((double)ns / 1e9);
		}
	}
	for (k = 0; k < 2; k++)
		reader_close(&readers[k]);
	munmap(consumer_pos, (size_t)page);
	sched_setaffinity(0, sizeof(saved), &saved);
}

static void run_thread(const struct maps *m, const struct options *o, bool perf,
		       struct result *res)
{
	struct reader r;
	int round, k;

	for (round = 0; round < o->rounds; round++) {
		for (k = 0; k < 2; k++) {
			int which = (round + k) % 2;
			uint64_t missing;

			reader_open(&r, which, perf, m, o->pages);
			res->rate[which][round] = threaded_read(&r, m, o->thread_records, &missing,
								&res->cpu[which][round]);
			if (o->verbose)
				fprintf(stderr, "%s thread round %d %s: %.3f Mrec/s, reader %.0f ns "
					"CPU a record\n", res->reader, round, reader_names[which],
					res->rate[which][round] / 1e6, res->cpu[which][round]);
			res->missing[which] += missing;
			reader_close(&r);
		}
	}
}

static int map_fd(struct bel_object *obj, const char *name)
{
	struct bel_map *map = bel_object_find_map(obj, name);

	if (!map || bel_map_fd(map) < 0)
		die(name, "no such map in the object");
	return bel_map_fd(map);
}

static int prog_fd(struct bel_object *obj, const char *name)
{
	struct bel_program *p = bel_object_find_program(obj, name);

	if (!p || bel_program_fd(p) < 0)
		die(name, "no such program in the object");
	return bel_program_fd(p);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bel-bench-events [-o OBJECT] [-n ROUNDS] [-r RING_RECORDS] [-p PERF_RECORDS]\n"
		"                        [-P PAGES_PER_CPU] [-t THREAD_RECORDS] [-m batch|reread|thread|all]\n"
		"                        [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct options o = {.object = BEL_EVENTS_OBJECT, .rounds = 31, .ring_records = 200000,
			    .perf_records = 100000, .thread_records = 50000, .pages = 1024,
			    .batch = true, .thread = true, .reread = true};
	struct result results[NRESULTS];
	struct utsname uts;
	double load[3] = {0, 0, 0};
	struct maps m;
	int c, i, nres = 0;

	while ((c = getopt(argc, argv, "o:n:r:p:P:t:m:vh")) != -1) {
		switch (c) {
		case 'o': o.object = optarg; break;
		case 'n': o.rounds = atoi(optarg); break;
		case 'r': o.ring_records = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'p': o.perf_records = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'P': o.pages = strtoul(optarg, NULL, 0); break;
		case 't': o.thread_records = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'v': o.verbose = true; break;
		case 'm':
			o.batch = !strcmp(optarg, "batch") || !strcmp(optarg, "all");
			o.thread = !strcmp(optarg, "thread") || !strcmp(optarg, "all");
			o.reread = !strcmp(optarg, "reread") || !strcmp(optarg, "all");
			if (!o.batch && !o.thread && !o.reread)
				usage();
			break;
		default: usage();
		}
	}
	if (o.rounds < 1 || !o.ring_records || !o.perf_records || !o.thread_records)
		usage();

	if (bel_object_open_file(o.object, NULL, &m.obj))
		die(o.object, bel_thread_error());
	if (bel_object_load(m.obj, NULL))
		die(o.object, bel_object_last_error(m.obj));
	m.ring = map_fd(m.obj, "ring_big");
	m.ring_size = bel_map_max_entries(bel_object_find_map(m.obj, "ring_big"));
	m.perf = map_fd(m.obj, "perf_events");
	m.stats = map_fd(m.obj, "stats");
	m.ring_prog = prog_fd(m.obj, "ring_bench");
	m.perf_prog = prog_fd(m.obj, "perf_bench");

	for (i = 0; i < NRESULTS; i++) {
		results[i].rate[BEL] = calloc((size_t)o.rounds, sizeof(double));
		results[i].rate[LIBBPF] = calloc((size_t)o.rounds, sizeof(double));
		results[i].cpu[BEL] = calloc((size_t)o.rounds, sizeof(double));
		results[i].cpu[LIBBPF] = calloc((size_t)o.rounds, sizeof(double));
		results[i].missing[BEL] = results[i].missing[LIBBPF] = 0;
		if (!results[i].rate[BEL] || !results[i].rate[LIBBPF] || !results[i].cpu[BEL] ||
		    !results[i].cpu[LIBBPF])
			die("results", "out of memory");
	}
	if (o.batch) {
		set_row(&results[nres], "ring buffer", "batch", o.ring_records);
		run_batch(&m, &o, false, &results[nres++]);
		set_row(&results[nres], "perf buffer", "batch", o.perf_records);
		run_batch(&m, &o, true, &results[nres++]);
	}
	if (o.reread) {
		set_row(&results[nres], "ring buffer", "reread", o.ring_records);
		run_reread(&m, &o, &results[nres++]);
	}
	if (o.thread) {
		set_row(&results[nres], "ring buffer", "thread", o.thread_records);
		run_thread(&m, &o, false, &results[nres++]);
		set_row(&results[nres], "perf buffer", "thread", o.thread_records);
		run_thread(&m, &o, true, &results[nres++]);
	}

	uname(&uts);
	if (getloadavg(load, 3) < 0)
		load[0] = -1;
	printf("## bel-bench-events: %s, %ld CPUs online, load average %.2f; %d rounds, "
	       "16-byte records, perf rings of %zu pages per CPU\n\n", uts.release,
	       sysconf(_SC_NPROCESSORS_ONLN), load[0], o.rounds, o.pages);
	printf("| reader | mode | records per round | bel Mrec/s (median) | libbpf Mrec/s (median) "
	       "| bel/libbpf | per-round bel/libbpf | notes (bel / libbpf) |\n");
	printf("| --- | --- | ---: | ---: | ---: | ---: | --- | --- |\n");
	for (i = 0; i < nres; i++)
		print_row(&results[i], o.rounds);
	for (i = 0; i < NRESULTS; i++) {
		free(results[i].rate[BEL]);
		free(results[i].rate[LIBBPF]);
		free(results[i].cpu[BEL]);
		free(results[i].cpu[LIBBPF]);
	}
	bel_object_close(m.obj);
	return 0;
}
