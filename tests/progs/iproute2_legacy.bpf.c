// SPDX-License-Identifier: GPL-2.0
/* An iproute2-style tc object: legacy map definitions (struct bpf_elf_map in SEC("maps"), no
 * BTF map section) with PIN_GLOBAL_NS, as `tc filter add ... bpf obj` loads them. bel shares
 * the map by name with pinned.bpf.c's BTF-defined shared_counts, so a tc program and a cgroup
 * program count into one map. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define PIN_GLOBAL_NS 2

struct bpf_elf_map {
	__u32 type;
	__u32 size_key;
	__u32 size_value;
	__u32 max_elem;
	__u32 flags;
	__u32 id;
	__u32 pinning;
	__u32 inner_id;
	__u32 inner_idx;
};

struct bpf_elf_map SEC("maps") shared_counts = {
	.type = BPF_MAP_TYPE_HASH,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u64),
	.max_elem = 64,
	.pinning = PIN_GLOBAL_NS,
};

SEC("classifier")
int tc_count(struct __sk_buff *skb)
{
	__u32 key = skb->protocol;
	__u64 one = 1, *v = bpf_map_lookup_elem(&shared_counts, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&shared_counts, &key, &one, BPF_ANY);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
