// SPDX-License-Identifier: GPL-2.0
/* legacy_part2.bpf.c: the second half of the linked legacy-maps object (see legacy_part1). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct legacy_map_def {
	unsigned int type, key_size, value_size, max_entries, map_flags;
};

__attribute__((weak)) struct legacy_map_def SEC("maps") shared = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 4,
};

struct legacy_map_def SEC("maps") two_counts = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 2,
};

SEC("socket")
int part2(struct __sk_buff *skb)
{
	__u32 k = 2;
	__u64 *v = bpf_map_lookup_elem(&shared, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	return bpf_map_lookup_elem(&two_counts, &k) ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
