// SPDX-License-Identifier: GPL-2.0
/*
 * legacy_part1.bpf.c, legacy_part2.bpf.c - legacy SEC("maps") definitions in two objects
 * linked into one by `bpftool gen object` (static linking): both define the weak map `shared`,
 * the linked object keeps one and the room of the other, so the `maps` section has a gap and
 * its definitions are found by their symbols' sizes, not by dividing the section.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct legacy_map_def {
	unsigned int type, key_size, value_size, max_entries, map_flags;
};

__attribute__((weak)) struct legacy_map_def SEC("maps") shared = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 4,
};

struct legacy_map_def SEC("maps") one_counts = {
	.type = BPF_MAP_TYPE_HASH, .key_size = 4, .value_size = 8, .max_entries = 16,
};

SEC("socket")
int part1(struct __sk_buff *skb)
{
	__u32 k = 1;
	__u64 *v = bpf_map_lookup_elem(&shared, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	v = bpf_map_lookup_elem(&one_counts, &k);
	return v ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
