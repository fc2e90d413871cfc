// SPDX-License-Identifier: GPL-2.0
/*
 * struct_ops.bpf.c - a TCP congestion control written as struct_ops: Reno through the kernel's
 * tcp_reno_* kfuncs, counting its calls. Built twice: SEC(".struct_ops") (registered by the map
 * update; libbpf 1.1 knows this one) and, with -DLINK, SEC(".struct_ops.link") (registered
 * through a BPF link, Linux 6.4). The struct declares only the members it sets: loaders match
 * them to the kernel's struct tcp_congestion_ops by name.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* a struct, not a forward declaration: libbpf checks kfunc prototypes against the kernel's,
 * where a forward declaration is not the kernel's struct sock */
struct sock {
	__u64 opaque;
};

struct tcp_congestion_ops {
	__u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
	__u32 (*undo_cwnd)(struct sock *sk);
	void (*init)(struct sock *sk);
	char name[16];
};

extern __u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;
extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;

__u64 inits, acks;

SEC("struct_ops/bel_cc_init")
void BPF_PROG(bel_cc_init, struct sock *sk)
{
	__sync_fetch_and_add(&inits, 1);
}

SEC("struct_ops/bel_cc_ssthresh")
__u32 BPF_PROG(bel_cc_ssthresh, struct sock *sk)
{
	return tcp_reno_ssthresh(sk);
}

SEC("struct_ops/bel_cc_cong_avoid")
void BPF_PROG(bel_cc_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	__sync_fetch_and_add(&acks, 1);
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops/bel_cc_undo_cwnd")
__u32 BPF_PROG(bel_cc_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

#ifdef LINK
SEC(".struct_ops.link")
#else
SEC(".struct_ops")
#endif
struct tcp_congestion_ops bel_cc = {
	.init = (void *)bel_cc_init,
	.ssthresh = (void *)bel_cc_ssthresh,
	.cong_avoid = (void *)bel_cc_cong_avoid,
	.undo_cwnd = (void *)bel_cc_undo_cwnd,
	.name = "bel_cc",
};

char LICENSE[] SEC("license") = "GPL";
