/* SPDX-License-Identifier: MIT */
/*
 * Applying CO-RE to the spec's programs: resolve each program's records (btf/core.c) against
 * the target BTFs and patch its instructions. Done once, before the first load (the prepare
 * step), or for inspection against a BTF file. Pure.
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

/* Resolve and patch every program's CO-RE relocations. On failure, the message names the
 * program, the instruction, the relocation and the type path; programs already patched stay
 * patched (the spec is then unusable for loading, and the caller reports the error). */
int bel_spec_apply_core(struct bel_spec *spec, const struct bel_core_target *targets, int ntargets,
			struct bel_err *err);
/* Resolve without patching (for `bel inspect --core`). *out is malloc'd, one per record. */
int bel_prog_core_resolve(const struct bel_spec *spec, const struct bel_prog_def *prog,
			  const struct bel_core_target *targets, int ntargets,
			  struct bel_core_applied **out, struct bel_err *err);
/* Patch one instruction as a resolved relocation says. */
int bel_core_patch_insn(struct bpf_insn *insns, uint32_t insn_cnt, uint32_t idx,
			const struct bel_core_applied *a, struct bel_err *err);

#endif
