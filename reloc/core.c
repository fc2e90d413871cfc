/* SPDX-License-Identifier: MIT */
#include "core.h"
#include "insn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The verifier reports "invalid func unknown#195896080" for this call, if it is reachable. */
#define POISON_HELPER 0xbad2310

static void poison(struct bpf_insn *insn)
{
	insn->code = BPF_JMP | BPF_CALL;
	insn->dst_reg = 0;
	insn->src_reg = 0;
	insn->off = 0;
	insn->imm = POISON_HELPER;
}

static int size_to_bytes(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	case BPF_DW: return 8;
	default: return -1;
	}
}

static int bytes_to_size(uint32_t bytes)
{
	switch (bytes) {
	case 1: return BPF_B;
	case 2: return BPF_H;
	case 4: return BPF_W;
	case 8: return BPF_DW;
	default: return -1;
	}
}

int bel_core_patch_insn(struct bpf_insn *insns, uint32_t insn_cnt, uint32_t idx,
			const struct bel_core_applied *a, struct bel_err *err)
{
	const struct bel_core_result *res = &a->res;
	struct bpf_insn *insn = &insns[idx];
	uint64_t imm, orig, new_val;
	int sz;

	if (idx >= insn_cnt || (insn_is_ldimm64(insn) && idx + 1 >= insn_cnt))
		return bel_errf(err, EINVAL, "instruction %u is outside the program", idx);
	if (res->poison)
		goto poison;
	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		if (BPF_SRC(insn->code) != BPF_K)
			return bel_errf(err, EINVAL, "insn %u: ALU with a register operand cannot be relocated",
					idx);
		if (res->validate && (uint32_t)insn->imm != (uint32_t)res->orig_val)
			return bel_errf(err, EINVAL, "insn %u holds %d, expected %llu", idx, insn->imm,
					(unsigned long long)res->orig_val);
		insn->imm = (int32_t)res->new_val;
		return 0;
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		if (res->validate && (uint64_t)(int64_t)insn->off != res->orig_val)
			return bel_errf(err, EINVAL, "insn %u holds offset %d, expected %llu", idx,
					insn->off, (unsigned long long)res->orig_val);
		if (res->new_val > INT16_MAX)
			return bel_errf(err, ERANGE, "insn %u: offset %llu does not fit", idx,
					(unsigned long long)res->new_val);
		/* a field whose size changed in a way a load cannot follow */
		if (res->fail_memsz_adjust)
			goto poison;
		insn->off = (int16_t)res->new_val;
		if (res->new_sz != res->orig_sz) {
			if (size_to_bytes(insn->code) != (int)res->orig_sz)
				return bel_errf(err, EINVAL, "insn %u loads %d bytes, expected %u", idx,
						size_to_bytes(insn->code), res->orig_sz);
			sz = bytes_to_size(res->new_sz);
			if (sz < 0)
				return bel_errf(err, EINVAL, "insn %u: cannot load %u bytes", idx, res->new_sz);
			insn->code = (uint8_t)(BPF_MODE(insn->code) | sz | BPF_CLASS(insn->code));
		}
		return 0;
	case BPF_LD:
		if (!insn_is_ldimm64(insn) || insn[0].src_reg || insn[0].off || insn[1].code ||
		    insn[1].dst_reg || insn[1].src_reg || insn[1].off)
			return bel_errf(err, EINVAL, "insn %u: unexpected ldimm64 form", idx);
		imm = (uint32_t)insn[0].imm | ((uint64_t)(uint32_t)insn[1].imm << 32);
		new_val = res->new_val;
		/* a 32-bit enumerator may sit zero-extended: keep the form the compiler chose */
		if (res->enum32 && imm == (uint32_t)res->orig_val && imm != res->orig_val) {
			orig = (uint32_t)res->orig_val;
			new_val = (uint32_t)res->new_val;
		} else {
			orig = res->orig_val;
		}
		if (res->validate && imm != orig)
			return bel_errf(err, EINVAL, "insn %u holds %llu, expected %llu", idx,
					(unsigned long long)imm, (unsigned long long)orig);
		insn[0].imm = (int32_t)(uint32_t)new_val;
		insn[1].imm = (int32_t)(uint32_t)(new_val >> 32);
		return 0;
	default:
		return bel_errf(err, EINVAL, "insn %u (code %#x) cannot be relocated", idx, insn->code);
	}
poison:
	/* both halves of an ldimm64, so the verifier does not trip on a stray second half */
	if (insn_is_ldimm64(insn))
		poison(insn + 1);
	poison(insn);
	return 0;
}

int bel_prog_core_resolve(const struct bel_spec *spec, const struct bel_prog_def *prog,
			  const struct bel_core_target *targets, int ntargets,
			  struct bel_core_applied **out, struct bel_err *err)
{
	struct bel_core_applied *applied;
	uint32_t i;
	int ret;

	*out = NULL;
	if (!prog->core_relo_cnt)
		return 0;
	if (!spec->btf)
		return bel_errf(err, EINVAL, "CO-RE relocations but no BTF");
	applied = calloc(prog->core_relo_cnt, sizeof(*applied));
	if (!applied)
		return bel_errf(err, ENOMEM, "out of memory");
	for (i = 0; i < prog->core_relo_cnt; i++) {
		struct bel_core_applied *a = &applied[i];

		memcpy(&a->relo, prog->core_relos + (size_t)i * prog->core_relo_rec_size,
		       sizeof(a->relo));
		a->insn = a->relo.insn_off; /* renumbered to the final instruction by reloc/progs.c */
		ret = bel_core_resolve(spec->btf, &a->relo, targets, ntargets, &a->res, err);
		if (ret) {
			bel_err_prefix(err, "CO-RE relocation #%u (%s) at insn %u", i,
				       bel_core_kind_name(a->relo.kind), a->insn);
			free(applied);
			return ret;
		}
	}
	*out = applied;
	return 0;
}

int bel_core_apply(const struct bel_spec *spec, const struct bel_prog_def *prog,
		   const struct bel_core_target *targets, int ntargets, struct bpf_insn *insns,
		   struct bel_err *err)
{
	struct bel_core_applied *applied;
	uint32_t i;
	int ret;

	ret = bel_prog_core_resolve(spec, prog, targets, ntargets, &applied, err);
	for (i = 0; !ret && i < prog->core_relo_cnt; i++) {
		ret = bel_core_patch_insn(insns, prog->insn_cnt, applied[i].insn, &applied[i], err);
		if (ret)
			bel_err_prefix(err, "CO-RE relocation #%u (%s of %s)", i,
				       bel_core_kind_name(applied[i].relo.kind), applied[i].res.what);
	}
	free(applied);
	return ret;
}
