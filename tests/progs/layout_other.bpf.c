// SPDX-License-Identifier: GPL-2.0
/* A .bss of the same size as pinned.bpf.c's but another variable: reusing that .bss here must
 * be refused, since programs address global variables by offset. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 dropped_packets;

SEC("socket")
int count_drops(struct __sk_buff *skb)
{
	dropped_packets++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
