/* SPDX-License-Identifier: MIT */
/*
 * Programs and their relocations.
 *
 * A program is a function symbol in an executable section other than .text; .text holds
 * subprograms. Relocating a program builds its final instruction array: the program's own
 * instructions, then every function it calls or takes the address of, appended in the order
 * the calls are first met while walking depth-first (the layout libbpf produces, so the kernel
 * computes the same program tag), each call's imm rewritten to the callee's new position.
 * ldimm64 instructions that refer to maps or global data get their pseudo source register and
 * an entry in the program's map references; their fds are filled in at load time.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/limits.h"
#include "externs.h"
#include "spec.h"

#define NOT_PLACED UINT32_MAX
/* The kernel takes at most 256 functions per program (BPF_MAX_SUBPROGS); a longer chain of
 * first calls cannot load, and following it would only deepen our recursion. */
#define MAX_CALL_CHAIN 256

struct func {
	uint32_t sec_index;
	uint32_t start, cnt;   /* in instructions, within the section */
	const char *name;
};

struct sec_rels {
	uint32_t sec_index;
	struct bel_elf_rel *rels; /* sorted by offset */
	size_t count;
};

struct piece {
	uint32_t func;
	uint32_t out_off;
};

/* A map found by where its definition sits: legacy and BTF maps by section and offset. */
struct map_at {
	uint32_t sec_index;
	uint64_t sec_offset;
	uint32_t map;
};

#define EXTERN_UNKNOWN (-2) /* sym_ext: not looked up yet */

struct reloc_ctx {
	struct bel_spec *spec;
	struct func *funcs;
	size_t nfuncs;
	struct sec_rels *srels;  /* indexed by section number: the relocations of that section */
	/* the program being relocated */
	struct bel_prog_def *prog;
	struct bpf_insn *out;
	uint32_t out_cnt, out_cap;
	uint32_t *placed;      /* per func: its offset in out, or NOT_PLACED */
	struct piece *pieces;  /* functions in the order they were placed */
	uint32_t npieces, pieces_cap;
	/* lookups made once per object, not per relocation */
	struct map_at *maps_at;  /* every map of the spec, by (section, offset, index) */
	int *data_map;           /* per section number: its global-data map, or -1 */
	int *sym_ext;            /* per symbol: its extern, -1 for none, EXTERN_UNKNOWN */
	uint64_t bytes_left;     /* of BEL_PROGS_MAX_BYTES, for the programs still to come */
	uint64_t prog_bytes;     /* what the program being relocated takes so far */
	struct bel_map_ref *refs;
	uint32_t nrefs, refs_cap;
	struct bel_extern_ref *extern_refs;
	uint32_t nextern_refs, extern_refs_cap;
	uint32_t depth;        /* nesting of place_func */
	bool prog_only;        /* the error is the program's (an extern it uses), not the object's */
	/* per section number: its .BTF.ext records (func_info, line_info, core_relo) or NULL */
	const struct bel_btf_ext_sec **ext_secs[3];
	struct bel_err *err;
};

static bool is_ldimm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

static bool is_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL);
}

static bool is_exec(const struct bel_elf_sec *sec)
{
	return sec && sec->type == SHT_PROGBITS && (sec->flags & SHF_EXECINSTR);
}

static int cmp_rel(const void *a, const void *b)
{
	const struct bel_elf_rel *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int cmp_func(const void *a, const void *b)
{
	const struct func *x = a, *y = b;

	if (x->sec_index != y->sec_index)
		return x->sec_index < y->sec_index ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Index of the first relocation of the section at or after offset. */
static size_t first_rel(const struct reloc_ctx *ctx, uint32_t sec_index, uint64_t offset)
{
	const struct sec_rels *s = &ctx->srels[sec_index];
	size_t lo = 0, hi = s->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->rels[mid].offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The function that starts exactly at this instruction of this section. */
static int find_func(const struct reloc_ctx *ctx, uint32_t sec_index, uint64_t insn)
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

static int collect_rels(struct reloc_ctx *ctx, struct bel_err *err)
{
	const struct bel_elf *elf = ctx->spec->elf;
	size_t i;

	ctx->srels = calloc(elf->nsecs, sizeof(*ctx->srels));
	if (!ctx->srels)
		return bel_errf(err, ENOMEM, "out of memory");
	for (i = 1; i < elf->nsecs; i++) {
		const struct bel_elf_sec *relsec = &elf->secs[i];
		struct sec_rels *s;
		size_t j;
		int ret;

		if (relsec->type != SHT_REL || !is_exec(bel_elf_sec(elf, relsec->info)))
			continue;
		s = &ctx->srels[relsec->info];
		if (s->rels)
			return bel_errf(err, EINVAL, "section '%s' has two relocation sections",
					elf->secs[relsec->info].name);
		s->sec_index = relsec->info;
		ret = bel_elf_rels(elf, relsec, &s->rels, &s->count, err);
		if (ret)
			return ret;
		if (s->count)
			qsort(s->rels, s->count, sizeof(*s->rels), cmp_rel);
		for (j = 0; j < s->count; j++) {
			if (s->rels[j].offset % 8)
				return bel_errf(err, EINVAL, "'%s': relocation at offset %llu is not on an "
						"instruction", relsec->name,
						(unsigned long long)s->rels[j].offset);
			if (j && s->rels[j].offset == s->rels[j - 1].offset)
				return bel_errf(err, EINVAL, "'%s': two relocations at offset %llu",
						relsec->name, (unsigned long long)s->rels[j].offset);
		}
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

/* Append a function to the program being built (once) and relocate it. */
static int place_func(struct reloc_ctx *ctx, uint32_t fi)
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
	if (bel_grow(&ctx->extern_refs, ctx->nextern_refs, &ctx->extern_refs_cap, sizeof(*ctx->extern_refs), 8))
		return bel_errf(ctx->err, ENOMEM, "out of memory");
	ctx->extern_refs[ctx->nextern_refs].insn = insn;
	ctx->extern_refs[ctx->nextern_refs].ext = ext;
	ctx->nextern_refs++;
	return 0;
}

/* The extern an undefined symbol names, or an error saying why there is none. */
static int extern_of(struct reloc_ctx *ctx, uint32_t idx, const struct bel_elf_sym *sym)
{
	int *e_of_sym = &ctx->sym_ext[sym - ctx->spec->elf->syms];
	int e;

	/* once per symbol, not per relocation: a name is hashed in time of its length */
	if (*e_of_sym == EXTERN_UNKNOWN)
		*e_of_sym = bel_spec_find_extern(ctx->spec, sym->name);
	e = *e_of_sym;

	if (e < 0 || !ctx->spec->externs[e].btf_id) {
		ctx->prog_only = true;
		return bel_errf(ctx->err, ENOENT, "insn %u: extern '%s' is declared neither __kconfig "
				"nor __ksym (no .kconfig/.ksyms BTF for it)", idx, sym->name);
	}
	return e;
}

static int cmp_map_at(const void *a, const void *b)
{
	const struct map_at *x = a, *y = b;

	if (x->sec_index != y->sec_index)
		return x->sec_index < y->sec_index ? -1 : 1;
	if (x->sec_offset != y->sec_offset)
		return x->sec_offset < y->sec_offset ? -1 : 1;
	return x->map < y->map ? -1 : x->map > y->map;
}

/* Where each map is defined, sorted, and each section's global-data map: built once. */
static int index_maps(struct reloc_ctx *ctx, struct bel_err *err)
{
	const struct bel_spec *spec = ctx->spec;
	uint32_t i;

	ctx->maps_at = calloc(spec->nmaps ? spec->nmaps : 1, sizeof(*ctx->maps_at));
	ctx->data_map = malloc(spec->elf->nsecs * sizeof(*ctx->data_map));
	ctx->sym_ext = malloc((spec->elf->nsyms ? spec->elf->nsyms : 1) * sizeof(*ctx->sym_ext));
	if (!ctx->maps_at || !ctx->data_map || !ctx->sym_ext)
		return bel_errf(err, ENOMEM, "out of memory");
	for (i = 0; i < spec->elf->nsecs; i++)
		ctx->data_map[i] = -1;
	for (i = 0; i < spec->elf->nsyms; i++)
		ctx->sym_ext[i] = EXTERN_UNKNOWN;
	for (i = 0; i < spec->nmaps; i++) {
		const struct bel_map_def *m = &spec->maps[i];

		ctx->maps_at[i] = (struct map_at){m->sec_index, m->sec_offset, i};
		/* the first such map of a section, as a scan in map order would find it */
		if (m->origin == BEL_MAP_FROM_DATA && m->sec_index && m->sec_index < spec->elf->nsecs &&
		    ctx->data_map[m->sec_index] < 0)
			ctx->data_map[m->sec_index] = (int)i;
	}
	qsort(ctx->maps_at, spec->nmaps, sizeof(*ctx->maps_at), cmp_map_at);
	return 0;
}

/* The first map (in map order) defined at this offset of this section, or -1. */
static int map_by_sec(const struct reloc_ctx *ctx, uint32_t sec_index, uint64_t off)
{
	uint32_t lo = 0, hi = ctx->spec->nmaps;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct map_at *m = &ctx->maps_at[mid];

		if (m->sec_index < sec_index || (m->sec_index == sec_index && m->sec_offset < off))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ctx->spec->nmaps && ctx->maps_at[lo].sec_index == sec_index &&
	    ctx->maps_at[lo].sec_offset == off)
		return (int)ctx->maps_at[lo].map;
	return -1;
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
		int e = extern_of(ctx, idx, sym);

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
		target = find_func(ctx, sym->shndx, (sym->value + imm) / 8);
		if (target < 0)
			return bel_errf(ctx->err, ENOENT, "insn %u: '%s'+%lld is not the start of a "
					"function", idx, sym->name, (long long)imm);
		ret = place_func(ctx, (uint32_t)target);
		if (ret)
			return ret;
		ctx->out[idx].src_reg = BPF_PSEUDO_FUNC;
		ctx->out[idx].imm = (int32_t)(ctx->placed[target] - idx - 1);
		return 0;
	}
	map = map_by_sec(ctx, sym->shndx, sym->value + (sym->type == STT_SECTION ? imm : 0));
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
	int e = extern_of(ctx, idx, sym);

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
	target = target_insn < 0 ? -1 : find_func(ctx, target_sec, (uint64_t)target_insn);
	if (target < 0)
		return bel_errf(ctx->err, ENOENT, "insn %u: call target %lld in '%s' is not the start "
				"of a function", idx, (long long)target_insn,
				spec->elf->secs[target_sec].name);
	ret = place_func(ctx, (uint32_t)target);
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
	size_t next = first_rel(ctx, f->sec_index, (uint64_t)f->start * 8);
	uint32_t base = ctx->placed[fi], i;
	int ret = 0;

	for (i = 0; i < f->cnt && !ret; i++) {
		uint32_t idx = base + i;
		uint64_t offset = (uint64_t)(f->start + i) * 8;
		const struct bel_elf_rel *rel = NULL;
		struct bpf_insn insn = ctx->out[idx]; /* a copy: place_func may move ctx->out */

		if (next < srels->count && srels->rels[next].offset == offset)
			rel = &srels->rels[next++];

		if (is_ldimm64(&insn)) {
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
		} else if (is_call(&insn) && insn.src_reg == BPF_PSEUDO_CALL) {
			ret = relocate_call(ctx, f, i, idx, rel);
		} else if (rel) {
			const struct bel_elf_sym *sym = &ctx->spec->elf->syms[rel->sym];

			if (is_call(&insn) && sym->shndx == SHN_UNDEF)
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

static int build_map_table(struct reloc_ctx *ctx)
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

/* Index of the first record at or after instruction `insn` in a sorted section. */
static uint32_t first_record(const struct bel_btf_ext_info *info, const struct bel_btf_ext_sec *sec,
			     uint32_t insn)
{
	uint32_t lo = 0, hi = sec->count;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2, off;

		memcpy(&off, sec->recs + (size_t)mid * info->rec_size, 4);
		if (off / 8 < insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Gather the .BTF.ext records of every placed function, renumbered to final positions. */
static int build_ext_info(struct reloc_ctx *ctx, int which, const struct bel_btf_ext_info *info,
			  uint8_t **out, uint32_t *out_cnt, uint32_t *out_rec_size)
{
	static const char *const what[] = {"func_info", "line_info", "CO-RE"};
	uint32_t p, r, cnt = 0, cap = 0;
	uint8_t *recs = NULL;

	*out = NULL;
	*out_cnt = 0;
	*out_rec_size = 0;
	if (!info->nsecs)
		return 0;
	for (p = 0; p < ctx->npieces; p++) {
		const struct func *f = &ctx->funcs[ctx->pieces[p].func];
		const struct bel_btf_ext_sec *sec = ctx->ext_secs[which][f->sec_index];

		if (!sec)
			continue;
		/* records are sorted (btf/ext.c): the function's are the run from its start */
		for (r = first_record(info, sec, f->start); r < sec->count; r++) {
			const uint8_t *rec = sec->recs + (size_t)r * info->rec_size;
			uint32_t insn_off;

			memcpy(&insn_off, rec, 4);
			if (insn_off / 8 >= f->start + f->cnt)
				break;
			if (insn_off % 8 || insn_off / 8 < f->start)
				continue;
			/* the kernel takes one record per instruction at most: more is only memory,
			 * copied again into every program that holds the function */
			if (cnt >= ctx->out_cnt ||
			    ctx->prog_bytes + (uint64_t)(cnt + 1) * info->rec_size > ctx->bytes_left) {
				free(recs);
				return bel_errf(ctx->err, E2BIG, "%u %s records for %u instructions%s",
						cnt + 1, what[which], ctx->out_cnt,
						cnt >= ctx->out_cnt ? "" : ", beyond what bel allows an object");
			}
			if (cnt == cap) {
				uint8_t *grown;

				cap = cap ? cap * 2 : 16;
				grown = realloc(recs, (size_t)cap * info->rec_size);
				if (!grown) {
					free(recs);
					return bel_errf(ctx->err, ENOMEM, "out of memory");
				}
				recs = grown;
			}
			memcpy(recs + (size_t)cnt * info->rec_size, rec, info->rec_size);
			insn_off = insn_off / 8 - f->start + ctx->pieces[p].out_off;
			memcpy(recs + (size_t)cnt * info->rec_size, &insn_off, 4);
			cnt++;
		}
	}
	*out = recs;
	*out_cnt = cnt;
	*out_rec_size = cnt ? info->rec_size : 0;
	ctx->prog_bytes += (uint64_t)cnt * info->rec_size;
	return 0;
}

/* Which .BTF.ext records belong to which section, looked up by name once. */
static int map_ext_secs(struct reloc_ctx *ctx, struct bel_err *err)
{
	const struct bel_btf_ext *ext = ctx->spec->btf_ext;
	const struct bel_btf_ext_info *infos[3] = {&ext->func_info, &ext->line_info, &ext->core_relo};
	const struct bel_elf *elf = ctx->spec->elf;
	size_t w, i;

	for (w = 0; w < 3; w++) {
		ctx->ext_secs[w] = calloc(elf->nsecs, sizeof(*ctx->ext_secs[w]));
		if (!ctx->ext_secs[w])
			return bel_errf(err, ENOMEM, "out of memory");
		for (i = 0; i < infos[w]->nsecs; i++) {
			const struct bel_elf_sec *sec = bel_elf_sec_by_name(elf, infos[w]->secs[i].name);

			if (sec && is_exec(sec) && !ctx->ext_secs[w][sec->index])
				ctx->ext_secs[w][sec->index] = &infos[w]->secs[i];
		}
	}
	return 0;
}

static int relocate_prog(struct reloc_ctx *ctx, struct bel_prog_def *prog)
{
	int fi = find_func(ctx, prog->sec_index, prog->sec_insn_off);
	struct bpf_insn *insns;
	size_t i;
	int ret;

	if (fi < 0)
		return bel_errf(ctx->err, EINVAL, "no function at the program's start");
	ctx->prog = prog;
	ctx->out_cnt = 0;
	ctx->nrefs = 0;
	ctx->nextern_refs = 0;
	/* only what the last program placed: clearing every function per program would make
	 * the whole walk grow with programs times functions */
	for (i = 0; i < ctx->npieces; i++)
		ctx->placed[ctx->pieces[i].func] = NOT_PLACED;
	ctx->npieces = 0;
	ret = place_func(ctx, (uint32_t)fi);
	ctx->prog_bytes = (uint64_t)ctx->out_cnt * sizeof(struct bpf_insn);
	if (!ret)
		ret = build_map_table(ctx);
	if (!ret && ctx->spec->btf_ext) {
		ret = build_ext_info(ctx, 0, &ctx->spec->btf_ext->func_info, &prog->func_info,
				     &prog->func_info_cnt, &prog->func_info_rec_size);
		if (!ret)
			ret = build_ext_info(ctx, 1, &ctx->spec->btf_ext->line_info, &prog->line_info,
					     &prog->line_info_cnt, &prog->line_info_rec_size);
		if (!ret)
			ret = build_ext_info(ctx, 2, &ctx->spec->btf_ext->core_relo, &prog->core_relos,
					     &prog->core_relo_cnt, &prog->core_relo_rec_size);
	}
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
	prog->nextern_refs = ctx->nextern_refs;
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
		ret = collect_rels(&ctx, err);
	if (!ret)
		ret = index_maps(&ctx, err);
	if (!ret && spec->btf_ext)
		ret = map_ext_secs(&ctx, err);
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
	for (s = 0; s < 3; s++)
		free(ctx.ext_secs[s]);
	return ret;
}
