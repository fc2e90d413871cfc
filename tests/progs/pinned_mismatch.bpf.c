// SPDX-License-Identifier: GPL-2.0
/* Same map name as pinned.bpf.c's shared_counts, another value size: reusing the pinned one
 * must be refused with a message naming both sides. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_counts SEC(".maps");

SEC("socket")
int count_small(struct __sk_buff *skb)
{
	__u32 key = 0, *v = bpf_map_lookup_elem(&shared_counts, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
