// SPDX-License-Identifier: GPL-2.0
/*
 * ksym_exists.bpf.c - kfunc existence checks, as bpf_ksym_exists() writes them: the address of
 * a kfunc extern (an ldimm64 of it) tested before a call. The loader gives the kernel's BTF id
 * of the function, or 0 for a __weak one the kernel lacks, and the verifier then drops the
 * branch that cannot be taken (the missing kfunc's call is never verified). Test runs return 1
 * where the kfunc exists, 2 where it does not.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern void bel_kfunc_nobody_has(void) __ksym __weak;

#define kfunc_exists(f) (!!(f))

SEC("tc")
int present(struct __sk_buff *skb)
{
	if (kfunc_exists(bpf_rcu_read_lock))
		return 1;
	return 2;
}

SEC("tc")
int missing(struct __sk_buff *skb)
{
	if (kfunc_exists(bel_kfunc_nobody_has)) {
		bel_kfunc_nobody_has();
		return 1;
	}
	return 2;
}

char LICENSE[] SEC("license") = "GPL";
