// SPDX-License-Identifier: GPL-2.0
/*
 * globals.bpf.c - global data of every kind.
 *
 * Sections produced (see README.md):
 *   .data            initialized globals (incl. static and hidden ones)
 *   .rodata          const volatile globals, bpf_printk format strings
 *   .bss             zero-initialized globals
 *   .data.custom     custom writable data section
 *   .rodata.custom   custom read-only data section
 *   .rodata.str1.1   merged string literals (used through a pointer)
 *
 * Programs reference different subsets of these sections, so a loader must
 * only create/relocate the maps a given program actually uses.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

/* .data: initialized, global linkage */
int data_counter = 1;
__u64 data_array[4] = { 1, 2, 3, 4 };

/* .data: static (local linkage) */
static __u32 static_data = 7;

/* .data: hidden visibility */
__attribute__((visibility("hidden"))) int hidden_data = 3;

/* .rodata: const volatile, set by user space before load */
const volatile __u32 cfg_mult = 2;
const volatile __u64 cfg_limit = 1000;
const volatile char cfg_name[16] = "globals";
/* .rodata: static const volatile */
static const volatile int static_cfg = 11;

/* .bss: zero-initialized */
__u64 bss_counter;
__u32 bss_array[8];
static __u64 static_bss;
__attribute__((visibility("hidden"))) __u32 hidden_bss;

/* custom sections */
__u64 custom_data SEC(".data.custom") = 0xc0ffee;
__u32 custom_data2[2] SEC(".data.custom") = { 5, 6 };
const volatile __u32 custom_ro SEC(".rodata.custom") = 77;

/* somewhere to copy strings to */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[32]);
} strings SEC(".maps");

/* only .bss */
SEC("socket")
int only_bss(struct __sk_buff *skb)
{
	__u32 i = skb->len & 7;

	bss_counter++;
	bss_array[i]++;
	static_bss += skb->len;
	hidden_bss = 1;
	return 0;
}

/* only .rodata */
SEC("socket")
int only_rodata(struct __sk_buff *skb)
{
	if (skb->len > cfg_limit)
		return 0;
	return skb->len * cfg_mult + static_cfg + cfg_name[0];
}

/* .data and .data.custom */
SEC("xdp")
int data_and_custom(struct xdp_md *ctx)
{
	__u32 i = ctx->ingress_ifindex & 3;

	data_counter++;
	data_array[i] += custom_data;
	custom_data2[i & 1]++;
	static_data++;
	hidden_data += static_data;
	return XDP_PASS;
}

/* string literals (.rodata.str1.1), bpf_printk (.rodata), .rodata.custom */
SEC("tc")
int strings_and_custom_ro(struct __sk_buff *skb)
{
	/* pointer to literals: clang emits them into .rodata.str1.1 */
	const char *msg = skb->len > 100 ? "a long packet seen" : "a short packet seen";
	__u32 key = 0;
	char *buf;

	buf = bpf_map_lookup_elem(&strings, &key);
	if (buf)
		bpf_probe_read_kernel_str(buf, 32, msg);

	bpf_printk("len=%u custom_ro=%u", skb->len, custom_ro);
	return 0;
}

/* everything at once */
SEC("tc")
int uses_everything(struct __sk_buff *skb)
{
	__u32 key = 0;
	char *buf;

	buf = bpf_map_lookup_elem(&strings, &key);
	if (buf)
		bpf_probe_read_kernel_str(buf, 32, "everything");

	bss_counter += data_counter * cfg_mult;
	custom_data += custom_ro;
	static_bss += static_data + static_cfg;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
