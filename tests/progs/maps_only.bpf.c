// SPDX-License-Identifier: GPL-2.0
/*
 * maps_only.bpf.c - an object whose whole purpose is to define a map and pin it by name, for
 * other objects and programs to share: no program. A whole-object load creates it (and pins
 * it under the pin root), as libbpf does; a trial load (bel verify, ignore_pinning) leaves the
 * pin root as it was.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bel_shared_counts SEC(".maps");

/* user space only: no program refers to it */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} user_config SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
