/* SPDX-License-Identifier: MIT */
/*
 * Programs and their relocations.
 *
 * A program is a function symbol in an executable section other than .text; .text holds
 * subprograms. This file builds the tables of functions and programs and relocates each
 * program in turn (prog_link.h says which file does which step).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "prog_link.h"

static int cmp_func(const void *a, const void *b)
{
	const struct func *x = a, *y = b;

	if (x->sec_index != y->sec_index)
		return x->sec_index < y->sec_index ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

int bel_link_find_func(const struct reloc_ctx *ctx, uint32_t sec_index, uint64_t insn)
{
	struct func key = {.sec_index = sec_index, .start = (uint32_t)insn};
	const struct func *f;

	if (insn > UINT32_MAX)
		return -1;
	f = bsearch(&key, ctx->funcs, ctx->nfuncs, sizeof(key), cmp_func);
	return f ? (int)(f - ctx->funcs) : -1;
}

static int collect_funcs(struct reloc_ctx *ctx, struct bel_err *err)
{
	const struct bel_elf *elf = ctx->spec->elf;
	size_t i;

	ctx->funcs = calloc(elf->nsyms ? elf->nsyms : 1, sizeof(*ctx->funcs));
	if (!ctx->funcs)
		return bel_errf(err, ENOMEM, "out of memory");
	for (i = 1; i < elf->nsyms; i++) {
		const struct bel_elf_sym *sym = &elf->syms[i];
		const struct bel_elf_sec *sec;
		struct func *f;

		if (sym->type != STT_FUNC || sym->shndx == SHN_UNDEF || sym->shndx >= SHN_LORESERVE)
			continue;
		sec = bel_elf_sec(elf, sym->shndx);
		if (!is_exec(sec))
			continue;
		if (sym->value % 8 || sym->size % 8 || sym->size == 0 ||
		    sym->value > sec->size || sym->size > sec->size - sym->value)
			return bel_errf(err, EINVAL, "function '%s' in '%s': offset %llu size %llu is not a "
					"whole number of instructions inside the %zu-byte section", sym->name,
					sec->name, (unsigned long long)sym->value,
					(unsigned long long)sym->size, sec->size);
		f = &ctx->funcs[ctx->nfuncs++];
		f->sec_index = sym->shndx;
		f->start = (uint32_t)(sym->value / 8);
		f->cnt = (uint32_t)(sym->size / 8);
		f->name = sym->name;
	}
	qsort(ctx->funcs, ctx->nfuncs, sizeof(*ctx->funcs), cmp_func);
	for (i = 1; i < ctx->nfuncs; i++) {
		const struct func *a = &ctx->funcs[i - 1], *b = &ctx->funcs[i];

		if (a->sec_index == b->sec_index && a->start + a->cnt > b->start)
			return bel_errf(err, EINVAL, "functions '%s' and '%s' overlap in '%s'", a->name,
					b->name, elf->secs[a->sec_index].name);
	}
	return 0;
}

/* Every function outside .text is a program. */
static int collect_progs(const struct reloc_ctx *ctx, struct bel_err *err)
{
	struct bel_spec *spec = ctx->spec;
	size_t i, f;
	int ret;

	spec->progs = calloc(ctx->nfuncs ? ctx->nfuncs : 1, sizeof(*spec->progs));
	if (!spec->progs)
		return bel_errf(err, ENOMEM, "out of memory");
	/* Functions are sorted by section, then offset: the order libbpf lists programs in. */
	for (f = 0; f < ctx->nfuncs; f++) {
		const struct func *fn = &ctx->funcs[f];
		const struct bel_elf_sec *sec = &spec->elf->secs[fn->sec_index];
		struct bel_prog_def *prog;

		if (!strcmp(sec->name, ".text"))
			continue;
		/* Programs are found by name: two static functions of one name in two sections
		 * cannot both be. */
		if (bel_spec_find_prog(spec, fn->name) >= 0)
			return bel_errf(err, EEXIST, "program '%s' is defined twice", fn->name);
		prog = &spec->progs[spec->nprogs];
		prog->name = strdup(fn->name);
		if (!prog->name)
			return bel_errf(err, ENOMEM, "out of memory");
		spec->nprogs++;
		ret = bel_name_map_add(&spec->progs_by_name, prog->name, spec->nprogs - 1);
		if (ret)
			return bel_errf(err, -ret, "out of memory");
		prog->sec_name = sec->name;
		prog->sec_index = fn->sec_index;
		prog->sec_insn_off = fn->start;
		prog->sec_insn_cnt = fn->cnt;
		prog->struct_ops_map = -1;
		bel_prog_def_set_type(prog);
	}
	/* Executable sections without any function symbol cannot be attributed to a program. */
	for (i = 1, f = 0; i < spec->elf->nsecs; i++) {
		const struct bel_elf_sec *sec = &spec->elf->secs[i];

		while (f < ctx->nfuncs && ctx->funcs[f].sec_index < i)
			f++;
		if (!is_exec(sec) || sec->size == 0)
			continue;
		if (sec->size % 8)
			return bel_errf(err, EINVAL, "section '%s': %zu bytes is not a whole number of "
					"instructions", sec->name, sec->size);
		if (f == ctx->nfuncs || ctx->funcs[f].sec_index != i)
			return bel_errf(err, EINVAL, "section '%s' holds code but no function symbol",
					sec->name);
	}
	return 0;
}

static int relocate_prog(struct reloc_ctx *ctx, struct bel_prog_def *prog)
{
	int fi = bel_link_find_func(ctx, prog->sec_index, prog->sec_insn_off);
	struct bpf_insn *insns;
	size_t i;
	int ret;

	if (fi < 0)
		return bel_errf(ctx->err, EINVAL, "no function at the program's start");
	ctx->prog = prog;
	ctx->out_cnt = 0;
	ctx->nrefs = 0;
	ctx->extern_ref_cnt = 0;
	/* only what the last program placed: clearing every function per program would make
	 * the whole walk grow with programs times functions */
	for (i = 0; i < ctx->npieces; i++)
		ctx->placed[ctx->pieces[i].func] = NOT_PLACED;
	ctx->npieces = 0;
	ret = bel_link_place_func(ctx, (uint32_t)fi);
	ctx->prog_bytes = (uint64_t)ctx->out_cnt * sizeof(struct bpf_insn);
	if (!ret)
		ret = bel_link_map_table(ctx);
	if (!ret && ctx->spec->btf_ext)
		ret = bel_link_ext_records(ctx, prog);
	if (ret)
		return ret;
	ctx->bytes_left -= ctx->prog_bytes; /* at most bytes_left: checked as it grew */
	/* Hand the buffers over to the program, the instructions no larger than they are (the
	 * buffer grows from 64: most of it, for a short program). */
	insns = realloc(ctx->out, (size_t)ctx->out_cnt * sizeof(*insns));
	if (insns)
		ctx->out = insns;
	prog->insns = ctx->out;
	prog->insn_cnt = ctx->out_cnt;
	prog->map_refs = ctx->refs;
	prog->nmap_refs = ctx->nrefs;
	prog->extern_refs = ctx->extern_refs;
	prog->extern_ref_cnt = ctx->extern_ref_cnt;
	ctx->extern_refs = NULL;
	ctx->extern_refs_cap = 0;
	ctx->out = NULL;
	ctx->out_cap = 0;
	ctx->refs = NULL;
	ctx->refs_cap = 0;
	return 0;
}

/*
 * A program whose relocation failed on something of its own (an extern it uses that the object
 * does not describe) is kept, without instructions, with the reason: loading it fails with
 * that message, and the object's other programs open and load (as with libbpf, which finds
 * such problems when it loads the program).
 */
static int defer_error(struct reloc_ctx *ctx, struct bel_prog_def *prog)
{
	struct bel_err *err = ctx->err;

	prog->open_error = strdup(err->msg);
	if (!prog->open_error)
		return bel_errf(err, ENOMEM, "out of memory");
	prog->open_errno = err->code;
	bel_err_clear(err);
	return 0;
}

int bel_spec_collect_progs(struct bel_spec *spec, struct bel_err *err)
{
	struct reloc_ctx ctx = {.spec = spec, .err = err, .bytes_left = BEL_PROGS_MAX_BYTES};
	uint32_t i;
	size_t s;
	int ret;

	ret = collect_funcs(&ctx, err);
	if (!ret)
		ret = collect_progs(&ctx, err);
	if (!ret)
		ret = bel_link_collect_rels(&ctx, err);
	if (!ret)
		ret = bel_link_index_maps(&ctx, err);
	if (!ret && spec->btf_ext)
		ret = bel_link_map_ext_secs(&ctx, err);
	if (!ret) {
		ctx.placed = malloc((ctx.nfuncs ? ctx.nfuncs : 1) * sizeof(*ctx.placed));
		if (!ctx.placed)
			ret = bel_errf(err, ENOMEM, "out of memory");
		else
			memset(ctx.placed, 0xff, (ctx.nfuncs ? ctx.nfuncs : 1) * sizeof(*ctx.placed));
	}
	for (i = 0; i < spec->nprogs && !ret; i++) {
		ctx.prog_only = false;
		ret = relocate_prog(&ctx, &spec->progs[i]);
		if (ret && ctx.prog_only)
			ret = defer_error(&ctx, &spec->progs[i]);
		if (ret)
			bel_err_prefix(err, "prog '%s' (%s)", spec->progs[i].name,
				       spec->progs[i].sec_name);
	}
	free(ctx.out);
	free(ctx.refs);
	free(ctx.extern_refs);
	free(ctx.pieces);
	free(ctx.placed);
	free(ctx.maps_at);
	free(ctx.data_map);
	free(ctx.sym_ext);
	for (s = 0; ctx.srels && s < spec->elf->nsecs; s++)
		free(ctx.srels[s].rels);
	free(ctx.srels);
	free(ctx.funcs);
	for (s = 0; s < BEL_BTF_EXT_KINDS; s++)
		free(ctx.ext_secs[s]);
	return ret;
}
