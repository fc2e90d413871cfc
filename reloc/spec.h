/* SPDX-License-Identifier: MIT */
/*
 * The spec: everything bel knows about an object after parsing and relocation collection,
 * before any kernel is involved. Built once by bel_spec_build() (pure: memory in, structures
 * out), then never modified, so any number of threads may read it while loading.
 *
 * Instructions in a program spec are final except for the fds: every ldimm64 that refers to a
 * map already carries BPF_PSEUDO_MAP_FD or BPF_PSEUDO_MAP_VALUE (with the value offset in the
 * second half) and has an entry in map_refs; the loader copies the instructions and writes the
 * map's fd into imm.
 *
 * Words, one per idea:
 *   spec          the whole parsed object (struct bel_spec), immutable once built;
 *   def           one definition in it: a map (bel_map_def), a program (bel_prog_def), a
 *                 global variable (bel_var_def); what the object asks for, before any kernel;
 *   ref           an instruction that names something resolved later: a map (bel_map_ref,
 *                 its fd at load) or a kernel symbol (bel_extern_ref, at prepare);
 *   access path   a CO-RE relocation's walk from a root type to a field (btf/core.c), not a
 *                 spec;
 *   ..._cnt, nX   how many of an array there are.
 */
#ifndef BEL_RELOC_SPEC_H
#define BEL_RELOC_SPEC_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>

#include "btf/btf.h"
#include "btf/ext.h"
#include "common/err.h"
#include "common/name_map.h"
#include "common/uapi.h"
#include "elf/elf.h"

enum bel_map_origin {
	BEL_MAP_FROM_BTF,     /* a variable in SEC(".maps") */
	BEL_MAP_FROM_LEGACY,  /* struct bpf_map_def in SEC("maps") */
	BEL_MAP_FROM_DATA,    /* a global data section */
	BEL_MAP_FROM_KERNEL,  /* not from an object: a map the loader opened by fd or path */
	BEL_MAP_FROM_STRUCT_OPS, /* a variable in SEC(".struct_ops") or SEC(".struct_ops.link") */
};

enum bel_data_kind {
	BEL_DATA_NONE,
	BEL_DATA_DATA,        /* .data, .data.* */
	BEL_DATA_RODATA,      /* .rodata, .rodata.* */
	BEL_DATA_BSS,         /* .bss, .bss.* */
	BEL_DATA_KCONFIG,     /* .kconfig externs: contents come from the running kernel */
};

/* libbpf's pinning attribute values. */
enum bel_pinning {
	BEL_PIN_NONE = 0,
	BEL_PIN_BY_NAME = 1,
};

/* One initial slot of a prog array (target is a program index) or of a map-in-map (a map index). */
struct bel_slot_init {
	uint32_t slot;
	uint32_t target;
};

struct bel_map_def {
	char *name;                  /* variable name, or section name for global data */
	char kname[BPF_OBJ_NAME_LEN];/* the name given to the kernel (libbpf's convention) */
	enum bel_map_origin origin;
	enum bel_data_kind data_kind;
	uint32_t type, key_size, value_size, max_entries, map_flags, numa_node;
	uint64_t map_extra;
	uint32_t pinning;
	uint32_t btf_key_type_id, btf_value_type_id;
	uint32_t sec_index;          /* the section defining it */
	uint64_t sec_offset, sec_size; /* where in that section (BTF and legacy maps) */
	const uint8_t *init;         /* initial contents of a data map; NULL means zeros */
	bool owns_init;              /* init is a copy (bel_spec_release_image), not the image */
	bool freeze;                 /* read-only for user space once initialised */
	bool has_metadata;           /* holds bpf_metadata_* variables */
	struct bel_map_def *inner;   /* template of the inner map of a map-in-map */
	uint32_t values_offset;      /* byte offset of the `values` member in a BTF definition */
	struct bel_slot_init *slots; /* initial slots; target is a program or map index */
	uint32_t nslots;
	/* struct_ops: the object's struct type, and which member points to which program */
	uint32_t struct_ops_type_id;
	struct bel_struct_ops_ref {
		uint32_t member;     /* index in the object's struct */
		uint32_t prog;
	} *st_refs;
	uint32_t nst_refs, st_refs_cap;
};

enum bel_map_ref_kind {
	BEL_REF_MAP_FD,              /* imm = fd of the map (BPF_PSEUDO_MAP_FD) */
	BEL_REF_MAP_VALUE,           /* imm = fd, next imm = offset (BPF_PSEUDO_MAP_VALUE) */
};

struct bel_map_ref {
	uint32_t insn;               /* index of the ldimm64 in the program's final instructions */
	uint32_t map;                /* index into spec->maps */
};

/* An instruction that takes a kernel symbol: a __ksym variable (ldimm64) or a kfunc (call). */
struct bel_extern_ref {
	uint32_t insn;
	uint32_t ext;                /* index into spec->externs */
};

/* How a program attaches, as its section name says. */
enum bel_attach_kind {
	BEL_ATTACH_NONE,
	BEL_ATTACH_KPROBE, BEL_ATTACH_KRETPROBE, BEL_ATTACH_UPROBE, BEL_ATTACH_TRACEPOINT,
	BEL_ATTACH_RAW_TP, BEL_ATTACH_TRACING, BEL_ATTACH_LSM, BEL_ATTACH_ITER,
	BEL_ATTACH_CGROUP, BEL_ATTACH_XDP, BEL_ATTACH_TCX, BEL_ATTACH_STRUCT_OPS,
	BEL_ATTACH_PERF_EVENT, BEL_ATTACH_KPROBE_MULTI, BEL_ATTACH_KRETPROBE_MULTI,
	BEL_ATTACH_UPROBE_MULTI, BEL_ATTACH_TC, BEL_ATTACH_SOCKMAP, BEL_ATTACH_NETNS,
	BEL_ATTACH_NETFILTER,
	BEL_ATTACH_USDT,             /* uprobes on the sites of a USDT probe, for <bpf/usdt.bpf.h> */
};

/* The line_info of one function laid out in a program: records [first, end) of its .BTF.ext
 * section whose instruction is in the function (start, in the section) go to out_off on. */
struct bel_line_run {
	const struct bel_btf_ext_sec *sec;
	uint32_t first, end;
	uint32_t start, out_off;
};

struct bel_prog_def {
	char *name;                  /* symbol name */
	const char *sec_name;
	bool owns_sec_name;          /* a copy (bel_spec_release_image), not the image's string */
	uint32_t sec_index;
	uint32_t sec_insn_off;       /* position of the function in its section, in instructions */
	uint32_t sec_insn_cnt;
	uint32_t prog_type, expected_attach_type, prog_flags;
	bool type_known;             /* the section name matched a known SEC() prefix */
	bool cilium_name;            /* ... only as cilium/ebpf reads names (sections.c) */
	bool optional;               /* SEC("?..."): left out of whole-object loads by default */
	bool needs_attach_btf;       /* fentry/fexit/lsm/iter/tp_btf: attach_btf_id from kernel BTF */
	const char *attach_target;   /* the part of the section name after "<prefix>/", or NULL */
	const char *btf_target_prefix; /* prefix of the kernel BTF name (e.g. "bpf_lsm_") */
	enum bel_attach_kind attach_kind;
	struct bpf_insn *insns;      /* main function followed by the subprograms it uses */
	uint32_t insn_cnt;
	struct bel_map_ref *map_refs;
	uint32_t nmap_refs;
	uint32_t *maps;              /* the map table: sorted, unique indices into spec->maps */
	uint32_t nmaps;
	uint8_t *func_info;          /* insn_off rewritten to instruction indices */
	uint32_t func_info_cnt, func_info_rec_size;
	/* line_info, the largest kind of record (one per source line), is not copied per program
	 * but renumbered from .BTF.ext when asked for (bel_prog_line_info), at load */
	struct bel_line_run *line_runs;
	uint32_t nline_runs;
	uint32_t line_info_cnt, line_info_rec_size;
	uint8_t *core_relos;         /* CO-RE records (struct bpf_core_relo), insn_off as for func_info */
	uint32_t core_relo_cnt, core_relo_rec_size;
	struct bel_extern_ref *extern_refs; /* instructions that take a kernel symbol */
	uint32_t extern_ref_cnt;
	char *open_error;            /* why it could not be relocated (no instructions then): */
	int open_errno;              /* loading it fails with this, the others are not affected */
	/* struct_ops: the struct type and member (in the object BTF) whose pointer names it */
	const char *struct_ops_type, *struct_ops_member;
	int32_t struct_ops_map;      /* index of that map, -1 when no struct_ops map names it */
};

/* A global variable: a VAR of a data section's DATASEC. */
struct bel_var_def {
	const char *name;            /* in the object BTF's strings */
	uint32_t map;                /* the data map holding it */
	uint32_t offset, size;       /* within the map's value */
	uint32_t btf_id, type_id;    /* the VAR, and its type */
	bool global;                 /* false for static (and hidden) variables */
};

struct bel_spec {
	char *obj_name;              /* the file name up to its first '.', or as given */
	struct bel_elf *elf;
	struct bel_btf *btf;         /* fixed-up object BTF, or NULL */
	struct bel_btf_ext *btf_ext;
	char license[128];
	uint32_t kern_version;
	struct bel_prog_def *progs;
	uint32_t nprogs;
	struct bel_map_def *maps;
	uint32_t nmaps;
	struct bel_extern *externs;
	uint32_t nexterns;
	struct bel_var_def *vars;    /* by map, then offset */
	uint32_t nvars;
	int kconfig_map;             /* index of the .kconfig map, or -1 */
	/* name lookups during open and after, without a scan per item */
	uint32_t maps_cap, externs_cap;
	struct bel_name_map maps_by_name, progs_by_name, externs_by_name, datasecs_by_name;
	uint32_t *meta_maps;         /* indices of the maps that hold bpf_metadata_* variables */
	uint32_t nmeta_maps;
	struct bel_prog_slot *prog_slots; /* prog array slots, by program: see map_slots.c */
	uint32_t nprog_slots;
	uint32_t *prog_slots_start;  /* per program (and one past the last): its first entry */
};

/* A prog array slot that names a program, listed by program so that loading one finds its
 * slots without a scan of every map. */
struct bel_prog_slot {
	uint32_t prog, map, slot;
};

/* Parse an object and collect everything about it that does not depend on a kernel. With
 * copy false, image must stay valid and unchanged until bel_spec_free(). */
int bel_spec_build(const void *image, size_t size, bool copy, const char *obj_name,
		   struct bel_spec **out, struct bel_err *err);
/*
 * Sections a reader gave apart from the image (malloc'd, or NULL), so that the largest are not
 * in memory twice: the spec keeps them as they are (.BTF as the object's BTF, .BTF.ext for the
 * line_info it renumbers at each load). What the image holds in their place is not read.
 */
struct bel_spec_apart {
	void *btf;
	size_t btf_size;
	void *btf_ext;
	size_t btf_ext_size;
};
/* The same with sections given apart: apart's buffers are the spec's from here on, even on
 * failure (apart may be NULL). */
int bel_spec_build_apart(const void *image, size_t size, bool copy, struct bel_spec_apart *apart,
			 const char *obj_name, struct bel_spec **out, struct bel_err *err);
void bel_spec_free(struct bel_spec *spec);
/* After a build, keep what the spec still needs of the image (programs' section names, the
 * data sections' initial values) as copies and drop the ELF and .BTF.ext views (spec->elf and
 * spec->btf_ext become NULL): the image may then be freed. What a loader keeps of an object is
 * then what it loads, not the file. */
int bel_spec_release_image(struct bel_spec *spec, struct bel_err *err);

int bel_spec_find_map(const struct bel_spec *spec, const char *name);
int bel_spec_find_prog(const struct bel_spec *spec, const char *name);
/* The first variable of that name (a lookup by the user, not in any per-item loop). */
int bel_spec_find_var(const struct bel_spec *spec, const char *name);
/* The object BTF's DATASEC of this name, or -ENOENT. */
int bel_spec_find_datasec(const struct bel_spec *spec, const char *name);

/* The program's line_info (line_info_cnt records of line_info_rec_size, insn_off rewritten to
 * instruction indices), malloc'd into *out: 0, or -ENOMEM. *out is NULL when it has none. */
int bel_prog_line_info(const struct bel_prog_def *prog, uint8_t **out);

/* Internal steps of bel_spec_build, one file each. */
int bel_spec_collect_btf_maps(struct bel_spec *spec, struct bel_err *err);
int bel_spec_collect_legacy_maps(struct bel_spec *spec, struct bel_err *err);
int bel_spec_collect_data_maps(struct bel_spec *spec, struct bel_err *err);
/* Programs, each relocated: its final instructions, map references, map table, .BTF.ext. */
int bel_spec_collect_progs(struct bel_spec *spec, struct bel_err *err);
int bel_spec_collect_map_slots(struct bel_spec *spec, struct bel_err *err);
int bel_spec_collect_vars(struct bel_spec *spec, struct bel_err *err);
/* struct_ops maps and the programs they name (after the programs are collected). */
int bel_spec_collect_struct_ops(struct bel_spec *spec, struct bel_err *err);
/* A new map named `name` (copied); -EEXIST without a message when the name is taken. */
int bel_spec_add_map(struct bel_spec *spec, const char *name, struct bel_map_def **out,
		     struct bel_err *err);
void bel_map_def_release(struct bel_map_def *def);
/* Perf event array and ring buffer sizes as the kernel takes them (cilium/ebpf's fix-ups). */
void bel_map_def_fix_sizes(struct bel_map_def *def);

/* Program type, expected attach type and flags from a SEC() name, as libbpf documents them. */
void bel_prog_def_set_type(struct bel_prog_def *prog);

/* The kernel-side name of a global data map, following libbpf so that tools agree. */
void bel_data_map_kname(const char *obj_name, const char *sec_name, char out[BPF_OBJ_NAME_LEN]);

#endif
