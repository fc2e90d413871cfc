// SPDX-License-Identifier: GPL-2.0
/*
 * cilium_style.bpf.c - what Go agents built on cilium/ebpf (bpf2go) ship: section names that
 * cilium/ebpf matches by prefix and libbpf does not know ("socket1", "xdp_drop", "tc_ingress",
 * "perf_event/cycles", "sk_lookup/steer", "lwt_in_x"), a perf event array declared with a value
 * type and no sizes, a ring buffer with a value type (both only there for bpf2go to generate Go
 * types). libbpf 1.1 refuses the object (unknown sections); cilium/ebpf and bel load it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event {
	__u32 pid;
	__u32 len;
	__u64 ts;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__type(value, struct event);
} perf_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
	__type(value, struct event);
} ring_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline void count(__u32 i)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &i);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("socket1")
int sock_count(struct __sk_buff *skb)
{
	count(0);
	return 0;
}

SEC("xdp_drop")
int xdp_count(struct xdp_md *ctx)
{
	struct event e = {.len = ctx->data_end - ctx->data};

	count(1);
	bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return XDP_PASS;
}

SEC("tc_ingress")
int tc_count(struct __sk_buff *skb)
{
	struct event *e = bpf_ringbuf_reserve(&ring_events, sizeof(*e), 0);

	count(2);
	if (e) {
		e->len = skb->len;
		bpf_ringbuf_submit(e, 0);
	}
	return 0;
}

SEC("perf_event/cycles")
int perf_count(void *ctx)
{
	count(3);
	return 0;
}

SEC("sk_lookup/steer")
int lookup_count(struct bpf_sk_lookup *ctx)
{
	count(4);
	return SK_PASS;
}

SEC("lwt_in_x")
int lwt_count(struct __sk_buff *skb)
{
	count(5);
	return BPF_OK;
}

char LICENSE[] SEC("license") = "GPL";
