/* SPDX-License-Identifier: MIT */
/*
 * Applying CO-RE to a program: resolve its records (btf/core.c) against the target BTFs and
 * patch a copy of its instructions. The spec itself is never patched: the loader keeps the
 * patched copy as the program's own state. Pure.
 */
#ifndef BEL_RELOC_CORE_H
#define BEL_RELOC_CORE_H

#include "btf/core.h"
#include "spec.h"

/* One relocation as applied: where, what, and how it came out. */
struct bel_core_applied {
	uint32_t insn;
	struct bel_core_relo relo;
	struct bel_core_result res;
};

/* Resolve the program's CO-RE relocations and patch insns, a copy of prog->insns (insn_cnt
 * long). On failure the message names the instruction, the relocation and the type path (the
 * caller adds the program), and insns may be half patched. */
int bel_core_apply(const struct bel_spec *spec, const struct bel_prog_def *prog,
		   const struct bel_core_target *targets, int ntargets, struct bpf_insn *insns,
		   struct bel_err *err);
/* Resolve without patching (for `bel inspect --core`). *out is malloc'd, one per record. */
int bel_prog_core_resolve(const struct bel_spec *spec, const struct bel_prog_def *prog,
			  const struct bel_core_target *targets, int ntargets,
			  struct bel_core_applied **out, struct bel_err *err);
/* Patch one instruction as a resolved relocation says. */
int bel_core_patch_insn(struct bpf_insn *insns, uint32_t insn_cnt, uint32_t idx,
			const struct bel_core_applied *a, struct bel_err *err);

#endif
