/* SPDX-License-Identifier: MIT */
/*
 * Reading an object's relocations: each executable section's, sorted by offset and checked
 * (on an instruction, one per instruction); and what a relocated symbol names (a map by where
 * it is defined, a section's global data, an extern), looked up through tables built once per
 * object rather than by a scan per relocation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "externs.h"
#include "prog_link.h"

static int cmp_rel(const void *a, const void *b)
{
	const struct bel_elf_rel *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

int bel_link_collect_rels(struct reloc_ctx *ctx, struct bel_err *err)
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

size_t bel_link_first_rel(const struct reloc_ctx *ctx, uint32_t sec_index, uint64_t offset)
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

static int cmp_map_at(const void *a, const void *b)
{
	const struct map_at *x = a, *y = b;

	if (x->sec_index != y->sec_index)
		return x->sec_index < y->sec_index ? -1 : 1;
	if (x->sec_offset != y->sec_offset)
		return x->sec_offset < y->sec_offset ? -1 : 1;
	return x->map < y->map ? -1 : x->map > y->map;
}

int bel_link_index_maps(struct reloc_ctx *ctx, struct bel_err *err)
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

int bel_link_map_at(const struct reloc_ctx *ctx, uint32_t sec_index, uint64_t off)
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

int bel_link_extern_of(struct reloc_ctx *ctx, uint32_t idx, const struct bel_elf_sym *sym)
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
