// SPDX-License-Identifier: GPL-2.0
/*
 * maps.bpf.c - BTF-defined maps of many kinds, each used by some program.
 *
 * Covers: hash, array, percpu_hash, percpu_array, lru_hash / lru_percpu_hash
 * with map_flags, hash with BPF_F_NO_PREALLOC, ringbuf, perf_event_array
 * (key_size/value_size via __uint, max_entries 0 -> nr CPUs), a map with
 * key_size/value_size given by __uint instead of __type, a bloom filter with
 * map_extra, a queue and a stack (no key), a prog array with initial values
 * (tail-call targets in the same object), and array_of_maps / hash_of_maps
 * with an inner map definition and an initial value naming another map.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct event {
	__u32 pid;
	__u32 kind;
	__u64 value;
};

/* --- plain maps ---------------------------------------------------------- */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u64);
} hash_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct event);
} array_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} percpu_hash_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} percpu_array_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, __u64);
	__type(value, __u64);
} lru_hash_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, __u32);
	__type(value, __u32);
} lru_percpu_hash_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u32);
} noprealloc_hash_map SEC(".maps");

/* key/value sizes given as plain numbers: no BTF key/value type */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__uint(key_size, 8);
	__uint(value_size, 16);
} sized_hash_map SEC(".maps");

/* --- event output maps --------------------------------------------------- */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096 * 4);
} ringbuf_map SEC(".maps");

/* max_entries left out: the loader sets it to the number of possible CPUs */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_map SEC(".maps");

/* --- keyless maps ------------------------------------------------------- */

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 64);
	__uint(map_extra, 3); /* number of hash functions */
	__type(value, __u32);
} bloom_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 32);
	__type(value, __u64);
} queue_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 32);
	__type(value, __u32);
} stack_map SEC(".maps");

/* --- map in map ---------------------------------------------------------- */

struct inner_def {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
};

/* two maps compatible with inner_def, stored in the outer maps below */
struct inner_def inner_a SEC(".maps");
struct inner_def inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_def);
} outer_array SEC(".maps") = {
	.values = { [0] = &inner_a },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_def);
} outer_hash SEC(".maps") = {
	.values = { [0] = &inner_b },
};

/* --- prog array with initial values ------------------------------------- */

SEC("socket")
int tail_zero(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 one = 1;

	bpf_map_update_elem(&hash_map, &key, &one, BPF_ANY);
	return 0;
}

SEC("socket")
int tail_two(struct __sk_buff *skb)
{
	__u32 key = 2;
	__u64 *v = bpf_map_lookup_elem(&hash_map, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	return skb->len;
}

/*
 * Deliberately uses __type(key, ...): the kernel refuses BTF key/value type
 * ids for prog arrays (map_check_no_btf -> EINVAL), so a loader must drop
 * them for this map type (libbpf 1.1 logs "Error in
 * bpf_create_map_xattr(jump_table) ... Retrying without BTF" and retries).
 * The slots are filled after the programs are loaded; the kernel empties a
 * prog array when its last user-space reference goes away, so inspect it
 * while the loader still holds it (or with loadall ... pinmaps DIR).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int (void *));
} jump_table SEC(".maps") = {
	.values = {
		[0] = (void *)&tail_zero,
		[2] = (void *)&tail_two,
	},
};

/* --- programs ------------------------------------------------------------ */

/* socket filter: hash + array + tail call through the prog array */
SEC("socket")
int sock_dispatch(struct __sk_buff *skb)
{
	__u32 idx = skb->len & 1 ? 2 : 0;
	struct event *e;
	__u32 key = 0;

	e = bpf_map_lookup_elem(&array_map, &key);
	if (e)
		e->value++;

	bpf_tail_call(skb, &jump_table, idx);
	return 0; /* tail call failed */
}

/* xdp: per-cpu maps, bloom filter, queue, stack, sized hash */
SEC("xdp")
int xdp_percpu(struct xdp_md *ctx)
{
	__u32 key = ctx->ingress_ifindex & 3;
	__u64 init = 1, *cnt;
	__u32 val = key;
	__u64 qv = 7;
	__u8 skey[8] = {}, sval[16] = {};

	cnt = bpf_map_lookup_elem(&percpu_array_map, &key);
	if (cnt)
		(*cnt)++;

	cnt = bpf_map_lookup_elem(&percpu_hash_map, &key);
	if (cnt)
		(*cnt)++;
	else
		bpf_map_update_elem(&percpu_hash_map, &key, &init, BPF_NOEXIST);

	if (bpf_map_peek_elem(&bloom_map, &val) != 0)
		bpf_map_push_elem(&bloom_map, &val, BPF_ANY);

	bpf_map_push_elem(&queue_map, &qv, BPF_EXIST);
	bpf_map_pop_elem(&stack_map, &val);

	bpf_map_update_elem(&sized_hash_map, skey, sval, BPF_ANY);
	return XDP_PASS;
}

/* tc: LRU maps, no-prealloc hash and map-in-map lookups */
SEC("tc")
int tc_lru(struct __sk_buff *skb)
{
	__u64 k64 = skb->hash, v64 = skb->len;
	__u32 k32 = skb->ifindex, v32 = 1;
	__u32 zero = 0, *p;
	__u64 *inner_val;
	void *inner;

	bpf_map_update_elem(&lru_hash_map, &k64, &v64, BPF_ANY);
	bpf_map_update_elem(&lru_percpu_hash_map, &k32, &v32, BPF_ANY);

	p = bpf_map_lookup_elem(&noprealloc_hash_map, &k32);
	if (p)
		__sync_fetch_and_add(p, 1);
	else
		bpf_map_update_elem(&noprealloc_hash_map, &k32, &v32, BPF_NOEXIST);

	inner = bpf_map_lookup_elem(&outer_array, &zero);
	if (inner) {
		inner_val = bpf_map_lookup_elem(inner, &zero);
		if (inner_val)
			__sync_fetch_and_add(inner_val, 1);
	}

	inner = bpf_map_lookup_elem(&outer_hash, &zero);
	if (inner) {
		inner_val = bpf_map_lookup_elem(inner, &zero);
		if (inner_val)
			__sync_fetch_and_add(inner_val, 1);
	}
	return 0; /* TC_ACT_OK */
}

/* kprobe: ringbuf reserve/submit + ringbuf output + perf event output */
SEC("kprobe/do_unlinkat")
int BPF_KPROBE(kprobe_events, int dfd)
{
	struct event *e, ev = {};

	ev.pid = bpf_get_current_pid_tgid() >> 32;
	ev.kind = 1;
	ev.value = dfd;

	e = bpf_ringbuf_reserve(&ringbuf_map, sizeof(*e), 0);
	if (e) {
		*e = ev;
		bpf_ringbuf_submit(e, 0);
	}
	bpf_ringbuf_output(&ringbuf_map, &ev, sizeof(ev), 0);
	bpf_perf_event_output(ctx, &perf_map, BPF_F_CURRENT_CPU, &ev, sizeof(ev));
	return 0;
}

/* a second user of inner_b directly (not through the outer map) */
SEC("kprobe/do_unlinkat")
int kprobe_inner_direct(struct pt_regs *ctx)
{
	__u32 key = 1;
	__u64 *v = bpf_map_lookup_elem(&inner_b, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	v = bpf_map_lookup_elem(&inner_a, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
