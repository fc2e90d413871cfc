// SPDX-License-Identifier: GPL-2.0
/*
 * events.bpf.c - producers for bel's ring buffer and perf buffer readers (tests/test_events.c,
 * tests/bench/bench_events.c). XDP programs, so BPF_PROG_TEST_RUN can run them `repeat` times.
 *
 * Every record carries a sequence number taken from stats[STAT_SEQ] (stats[STAT_BENCH_SEQ] for
 * the benchmark producers) and a payload the reader can check byte by byte:
 *
 *   __u64 seq; then __u64 words w[j] = seq * PATTERN_MUL + j for j = 1..., cut to `len` bytes.
 *
 * `len` is config.ring_len / config.perf_len, or, when that is 0, a function of seq (the
 * reader computes the same): ring 12..72 bytes, perf 12..311 bytes, mostly not multiples of 8.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#define MAX_WORDS 256 /* 2048 bytes: payloads of up to 2047 */
#define LEN_MASK (MAX_WORDS * 8 - 1) /* what the verifier needs to see the length bounded */
#define PATTERN_MUL 0x9E3779B97F4A7C15ull

enum { TARGET_RING_A = 1, TARGET_RING_B = 2 };
enum { STAT_SEQ, STAT_DROPS_A, STAT_DROPS_B, STAT_BENCH_SEQ, STAT_BENCH_DROPS, STAT_MAX };

struct config {
	__u32 targets;       /* ring_produce: TARGET_* */
	__u32 discard_every; /* ring_produce: records with seq % n == 0 are reserved, then
				discarded; 0: none */
	__u32 ring_len;      /* ring_produce payload bytes, 8..2047; 0: by seq */
	__u32 perf_len;      /* perf_produce payload bytes, 8..2047; 0: by seq */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct config);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct payload {
	__u64 w[MAX_WORDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct payload);
} scratch SEC(".maps");

/* One page: small enough that the tests wrap it many times. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} ring_a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16384);
} ring_b SEC(".maps");

/* The benchmark's ring: room for its rounds without drops. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} ring_big SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

static __u64 *stat(__u32 i)
{
	return bpf_map_lookup_elem(&stats, &i);
}

/* The next sequence number. Producers run one at a time (BPF_PROG_TEST_RUN from one thread),
 * so a plain increment will do, and it needs no BPF_FETCH atomics (-mcpu=v3). */
static __u64 next_seq(__u64 *seqp)
{
	__u64 seq = *seqp;

	*seqp = seq + 1;
	return seq;
}

/* Fill words 1.. of the payload up to len bytes. */
static void fill(struct payload *p, __u64 seq, __u32 len)
{
	__u32 j;

	p->w[0] = seq;
	for (j = 1; j < MAX_WORDS; j++) {
		if (j * 8 >= len)
			break;
		p->w[j] = seq * PATTERN_MUL + j;
	}
}

static int discard_one(void *ring, __u64 seq)
{
	__u64 *rec = bpf_ringbuf_reserve(ring, 24, 0);

	if (!rec)
		return -1;
	rec[0] = seq;
	bpf_ringbuf_discard(rec, 0);
	return 0;
}

SEC("xdp")
int ring_produce(struct xdp_md *ctx)
{
	__u32 zero = 0, len;
	struct config *cfg = bpf_map_lookup_elem(&config, &zero);
	struct payload *p = bpf_map_lookup_elem(&scratch, &zero);
	__u64 *seqp = stat(STAT_SEQ), *drops_a = stat(STAT_DROPS_A), *drops_b = stat(STAT_DROPS_B);
	__u64 seq;

	if (!cfg || !p || !seqp || !drops_a || !drops_b)
		return XDP_ABORTED;
	seq = next_seq(seqp);
	if (cfg->discard_every && seq % cfg->discard_every == 0) {
		if ((cfg->targets & TARGET_RING_A) && discard_one(&ring_a, seq))
			__sync_fetch_and_add(drops_a, 1);
		if ((cfg->targets & TARGET_RING_B) && discard_one(&ring_b, seq))
			__sync_fetch_and_add(drops_b, 1);
		return XDP_PASS;
	}
	len = cfg->ring_len ? cfg->ring_len : 12 + (__u32)((seq * 13) % 61);
	if (len < 8 || len > LEN_MASK)
		return XDP_ABORTED;
	fill(p, seq, len);
	if ((cfg->targets & TARGET_RING_A) && bpf_ringbuf_output(&ring_a, p, len & LEN_MASK, 0))
		__sync_fetch_and_add(drops_a, 1);
	if ((cfg->targets & TARGET_RING_B) && bpf_ringbuf_output(&ring_b, p, len & LEN_MASK, 0))
		__sync_fetch_and_add(drops_b, 1);
	return XDP_PASS;
}

SEC("xdp")
int perf_produce(struct xdp_md *ctx)
{
	__u32 zero = 0, len;
	struct config *cfg = bpf_map_lookup_elem(&config, &zero);
	struct payload *p = bpf_map_lookup_elem(&scratch, &zero);
	__u64 *seqp = stat(STAT_SEQ);
	__u64 seq;

	if (!cfg || !p || !seqp)
		return XDP_ABORTED;
	seq = next_seq(seqp);
	len = cfg->perf_len ? cfg->perf_len : 12 + (__u32)((seq * 37) % 300);
	if (len < 8 || len > LEN_MASK)
		return XDP_ABORTED;
	fill(p, seq, len);
	/* a full ring is the kernel's to count: it reports lost samples to the reader */
	bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, p, len & LEN_MASK);
	return XDP_PASS;
}

/* The benchmark's records: 16 bytes, the size of a small event. */
struct bench_record {
	__u64 seq;
	__u64 value;
};

SEC("xdp")
int ring_bench(struct xdp_md *ctx)
{
	__u64 *seqp = stat(STAT_BENCH_SEQ), *drops = stat(STAT_BENCH_DROPS);
	struct bench_record *r;

	if (!seqp || !drops)
		return XDP_ABORTED;
	r = bpf_ringbuf_reserve(&ring_big, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(drops, 1);
		return XDP_PASS;
	}
	r->seq = next_seq(seqp);
	r->value = r->seq * PATTERN_MUL;
	bpf_ringbuf_submit(r, 0);
	return XDP_PASS;
}

SEC("xdp")
int perf_bench(struct xdp_md *ctx)
{
	__u64 *seqp = stat(STAT_BENCH_SEQ);
	struct bench_record r;

	if (!seqp)
		return XDP_ABORTED;
	r.seq = next_seq(seqp);
	r.value = r.seq * PATTERN_MUL;
	bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, &r, sizeof(r));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
