/* SPDX-License-Identifier: MIT */
/*
 * CO-RE: resolve one relocation record (struct bpf_core_relo in .BTF.ext) of the object's BTF
 * against target BTFs (the running kernel's, then its modules', or a file). Pure.
 *
 * The meaning follows the kernel's enum bpf_core_relo_kind and libbpf's documented rules:
 * candidates are target types of the same kind whose name equals the local name up to its
 * "___flavor" suffix; a field is found by member names (descending into anonymous members),
 * arrays by index; every matching candidate must give the same answer, else the relocation
 * is ambiguous; no candidate means 0 for the *_EXISTS/MATCHES kinds and for type kinds, and a
 * poisoned instruction otherwise (the verifier rejects it only if it is reachable).
 */
#ifndef BEL_BTF_CORE_H
#define BEL_BTF_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "btf.h"

enum bel_core_kind {
	BEL_CORE_FIELD_BYTE_OFFSET = 0,
	BEL_CORE_FIELD_BYTE_SIZE = 1,
	BEL_CORE_FIELD_EXISTS = 2,
	BEL_CORE_FIELD_SIGNED = 3,
	BEL_CORE_FIELD_LSHIFT_U64 = 4,
	BEL_CORE_FIELD_RSHIFT_U64 = 5,
	BEL_CORE_TYPE_ID_LOCAL = 6,
	BEL_CORE_TYPE_ID_TARGET = 7,
	BEL_CORE_TYPE_EXISTS = 8,
	BEL_CORE_TYPE_SIZE = 9,
	BEL_CORE_ENUMVAL_EXISTS = 10,
	BEL_CORE_ENUMVAL_VALUE = 11,
	BEL_CORE_TYPE_MATCHES = 12,
};

/* The record as clang writes it (struct bpf_core_relo). */
struct bel_core_relo {
	uint32_t insn_off;
	uint32_t type_id;
	uint32_t access_str_off;
	uint32_t kind;
};

/* Where to look: targets[0] is vmlinux; modules are searched only when it has no candidate. */
struct bel_core_target {
	const struct bel_btf *btf;
	const char *name;
};

struct bel_core_result {
	bool poison;             /* patch the instruction into an invalid call */
	bool validate;           /* the instruction must hold orig_val now */
	bool fail_memsz_adjust;  /* the field changed size in a way a load cannot follow */
	bool enum32;             /* a 32-bit enumerator: an ldimm64 may hold it zero-extended */
	uint64_t orig_val, new_val;
	uint32_t orig_sz, new_sz;
	int target;              /* index of the target BTF that matched, or -1 */
	uint32_t target_type_id;
	uint32_t candidates, matched;
	uint64_t steps;          /* work it took (see BEL_CORE_MAX_STEPS) */
	char what[256];          /* the local side, for messages: "struct task_struct.pid" */
};

/* At most BEL_CORE_MAX_STEPS steps of work (common/limits.h), else -E2BIG with a message;
 * the _bounded form takes another bound. */
int bel_core_resolve(const struct bel_btf *local, const struct bel_core_relo *relo,
		     const struct bel_core_target *targets, int ntargets,
		     struct bel_core_result *res, struct bel_err *err);
int bel_core_resolve_bounded(const struct bel_btf *local, const struct bel_core_relo *relo,
			     const struct bel_core_target *targets, int ntargets, uint64_t max_steps,
			     struct bel_core_result *res, struct bel_err *err);
const char *bel_core_kind_name(uint32_t kind);
/* Length of a name without its ___flavor suffix. */
size_t bel_core_essential_len(const char *name);

#endif
