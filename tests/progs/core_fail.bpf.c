// SPDX-License-Identifier: MIT
/*
 * CO-RE relocations that cannot be applied to core_kernel.btf as they stand, one program each
 * (tests/test_core.c applies them one at a time):
 *
 *   amb       reads core_amb.x; the kernel has core_amb and core_amb___x with x at different
 *             offsets: ambiguous
 *   anon      reads through a pointer to an anonymous struct: nothing to look for
 *   neg_enum  bpf_core_enum_value() of a negative enumerator, which clang 14 writes into the
 *             BTF as an unsigned 32-bit value (no signedness flag) and into the instruction
 *             sign-extended to 64 bits
 *
 * Nothing here is ever loaded.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct core_amb {
	int x;
} __attribute__((preserve_access_index));

enum core_state {
	CORE_NEG = -3,
};

SEC("kprobe/core_amb")
int amb(struct core_amb *a)
{
	return BPF_CORE_READ(a, x);
}

SEC("kprobe/core_anon")
int anon(void *ctx)
{
	struct {
		int pad;
		int y;
	} __attribute__((preserve_access_index)) *p = ctx;

	return p->y;
}

SEC("kprobe/core_neg_enum")
int neg_enum(void *ctx)
{
	return bpf_core_enum_value(enum core_state, CORE_NEG) == -3;
}

char LICENSE[] SEC("license") = "GPL";
