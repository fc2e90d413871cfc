// SPDX-License-Identifier: GPL-2.0
/* A map pinned by name and a program the verifier rejects: the failed load must take back the
 * pin it made. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} undo_me SEC(".maps");

SEC("socket")
int deref_null(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&undo_me, &key);

	return *v; /* no NULL check */
}

char LICENSE[] SEC("license") = "GPL";
