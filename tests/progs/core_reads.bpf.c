// SPDX-License-Identifier: MIT
/*
 * CO-RE end to end (tests/test_core.c): a program's view of the "kernel" types of
 * core_kernel.h, read with bpf_core_read.h, resolved against core_kernel.btf.
 *
 * The local types differ from the kernel's: struct core_task___local is a flavor of
 * core_task with fields in another order, a u32 where the kernel has a u64, an int where it
 * has a long long, plain members where it has anonymous unions/structs, bitfields at other
 * bits, a field the kernel lacks; enum core_state has other values and an enumerator the
 * kernel lacks; struct core_absent does not exist there at all. Each program exercises one
 * family of relocations. Nothing here is ever loaded.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct core_inner {
	int a;
	long b;
} __attribute__((preserve_access_index));

enum core_state {
	CORE_RUNNING = 0,
	CORE_SLEEPING = 1,
	CORE_GONE = 2,
};

struct core_task___local {
	int pid;
	unsigned int flags;
	int prio;
	struct core_inner inner;
	int anon_a;
	short anon_d;
	int arr[4];
	struct core_inner items[2];
	struct core_task___local *parent;
	enum core_state st;
	unsigned int lead : 7, bf_pad : 3, bf_x : 5, bf_y : 12;
	int bf_s : 7;
	int missing;
	int tail_len;
	char data[];
} __attribute__((preserve_access_index));

struct core_absent {
	int nothing;
} __attribute__((preserve_access_index));

/* Moved, nested, anonymous in the kernel, arrays, a pointer, a flexible array. */
SEC("kprobe/core_fields")
int fields(void *ctx)
{
	struct core_task___local *t = ctx;
	long acc = 0;

	acc += BPF_CORE_READ(t, pid);
	acc += BPF_CORE_READ(t, inner.b);
	acc += BPF_CORE_READ(t, anon_a);
	acc += BPF_CORE_READ(t, anon_d);
	acc += BPF_CORE_READ(t, arr[2]);
	acc += BPF_CORE_READ(t, items[1].b);
	acc += BPF_CORE_READ(t, parent, tail_len);
	acc += BPF_CORE_READ(t, data[5]);
	return acc;
}

/* Direct loads: moved (offset), widened (u32 -> u64), and a signed int the kernel made a
 * long long (poisoned). */
SEC("kprobe/core_sizes")
int sizes(struct core_task___local *t)
{
	long acc = t->pid;

	acc += t->flags;
	acc += t->prio;
	return acc;
}

/* Existence and sizes of fields and types; type ids. */
SEC("kprobe/core_exists")
int exists(struct core_task___local *t)
{
	long acc = 0;

	acc += bpf_core_field_exists(t->tail_len);
	if (bpf_core_field_exists(t->missing))
		acc += BPF_CORE_READ(t, missing);
	acc += bpf_core_field_size(t->flags);
	acc += __builtin_preserve_field_info(t->prio, BPF_FIELD_SIGNED);
	acc += __builtin_preserve_field_info(t->flags, BPF_FIELD_SIGNED);
	acc += bpf_core_type_exists(struct core_task___local);
	acc += bpf_core_type_size(struct core_task___local);
	acc += bpf_core_type_exists(struct core_absent);
	acc += bpf_core_type_size(struct core_absent);
	acc += bpf_core_type_id_local(struct core_task___local);
	acc += bpf_core_type_id_kernel(struct core_task___local);
	acc += bpf_core_type_id_kernel(struct core_absent);
	return acc;
}

/* Bitfields, which the kernel keeps at other bits. */
SEC("kprobe/core_bits")
int bits(struct core_task___local *t)
{
	long acc = 0;

	acc += BPF_CORE_READ_BITFIELD_PROBED(t, bf_y);
	acc += BPF_CORE_READ_BITFIELD_PROBED(t, bf_s);
	return acc;
}

/* Enumerators: present with another value, and missing. */
SEC("kprobe/core_enums")
int enums(void *ctx)
{
	long acc = 0;

	acc += bpf_core_enum_value_exists(enum core_state, CORE_SLEEPING);
	acc += bpf_core_enum_value_exists(enum core_state, CORE_GONE);
	acc += bpf_core_enum_value(enum core_state, CORE_SLEEPING);
	if (bpf_core_enum_value_exists(enum core_state, CORE_GONE))
		acc += bpf_core_enum_value(enum core_state, CORE_GONE);
	return acc;
}

char LICENSE[] SEC("license") = "GPL";
