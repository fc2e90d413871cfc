// SPDX-License-Identifier: GPL-2.0
/* Names that become paths, for tests/test_hostile.c: the test rewrites the marker names in the
 * compiled object (same length, every occurrence) to names with '/', "..", control characters
 * or nothing at all, and checks that bel refuses them. Also two programs with names of 255 and
 * 250 bytes, attached many times, for the "_N" suffix of link pins. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Shared by name; renamed by the test to escape the pin root or reach into another tree. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pin_by_name_marker_xxxxxxxxxx SEC(".maps");

/* Of the same shape, never pinned by name: another object's private map. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} private_marker_aaaaaa SEC(".maps");

SEC("socket")
int use_maps(void *ctx)
{
	__u32 key = 0;
	__u64 *a = bpf_map_lookup_elem(&pin_by_name_marker_xxxxxxxxxx, &key);
	__u64 *b = bpf_map_lookup_elem(&private_marker_aaaaaa, &key);

	if (a && b)
		*a += *b;
	return 0;
}

/* Renamed by the test: empty, with a newline, with '/'. */
SEC("socket")
int prog_marker_qqqqqqqqqq(void *ctx)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int link_name_255_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa(void *ctx)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int link_name_250_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
