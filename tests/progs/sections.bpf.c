// SPDX-License-Identifier: GPL-2.0
/*
 * sections.bpf.c - one program per section name, for the program types that
 * load without an attach target. The loader must derive prog_type and
 * expected_attach_type from the section name (see README.md for the table).
 * Each program bumps its own slot in a shared array so that every program
 * also carries a map relocation.
 */
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <linux/types.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

enum {
	S_KPROBE, S_KRETPROBE, S_TRACEPOINT, S_TP, S_RAW_TRACEPOINT, S_RAW_TP,
	S_XDP, S_TC, S_CLASSIFIER, S_SOCKET, S_CGSKB_IN, S_CGSKB_OUT,
	S_SOCK_CREATE, S_CONNECT4, S_SYSCTL, S_DEV, S_SOCKOPS, S_SK_MSG,
	S_SK_SKB, S_PERF_EVENT, S_FLOW_DISSECTOR, S_SK_LOOKUP,
	S_MAX,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, S_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline void bump(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("kprobe/do_unlinkat")
int on_kprobe(struct pt_regs *ctx)
{
	bump(S_KPROBE);
	return 0;
}

SEC("kretprobe/do_unlinkat")
int on_kretprobe(struct pt_regs *ctx)
{
	bump(S_KRETPROBE);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int on_tracepoint(void *ctx)
{
	bump(S_TRACEPOINT);
	return 0;
}

SEC("tp/sched/sched_process_exec")
int on_tp(void *ctx)
{
	bump(S_TP);
	return 0;
}

SEC("raw_tracepoint/sched_switch")
int on_raw_tracepoint(struct bpf_raw_tracepoint_args *ctx)
{
	bump(S_RAW_TRACEPOINT);
	return 0;
}

SEC("raw_tp/sys_enter")
int on_raw_tp(struct bpf_raw_tracepoint_args *ctx)
{
	bump(S_RAW_TP);
	return 0;
}

SEC("xdp")
int on_xdp(struct xdp_md *ctx)
{
	bump(S_XDP);
	return XDP_PASS;
}

SEC("tc")
int on_tc(struct __sk_buff *skb)
{
	bump(S_TC);
	return 0; /* TC_ACT_OK */
}

SEC("classifier")
int on_classifier(struct __sk_buff *skb)
{
	bump(S_CLASSIFIER);
	return 0;
}

SEC("socket")
int on_socket(struct __sk_buff *skb)
{
	bump(S_SOCKET);
	return skb->len;
}

SEC("cgroup_skb/ingress")
int on_cgskb_ingress(struct __sk_buff *skb)
{
	bump(S_CGSKB_IN);
	return 1; /* allow */
}

SEC("cgroup_skb/egress")
int on_cgskb_egress(struct __sk_buff *skb)
{
	bump(S_CGSKB_OUT);
	return 1;
}

SEC("cgroup/sock_create")
int on_sock_create(struct bpf_sock *sk)
{
	bump(S_SOCK_CREATE);
	return 1;
}

SEC("cgroup/connect4")
int on_connect4(struct bpf_sock_addr *ctx)
{
	bump(S_CONNECT4);
	return 1;
}

SEC("cgroup/sysctl")
int on_sysctl(struct bpf_sysctl *ctx)
{
	bump(S_SYSCTL);
	return 1;
}

SEC("cgroup/dev")
int on_dev(struct bpf_cgroup_dev_ctx *ctx)
{
	bump(S_DEV);
	return 1;
}

SEC("sockops")
int on_sockops(struct bpf_sock_ops *ctx)
{
	bump(S_SOCKOPS);
	return 1;
}

SEC("sk_msg")
int on_sk_msg(struct sk_msg_md *msg)
{
	bump(S_SK_MSG);
	return SK_PASS;
}

SEC("sk_skb/stream_verdict")
int on_sk_skb_verdict(struct __sk_buff *skb)
{
	bump(S_SK_SKB);
	return SK_PASS;
}

SEC("perf_event")
int on_perf_event(struct bpf_perf_event_data *ctx)
{
	bump(S_PERF_EVENT);
	return 0;
}

SEC("flow_dissector")
int on_flow_dissector(struct __sk_buff *skb)
{
	bump(S_FLOW_DISSECTOR);
	return BPF_OK;
}

SEC("sk_lookup")
int on_sk_lookup(struct bpf_sk_lookup *ctx)
{
	bump(S_SK_LOOKUP);
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
