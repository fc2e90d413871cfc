/* SPDX-License-Identifier: MIT */
/*
 * Relocating an object's programs, shared by the files that do it, one job each:
 *   progs.c      the function and program tables, and the walk over the programs;
 *   prog_rels.c  reading the relocation sections, and what a relocated symbol names (a map,
 *                global data, an extern);
 *   prog_link.c  laying a program out with the subprograms it uses, relocating calls and
 *                ldimm64 instructions on the way;
 *   prog_ext.c   the .BTF.ext records of the functions laid out, renumbered to their places.
 * Pure, like the rest of reloc/.
 */
#ifndef BEL_RELOC_PROG_LINK_H
#define BEL_RELOC_PROG_LINK_H

#include <elf.h>

#include "spec.h"

#define NOT_PLACED UINT32_MAX
#define EXTERN_UNKNOWN (-2) /* sym_ext: not looked up yet */

/* A function symbol of an executable section: a program, or a subprogram in .text. */
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

/* A function as placed in the program being laid out. */
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

struct reloc_ctx {
	struct bel_spec *spec;
	struct func *funcs;      /* sorted by section, then start */
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
	uint32_t extern_ref_cnt, extern_refs_cap;
	uint32_t depth;        /* nesting of bel_link_place_func */
	bool prog_only;        /* the error is the program's (an extern it uses), not the object's */
	/* per record kind, per section number: that section's .BTF.ext records, or NULL */
	const struct bel_btf_ext_sec **ext_secs[BEL_BTF_EXT_KINDS];
	struct bel_err *err;
};

static inline bool is_exec(const struct bel_elf_sec *sec)
{
	return sec && sec->type == SHT_PROGBITS && (sec->flags & SHF_EXECINSTR);
}

/* progs.c: the function that starts exactly at this instruction of this section, or -1. */
int bel_link_find_func(const struct reloc_ctx *ctx, uint32_t sec_index, uint64_t insn);

/* prog_rels.c */
int bel_link_collect_rels(struct reloc_ctx *ctx, struct bel_err *err);
/* Index of the first relocation of the section at or after offset. */
size_t bel_link_first_rel(const struct reloc_ctx *ctx, uint32_t sec_index, uint64_t offset);
/* Where each map is defined, and each section's global-data map: built once. */
int bel_link_index_maps(struct reloc_ctx *ctx, struct bel_err *err);
/* The first map (in map order) defined at this offset of this section, or -1. */
int bel_link_map_at(const struct reloc_ctx *ctx, uint32_t sec_index, uint64_t off);
/* The extern an undefined symbol names, or an error saying why there is none. */
int bel_link_extern_of(struct reloc_ctx *ctx, uint32_t idx, const struct bel_elf_sym *sym);

/* prog_link.c: lay out a program from its function fi, with everything it calls; then its
 * map table from the references found. */
int bel_link_place_func(struct reloc_ctx *ctx, uint32_t fi);
int bel_link_map_table(struct reloc_ctx *ctx);

/* prog_ext.c */
int bel_link_map_ext_secs(struct reloc_ctx *ctx, struct bel_err *err);
/* The program's .BTF.ext records of every kind, renumbered to where its functions were placed. */
int bel_link_ext_records(struct reloc_ctx *ctx, struct bel_prog_def *prog);

#endif
