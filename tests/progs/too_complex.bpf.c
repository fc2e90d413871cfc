// SPDX-License-Identifier: GPL-2.0
/*
 * too_complex.bpf.c - a program the verifier gives up on (a loop of 300,000 rounds: more than
 * its 1,000,000 processed instructions), beside one it accepts.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int too_complex(struct xdp_md *ctx)
{
	__u64 x = 0;

	__u64 seed = bpf_get_prandom_u32();

	for (int i = 0; i < 300000; i++)
		x = x * 3 + (seed ^ i);
	return x & 1 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int simple(struct xdp_md *ctx)
{
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
