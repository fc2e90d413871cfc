// SPDX-License-Identifier: GPL-2.0
/* One program per kind of BPF link bel attaches: for `bel load --attach` and link pinning.
 * kprobe/fentry/lsm cannot attach on the development host (lockdown); they run under vmtest. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static __always_inline int hit(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&hits, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int link_tracepoint(void *ctx) { return hit(0); }

SEC("raw_tp/sys_enter")
int link_raw_tp(void *ctx) { return hit(1); }

SEC("kprobe/do_sys_openat2")
int link_kprobe(void *ctx) { return hit(2); }

SEC("kretprobe/do_sys_openat2")
int link_kretprobe(void *ctx) { return hit(3); }

SEC("fentry/do_sys_openat2")
int link_fentry(void *ctx) { return hit(4); }

SEC("lsm/file_open")
int link_lsm(void *ctx) { hit(5); return 0; }

SEC("iter/task")
int link_iter(void *ctx) { return hit(6); }

SEC("cgroup_skb/egress")
int link_cgroup(struct __sk_buff *skb) { hit(7); return 1; }

SEC("xdp")
int link_xdp(struct xdp_md *ctx) { hit(8); return XDP_PASS; }

SEC("tcx/ingress")
int link_tcx(struct __sk_buff *skb) { hit(9); return TC_ACT_OK; }

char LICENSE[] SEC("license") = "GPL";
