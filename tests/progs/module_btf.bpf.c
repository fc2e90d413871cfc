// SPDX-License-Identifier: GPL-2.0
/* What a kernel module's BTF answers (tests/test_attach_net.c): a CO-RE relocation on a type
 * that only the veth module defines, fentry on one of its functions, and kfunc calls into
 * nf_conntrack. Where veth and nf_conntrack are built in, vmlinux answers the same. */
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* drivers/net/veth.c; only the members read here, at whatever offset the kernel has them */
struct veth_priv {
	void *peer;
	void *rq;
	unsigned int requested_headroom;
} __attribute__((preserve_access_index));

__u64 veth_priv_exists, veth_rq_offset, veth_xmit_calls;
__s64 ct_error = 1;

SEC("tc")
int core_veth(struct __sk_buff *skb)
{
	veth_priv_exists = bpf_core_type_exists(struct veth_priv);
	veth_rq_offset = bpf_core_field_offset(struct veth_priv, rq);
	return TC_ACT_OK;
}

SEC("fentry/veth_xmit")
int on_veth_xmit(void *ctx)
{
	__sync_fetch_and_add(&veth_xmit_calls, 1);
	return 0;
}

/* net/netfilter/nf_conntrack_bpf.c: the options as its kfuncs take them (12 bytes) */
struct ct_opts {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u8 reserved[2];
};
struct nf_conn;
extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *xdp_ctx, struct bpf_sock_tuple *tuple,
					 __u32 tuple__sz, struct ct_opts *opts,
					 __u32 opts__sz) __ksym;
extern void bpf_ct_release(struct nf_conn *ct) __ksym;

SEC("xdp")
int ct_lookup(struct xdp_md *ctx)
{
	struct ct_opts opts = {.netns_id = -1, .l4proto = IPPROTO_TCP};
	struct bpf_sock_tuple tuple = {};
	struct nf_conn *ct;

	ct = bpf_xdp_ct_lookup(ctx, &tuple, sizeof(tuple.ipv4), &opts, sizeof(opts));
	if (ct)
		bpf_ct_release(ct);
	ct_error = opts.error;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
