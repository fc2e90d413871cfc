/* SPDX-License-Identifier: MIT */
/*
 * Target BTF of the CO-RE tests: compiled with clang -g -target bpf, its .BTF section is the
 * "kernel" BTF (see core_kernel.h). Every type reaches the BTF through the function's
 * parameter; no variables, so there is no DATASEC.
 */
#include "core_kernel.h"

/* BPF functions take at most five arguments: the types are members of one struct instead, by
 * value, so that their full definitions (not forward declarations) reach the BTF. core_task
 * ends in a flexible array, so it comes last. */
struct core_kernel_all {
	struct core_packed p;
	struct core_amb a;
	struct core_amb___x ax;
	struct core_same s;
	struct core_same___v2 s2;
	struct core_only___a oa;
	struct core_only___b ob;
	union core_kind k;
	core_td td;
	struct core_m_inner mi;
	struct core_m_ptr mp;
	struct core_m_anon ma;
	enum core_m_enum me;
	struct core_task t;
};

_Static_assert(sizeof(struct core_packed) == CORE_PACKED_SIZE, "core_packed");

int core_kernel_types(struct core_kernel_all *all)
{
	return all != 0;
}
