// SPDX-License-Identifier: GPL-2.0
/*
 * metadata.bpf.c - bpf_metadata_* variables in .rodata.
 *
 * Tools (bpftool prog show) print every .rodata variable whose name starts
 * with "bpf_metadata_" for each program that has the .rodata map among its
 * used maps. Two of the programs below never touch .rodata, so a loader must
 * bind the .rodata map to every program itself (BPF_PROG_BIND_MAP), as
 * libbpf does, for the metadata to show up for them.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

/* metadata */
volatile const char bpf_metadata_name[] SEC(".rodata") = "bel-test";
volatile const int bpf_metadata_build SEC(".rodata") = 42;

/* ordinary read-only configuration in the same section */
const volatile __u32 cfg_threshold = 128;
const volatile __u8 cfg_verdict = XDP_PASS;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

/* no .rodata reference */
SEC("socket")
int no_rodata_socket(struct __sk_buff *skb)
{
	return skb->len;
}

/* no .rodata reference, but another map */
SEC("tc")
int no_rodata_tc(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&seen, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

/* reads .rodata configuration */
SEC("xdp")
int uses_rodata(struct xdp_md *ctx)
{
	if (ctx->data_end - ctx->data > cfg_threshold)
		return XDP_DROP;
	return cfg_verdict;
}

char LICENSE[] SEC("license") = "GPL";
