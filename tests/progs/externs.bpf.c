// SPDX-License-Identifier: GPL-2.0
/* Externs resolved from the running kernel: .kconfig values of every type, a typeless __ksym
 * and a kfunc call (bpf_dynptr_from_skb: Linux 6.4 and later). Typed __ksym variables are in
 * ksyms_typed.bpf.c: the kernel resolves them through kallsyms, which needs KALLSYMS_ALL. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>


extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern bool LINUX_HAS_BPF_COOKIE __kconfig;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern enum libbpf_tristate CONFIG_BPF_JIT __kconfig;
extern int CONFIG_HZ __kconfig __weak;
extern char CONFIG_LOCALVERSION[16] __kconfig __weak;
extern int CONFIG_BEL_DOES_NOT_EXIST __kconfig __weak;

extern const void linux_banner __ksym __weak;     /* typeless: kallsyms, 0 where hidden */

struct bpf_dynptr;
extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags,
			       struct bpf_dynptr *ptr) __ksym __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

static __always_inline void put(__u32 k, __u64 v)
{
	bpf_map_update_elem(&seen, &k, &v, BPF_ANY);
}

SEC("socket")
int read_kconfig(struct __sk_buff *skb)
{
	put(0, LINUX_KERNEL_VERSION);
	put(1, LINUX_HAS_BPF_COOKIE);
	put(2, CONFIG_BPF_SYSCALL);
	put(3, CONFIG_BPF_JIT);
	put(4, CONFIG_HZ);
	put(5, CONFIG_LOCALVERSION[1]);
	put(6, CONFIG_BEL_DOES_NOT_EXIST);
	return 0;
}

SEC("tc")
int read_ksyms(struct __sk_buff *skb)
{
	put(7, (__u64)(unsigned long)&linux_banner);
	return TC_ACT_OK;
}

SEC("tc")
int call_kfunc(struct __sk_buff *skb)
{
	__u64 storage[2];

	bpf_dynptr_from_skb(skb, 0, (struct bpf_dynptr *)storage);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
