// SPDX-License-Identifier: GPL-2.0
/* A typed __ksym variable: resolved through kernel BTF; the kernel then needs its address from
 * kallsyms, which holds data symbols only with CONFIG_KALLSYMS_ALL. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rq;
extern const struct rq runqueues __ksym;

SEC("raw_tp/sys_enter")
int read_runqueue(void *ctx)
{
	return bpf_this_cpu_ptr(&runqueues) != 0;
}

char LICENSE[] SEC("license") = "GPL";
