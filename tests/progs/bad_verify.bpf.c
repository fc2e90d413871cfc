// SPDX-License-Identifier: GPL-2.0
/* One program the verifier accepts and one it rejects: for error reporting, all-or-nothing
 * loads and --keep-going. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} good_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} bad_counts SEC(".maps");

SEC("socket")
int good_prog(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&good_counts, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

SEC("socket")
int bad_prog(struct __sk_buff *skb)
{
	__u32 key = 1;
	__u64 *v = bpf_map_lookup_elem(&bad_counts, &key);

	/* No NULL check: the verifier must refuse the dereference. */
	return *v;
}

char LICENSE[] SEC("license") = "GPL";
