/* SPDX-License-Identifier: MIT */
/*
 * Laying a program out: its own instructions, then every function it calls or takes the
 * address of, appended in the order the calls are first met while walking depth-first (the
 * layout libbpf produces, so the kernel computes the same program tag), each call's imm
 * rewritten to the callee's new position. ldimm64 instructions that refer to maps or global
 * data get their pseudo source register and an entry in the program's map references (their
 * fds are filled in at load time); those that name an extern, and calls to kfuncs, an extern
 * reference.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/limits.h"
#include "externs.h"
#include "insn.h"
#include "prog_link.h"

/* The kernel takes at most 256 functions per program (BPF_MAX_SUBPROGS); a longer chain of
 * first calls cannot load, and following it would only deepen our recursion. */
#define MAX_CALL_CHAIN 256

static int grow_out(struct reloc_ctx *ctx, uint32_t extra)
{
	uint64_t need = (uint64_t)ctx->out_cnt + extra;
	struct bpf_insn *grown;
	uint32_t cap = ctx->out_cap ? ctx->out_cap : 64;

	if (need > (1u << 24)) /* far beyond BPF_COMPLEXITY_LIMIT_INSNS */
		return bel_errf(ctx->err, E2BIG, "more than %u instructions after appending subprograms",
				1u << 24);
	if (need * sizeof(struct bpf_insn) > ctx->bytes_left)
		return bel_errf(ctx->err, E2BIG, "the object's programs take more than %llu MiB once "
				"each has its subprograms appended",
				(unsigned long long)(BEL_PROGS_MAX_BYTES >> 20));
	while (cap < need)
		cap *= 2;
	if (cap == ctx->out_cap)
		return 0;
	grown = realloc(ctx->out, cap * sizeof(*grown));
	if (!grown)
		return bel_errf(ctx->err, ENOMEM, "out of memory");
	ctx->out = grown;
	ctx->out_cap = cap;
	return 0;
}

static int process_func(struct reloc_ctx *ctx, uint32_t fi);

int bel_link_place_func(struct reloc_ctx *ctx, uint32_t fi)
{
	const struct func *f = &ctx->funcs[fi];
	const struct bel_elf_sec *sec = &ctx->spec->elf->secs[f->sec_index];
	int ret;

	if (ctx->placed[fi] != NOT_PLACED)
		return 0;
	if (ctx->depth >= MAX_CALL_CHAIN)
		return bel_errf(ctx->err, E2BIG, "calls nest more than %d functions deep at '%s'",
				MAX_CALL_CHAIN, f->name);
	ret = grow_out(ctx, f->cnt);
	if (ret)
		return ret;
	if (bel_grow(&ctx->pieces, ctx->npieces, &ctx->pieces_cap, sizeof(*ctx->pieces), 16))
		return bel_errf(ctx->err, ENOMEM, "out of memory");
	ctx->pieces[ctx->npieces].func = fi;
	ctx->pieces[ctx->npieces].out_off = ctx->out_cnt;
	ctx->npieces++;
	ctx->placed[fi] = ctx->out_cnt;
	memcpy(ctx->out + ctx->out_cnt, sec->data + (size_t)f->start * 8, (size_t)f->cnt * 8);
	ctx->out_cnt += f->cnt;
	ctx->depth++;
	ret = process_func(ctx, fi);
	ctx->depth--;
	return ret;
}

static int add_ref(struct reloc_ctx *ctx, uint32_t insn, uint32_t map)
{
	if (bel_grow(&ctx->refs, ctx->nrefs, &ctx->refs_cap, sizeof(*ctx->refs), 16))
		return bel_errf(ctx->err, ENOMEM, "out of memory");
	ctx->refs[ctx->nrefs].insn = insn;
	ctx->refs[ctx->nrefs].map = map;
	ctx->nrefs++;
	return 0;
}

static int add_ext_ref(struct reloc_ctx *ctx, uint32_t insn, uint32_t ext)
{
	if (bel_grow(&ctx->extern_refs, ctx->extern_ref_cnt, &ctx->extern_refs_cap, sizeof(*ctx->extern_refs), 8))
		return bel_errf(ctx->err, ENOMEM, "out of memory");
	ctx->extern_refs[ctx->extern_ref_cnt].insn = insn;
	ctx->extern_refs[ctx->extern_ref_cnt].ext = ext;
	ctx->extern_ref_cnt++;
	return 0;
}

/* The ldimm64 at out[idx] carries relocation rel. */
static int relocate_ldimm64(struct reloc_ctx *ctx, uint32_t idx, const struct bel_elf_rel *rel)
{
	const struct bel_spec *spec = ctx->spec;
	const struct bel_elf_sym *sym = &spec->elf->syms[rel->sym];
	const struct bel_elf_sec *sec;
	struct bpf_insn *insn = &ctx->out[idx];
	int64_t imm = insn->imm;
	int map, target, ret;

	if (sym->shndx == SHN_UNDEF) {
		const struct bel_extern *ext;
		int e = bel_link_extern_of(ctx, idx, sym);

		if (e < 0)
			return e;
		ext = &spec->externs[e];
		if (ext->kind == BEL_EXTERN_KCONFIG) {
			/* a value in the .kconfig map, filled from the running kernel */
			insn->src_reg = BPF_PSEUDO_MAP_VALUE;
			insn->imm = 0;
			ctx->out[idx + 1].imm = (int32_t)ext->kcfg_off;
			return add_ref(ctx, idx, (uint32_t)spec->kconfig_map);
		}
		/* a typed ksym, or a kfunc's address (`if (kfunc)`, bpf_ksym_exists): the kernel
		 * BTF id either way, 0 for a weak one the kernel lacks, so the verifier drops the
		 * branch that would call it */
		return add_ext_ref(ctx, idx, (uint32_t)e);
	}
	sec = sym->shndx < SHN_LORESERVE ? bel_elf_sec(spec->elf, sym->shndx) : NULL;
	if (!sec)
		return bel_errf(ctx->err, EINVAL, "insn %u: relocation against '%s' in special section "
				"%#x (an uninitialised global variable?)", idx, sym->name, sym->shndx);
	if (is_exec(sec)) {
		/* Address of a function, for bpf_loop() and friends: a BPF_PSEUDO_FUNC. clang 14
		 * leaves src_reg 0 here; newer clang sets it already. */
		if ((insn->src_reg != 0 && insn->src_reg != BPF_PSEUDO_FUNC) || (sym->value + imm) % 8)
			return bel_errf(ctx->err, EINVAL, "insn %u: bad function address relocation "
					"against '%s'", idx, sym->name);
		target = bel_link_find_func(ctx, sym->shndx, (sym->value + imm) / 8);
		if (target < 0)
			return bel_errf(ctx->err, ENOENT, "insn %u: '%s'+%lld is not the start of a "
					"function", idx, sym->name, (long long)imm);
		ret = bel_link_place_func(ctx, (uint32_t)target);
		if (ret)
			return ret;
		ctx->out[idx].src_reg = BPF_PSEUDO_FUNC;
		ctx->out[idx].imm = (int32_t)(ctx->placed[target] - idx - 1);
		return 0;
	}
	map = bel_link_map_at(ctx, sym->shndx, sym->value + (sym->type == STT_SECTION ? imm : 0));
	if (map >= 0 && spec->maps[map].origin != BEL_MAP_FROM_DATA) {
		insn->src_reg = BPF_PSEUDO_MAP_FD;
		insn->imm = 0;
		return add_ref(ctx, idx, (uint32_t)map);
	}
	map = ctx->data_map[sym->shndx];
	if (map >= 0) {
		int64_t off = 0;

		if (sym->value > INT32_MAX || __builtin_add_overflow(imm, (int64_t)sym->value, &off) ||
		    off < 0 || off >= spec->maps[map].value_size)
			return bel_errf(ctx->err, EINVAL, "insn %u: offset %lld of '%s' lies outside '%s'",
					idx, (long long)off, sym->name, sec->name);
		insn->src_reg = BPF_PSEUDO_MAP_VALUE;
		insn->imm = 0;
		ctx->out[idx + 1].imm = (int32_t)off;
		return add_ref(ctx, idx, (uint32_t)map);
	}
	return bel_errf(ctx->err, EINVAL, "insn %u: relocation against '%s' in section '%s', which "
			"is neither a map nor global data", idx, sym->name, sec->name);
}

/* A call to an extern function: a kfunc, resolved against kernel BTF at prepare time. */
static int call_kfunc(struct reloc_ctx *ctx, uint32_t idx, const struct bel_elf_sym *sym)
{
	int e = bel_link_extern_of(ctx, idx, sym);

	if (e < 0)
		return e;
	if (ctx->spec->externs[e].kind != BEL_EXTERN_KFUNC) {
		ctx->prog_only = true;
		return bel_errf(ctx->err, EINVAL, "insn %u: call to '%s', which is not a kfunc", idx,
				sym->name);
	}
	return add_ext_ref(ctx, idx, (uint32_t)e);
}

static int relocate_call(struct reloc_ctx *ctx, const struct func *f, uint32_t i, uint32_t idx,
			 const struct bel_elf_rel *rel)
{
	const struct bel_spec *spec = ctx->spec;
	int64_t imm = ctx->out[idx].imm, target_insn;
	uint32_t target_sec;
	int target, ret;

	if (rel) {
		const struct bel_elf_sym *sym = &spec->elf->syms[rel->sym];

		if (sym->shndx == SHN_UNDEF)
			return call_kfunc(ctx, idx, sym);
		if (sym->shndx >= SHN_LORESERVE || !is_exec(bel_elf_sec(spec->elf, sym->shndx)) ||
		    sym->value % 8)
			return bel_errf(ctx->err, EINVAL, "insn %u: call relocation against '%s', which "
					"is not code", idx, sym->name);
		target_sec = sym->shndx;
		target_insn = (int64_t)(sym->value / 8) + imm + 1;
	} else {
		/* A call within the same section needs no relocation: imm is already relative. */
		target_sec = f->sec_index;
		target_insn = (int64_t)f->start + i + imm + 1;
	}
	target = target_insn < 0 ? -1 : bel_link_find_func(ctx, target_sec, (uint64_t)target_insn);
	if (target < 0)
		return bel_errf(ctx->err, ENOENT, "insn %u: call target %lld in '%s' is not the start "
				"of a function", idx, (long long)target_insn,
				spec->elf->secs[target_sec].name);
	ret = bel_link_place_func(ctx, (uint32_t)target);
	if (ret)
		return ret;
	ctx->out[idx].imm = (int32_t)((int64_t)ctx->placed[target] - idx - 1);
	return 0;
}

static int process_func(struct reloc_ctx *ctx, uint32_t fi)
{
	const struct func *f = &ctx->funcs[fi];
	const struct sec_rels *srels = &ctx->srels[f->sec_index];
	/* relocations are sorted by offset, as are the instructions: walk both together */
	size_t next = bel_link_first_rel(ctx, f->sec_index, (uint64_t)f->start * 8);
	uint32_t base = ctx->placed[fi], i;
	int ret = 0;

	for (i = 0; i < f->cnt && !ret; i++) {
		uint32_t idx = base + i;
		uint64_t offset = (uint64_t)(f->start + i) * 8;
		const struct bel_elf_rel *rel = NULL;
		struct bpf_insn insn = ctx->out[idx]; /* a copy: bel_link_place_func may move ctx->out */

		if (next < srels->count && srels->rels[next].offset == offset)
			rel = &srels->rels[next++];

		if (insn_is_ldimm64(&insn)) {
			if (i + 1 >= f->cnt)
				return bel_errf(ctx->err, EINVAL, "insn %u: ldimm64 cut off by the end of "
						"'%s'", idx, f->name);
			if (rel)
				ret = relocate_ldimm64(ctx, idx, rel);
			else if (insn.src_reg == BPF_PSEUDO_FUNC)
				ret = bel_errf(ctx->err, EINVAL, "insn %u: function address without a "
					       "relocation", idx);
			/* Nothing may point into the second half of an ldimm64. */
			if (!ret && next < srels->count && srels->rels[next].offset == offset + 8)
				ret = bel_errf(ctx->err, EINVAL, "insn %u: relocation against the second "
					       "half of an ldimm64", idx + 1);
			i++;
		} else if (insn_is_call(&insn) && insn.src_reg == BPF_PSEUDO_CALL) {
			ret = relocate_call(ctx, f, i, idx, rel);
		} else if (rel) {
			const struct bel_elf_sym *sym = &ctx->spec->elf->syms[rel->sym];

			if (insn_is_call(&insn) && sym->shndx == SHN_UNDEF)
				ret = call_kfunc(ctx, idx, sym);
			else
				ret = bel_errf(ctx->err, EINVAL, "insn %u: relocation against '%s' on an "
					       "instruction that is neither ldimm64 nor a call", idx,
					       sym->name);
		}
	}
	return ret;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int bel_link_map_table(struct reloc_ctx *ctx)
{
	struct bel_prog_def *prog = ctx->prog;
	uint32_t i, n = 0;

	prog->maps = calloc(ctx->nrefs ? ctx->nrefs : 1, sizeof(*prog->maps));
	if (!prog->maps)
		return bel_errf(ctx->err, ENOMEM, "out of memory");
	for (i = 0; i < ctx->nrefs; i++)
		prog->maps[i] = ctx->refs[i].map;
	qsort(prog->maps, ctx->nrefs, sizeof(*prog->maps), cmp_u32);
	for (i = 0; i < ctx->nrefs; i++)
		if (n == 0 || prog->maps[n - 1] != prog->maps[i])
			prog->maps[n++] = prog->maps[i];
	prog->nmaps = n;
	return 0;
}
