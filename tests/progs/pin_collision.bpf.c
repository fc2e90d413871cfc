// SPDX-License-Identifier: GPL-2.0
/* A map named "_bss" next to a .bss section: both would be pinned as "_bss". bel must refuse
 * to pin rather than let one pin shadow the other. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} _bss SEC(".maps");

__u64 hits;

SEC("socket")
int collide(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&_bss, &key);

	if (v)
		*v += 1;
	hits++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
