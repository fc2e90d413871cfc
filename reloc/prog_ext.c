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

/* Gather the records of one kind of every placed function, renumbered to final positions. */
static int gather_records(struct reloc_ctx *ctx, enum bel_btf_ext_kind kind, uint8_t **out,
			  uint32_t *out_cnt, uint32_t *out_rec_size)
{
	static const char *const what[BEL_BTF_EXT_KINDS] = {
		[BEL_BTF_EXT_FUNC_INFO] = "func_info",
		[BEL_BTF_EXT_LINE_INFO] = "line_info",
		[BEL_BTF_EXT_CORE_RELO] = "CO-RE",
	};
	const struct bel_btf_ext_info *info = bel_btf_ext_info_of(ctx->spec->btf_ext, kind);
	uint32_t p, r, cnt = 0, cap = 0;
	uint8_t *recs = NULL;

	*out = NULL;
	*out_cnt = 0;
	*out_rec_size = 0;
	if (!info->nsecs)
		return 0;
	for (p = 0; p < ctx->npieces; p++) {
		const struct func *f = &ctx->funcs[ctx->pieces[p].func];
		const struct bel_btf_ext_sec *sec = ctx->ext_secs[kind][f->sec_index];

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
						cnt + 1, what[kind], ctx->out_cnt,
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

int bel_link_ext_records(struct reloc_ctx *ctx, struct bel_prog_def *prog)
{
	struct {
		uint8_t **recs;
		uint32_t *cnt, *rec_size;
	} const out[BEL_BTF_EXT_KINDS] = {
		[BEL_BTF_EXT_FUNC_INFO] = {&prog->func_info, &prog->func_info_cnt,
					   &prog->func_info_rec_size},
		[BEL_BTF_EXT_LINE_INFO] = {&prog->line_info, &prog->line_info_cnt,
					   &prog->line_info_rec_size},
		[BEL_BTF_EXT_CORE_RELO] = {&prog->core_relos, &prog->core_relo_cnt,
					   &prog->core_relo_rec_size},
	};
	enum bel_btf_ext_kind k;
	int ret;

	for (k = 0; k < BEL_BTF_EXT_KINDS; k++) {
		ret = gather_records(ctx, k, out[k].recs, out[k].cnt, out[k].rec_size);
		if (ret)
			return ret;
	}
	return 0;
}
