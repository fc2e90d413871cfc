/* SPDX-License-Identifier: MIT */
/*
 * reloc/spec: bel_spec_build() on every fixture: programs, map tables, relocated calls and map
 * references, global data, prog array and map-in-map slots, func/line info.
 *
 * Expected values are taken from the fixture sources (tests/progs/) and, where they depend on
 * the compiler (instruction counts, offsets), from the object's own ELF headers and symbols,
 * read directly rather than through the code under test.
 */
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf.h"
#include "btf/sanitize.h"
#include "btf/ext.h"
#include "btf/fixup.h"
#include "elf/elf.h"
#include "reloc/spec.h"
#include "objgen.h"
#include "testutil.h"
#include "unit.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static const struct bel_prog_def *prog_by_name(const struct bel_spec *spec, const char *name)
{
	int i = bel_spec_find_prog(spec, name);

	ck_assert_msg(i >= 0, "no program '%s'", name);
	return &spec->progs[i];
}

static const struct bel_map_def *map_by_name(const struct bel_spec *spec, const char *name)
{
	int i = bel_spec_find_map(spec, name);

	ck_assert_msg(i >= 0, "no map '%s'", name);
	return &spec->maps[i];
}

static const Elf64_Shdr *sec_of(const struct fixture *f, const char *name)
{
	const Elf64_Shdr *sh = raw_shdr(f->buf, name);

	ck_assert_msg(sh, "no section '%s' in the fixture", name);
	return sh;
}

/* Instructions of a function symbol. */
static uint32_t func_insns(const struct fixture *f, const char *name)
{
	return (uint32_t)(sym_of(f, name)->st_size / sizeof(struct bpf_insn));
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The program's map table is exactly the maps named in `names` (NULL-terminated). */
static void check_map_table(const struct bel_spec *spec, const char *prog_name,
			    const char *const *names)
{
	const struct bel_prog_def *prog = prog_by_name(spec, prog_name);
	uint32_t want[64], n = 0, i;

	for (; names[n]; n++) {
		ck_assert_uint_lt(n, 64);
		want[n] = (uint32_t)(map_by_name(spec, names[n]) - spec->maps);
	}
	qsort(want, n, sizeof(want[0]), cmp_u32);
	ck_assert_msg(prog->nmaps == n, "prog '%s': %u maps in its table, expected %u", prog_name,
		      prog->nmaps, n);
	for (i = 0; i < n; i++)
		ck_assert_msg(prog->maps[i] == want[i], "prog '%s': map table entry %u is '%s', expected '%s'",
			      prog_name, i, spec->maps[prog->maps[i]].name, spec->maps[want[i]].name);
}

#define MAPS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_MAPS ((const char *const[]){NULL})

/* Programs in order: name, section, type, expected attach type. */
struct prog_want {
	const char *name, *sec;
	uint32_t type, eat;
};

static void check_progs(const struct bel_spec *spec, const struct prog_want *want, uint32_t n)
{
	uint32_t i;

	ck_assert_uint_eq(spec->nprogs, n);
	for (i = 0; i < n; i++) {
		const struct bel_prog_def *p = &spec->progs[i];

		ck_assert_str_eq(p->name, want[i].name);
		ck_assert_str_eq(p->sec_name, want[i].sec);
		ck_assert_msg(p->type_known, "prog '%s' has an unknown type", p->name);
		ck_assert_msg(p->prog_type == want[i].type, "prog '%s': type %u, expected %u", p->name,
			      p->prog_type, want[i].type);
		ck_assert_msg(p->expected_attach_type == want[i].eat,
			      "prog '%s': expected_attach_type %u, expected %u", p->name,
			      p->expected_attach_type, want[i].eat);
	}
}

static bool is_ldimm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

static bool is_pseudo_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == BPF_PSEUDO_CALL;
}

static bool is_func_start(const struct bel_prog_def *p, int64_t insn)
{
	uint32_t k;

	for (k = 0; k < p->func_info_cnt; k++)
		if (rec_insn_off(p->func_info, p->func_info_rec_size, k) == insn)
			return true;
	return false;
}

/* ---- spec: what holds for every program of every fixture -------------------------------- */

static void check_prog_invariants(const struct fixture *f, const struct bel_prog_def *p)
{
	const struct bel_spec *spec = f->spec;
	const struct bpf_insn *first;
	uint8_t *line_info;
	uint32_t i, k;

	ck_assert_msg(p->insn_cnt >= p->sec_insn_cnt && p->sec_insn_cnt > 0, "prog '%s'", p->name);
	/* the program starts with its own code (whose first insn no relocation touches here) */
	first = (const struct bpf_insn *)(f->buf + sec_of(f, p->sec_name)->sh_offset) + p->sec_insn_off;
	ck_assert_uint_eq(p->insns[0].code, first->code);
	ck_assert_uint_eq(p->insns[0].dst_reg, first->dst_reg);

	/* map references: on an ldimm64 with a pseudo source, in the map table */
	for (i = 0; i < p->nmap_refs; i++) {
		const struct bel_map_ref *ref = &p->map_refs[i];
		const struct bpf_insn *insn = &p->insns[ref->insn];

		ck_assert_uint_lt(ref->insn + 1, p->insn_cnt);
		ck_assert_uint_lt(ref->map, spec->nmaps);
		ck_assert_msg(is_ldimm64(insn), "prog '%s': ref %u at insn %u is not an ldimm64",
			      p->name, i, ref->insn);
		ck_assert_msg(insn->src_reg == BPF_PSEUDO_MAP_FD || insn->src_reg == BPF_PSEUDO_MAP_VALUE,
			      "prog '%s': insn %u has src_reg %u", p->name, ref->insn, insn->src_reg);
		ck_assert_int_eq(insn->imm, 0);
		if (insn->src_reg == BPF_PSEUDO_MAP_VALUE) {
			ck_assert_int_eq(spec->maps[ref->map].origin, BEL_MAP_FROM_DATA);
			ck_assert_uint_lt((uint32_t)insn[1].imm, spec->maps[ref->map].value_size);
		} else {
			ck_assert_int_ne(spec->maps[ref->map].origin, BEL_MAP_FROM_DATA);
			ck_assert_int_eq(insn[1].imm, 0);
		}
		ck_assert_ptr_nonnull(bsearch(&ref->map, p->maps, p->nmaps, sizeof(*p->maps), cmp_u32));
	}
	/* the map table: sorted, unique, every entry referenced */
	for (i = 0; i < p->nmaps; i++) {
		bool used = false;

		ck_assert_uint_lt(p->maps[i], spec->nmaps);
		if (i)
			ck_assert_uint_gt(p->maps[i], p->maps[i - 1]);
		for (k = 0; k < p->nmap_refs; k++)
			used |= p->map_refs[k].map == p->maps[i];
		ck_assert_msg(used, "prog '%s': map '%s' in the table but never referenced", p->name,
			      spec->maps[p->maps[i]].name);
	}

	/* func_info: the main function at 0, then each appended function, in order */
	ck_assert_uint_ge(p->func_info_cnt, 1);
	ck_assert_uint_ge(p->func_info_rec_size, BEL_FUNC_INFO_MIN);
	ck_assert_uint_eq(rec_insn_off(p->func_info, p->func_info_rec_size, 0), 0);
	for (k = 1; k < p->func_info_cnt; k++) {
		uint32_t off = rec_insn_off(p->func_info, p->func_info_rec_size, k);

		ck_assert_uint_gt(off, rec_insn_off(p->func_info, p->func_info_rec_size, k - 1));
		ck_assert_uint_lt(off, p->insn_cnt);
	}
	for (k = 0; k < p->func_info_cnt; k++) {
		uint32_t type_id;

		memcpy(&type_id, p->func_info + (size_t)k * p->func_info_rec_size + 4, 4);
		ck_assert_ptr_nonnull(bel_btf_type(spec->btf, type_id));
		ck_assert_uint_eq(btf_kind(bel_btf_type(spec->btf, type_id)), BTF_KIND_FUNC);
	}
	/* line_info (renumbered when asked for): nondecreasing, inside the program */
	ck_assert_uint_ge(p->line_info_cnt, 1);
	ck_assert_uint_ge(p->line_info_rec_size, BEL_LINE_INFO_MIN);
	ck_assert_int_eq(bel_prog_line_info(p, &line_info), 0);
	ck_assert_ptr_nonnull(line_info);
	for (k = 0; k < p->line_info_cnt; k++) {
		uint32_t off = rec_insn_off(line_info, p->line_info_rec_size, k);

		ck_assert_uint_lt(off, p->insn_cnt);
		if (k)
			ck_assert_uint_ge(off, rec_insn_off(line_info, p->line_info_rec_size, k - 1));
	}
	free(line_info);

	/* every instruction: relocated calls and function addresses land on a function start
	 * inside the program; every ldimm64 with a map source has a map reference */
	for (i = 0; i < p->insn_cnt; i++) {
		const struct bpf_insn *insn = &p->insns[i];
		int64_t target = (int64_t)i + insn->imm + 1;

		if (is_pseudo_call(insn)) {
			ck_assert_msg(target >= 0 && target < p->insn_cnt && is_func_start(p, target),
				      "prog '%s': call at %u to %lld", p->name, i, (long long)target);
		} else if (is_ldimm64(insn)) {
			ck_assert_uint_lt(i + 1, p->insn_cnt);
			if (insn->src_reg == BPF_PSEUDO_FUNC)
				ck_assert_msg(target >= 0 && target < p->insn_cnt && is_func_start(p, target),
					      "prog '%s': function address at %u -> %lld", p->name, i,
					      (long long)target);
			if (insn->src_reg == BPF_PSEUDO_MAP_FD || insn->src_reg == BPF_PSEUDO_MAP_VALUE) {
				bool found = false;

				for (k = 0; k < p->nmap_refs; k++)
					found |= p->map_refs[k].insn == i;
				ck_assert_msg(found, "prog '%s': ldimm64 at %u has no map ref", p->name, i);
			}
			i++;
		}
	}
}

START_TEST(spec_every_fixture)
{
	struct fixture f = build(fixtures[_i]);
	const struct bel_spec *spec = f.spec;
	uint32_t i;

	ck_assert_str_eq(spec->obj_name, fixtures[_i]);
	ck_assert_str_eq(spec->license, "GPL");
	ck_assert_ptr_nonnull(spec->btf);
	ck_assert_ptr_nonnull(spec->btf_ext);
	ck_assert_uint_gt(spec->nprogs, 0);
	for (i = 0; i < spec->nprogs; i++)
		check_prog_invariants(&f, &spec->progs[i]);
	for (i = 0; i < spec->nmaps; i++) {
		const struct bel_map_def *m = &spec->maps[i];

		ck_assert_int_eq(bel_spec_find_map(spec, m->name), (int)i);
		ck_assert_uint_lt(strlen(m->kname), BPF_OBJ_NAME_LEN);
		ck_assert_uint_ne(m->type, 0);
		if (m->origin == BEL_MAP_FROM_BTF) {
			/* the kernel name is the variable name, cut to 15 characters */
			ck_assert_int_eq(strncmp(m->kname, m->name, BPF_OBJ_NAME_LEN - 1), 0);
			ck_assert_ptr_eq(bel_elf_sec_by_name(spec->elf, ".maps"),
					 bel_elf_sec(spec->elf, m->sec_index));
		}
	}
	ck_assert_int_eq(bel_spec_find_map(spec, "no_such_map"), -ENOENT);
	ck_assert_int_eq(bel_spec_find_prog(spec, "no_such_prog"), -ENOENT);
	release(&f);
}
END_TEST

/* The spec keeps its own copy of the image: the caller's buffer may go. */
START_TEST(spec_outlives_input)
{
	struct fixture f = build("globals");
	const struct bel_map_def *rodata = map_by_name(f.spec, ".rodata");
	uint8_t *copy = malloc(f.size);

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, f.buf, f.size);
	memset(f.buf, 0xa5, f.size);
	ck_assert_mem_eq(rodata->init, copy + raw_shdr(copy, ".rodata")->sh_offset, rodata->value_size);
	ck_assert_str_eq(f.spec->progs[0].sec_name, "socket");
	free(copy);
	release(&f);
}
END_TEST

/* Every program's line_info as a load gets it, one malloc'd buffer per program (or NULL). */
static uint8_t **all_line_info(const struct bel_spec *spec)
{
	uint8_t **out = calloc(spec->nprogs + 1, sizeof(*out));
	uint32_t i;

	ck_assert_ptr_nonnull(out);
	for (i = 0; i < spec->nprogs; i++)
		ck_assert_int_eq(bel_prog_line_info(&spec->progs[i], &out[i]), 0);
	return out;
}

static void same_line_info(const struct bel_spec *spec, uint8_t **want)
{
	uint8_t **got = all_line_info(spec);
	uint32_t i;

	for (i = 0; i < spec->nprogs; i++) {
		const struct bel_prog_def *p = &spec->progs[i];

		ck_assert_int_eq(!got[i], !want[i]);
		if (got[i])
			ck_assert_mem_eq(got[i], want[i], (size_t)p->line_info_cnt * p->line_info_rec_size);
		free(got[i]);
	}
	free(got);
}

/* A copy of the section's bytes, and the image's own zeroed: what a reader gives apart. */
static void *take_apart(uint8_t *image, const char *name, size_t *size)
{
	Elf64_Shdr *sh = raw_shdr(image, name);
	void *copy;

	ck_assert_ptr_nonnull(sh);
	*size = sh->sh_size;
	copy = malloc(*size);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, image + sh->sh_offset, *size);
	memset(image + sh->sh_offset, 0, *size);
	return copy;
}

/* line_info is renumbered from .BTF.ext at each load: after the image has gone (the spec's own
 * copy of .BTF.ext), and with .BTF and .BTF.ext given apart as the file reader does, it is the
 * same as from a spec that has its own copy of everything. */
START_TEST(spec_line_info_without_image)
{
	struct fixture f = build(fixtures[_i]);
	uint8_t **want = all_line_info(f.spec);
	struct bel_spec_apart apart;
	struct bel_err err = {0};
	struct bel_spec *spec;
	uint8_t *image;
	uint32_t i;

	/* built on the caller's image, which goes after release */
	image = malloc(f.size);
	ck_assert_ptr_nonnull(image);
	memcpy(image, f.buf, f.size);
	ck_assert_msg(bel_spec_build(image, f.size, false, "lines", &spec, &err) == 0, "%s", err.msg);
	ck_assert_msg(bel_spec_release_image(spec, &err) == 0, "%s", err.msg);
	memset(image, 0xa5, f.size);
	free(image);
	same_line_info(spec, want);
	bel_spec_free(spec);

	/* .BTF and .BTF.ext apart, the image's zeroed */
	image = malloc(f.size);
	ck_assert_ptr_nonnull(image);
	memcpy(image, f.buf, f.size);
	apart.btf = take_apart(image, ".BTF", &apart.btf_size);
	apart.btf_ext = take_apart(image, ".BTF.ext", &apart.btf_ext_size);
	ck_assert_msg(bel_spec_build_apart(image, f.size, false, &apart, "lines", &spec, &err) == 0,
		      "%s", err.msg);
	ck_assert_msg(bel_spec_release_image(spec, &err) == 0, "%s", err.msg);
	free(image);
	same_line_info(spec, want);
	bel_spec_free(spec);

	for (i = 0; i < f.spec->nprogs; i++)
		free(want[i]);
	free(want);
	release(&f);
}
END_TEST

/* ---- spec: maps.bpf.o ------------------------------------------------------------------- */

START_TEST(spec_maps_progs)
{
	struct fixture f = build("maps");
	static const struct prog_want want[] = {
		{"tail_zero", "socket", BPF_PROG_TYPE_SOCKET_FILTER, 0},
		{"tail_two", "socket", BPF_PROG_TYPE_SOCKET_FILTER, 0},
		{"sock_dispatch", "socket", BPF_PROG_TYPE_SOCKET_FILTER, 0},
		{"xdp_percpu", "xdp", BPF_PROG_TYPE_XDP, BPF_XDP},
		{"tc_lru", "tc", BPF_PROG_TYPE_SCHED_CLS, 0},
		{"kprobe_events", "kprobe/do_unlinkat", BPF_PROG_TYPE_KPROBE, 0},
		{"kprobe_inner_direct", "kprobe/do_unlinkat", BPF_PROG_TYPE_KPROBE, 0},
	};

	check_progs(f.spec, want, sizeof(want) / sizeof(want[0]));
	ck_assert_str_eq(prog_by_name(f.spec, "kprobe_events")->attach_target, "do_unlinkat");
	ck_assert_ptr_null(prog_by_name(f.spec, "xdp_percpu")->attach_target);
	release(&f);
}
END_TEST

START_TEST(spec_maps_tables)
{
	struct fixture f = build("maps");

	check_map_table(f.spec, "tail_zero", MAPS("hash_map"));
	check_map_table(f.spec, "tail_two", MAPS("hash_map"));
	check_map_table(f.spec, "sock_dispatch", MAPS("array_map", "jump_table"));
	check_map_table(f.spec, "xdp_percpu", MAPS("percpu_array_map", "percpu_hash_map", "bloom_map",
						   "queue_map", "stack_map", "sized_hash_map"));
	check_map_table(f.spec, "tc_lru", MAPS("lru_hash_map", "lru_percpu_hash_map",
					       "noprealloc_hash_map", "outer_array", "outer_hash"));
	check_map_table(f.spec, "kprobe_events", MAPS("ringbuf_map", "perf_map"));
	check_map_table(f.spec, "kprobe_inner_direct", MAPS("inner_a", "inner_b"));
	release(&f);
}
END_TEST

struct map_want {
	const char *name;
	uint32_t type, key_size, value_size, max_entries, flags;
	const char *key_type, *value_type; /* BTF names of __type(key/value), NULL if none */
};

START_TEST(spec_maps_defs)
{
	static const struct map_want want[] = {
		{"hash_map", BPF_MAP_TYPE_HASH, 4, 8, 128, 0, "__u32", "__u64"},
		{"array_map", BPF_MAP_TYPE_ARRAY, 4, 16, 16, 0, "__u32", "event"},
		{"percpu_hash_map", BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 64, 0, "__u32", "__u64"},
		{"percpu_array_map", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 0, "__u32", "__u64"},
		{"lru_hash_map", BPF_MAP_TYPE_LRU_HASH, 8, 8, 256, BPF_F_NO_COMMON_LRU, "__u64", "__u64"},
		{"lru_percpu_hash_map", BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 4, 256, BPF_F_NO_COMMON_LRU,
		 "__u32", "__u32"},
		{"noprealloc_hash_map", BPF_MAP_TYPE_HASH, 4, 4, 1024, BPF_F_NO_PREALLOC, "__u32", "__u32"},
		/* sizes by __uint: no BTF key/value */
		{"sized_hash_map", BPF_MAP_TYPE_HASH, 8, 16, 32, 0, NULL, NULL},
		{"ringbuf_map", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096 * 4, 0, NULL, NULL},
		/* no max_entries: 0, for the loader to replace with the number of CPUs */
		{"perf_map", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 0, 0, NULL, NULL},
		{"bloom_map", BPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 64, 0, NULL, "__u32"},
		{"queue_map", BPF_MAP_TYPE_QUEUE, 0, 8, 32, 0, NULL, "__u64"},
		{"stack_map", BPF_MAP_TYPE_STACK, 0, 4, 32, 0, NULL, "__u32"},
		{"inner_a", BPF_MAP_TYPE_ARRAY, 4, 8, 8, 0, "__u32", "__u64"},
		{"inner_b", BPF_MAP_TYPE_ARRAY, 4, 8, 8, 0, "__u32", "__u64"},
		/* fd slots: value_size 4 without being written out */
		{"outer_array", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, "__u32", NULL},
		{"outer_hash", BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0, "__u32", NULL},
		{"jump_table", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, "__u32", NULL},
	};
	struct fixture f = build("maps");
	const struct bel_spec *spec = f.spec;
	size_t i;

	/* all BTF-defined, nothing else (no global data in maps.bpf.c) */
	ck_assert_uint_eq(spec->nmaps, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct map_want *w = &want[i];
		const struct bel_map_def *m = map_by_name(spec, w->name);

		ck_assert_int_eq(m->origin, BEL_MAP_FROM_BTF);
		ck_assert_int_eq(m->data_kind, BEL_DATA_NONE);
		ck_assert_msg(m->type == w->type && m->key_size == w->key_size &&
			      m->value_size == w->value_size && m->max_entries == w->max_entries &&
			      m->map_flags == w->flags,
			      "map '%s': type %u key %u value %u max %u flags %#x", w->name, m->type,
			      m->key_size, m->value_size, m->max_entries, m->map_flags);
		ck_assert_uint_eq(m->pinning, BEL_PIN_NONE);
		ck_assert_ptr_null(m->init);
		ck_assert(!m->freeze && !m->has_metadata);
		/* the types as written in __type(), typedefs kept */
		if (w->key_type)
			ck_assert_str_eq(btf_name(spec->btf, m->btf_key_type_id), w->key_type);
		else
			ck_assert_uint_eq(m->btf_key_type_id, 0);
		if (w->value_type)
			ck_assert_str_eq(btf_name(spec->btf, m->btf_value_type_id), w->value_type);
		else
			ck_assert_uint_eq(m->btf_value_type_id, 0);
		/* where the definition lives in .maps: its symbol */
		ck_assert_uint_eq(m->sec_offset, sym_of(&f, w->name)->st_value);
		ck_assert_uint_eq(m->sec_size, sym_of(&f, w->name)->st_size);
	}
	ck_assert_uint_eq(map_by_name(spec, "bloom_map")->map_extra, 3);
	ck_assert_uint_eq(map_by_name(spec, "hash_map")->map_extra, 0);
	ck_assert_str_eq(map_by_name(spec, "percpu_array_map")->kname, "percpu_array_ma");
	release(&f);
}
END_TEST

START_TEST(spec_maps_prog_array)
{
	struct fixture f = build("maps");
	const struct bel_map_def *jt = map_by_name(f.spec, "jump_table");
	uint32_t i, seen = 0;

	ck_assert_uint_eq(jt->nslots, 2);
	ck_assert_ptr_null(jt->inner);
	for (i = 0; i < jt->nslots; i++) {
		const char *target;

		ck_assert_uint_lt(jt->slots[i].target, f.spec->nprogs);
		target = f.spec->progs[jt->slots[i].target].name;
		if (jt->slots[i].slot == 0)
			ck_assert_str_eq(target, "tail_zero");
		else if (jt->slots[i].slot == 2)
			ck_assert_str_eq(target, "tail_two");
		else
			ck_abort_msg("jump_table: unexpected slot %u", jt->slots[i].slot);
		seen |= 1u << jt->slots[i].slot;
	}
	ck_assert_uint_eq(seen, 0x5);
	release(&f);
}
END_TEST

START_TEST(spec_maps_map_in_map)
{
	static const char *const outer[] = {"outer_array", "outer_hash"};
	static const char *const inner[] = {"inner_a", "inner_b"};
	struct fixture f = build("maps");
	int i;

	for (i = 0; i < 2; i++) {
		const struct bel_map_def *m = map_by_name(f.spec, outer[i]);
		const struct bel_map_def *tmpl = m->inner;
		char name[64];

		/* the template: __array(values, struct inner_def) */
		ck_assert_ptr_nonnull(tmpl);
		snprintf(name, sizeof(name), "%s.inner", outer[i]);
		ck_assert_str_eq(tmpl->name, name);
		ck_assert_uint_eq(tmpl->type, BPF_MAP_TYPE_ARRAY);
		ck_assert_uint_eq(tmpl->key_size, 4);
		ck_assert_uint_eq(tmpl->value_size, 8);
		ck_assert_uint_eq(tmpl->max_entries, 8);
		ck_assert_ptr_null(tmpl->inner);
		/* slot 0 holds inner_a / inner_b */
		ck_assert_uint_eq(m->nslots, 1);
		ck_assert_uint_eq(m->slots[0].slot, 0);
		ck_assert_uint_lt(m->slots[0].target, f.spec->nmaps);
		ck_assert_str_eq(f.spec->maps[m->slots[0].target].name, inner[i]);
		/* the values array starts after type, max_entries and key: 3 pointers */
		ck_assert_uint_eq(m->values_offset, 24);
		ck_assert_ptr_null(map_by_name(f.spec, inner[i])->inner);
		ck_assert_uint_eq(map_by_name(f.spec, inner[i])->nslots, 0);
	}
	release(&f);
}
END_TEST

/* ---- spec: globals.bpf.o ---------------------------------------------------------------- */

START_TEST(spec_globals_progs)
{
	struct fixture f = build("globals");
	static const struct prog_want want[] = {
		{"only_bss", "socket", BPF_PROG_TYPE_SOCKET_FILTER, 0},
		{"only_rodata", "socket", BPF_PROG_TYPE_SOCKET_FILTER, 0},
		{"data_and_custom", "xdp", BPF_PROG_TYPE_XDP, BPF_XDP},
		{"strings_and_custom_ro", "tc", BPF_PROG_TYPE_SCHED_CLS, 0},
		{"uses_everything", "tc", BPF_PROG_TYPE_SCHED_CLS, 0},
	};

	check_progs(f.spec, want, sizeof(want) / sizeof(want[0]));
	check_map_table(f.spec, "only_bss", MAPS(".bss"));
	check_map_table(f.spec, "only_rodata", MAPS(".rodata"));
	check_map_table(f.spec, "data_and_custom", MAPS(".data", ".data.custom"));
	check_map_table(f.spec, "strings_and_custom_ro",
			MAPS("strings", ".rodata", ".rodata.custom", ".rodata.str1.1"));
	check_map_table(f.spec, "uses_everything", MAPS("strings", ".data", ".rodata", ".bss",
							".data.custom", ".rodata.custom", ".rodata.str1.1"));
	release(&f);
}
END_TEST

struct data_want {
	const char *sec, *kname;
	enum bel_data_kind kind;
	uint32_t flags;
	bool btf; /* clang describes the section with a DATASEC */
};

#define RO_MMAP (BPF_F_MMAPABLE | BPF_F_RDONLY_PROG)

START_TEST(spec_globals_data_maps)
{
	/* mmapable when user space can see a variable: a DATASEC with a non-static one (as
	 * libbpf >= 1.1.2); the string literals have no DATASEC */
	static const struct data_want want[] = {
		{".data", "globals.data", BEL_DATA_DATA, BPF_F_MMAPABLE, true},
		{".rodata", "globals.rodata", BEL_DATA_RODATA, RO_MMAP, true},
		{".bss", "globals.bss", BEL_DATA_BSS, BPF_F_MMAPABLE, true},
		{".data.custom", ".data.custom", BEL_DATA_DATA, BPF_F_MMAPABLE, true},
		{".rodata.custom", ".rodata.custom", BEL_DATA_RODATA, RO_MMAP, true},
		{".rodata.str1.1", ".rodata.str1.1", BEL_DATA_RODATA, BPF_F_RDONLY_PROG, false},
	};
	struct fixture f = build("globals");
	const struct bel_spec *spec = f.spec;
	uint32_t ndata = 0, i;
	uint64_t custom;
	size_t w;

	for (i = 0; i < spec->nmaps; i++)
		ndata += spec->maps[i].origin == BEL_MAP_FROM_DATA;
	ck_assert_uint_eq(ndata, sizeof(want) / sizeof(want[0]));
	for (w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
		const struct bel_map_def *m = map_by_name(spec, want[w].sec);
		const Elf64_Shdr *sh = sec_of(&f, want[w].sec);
		bool ro = want[w].kind == BEL_DATA_RODATA;

		ck_assert_str_eq(m->kname, want[w].kname);
		ck_assert_int_eq(m->origin, BEL_MAP_FROM_DATA);
		ck_assert_int_eq(m->data_kind, want[w].kind);
		ck_assert_uint_eq(m->type, BPF_MAP_TYPE_ARRAY);
		ck_assert_uint_eq(m->key_size, 4);
		ck_assert_uint_eq(m->value_size, sh->sh_size);
		ck_assert_uint_eq(m->max_entries, 1);
		ck_assert_msg(m->map_flags == want[w].flags, "'%s': flags %#x, expected %#x",
			      want[w].sec, m->map_flags, want[w].flags);
		ck_assert_int_eq(m->freeze, ro);
		ck_assert(!m->has_metadata);
		if (want[w].kind == BEL_DATA_BSS) {
			ck_assert_ptr_null(m->init);
		} else {
			ck_assert_ptr_nonnull(m->init);
			ck_assert_mem_eq(m->init, f.buf + sh->sh_offset, sh->sh_size);
		}
		if (want[w].btf) {
			const struct btf_type *ds = bel_btf_type(spec->btf, m->btf_value_type_id);

			ck_assert_ptr_nonnull(ds);
			ck_assert_uint_eq(btf_kind(ds), BTF_KIND_DATASEC);
			ck_assert_str_eq(bel_btf_type_name(spec->btf, ds), want[w].sec);
			ck_assert_uint_eq(ds->size, sh->sh_size);
		} else {
			ck_assert_uint_eq(m->btf_value_type_id, 0);
		}
	}
	/* the initial values really are the C initialisers */
	memcpy(&custom, map_by_name(spec, ".data.custom")->init + sym_of(&f, "custom_data")->st_value,
	       sizeof(custom));
	ck_assert_uint_eq(custom, 0xc0ffee);
	release(&f);
}
END_TEST

/* BPF_PSEUDO_MAP_VALUE offsets: symbol value (+ addend for section symbols). */
START_TEST(spec_globals_value_offsets)
{
	struct fixture f = build("globals");
	const struct bel_prog_def *p = prog_by_name(f.spec, "only_rodata");
	int rodata = bel_spec_find_map(f.spec, ".rodata");
	uint32_t want[] = {
		(uint32_t)sym_of(&f, "cfg_mult")->st_value,
		(uint32_t)sym_of(&f, "cfg_limit")->st_value,
		(uint32_t)sym_of(&f, "cfg_name")->st_value,
		(uint32_t)sym_of(&f, "static_cfg")->st_value, /* through the .rodata section symbol */
	};
	uint32_t got[8], n = 0, i;

	for (i = 0; i < p->nmap_refs; i++) {
		const struct bpf_insn *insn = &p->insns[p->map_refs[i].insn];

		ck_assert_int_eq((int)p->map_refs[i].map, rodata);
		ck_assert_uint_eq(insn->src_reg, BPF_PSEUDO_MAP_VALUE);
		ck_assert_uint_lt(n, 8);
		got[n++] = (uint32_t)insn[1].imm;
	}
	ck_assert_uint_eq(n, 4);
	qsort(got, n, sizeof(got[0]), cmp_u32);
	qsort(want, 4, sizeof(want[0]), cmp_u32);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(got[i], want[i]);
	/* strings used by pointer: .rodata.str1.1 at the literal's offset */
	p = prog_by_name(f.spec, "uses_everything");
	for (i = 0; i < p->nmap_refs; i++) {
		const struct bpf_insn *insn = &p->insns[p->map_refs[i].insn];

		if (!strcmp(f.spec->maps[p->map_refs[i].map].name, ".rodata.str1.1"))
			ck_assert_str_eq((const char *)f.spec->maps[p->map_refs[i].map].init + insn[1].imm,
					 "everything");
	}
	release(&f);
}
END_TEST

/* The object name: cut to 8 characters for .data/.rodata/.bss, as libbpf does. */
START_TEST(spec_globals_obj_name)
{
	struct fixture f = build_as("globals", "verylongobjectname");

	ck_assert_str_eq(map_by_name(f.spec, ".rodata")->kname, "verylong.rodata");
	ck_assert_str_eq(map_by_name(f.spec, ".bss")->kname, "verylong.bss");
	ck_assert_str_eq(map_by_name(f.spec, ".data")->kname, "verylong.data");
	ck_assert_str_eq(map_by_name(f.spec, ".data.custom")->kname, ".data.custom");
	ck_assert_str_eq(f.spec->obj_name, "verylongobjectname");
	release(&f);
}
END_TEST

/* ---- spec: subprogs.bpf.o --------------------------------------------------------------- */

START_TEST(spec_subprogs_progs)
{
	struct fixture f = build("subprogs");
	static const struct prog_want want[] = {
		{"xdp_first", "xdp", BPF_PROG_TYPE_XDP, BPF_XDP},
		{"xdp_second", "xdp", BPF_PROG_TYPE_XDP, BPF_XDP},
		{"xdp_plain", "xdp", BPF_PROG_TYPE_XDP, BPF_XDP},
		{"tc_loop", "tc", BPF_PROG_TYPE_SCHED_CLS, 0},
		{"tc_mixed", "tc", BPF_PROG_TYPE_SCHED_CLS, 0},
	};
	uint32_t i;

	check_progs(f.spec, want, sizeof(want) / sizeof(want[0]));
	/* position in the section: from the symbols */
	for (i = 0; i < f.spec->nprogs; i++) {
		const struct bel_prog_def *p = &f.spec->progs[i];

		ck_assert_uint_eq(p->sec_insn_off, sym_of(&f, p->name)->st_value / 8);
		ck_assert_uint_eq(p->sec_insn_cnt, func_insns(&f, p->name));
	}
	/* .text functions are subprograms, not programs */
	ck_assert_int_eq(bel_spec_find_prog(f.spec, "count_hit"), -ENOENT);
	ck_assert_int_eq(bel_spec_find_prog(f.spec, "global_classify"), -ENOENT);
	/* hits is used only from count_hit(): it is in the table of every caller */
	check_map_table(f.spec, "xdp_first", MAPS("hits"));
	check_map_table(f.spec, "xdp_second", MAPS("hits"));
	check_map_table(f.spec, "xdp_plain", NO_MAPS);
	check_map_table(f.spec, "tc_loop", NO_MAPS);
	check_map_table(f.spec, "tc_mixed", MAPS("hits"));
	release(&f);
}
END_TEST

/* The functions of each program, in the order they are appended (depth-first, first call
 * first), checked through func_info, the instruction count and each function's first insn. */
START_TEST(spec_subprogs_layout)
{
	static const char *const layouts[][5] = {
		{"xdp_first", "count_hit", "mix"},
		{"xdp_second", "global_classify", "count_hit", "mix"},
		{"xdp_plain"},
		{"tc_loop", "loop_cb", "mix"},
		{"tc_mixed", "global_classify", "mix", "count_hit"},
	};
	struct fixture f = build("subprogs");
	const struct bel_spec *spec = f.spec;
	size_t l;

	for (l = 0; l < sizeof(layouts) / sizeof(layouts[0]); l++) {
		const struct bel_prog_def *p = prog_by_name(spec, layouts[l][0]);
		uint32_t nfuncs = 0, off = 0, k;

		for (k = 0; k < 5 && layouts[l][k]; k++)
			nfuncs++;
		ck_assert_msg(p->func_info_cnt == nfuncs, "prog '%s': %u functions, expected %u",
			      p->name, p->func_info_cnt, nfuncs);
		for (k = 0; k < nfuncs; k++) {
			const char *fn = layouts[l][k];
			const Elf64_Sym *sym = sym_of(&f, fn);
			const Elf64_Shdr *sec = (const Elf64_Shdr *)(f.buf + ((Elf64_Ehdr *)f.buf)->e_shoff) +
						sym->st_shndx;
			const struct bpf_insn *orig = (const struct bpf_insn *)(f.buf + sec->sh_offset +
										sym->st_value);
			uint32_t type_id;

			ck_assert_uint_eq(rec_insn_off(p->func_info, p->func_info_rec_size, k), off);
			memcpy(&type_id, p->func_info + (size_t)k * p->func_info_rec_size + 4, 4);
			ck_assert_str_eq(btf_name(spec->btf, type_id), fn);
			ck_assert_uint_eq(p->insns[off].code, orig->code);
			ck_assert_uint_eq(p->insns[off].dst_reg, orig->dst_reg);
			ck_assert_uint_eq(p->insns[off].src_reg, orig->src_reg);
			off += func_insns(&f, fn);
		}
		ck_assert_msg(p->insn_cnt == off, "prog '%s': %u insns, expected %u", p->name,
			      p->insn_cnt, off);
	}
	release(&f);
}
END_TEST

/* Relocated calls: every BPF_PSEUDO_CALL lands on the function it named in the object. */
START_TEST(spec_subprogs_calls)
{
	struct fixture f = build("subprogs");
	const struct bel_prog_def *p;
	uint32_t i, calls = 0, funcs = 0, loop_cb;

	/* tc_mixed calls global_classify, mix and count_hit; count_hit calls mix */
	p = prog_by_name(f.spec, "tc_mixed");
	for (i = 0; i < p->insn_cnt; i++) {
		const struct bpf_insn *insn = &p->insns[i];

		if (is_ldimm64(insn)) {
			i++;
			continue;
		}
		if (!is_pseudo_call(insn))
			continue;
		calls++;
		ck_assert(is_func_start(p, (int64_t)i + insn->imm + 1));
	}
	ck_assert_uint_eq(calls, 4);

	/* tc_loop passes loop_cb to bpf_loop(): an ldimm64 with BPF_PSEUDO_FUNC to loop_cb */
	p = prog_by_name(f.spec, "tc_loop");
	loop_cb = func_insns(&f, "tc_loop"); /* appended right after the program */
	for (i = 0; i < p->insn_cnt; i++) {
		const struct bpf_insn *insn = &p->insns[i];

		if (!is_ldimm64(insn))
			continue;
		ck_assert_uint_eq(insn->src_reg, BPF_PSEUDO_FUNC);
		ck_assert_int_eq((int64_t)i + insn->imm + 1, loop_cb);
		ck_assert_int_eq(insn[1].imm, 0);
		funcs++;
		i++;
	}
	ck_assert_uint_eq(funcs, 1);
	ck_assert_uint_eq(p->nmap_refs, 0);

	/* xdp_plain: nothing to relocate, the section's bytes as they are */
	p = prog_by_name(f.spec, "xdp_plain");
	ck_assert_uint_eq(p->insn_cnt, func_insns(&f, "xdp_plain"));
	ck_assert_mem_eq(p->insns, f.buf + sec_of(&f, "xdp")->sh_offset + sym_of(&f, "xdp_plain")->st_value,
			 p->insn_cnt * sizeof(struct bpf_insn));
	ck_assert_uint_eq(p->nmap_refs, 0);
	ck_assert_uint_eq(p->func_info_cnt, 1);
	release(&f);
}
END_TEST

/* ---- spec: sections, metadata, hello, bad_verify ---------------------------------------- */

START_TEST(spec_sections_types)
{
	static const struct prog_want want[] = {
		{"on_kprobe", "kprobe/do_unlinkat", BPF_PROG_TYPE_KPROBE, 0},
		{"on_kretprobe", "kretprobe/do_unlinkat", BPF_PROG_TYPE_KPROBE, 0},
		{"on_tracepoint", "tracepoint/syscalls/sys_enter_openat", BPF_PROG_TYPE_TRACEPOINT, 0},
		{"on_tp", "tp/sched/sched_process_exec", BPF_PROG_TYPE_TRACEPOINT, 0},
		{"on_raw_tracepoint", "raw_tracepoint/sched_switch", BPF_PROG_TYPE_RAW_TRACEPOINT, 0},
		{"on_raw_tp", "raw_tp/sys_enter", BPF_PROG_TYPE_RAW_TRACEPOINT, 0},
		{"on_xdp", "xdp", BPF_PROG_TYPE_XDP, BPF_XDP},
		{"on_tc", "tc", BPF_PROG_TYPE_SCHED_CLS, 0},
		{"on_classifier", "classifier", BPF_PROG_TYPE_SCHED_CLS, 0},
		{"on_socket", "socket", BPF_PROG_TYPE_SOCKET_FILTER, 0},
		{"on_cgskb_ingress", "cgroup_skb/ingress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS},
		{"on_cgskb_egress", "cgroup_skb/egress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS},
		{"on_sock_create", "cgroup/sock_create", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE},
		{"on_connect4", "cgroup/connect4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT},
		{"on_sysctl", "cgroup/sysctl", BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL},
		{"on_dev", "cgroup/dev", BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE},
		{"on_sockops", "sockops", BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS},
		{"on_sk_msg", "sk_msg", BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT},
		{"on_sk_skb_verdict", "sk_skb/stream_verdict", BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_VERDICT},
		{"on_perf_event", "perf_event", BPF_PROG_TYPE_PERF_EVENT, 0},
		{"on_flow_dissector", "flow_dissector", BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR},
		{"on_sk_lookup", "sk_lookup", BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP},
	};
	struct fixture f = build("sections");
	uint32_t i;

	check_progs(f.spec, want, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < f.spec->nprogs; i++)
		check_map_table(f.spec, f.spec->progs[i].name, MAPS("counts"));
	ck_assert_str_eq(prog_by_name(f.spec, "on_tracepoint")->attach_target, "syscalls/sys_enter_openat");
	ck_assert_str_eq(prog_by_name(f.spec, "on_raw_tp")->attach_target, "sys_enter");
	ck_assert_int_eq(prog_by_name(f.spec, "on_kretprobe")->attach_kind, BEL_ATTACH_KRETPROBE);
	release(&f);
}
END_TEST

START_TEST(spec_metadata)
{
	struct fixture f = build("metadata");
	static const struct prog_want want[] = {
		{"no_rodata_socket", "socket", BPF_PROG_TYPE_SOCKET_FILTER, 0},
		{"no_rodata_tc", "tc", BPF_PROG_TYPE_SCHED_CLS, 0},
		{"uses_rodata", "xdp", BPF_PROG_TYPE_XDP, BPF_XDP},
	};
	const struct bel_map_def *rodata;

	check_progs(f.spec, want, sizeof(want) / sizeof(want[0]));
	check_map_table(f.spec, "no_rodata_socket", NO_MAPS);
	check_map_table(f.spec, "no_rodata_tc", MAPS("seen"));
	check_map_table(f.spec, "uses_rodata", MAPS(".rodata"));
	rodata = map_by_name(f.spec, ".rodata");
	ck_assert_str_eq(rodata->kname, "metadata.rodata");
	ck_assert(rodata->has_metadata);
	ck_assert(rodata->freeze);
	ck_assert_mem_eq(rodata->init + sym_of(&f, "bpf_metadata_name")->st_value, "bel-test", 9);
	ck_assert(!map_by_name(f.spec, "seen")->has_metadata);
	release(&f);
}
END_TEST

START_TEST(spec_hello)
{
	struct fixture f = build("hello");
	static const struct prog_want want[] = {
		{"handle_exec", "tracepoint/sched/sched_process_exec", BPF_PROG_TYPE_TRACEPOINT, 0},
		{"handle_exit", "raw_tp/sched_process_exit", BPF_PROG_TYPE_RAW_TRACEPOINT, 0},
	};

	check_progs(f.spec, want, sizeof(want) / sizeof(want[0]));
	ck_assert_str_eq(f.spec->progs[0].attach_target, "sched/sched_process_exec");
	ck_assert_int_eq(f.spec->progs[0].attach_kind, BEL_ATTACH_TRACEPOINT);
	ck_assert_str_eq(f.spec->progs[1].attach_target, "sched_process_exit");
	ck_assert_int_eq(f.spec->progs[1].attach_kind, BEL_ATTACH_RAW_TP);
	check_map_table(f.spec, "handle_exec", MAPS("exec_count", "events", ".rodata", ".bss"));
	check_map_table(f.spec, "handle_exit", MAPS("exec_count", "events", ".rodata", ".bss"));
	ck_assert(map_by_name(f.spec, ".rodata")->has_metadata);
	ck_assert_str_eq(map_by_name(f.spec, ".rodata")->kname, "hello.rodata");
	ck_assert(!map_by_name(f.spec, ".bss")->has_metadata);
	ck_assert_str_eq(map_by_name(f.spec, ".bss")->kname, "hello.bss");
	ck_assert_uint_eq(map_by_name(f.spec, "events")->type, BPF_MAP_TYPE_RINGBUF);
	ck_assert_uint_eq(map_by_name(f.spec, "events")->max_entries, 256 * 1024);
	ck_assert_uint_eq(map_by_name(f.spec, "exec_count")->max_entries, 10240);
	release(&f);
}
END_TEST

START_TEST(spec_bad_verify)
{
	struct fixture f = build("bad_verify");

	ck_assert_uint_eq(f.spec->nprogs, 2);
	check_map_table(f.spec, "good_prog", MAPS("good_counts"));
	check_map_table(f.spec, "bad_prog", MAPS("bad_counts"));
	release(&f);
}
END_TEST

Suite *spec_suite(void)
{
	Suite *s = suite_create("spec");
	TCase *tc = tcase_create("spec");

	tcase_add_loop_test(tc, spec_every_fixture, 0, NFIXTURES);
	tcase_add_test(tc, spec_outlives_input);
	tcase_add_loop_test(tc, spec_line_info_without_image, 0, NFIXTURES);
	tcase_add_test(tc, spec_maps_progs);
	tcase_add_test(tc, spec_maps_tables);
	tcase_add_test(tc, spec_maps_defs);
	tcase_add_test(tc, spec_maps_prog_array);
	tcase_add_test(tc, spec_maps_map_in_map);
	tcase_add_test(tc, spec_globals_progs);
	tcase_add_test(tc, spec_globals_data_maps);
	tcase_add_test(tc, spec_globals_value_offsets);
	tcase_add_test(tc, spec_globals_obj_name);
	tcase_add_test(tc, spec_subprogs_progs);
	tcase_add_test(tc, spec_subprogs_layout);
	tcase_add_test(tc, spec_subprogs_calls);
	tcase_add_test(tc, spec_sections_types);
	tcase_add_test(tc, spec_metadata);
	tcase_add_test(tc, spec_hello);
	tcase_add_test(tc, spec_bad_verify);
	suite_add_tcase(s, tc);
	return s;
}
