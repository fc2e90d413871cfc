// SPDX-License-Identifier: GPL-2.0
/* One program per attach kind that is not a single plain link (tests/test_attach_net.c): perf
 * event sampling, kprobe.multi, sockmap programs, netns links, classic tc, netlink XDP and
 * netfilter, and a cgroup program attached by fd. Each counts its runs in its own slot of `hits`. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define SLOT_PERF 0
#define SLOT_MSG 1
#define SLOT_LOOKUP 2
#define SLOT_DISSECT 3
#define SLOT_TC_IN 4
#define SLOT_TC_OUT 5
#define SLOT_XDP 6
#define SLOT_XDP2 7
#define SLOT_NF 8
#define SLOT_KMULTI 9
#define SLOT_KRETMULTI 10
#define SLOT_CGROUP 11
#define SLOT_TC_OUT2 12
#define SLOT_VERDICT 13

/* the port sk_lookup steers to the socket in lookup_map (no socket listens on it) */
#define STEER_PORT 7007

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

/* sk_msg: messages sent on the socket in slot 0 go to the receive queue of slot 1's */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} msg_map SEC(".maps");

/* sk_lookup: the listening socket connections to STEER_PORT are given to */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lookup_map SEC(".maps");

static __always_inline void hit(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&hits, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("perf_event")
int on_sample(void *ctx)
{
	hit(SLOT_PERF);
	return 0;
}

SEC("kprobe.multi/*sys_getppid")
int on_getppid(void *ctx)
{
	hit(SLOT_KMULTI);
	return 0;
}

SEC("kretprobe.multi/*sys_getppid")
int on_getppid_ret(void *ctx)
{
	hit(SLOT_KRETMULTI);
	return 0;
}

SEC("sk_msg")
int msg_redirect(struct sk_msg_md *msg)
{
	hit(SLOT_MSG);
	return bpf_msg_redirect_map(msg, &msg_map, 1, BPF_F_INGRESS);
}

SEC("sk_skb/stream_verdict")
int skb_verdict(struct __sk_buff *skb)
{
	hit(SLOT_VERDICT);
	return SK_PASS;
}

SEC("sk_lookup")
int steer(struct bpf_sk_lookup *ctx)
{
	struct bpf_sock *sk;
	__u32 key = 0;
	long err;

	if (ctx->local_port != STEER_PORT)
		return SK_PASS;
	sk = bpf_map_lookup_elem(&lookup_map, &key);
	if (!sk)
		return SK_DROP;
	err = bpf_sk_assign(ctx, sk, 0);
	bpf_sk_release(sk);
	if (!err)
		hit(SLOT_LOOKUP);
	return err ? SK_DROP : SK_PASS;
}

SEC("flow_dissector")
int dissect(struct __sk_buff *skb)
{
	hit(SLOT_DISSECT);
	return BPF_OK;
}

SEC("tc/ingress")
int tc_in(struct __sk_buff *skb)
{
	hit(SLOT_TC_IN);
	return TC_ACT_OK;
}

SEC("classifier")
int tc_out(struct __sk_buff *skb)
{
	hit(SLOT_TC_OUT);
	return TC_ACT_OK;
}

/* takes tc_out's place (tc_replace) */
SEC("classifier")
int tc_out2(struct __sk_buff *skb)
{
	hit(SLOT_TC_OUT2);
	return TC_ACT_OK;
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	hit(SLOT_XDP);
	return XDP_PASS;
}

SEC("xdp")
int xdp_count2(struct xdp_md *ctx)
{
	hit(SLOT_XDP2);
	return XDP_PASS;
}

SEC("cgroup_skb/egress")
int cg_egress(struct __sk_buff *skb)
{
	hit(SLOT_CGROUP);
	return 1;
}

SEC("netfilter")
int nf_count(void *ctx)
{
	hit(SLOT_NF);
	return 1; /* NF_ACCEPT */
}

char LICENSE[] SEC("license") = "GPL";
