// SPDX-License-Identifier: GPL-2.0
/*
 * usdt_args.bpf.c - a USDT program on libbpf's own <bpf/usdt.bpf.h>, unchanged. Its helpers
 * (bpf_usdt_arg, bpf_usdt_arg_cnt, bpf_usdt_cookie) are hidden weak globals: only when they are
 * static in BTF (libbpf's rule) does the verifier check them in the caller's context; as
 * global functions they are refused ("R3 invalid mem access 'mem_or_null'"). Loaded here, not
 * attached.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

__u64 calls;
long last_sum;

SEC("usdt")
int BPF_USDT(usdt_sum, long a, long b)
{
	__sync_fetch_and_add(&calls, 1);
	last_sum = a + b + bpf_usdt_arg_cnt(ctx) + (long)bpf_usdt_cookie(ctx);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
