// SPDX-License-Identifier: GPL-2.0
/* Maps shared by name (libbpf's LIBBPF_PIN_BY_NAME) and global data: for map reuse, pin-by-name
 * and concurrent loaders. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} private_counts SEC(".maps");

__u64 total_packets;
volatile const __u32 sample_rate = 16;

SEC("cgroup_skb/ingress")
int count_ingress(struct __sk_buff *skb)
{
	__u32 key = skb->protocol;
	__u64 one = 1, *v = bpf_map_lookup_elem(&shared_counts, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&shared_counts, &key, &one, BPF_ANY);
	total_packets += sample_rate;
	return 1;
}

SEC("socket")
int count_private(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&private_counts, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
