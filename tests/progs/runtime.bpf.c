// SPDX-License-Identifier: GPL-2.0
/*
 * runtime.bpf.c - what user space does around a load: configuration in .rodata set before load,
 * counters in .bss and .data read and written while programs run, maps of every common kind
 * for element calls, and programs driven by BPF_PROG_TEST_RUN.
 *
 *   xdp_verdict  returns a verdict chosen by the packet's first byte (0x01 drop, 0x02 tx, 0x03
 *                drop only when cfg_on, else pass), counts packets in .bss and writes the
 *                configuration it was loaded with into `seen`, so a test can tell the program
 *                runs with the configured values.
 *   tc_count     counts packets per-CPU and by the byte at offset 12 in a hash map.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/types.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

struct cfg {
	__u32 a;
	__u16 b;
	char c;
};

/* Configuration: set before load. */
const volatile __s32 cfg_int = 7;
const volatile bool cfg_on = false;
const volatile char cfg_name[16] = "default";
const volatile struct cfg cfg_struct = {.a = 1, .b = 2, .c = 'x'};

/* Counters: read (and written) by user space while programs run. */
__u64 packets;
__u64 drops;
__s32 data_bias = 100;
static __u32 hidden_counter; /* a static variable: listed, not global */

struct seen {
	__s32 cfg_int;
	__u32 cfg_on;
	char cfg_name[16];
	struct cfg cfg_struct;
	__s32 data_bias;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct seen);
} seen SEC(".maps");

/* For element calls from user space. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} by_byte SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u32);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u32);
} percpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} percpu_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} plain_array SEC(".maps");

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
};

struct inner inner_a SEC(".maps");
struct inner inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = {[0] = &inner_a},
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} small_ring SEC(".maps");

SEC("xdp")
int xdp_verdict(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct seen *s;
	__u32 zero = 0;
	__u8 first;

	packets++;
	hidden_counter++;
	s = bpf_map_lookup_elem(&seen, &zero);
	if (s) {
		s->cfg_int = cfg_int;
		s->cfg_on = cfg_on;
		/* byte by byte: a memcpy that casts volatile away lets clang fold the initializer */
		for (int i = 0; i < (int)sizeof(s->cfg_name); i++)
			s->cfg_name[i] = cfg_name[i];
		s->cfg_struct.a = cfg_struct.a;
		s->cfg_struct.b = cfg_struct.b;
		s->cfg_struct.c = cfg_struct.c;
		s->data_bias = data_bias;
	}
	if (data + 1 > end)
		return XDP_ABORTED;
	first = *(__u8 *)data;
	if (first == 0x01) {
		drops++;
		return XDP_DROP;
	}
	if (first == 0x02)
		return XDP_TX;
	if (first == 0x03 && cfg_on) {
		drops++;
		return XDP_DROP;
	}
	return XDP_PASS;
}

SEC("tc")
int tc_count(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u32 zero = 0, key;
	__u64 *n, one = 1;

	n = bpf_map_lookup_elem(&percpu_count, &zero);
	if (n)
		(*n)++;
	if (data + 13 > end)
		return TC_ACT_OK;
	key = *(__u8 *)(data + 12);
	n = bpf_map_lookup_elem(&by_byte, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&by_byte, &key, &one, BPF_NOEXIST);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
