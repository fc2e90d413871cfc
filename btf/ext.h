/* SPDX-License-Identifier: MIT */
/*
 * .BTF.ext: per-section func_info, line_info and CO-RE relocation records. Pure.
 * Records are read where they are, in the caller's data, which must outlive the parsed ext (the
 * spec frees it before the ELF image). They are in order of insn_off (a byte offset into the
 * section, as clang writes it); a section whose records are not is sorted into a copy of its
 * own, equal offsets kept in order.
 */
#ifndef BEL_BTF_EXT_H
#define BEL_BTF_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "btf.h"

struct bel_btf_ext_sec {
	const char *name;     /* ELF section the records belong to */
	uint32_t count;
	const uint8_t *recs;  /* count records of the info's rec_size; each starts with insn_off */
	uint8_t *owned;       /* recs when they had to be sorted into a copy, else NULL */
	bool sorted;          /* by insn_off: always, since the parser sorts what clang did not */
};

struct bel_btf_ext_info {
	uint32_t rec_size;
	struct bel_btf_ext_sec *secs;
	size_t nsecs;
};

struct bel_btf_ext {
	const uint8_t *raw;   /* the data after the header */
	size_t raw_size;
	void *owned_data;     /* the data when the ext owns it (freed with it), else NULL */
	struct bel_btf_ext_info func_info, line_info, core_relo;
};

/* The kinds of records, in the order the .BTF.ext header lists them. */
enum bel_btf_ext_kind {
	BEL_BTF_EXT_FUNC_INFO,       /* struct bpf_func_info */
	BEL_BTF_EXT_LINE_INFO,       /* struct bpf_line_info */
	BEL_BTF_EXT_CORE_RELO,       /* struct bpf_core_relo */
	BEL_BTF_EXT_KINDS,
};

static inline const struct bel_btf_ext_info *bel_btf_ext_info_of(const struct bel_btf_ext *ext,
								 enum bel_btf_ext_kind kind)
{
	return kind == BEL_BTF_EXT_FUNC_INFO ? &ext->func_info :
	       kind == BEL_BTF_EXT_LINE_INFO ? &ext->line_info : &ext->core_relo;
}

/* Minimum record sizes bel understands: struct bpf_func_info, bpf_line_info, bpf_core_relo. */
#define BEL_FUNC_INFO_MIN 8
#define BEL_LINE_INFO_MIN 16
#define BEL_CORE_RELO_MIN 16

int bel_btf_ext_parse(const void *data, size_t size, const struct bel_btf *btf,
		      struct bel_btf_ext **out, struct bel_err *err);
/* The same on a malloc'd blob the result takes as its own (freed here on failure). */
int bel_btf_ext_parse_owned(void *data, size_t size, const struct bel_btf *btf,
			    struct bel_btf_ext **out, struct bel_err *err);
/* Make the ext independent of the caller's data (a copy, when it has none of its own): 0 or
 * -ENOMEM. */
int bel_btf_ext_own(struct bel_btf_ext *ext);
void bel_btf_ext_free(struct bel_btf_ext *ext);
const struct bel_btf_ext_sec *bel_btf_ext_find(const struct bel_btf_ext_info *info, const char *sec);

#endif
