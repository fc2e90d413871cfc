/* SPDX-License-Identifier: MIT */
/*
 * A program's .BTF.ext records: the func_info, line_info and CO-RE records of every function
 * laid out in it, each record's insn_off renumbered from its place in the section to its
 * place in the program.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "prog_link.h"

int bel_link_map_ext_secs(struct reloc_ctx *ctx, struct bel_err *err)
{
	const struct bel_btf_ext *ext = ctx->spec->btf_ext;
	const struct bel_elf *elf = ctx->spec->elf;
	enum bel_btf_ext_kind k;
	size_t i;

	for (k = 0; k < BEL_BTF_EXT_KINDS; k++) {
		const struct bel_btf_ext_info *info = bel_btf_ext_info_of(ext, k);

		ctx->ext_secs[k] = calloc(elf->nsecs, sizeof(*ctx->ext_secs[k]));
		if (!ctx->ext_secs[k])
			return bel_errf(err, ENOMEM, "out of memory");
		for (i = 0; i < info->nsecs; i++) {
			const struct bel_elf_sec *sec = bel_elf_sec_by_name(elf, info->secs[i].name);

			if (sec && is_exec(sec) && !ctx->ext_secs[k][sec->index])
				ctx->ext_secs[k][sec->index] = &info->secs[i];
		}
	}
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

static const char *const what[BEL_BTF_EXT_KINDS] = {
	[BEL_BTF_EXT_FUNC_INFO] = "func_info",
	[BEL_BTF_EXT_LINE_INFO] = "line_info",
	[BEL_BTF_EXT_CORE_RELO] = "CO-RE",
};

/* The records of kind of piece p's function: [*first, *end) of the returned section (NULL when
 * its section has none). Records are sorted (btf/ext.c): the function's are one run. */
static const struct bel_btf_ext_sec *piece_records(const struct reloc_ctx *ctx,
						   enum bel_btf_ext_kind kind, uint32_t p,
						   uint32_t *first, uint32_t *end)
{
	const struct bel_btf_ext_info *info = bel_btf_ext_info_of(ctx->spec->btf_ext, kind);
	const struct func *f = &ctx->funcs[ctx->pieces[p].func];
	const struct bel_btf_ext_sec *sec = ctx->ext_secs[kind][f->sec_index];
	uint32_t r;

	if (!sec)
		return NULL;
	*first = first_record(info, sec, f->start);
	for (r = *first; r < sec->count; r++) {
		uint32_t insn_off;

		memcpy(&insn_off, sec->recs + (size_t)r * info->rec_size, 4);
		if (insn_off / 8 >= f->start + f->cnt)
			break;
	}
	*end = r;
	return sec;
}

/* Whether a record of a function starting at instruction start goes to the program: it names
 * an instruction of the function. */
static bool record_kept(const uint8_t *rec, uint32_t start)
{
	uint32_t insn_off;

	memcpy(&insn_off, rec, 4);
	return !(insn_off % 8) && insn_off / 8 >= start;
}

/* One more record for the program: within what the kernel takes (one per instruction at most:
 * more is only memory, copied again into every program that holds the function) and what bel
 * allows an object. */
static int take_record(struct reloc_ctx *ctx, enum bel_btf_ext_kind kind, uint32_t cnt,
		       uint32_t rec_size)
{
	if (cnt >= ctx->out_cnt || ctx->prog_bytes + (uint64_t)(cnt + 1) * rec_size > ctx->bytes_left)
		return bel_errf(ctx->err, E2BIG, "%u %s records for %u instructions%s", cnt + 1,
				what[kind], ctx->out_cnt,
				cnt >= ctx->out_cnt ? "" : ", beyond what bel allows an object");
	return 0;
}

/* Gather the records of one kind of every placed function, renumbered to final positions. */
static int gather_records(struct reloc_ctx *ctx, enum bel_btf_ext_kind kind, uint8_t **out,
			  uint32_t *out_cnt, uint32_t *out_rec_size)
{
	const struct bel_btf_ext_info *info = bel_btf_ext_info_of(ctx->spec->btf_ext, kind);
	uint32_t p, r, first, end, cnt = 0, cap = 0;
	uint8_t *recs = NULL;

	*out = NULL;
	*out_cnt = 0;
	*out_rec_size = 0;
	for (p = 0; info->nsecs && p < ctx->npieces; p++) {
		const struct bel_btf_ext_sec *sec = piece_records(ctx, kind, p, &first, &end);
		uint32_t start = ctx->funcs[ctx->pieces[p].func].start;

		for (r = first; sec && r < end; r++) {
			const uint8_t *rec = sec->recs + (size_t)r * info->rec_size;
			uint32_t insn_off;

			if (!record_kept(rec, start))
				continue;
			if (take_record(ctx, kind, cnt, info->rec_size)) {
				free(recs);
				return ctx->err->code;
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
			memcpy(&insn_off, rec, 4);
			insn_off = insn_off / 8 - start + ctx->pieces[p].out_off;
			memcpy(recs + (size_t)cnt * info->rec_size, &insn_off, 4);
			cnt++;
		}
	}
	/* doubling left up to half of it unused, in every program of the object */
	if (cnt && cnt < cap) {
		uint8_t *fitted = realloc(recs, (size_t)cnt * info->rec_size);

		if (fitted)
			recs = fitted;
	}
	*out = recs;
	*out_cnt = cnt;
	*out_rec_size = cnt ? info->rec_size : 0;
	ctx->prog_bytes += (uint64_t)cnt * info->rec_size;
	return 0;
}

/* line_info: where each placed function's records are, counted and checked as if copied. */
static int line_runs(struct reloc_ctx *ctx, struct bel_prog_def *prog)
{
	const struct bel_btf_ext_info *info = &ctx->spec->btf_ext->line_info;
	uint32_t p, r, first, end, cnt = 0;

	prog->line_runs = NULL;
	prog->nline_runs = prog->line_info_cnt = prog->line_info_rec_size = 0;
	if (!info->nsecs || !ctx->npieces)
		return 0;
	prog->line_runs = calloc(ctx->npieces, sizeof(*prog->line_runs));
	if (!prog->line_runs)
		return bel_errf(ctx->err, ENOMEM, "out of memory");
	for (p = 0; p < ctx->npieces; p++) {
		const struct bel_btf_ext_sec *sec = piece_records(ctx, BEL_BTF_EXT_LINE_INFO, p,
								  &first, &end);
		uint32_t start = ctx->funcs[ctx->pieces[p].func].start, before = cnt;

		for (r = first; sec && r < end; r++) {
			if (!record_kept(sec->recs + (size_t)r * info->rec_size, start))
				continue;
			if (take_record(ctx, BEL_BTF_EXT_LINE_INFO, cnt, info->rec_size)) {
				free(prog->line_runs);
				prog->line_runs = NULL;
				return ctx->err->code;
			}
			cnt++;
		}
		if (cnt > before)
			prog->line_runs[prog->nline_runs++] = (struct bel_line_run){
				.sec = sec, .first = first, .end = end, .start = start,
				.out_off = ctx->pieces[p].out_off};
	}
	if (!cnt) {
		free(prog->line_runs);
		prog->line_runs = NULL;
	}
	prog->line_info_cnt = cnt;
	prog->line_info_rec_size = cnt ? info->rec_size : 0;
	ctx->prog_bytes += (uint64_t)cnt * info->rec_size;
	return 0;
}

int bel_prog_line_info(const struct bel_prog_def *prog, uint8_t **out)
{
	uint32_t size = prog->line_info_rec_size, n = 0, i, r;
	uint8_t *recs;

	*out = NULL;
	if (!prog->line_info_cnt)
		return 0;
	recs = malloc((size_t)prog->line_info_cnt * size);
	if (!recs)
		return -ENOMEM;
	for (i = 0; i < prog->nline_runs; i++) {
		const struct bel_line_run *run = &prog->line_runs[i];

		for (r = run->first; r < run->end && n < prog->line_info_cnt; r++) {
			const uint8_t *rec = run->sec->recs + (size_t)r * size;
			uint32_t insn_off;

			if (!record_kept(rec, run->start))
				continue;
			memcpy(&insn_off, rec, 4);
			insn_off = insn_off / 8 - run->start + run->out_off;
			memcpy(recs + (size_t)n * size, rec, size);
			memcpy(recs + (size_t)n * size, &insn_off, 4);
			n++;
		}
	}
	*out = recs;
	return 0;
}

int bel_link_ext_records(struct reloc_ctx *ctx, struct bel_prog_def *prog)
{
	int ret = gather_records(ctx, BEL_BTF_EXT_FUNC_INFO, &prog->func_info,
				 &prog->func_info_cnt, &prog->func_info_rec_size);

	if (!ret)
		ret = line_runs(ctx, prog);
	if (!ret)
		ret = gather_records(ctx, BEL_BTF_EXT_CORE_RELO, &prog->core_relos,
				     &prog->core_relo_cnt, &prog->core_relo_rec_size);
	return ret;
}
