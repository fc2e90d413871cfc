/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the pure layers (elf/, btf/, reloc/): no bpf(), no root.
 *
 *   spec       bel_spec_build() on every fixture: programs, map tables, true, relocated calls and
 *              map references, global data, prog array and map-in-map slots, func/line info
 *   sections   SEC() names -> program type, expected attach type, flags; data map names
 *   btf        bel_btf_parse() on fixture and hand-made BTF, sizes, DATASEC fix-up, .BTF.ext
 *   malformed  bad input of every kind (malformed.c)
 *   hostile    well-formed objects that mean harm: wrapping sizes, huge counts, CO-RE type
 *              graphs that explode, self-referencing slots (hostile.c)
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

/* From malformed.c: its suite, and helpers shared with this file. */
extern Suite *malformed_suite(void);
extern Suite *names_suite(void);
/* From hostile.c: objects that are well-formed but mean harm. */
extern Suite *hostile_suite(void);
extern Suite *compat_suite(void);
/* Section header / first symbol by name in a well-formed ELF64 image, or NULL. */
extern Elf64_Shdr *raw_shdr(void *image, const char *name);
extern Elf64_Sym *raw_sym(void *image, const char *name);

/* BTF written by hand: tests/btf_encode.h */
#include "btf_encode.h"

static const char *const fixtures[] = {
	"maps", "globals", "subprogs", "sections", "metadata", "hello", "bad_verify",
};
#define NFIXTURES ((int)(sizeof(fixtures) / sizeof(fixtures[0])))

/* ---- helpers ---------------------------------------------------------------------------- */

struct fixture {
	uint8_t *buf;            /* the file, untouched: the oracle for section bytes and symbols */
	size_t size;
	struct bel_spec *spec;
};

static struct fixture build_as(const char *name, const char *obj_name)
{
	struct fixture f;
	struct bel_err err = {0};
	int ret;

	f.buf = read_file(fixture_path(name), &f.size);
	ck_assert_msg(f.buf, "cannot read %s", fixture_path(name));
	ret = bel_spec_build(f.buf, f.size, true, obj_name, &f.spec, &err);
	ck_assert_msg(ret == 0, "%s: bel_spec_build: %d %s", name, ret, err.msg);
	ck_assert_ptr_nonnull(f.spec);
	return f;
}

static struct fixture build(const char *name)
{
	return build_as(name, name);
}

static void release(struct fixture *f)
{
	bel_spec_free(f->spec);
	free(f->buf);
}

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

static const Elf64_Sym *sym_of(const struct fixture *f, const char *name)
{
	const Elf64_Sym *sym = raw_sym(f->buf, name);

	ck_assert_msg(sym, "no symbol '%s' in the fixture", name);
	return sym;
}

/* Instructions of a function symbol. */
static uint32_t func_insns(const struct fixture *f, const char *name)
{
	return (uint32_t)(sym_of(f, name)->st_size / sizeof(struct bpf_insn));
}

static const char *btf_name(const struct bel_btf *btf, uint32_t id)
{
	return bel_btf_type_name(btf, bel_btf_type(btf, id));
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

static uint32_t rec_insn_off(const uint8_t *recs, uint32_t rec_size, uint32_t k)
{
	uint32_t off;

	memcpy(&off, recs + (size_t)k * rec_size, 4);
	return off;
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
	/* line_info: nondecreasing, inside the program */
	ck_assert_uint_ge(p->line_info_cnt, 1);
	ck_assert_uint_ge(p->line_info_rec_size, BEL_LINE_INFO_MIN);
	for (k = 0; k < p->line_info_cnt; k++) {
		uint32_t off = rec_insn_off(p->line_info, p->line_info_rec_size, k);

		ck_assert_uint_lt(off, p->insn_cnt);
		if (k)
			ck_assert_uint_ge(off, rec_insn_off(p->line_info, p->line_info_rec_size, k - 1));
	}

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

/* ---- sections --------------------------------------------------------------------------- */

struct sec_want {
	const char *sec;
	bool known;
	uint32_t type, eat, flags;
	const char *target;
	bool attach_btf;
};

static const struct sec_want sec_table[] = {
	{"kprobe/x", true, BPF_PROG_TYPE_KPROBE, 0, 0, "x", false},
	{"kprobe", true, BPF_PROG_TYPE_KPROBE, 0, 0, NULL, false},
	{"kretprobe/x", true, BPF_PROG_TYPE_KPROBE, 0, 0, "x", false},
	{"uprobe.s/bin:f", true, BPF_PROG_TYPE_KPROBE, 0, BPF_F_SLEEPABLE, "bin:f", false},
	{"tracepoint/a/b", true, BPF_PROG_TYPE_TRACEPOINT, 0, 0, "a/b", false},
	{"tp/a/b", true, BPF_PROG_TYPE_TRACEPOINT, 0, 0, "a/b", false},
	{"tp_btf/sched_switch", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, 0, "sched_switch", true},
	{"raw_tp/x", true, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0, "x", false},
	{"raw_tracepoint/x", true, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0, "x", false},
	{"raw_tp.w/x", true, BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, 0, "x", false},
	{"fentry/x", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, 0, "x", true},
	{"fexit/x", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, 0, "x", true},
	{"fexit.s/x", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, BPF_F_SLEEPABLE, "x", true},
	{"fmod_ret/x", true, BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, 0, "x", true},
	{"lsm/x", true, BPF_PROG_TYPE_LSM, BPF_LSM_MAC, 0, "x", true},
	{"lsm.s/x", true, BPF_PROG_TYPE_LSM, BPF_LSM_MAC, BPF_F_SLEEPABLE, "x", true},
	{"iter/task", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, 0, "task", true},
	{"iter.s/task", true, BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, BPF_F_SLEEPABLE, "task", true},
	{"xdp", true, BPF_PROG_TYPE_XDP, BPF_XDP, 0, NULL, false},
	{"xdp.frags", true, BPF_PROG_TYPE_XDP, BPF_XDP, BPF_F_XDP_HAS_FRAGS, NULL, false},
	{"xdp/devmap", true, BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, 0, NULL, false},
	{"xdp/cpumap", true, BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP, 0, NULL, false},
	{"xdp.frags/devmap", true, BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, BPF_F_XDP_HAS_FRAGS, NULL, false},
	{"tc", true, BPF_PROG_TYPE_SCHED_CLS, 0, 0, NULL, false},
	{"classifier", true, BPF_PROG_TYPE_SCHED_CLS, 0, 0, NULL, false},
	{"action", true, BPF_PROG_TYPE_SCHED_ACT, 0, 0, NULL, false},
	{"socket", true, BPF_PROG_TYPE_SOCKET_FILTER, 0, 0, NULL, false},
	{"cgroup_skb/ingress", true, BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, 0, NULL, false},
	{"cgroup_skb/egress", true, BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, 0, NULL, false},
	{"cgroup/connect4", true, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, 0, NULL, false},
	{"cgroup/connect6", true, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT, 0, NULL, false},
	{"cgroup/sock_create", true, BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, 0, NULL, false},
	{"cgroup/sysctl", true, BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL, 0, NULL, false},
	{"cgroup/getsockopt", true, BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT, 0, NULL, false},
	{"sockops", true, BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS, 0, NULL, false},
	{"sk_lookup", true, BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, 0, NULL, false},
	{"syscall", true, BPF_PROG_TYPE_SYSCALL, 0, BPF_F_SLEEPABLE, NULL, false},
	{"struct_ops/x", true, BPF_PROG_TYPE_STRUCT_OPS, 0, 0, "x", false},
	{"struct_ops.s/x", true, BPF_PROG_TYPE_STRUCT_OPS, 0, BPF_F_SLEEPABLE, "x", false},
	/* names that must not match: no partial words, no extras on exact names */
	{"foo", false, BPF_PROG_TYPE_UNSPEC, 0, 0, NULL, false},
	{"", false, BPF_PROG_TYPE_UNSPEC, 0, 0, NULL, false},
	{"kprobeX", false, BPF_PROG_TYPE_UNSPEC, 0, 0, NULL, false},
	{"kprobe.x/y", false, BPF_PROG_TYPE_UNSPEC, 0, 0, NULL, false},
	/* unknown to libbpf, prefixes to cilium/ebpf (reloc/sections.c): no attach target */
	{"xdp_foo", true, BPF_PROG_TYPE_XDP, BPF_XDP, 0, NULL, false},
	{"xdp/foo", true, BPF_PROG_TYPE_XDP, BPF_XDP, 0, NULL, false},
	{"xdpx", true, BPF_PROG_TYPE_XDP, BPF_XDP, 0, NULL, false},
	{"socket/1", true, BPF_PROG_TYPE_SOCKET_FILTER, 0, 0, NULL, false},
	{"tcx", true, BPF_PROG_TYPE_SCHED_CLS, 0, 0, NULL, false},
	{"cgroup/unknown", false, BPF_PROG_TYPE_UNSPEC, 0, 0, NULL, false},
	{"Kprobe/x", false, BPF_PROG_TYPE_UNSPEC, 0, 0, NULL, false},
	{".text", false, BPF_PROG_TYPE_UNSPEC, 0, 0, NULL, false},
};

START_TEST(sections_table)
{
	const struct sec_want *w = &sec_table[_i];
	struct bel_prog_def prog = {.sec_name = w->sec};

	bel_prog_def_set_type(&prog);
	ck_assert_msg(prog.type_known == w->known, "'%s': type_known %d", w->sec, prog.type_known);
	ck_assert_msg(prog.prog_type == w->type, "'%s': prog_type %u, expected %u", w->sec,
		      prog.prog_type, w->type);
	if (!w->known)
		return;
	ck_assert_msg(prog.expected_attach_type == w->eat, "'%s': expected_attach_type %u, expected %u",
		      w->sec, prog.expected_attach_type, w->eat);
	ck_assert_msg(prog.prog_flags == w->flags, "'%s': flags %#x, expected %#x", w->sec,
		      prog.prog_flags, w->flags);
	if (w->target)
		ck_assert_pstr_eq(prog.attach_target, w->target);
	else
		ck_assert_ptr_null(prog.attach_target);
	ck_assert_msg(prog.needs_attach_btf == w->attach_btf, "'%s': needs_attach_btf %d", w->sec,
		      prog.needs_attach_btf);
}
END_TEST

START_TEST(sections_btf_prefix)
{
	struct bel_prog_def lsm = {.sec_name = "lsm/file_open"};
	struct bel_prog_def iter = {.sec_name = "iter/task"};
	struct bel_prog_def tp_btf = {.sec_name = "tp_btf/sched_switch"};
	struct bel_prog_def fentry = {.sec_name = "fentry/do_unlinkat"};

	bel_prog_def_set_type(&lsm);
	bel_prog_def_set_type(&iter);
	bel_prog_def_set_type(&tp_btf);
	bel_prog_def_set_type(&fentry);
	ck_assert_pstr_eq(lsm.btf_target_prefix, "bpf_lsm_");
	ck_assert_int_eq(lsm.attach_kind, BEL_ATTACH_LSM);
	ck_assert_pstr_eq(iter.btf_target_prefix, "bpf_iter_");
	ck_assert_int_eq(iter.attach_kind, BEL_ATTACH_ITER);
	ck_assert_pstr_eq(tp_btf.btf_target_prefix, "btf_trace_");
	ck_assert_pstr_eq(fentry.btf_target_prefix, "");
	ck_assert_int_eq(fentry.attach_kind, BEL_ATTACH_TRACING);
}
END_TEST

struct kname_want {
	const char *obj, *sec, *kname;
};

static const struct kname_want kname_table[] = {
	{"globals", ".rodata", "globals.rodata"},
	{"globals", ".data", "globals.data"},
	{"globals", ".bss", "globals.bss"},
	{"verylongobjectname", ".bss", "verylong.bss"},
	{"verylongobjectname", ".rodata", "verylong.rodata"},
	{"x", ".rodata.str1.1", ".rodata.str1.1"},
	{"x", ".data.custom", ".data.custom"},
	{"x", ".bss", "x.bss"},
	{"", ".data", ".data"},
	/* custom names cut to 15 characters */
	{"x", ".rodata.verylongname", ".rodata.verylon"},
	/* characters the kernel refuses become '_' */
	{"my-obj", ".data", "my_obj.data"},
};

START_TEST(sections_kname)
{
	const struct kname_want *w = &kname_table[_i];
	char out[BPF_OBJ_NAME_LEN];

	memset(out, 'Z', sizeof(out));
	bel_data_map_kname(w->obj, w->sec, out);
	ck_assert_str_eq(out, w->kname);
}
END_TEST

/* ---- btf -------------------------------------------------------------------------------- */

/* The .BTF of a fixture, parsed without the spec. */
struct fixture_btf {
	uint8_t *buf;
	size_t size;
	struct bel_elf *elf;
	struct bel_btf *btf;
};

static struct fixture_btf open_btf(const char *name, bool copy)
{
	struct fixture_btf fb;
	const struct bel_elf_sec *sec;
	struct bel_err err = {0};

	fb.buf = read_file(fixture_path(name), &fb.size);
	ck_assert_ptr_nonnull(fb.buf);
	ck_assert_msg(bel_elf_open(fb.buf, fb.size, true, &fb.elf, &err) == 0, "%s", err.msg);
	sec = bel_elf_sec_by_name(fb.elf, ".BTF");
	ck_assert_ptr_nonnull(sec);
	ck_assert_msg(bel_btf_parse(sec->data, sec->size, NULL, copy, &fb.btf, &err) == 0, "%s",
		      err.msg);
	return fb;
}

static void close_btf(struct fixture_btf *fb)
{
	bel_btf_free(fb->btf);
	bel_elf_free(fb->elf);
	free(fb->buf);
}

static int find_ok(const struct bel_btf *btf, const char *name, uint32_t kind)
{
	int id = bel_btf_find(btf, name, kind);

	ck_assert_msg(id > 0, "no %s '%s' in BTF", bel_btf_kind_name(kind), name);
	return id;
}

START_TEST(btf_fixture_lookup)
{
	struct fixture_btf fb = open_btf("maps", false);
	const struct bel_btf *btf = fb.btf;
	const struct btf_type *t;
	const struct btf_member *m;
	uint32_t size, id;
	int u32, event, var, func;

	ck_assert_ptr_eq(bel_btf_raw(btf, &size), bel_elf_sec_by_name(fb.elf, ".BTF")->data);
	ck_assert_uint_eq(size, bel_elf_sec_by_name(fb.elf, ".BTF")->size);
	ck_assert_uint_gt(bel_btf_type_count(btf), 10);

	/* struct event { __u32 pid; __u32 kind; __u64 value; } */
	event = find_ok(btf, "event", BTF_KIND_STRUCT);
	t = bel_btf_type(btf, (uint32_t)event);
	ck_assert_uint_eq(t->size, 16);
	ck_assert_uint_eq(btf_vlen(t), 3);
	m = btf_members(t);
	ck_assert_str_eq(bel_btf_str(btf, m[0].name_off), "pid");
	ck_assert_str_eq(bel_btf_str(btf, m[2].name_off), "value");
	ck_assert_uint_eq(btf_member_bit_offset(t, &m[1]), 32);
	ck_assert_uint_eq(btf_member_bit_offset(t, &m[2]), 64);
	ck_assert_int_eq(bel_btf_type_size(btf, m[2].type), 8);
	ck_assert_int_eq(bel_btf_type_size(btf, (uint32_t)event), 16);
	ck_assert_int_eq(bel_btf_find(btf, "event", BTF_KIND_UNION), -ENOENT);
	ck_assert_int_eq(bel_btf_find(btf, "no_such_type", BTF_KIND_STRUCT), -ENOENT);

	/* typedef __u32 -> unsigned int */
	u32 = find_ok(btf, "__u32", BTF_KIND_TYPEDEF);
	t = bel_btf_skip_mods(btf, (uint32_t)u32, &id);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(btf_kind(t), BTF_KIND_INT);
	ck_assert_str_eq(bel_btf_type_name(btf, t), "unsigned int");
	ck_assert_ptr_eq(bel_btf_type(btf, id), t);
	ck_assert_int_eq(bel_btf_type_size(btf, (uint32_t)u32), 4);
	ck_assert_uint_eq(btf_int_bits(t), 32);

	/* a map variable: struct of 4 pointers (type, max_entries, key, value) */
	var = find_ok(btf, "hash_map", BTF_KIND_VAR);
	ck_assert_int_eq(bel_btf_type_size(btf, (uint32_t)var), 32);
	/* a function: not sized */
	func = find_ok(btf, "tail_zero", BTF_KIND_FUNC);
	ck_assert_uint_eq(btf_kind(bel_btf_type(btf, bel_btf_type(btf, (uint32_t)func)->type)),
			  BTF_KIND_FUNC_PROTO);
	ck_assert_int_lt(bel_btf_type_size(btf, (uint32_t)func), 0);

	/* edges */
	ck_assert_ptr_null(bel_btf_type(btf, 0));
	ck_assert_ptr_null(bel_btf_type(btf, bel_btf_type_count(btf)));
	ck_assert_ptr_null(bel_btf_type_mut(fb.btf, 1)); /* borrowed: read-only */
	ck_assert_int_lt(bel_btf_type_size(btf, 0), 0);
	ck_assert_str_eq(bel_btf_str(btf, 0), "");
	ck_assert_ptr_null(bel_btf_str(btf, 0x7fffffff));
	ck_assert_str_eq(bel_btf_type_name(btf, NULL), "");
	ck_assert_str_eq(bel_btf_kind_name(BTF_KIND_DATASEC), "DATASEC");
	ck_assert_str_eq(bel_btf_kind_name(BTF_KIND_ENUM64), "ENUM64");
	ck_assert_str_eq(bel_btf_kind_name(99), "?");
	close_btf(&fb);
}
END_TEST

/*
 * [1] int  [2] char (1 byte)  [3] int *  [4] typedef T1 -> int  [5] const T1
 * [6] volatile [5]  [7] typedef T2 -> [6]  [8] struct pair { int a; char b; } size 8
 * [9] pair[3]  [10] T2[2][5] via [11]  [11] T2[5]  [12] var v of [9]  [13] DATASEC .data [12]
 * [14] typedef T3 -> [10]  [15] int[0]
 */
static const char hand_strs[] = "\0int\0char\0T1\0T2\0pair\0a\0b\0v\0.data\0T3";
enum { S_INT = 1, S_CHAR = 5, S_T1 = 10, S_T2 = 13, S_PAIR = 16, S_A = 21, S_B = 23, S_V = 25,
       S_DATA = 27, S_T3 = 33 };
static const uint32_t hand_types[] = {
	T_INT(S_INT, 4),                                        /* [1] */
	T_INT(S_CHAR, 1),                                       /* [2] */
	T_PTR(1),                                               /* [3] */
	T_TYPEDEF(S_T1, 1),                                     /* [4] */
	T_TYPE(0, BTF_KIND_CONST, 0, 4),                        /* [5] */
	T_TYPE(0, BTF_KIND_VOLATILE, 0, 5),                     /* [6] */
	T_TYPEDEF(S_T2, 6),                                     /* [7] */
	T_STRUCT(S_PAIR, 2, 8), T_MEMBER(S_A, 1, 0), T_MEMBER(S_B, 2, 32), /* [8] */
	T_ARRAY(8, 1, 3),                                       /* [9] */
	T_ARRAY(11, 1, 2),                                      /* [10] */
	T_ARRAY(7, 1, 5),                                       /* [11] */
	T_VAR(S_V, 9, BTF_VAR_GLOBAL_ALLOCATED),                /* [12] */
	T_DATASEC(S_DATA, 1, 24), T_SECINFO(12, 0, 24),         /* [13] */
	T_TYPEDEF(S_T3, 10),                                    /* [14] */
	T_ARRAY(1, 1, 0),                                       /* [15] */
};

static struct bel_btf *hand_btf(void **blob)
{
	struct bel_btf *btf;
	struct bel_err err = {0};
	size_t size;

	*blob = og_btf_raw_blob(hand_types, sizeof(hand_types), hand_strs, sizeof(hand_strs), &size);
	ck_assert_msg(bel_btf_parse(*blob, size, NULL, true, &btf, &err) == 0, "%s", err.msg);
	return btf;
}

START_TEST(btf_handmade_sizes)
{
	void *blob;
	struct bel_btf *btf = hand_btf(&blob);
	static const struct {
		uint32_t id;
		int64_t size;
	} sizes[] = {
		{1, 4}, {2, 1}, {3, 8}, {4, 4}, {5, 4}, {6, 4}, {7, 4}, {8, 8}, {9, 24},
		{10, 40}, {11, 20}, {12, 24}, {13, 24}, {14, 40}, {15, 0},
	};
	size_t i;

	ck_assert_uint_eq(bel_btf_type_count(btf), 16);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		ck_assert_msg(bel_btf_type_size(btf, sizes[i].id) == sizes[i].size,
			      "type [%u]: size %lld, expected %lld", sizes[i].id,
			      (long long)bel_btf_type_size(btf, sizes[i].id), (long long)sizes[i].size);
	ck_assert_int_lt(bel_btf_type_size(btf, 16), 0);
	ck_assert_int_lt(bel_btf_type_size(btf, 0), 0);
	/* the copy is private and writable */
	ck_assert_ptr_nonnull(bel_btf_type_mut(btf, 1));
	memset(blob, 0, sizeof(struct btf_header));
	ck_assert_str_eq(btf_name(btf, 8), "pair");
	bel_btf_free(btf);
	free(blob);
}
END_TEST

START_TEST(btf_handmade_lookup)
{
	void *blob;
	struct bel_btf *btf = hand_btf(&blob);
	const struct btf_type *t;
	uint32_t id = 0;

	ck_assert_int_eq(bel_btf_find(btf, "int", BTF_KIND_INT), 1);
	ck_assert_int_eq(bel_btf_find(btf, "char", BTF_KIND_INT), 2);
	ck_assert_int_eq(bel_btf_find(btf, "T2", BTF_KIND_TYPEDEF), 7);
	ck_assert_int_eq(bel_btf_find(btf, "pair", BTF_KIND_STRUCT), 8);
	ck_assert_int_eq(bel_btf_find(btf, "v", BTF_KIND_VAR), 12);
	ck_assert_int_eq(bel_btf_find(btf, ".data", BTF_KIND_DATASEC), 13);
	ck_assert_int_eq(bel_btf_find(btf, "pair", BTF_KIND_UNION), -ENOENT);
	ck_assert_int_eq(bel_btf_find(btf, "T", BTF_KIND_TYPEDEF), -ENOENT);
	/* skip_mods: typedef -> volatile -> const -> typedef -> int */
	t = bel_btf_skip_mods(btf, 7, &id);
	ck_assert_ptr_eq(t, bel_btf_type(btf, 1));
	ck_assert_uint_eq(id, 1);
	/* not a modifier: itself */
	t = bel_btf_skip_mods(btf, 9, &id);
	ck_assert_uint_eq(btf_kind(t), BTF_KIND_ARRAY);
	ck_assert_uint_eq(id, 9);
	/* pointers are not skipped */
	ck_assert_uint_eq(btf_kind(bel_btf_skip_mods(btf, 3, NULL)), BTF_KIND_PTR);
	ck_assert_ptr_null(bel_btf_skip_mods(btf, 0, NULL));
	ck_assert_ptr_null(bel_btf_skip_mods(btf, 99, NULL));
	ck_assert_str_eq(btf_name(btf, 3), "");
	bel_btf_free(btf);
	free(blob);
}
END_TEST

/* Split BTF: ids and string offsets continue the base's. */
START_TEST(btf_split)
{
	void *base_blob;
	struct bel_btf *base = hand_btf(&base_blob), *split;
	/* [16] struct s2 { pair p; } referring to base [8], [17] s2 * */
	static const char strs[] = "s2\0p";
	const uint32_t types[] = {
		T_STRUCT((uint32_t)sizeof(hand_strs) + 0, 1, 8),
		T_MEMBER((uint32_t)sizeof(hand_strs) + 3, 8, 0),
		T_PTR(16),
	};
	struct bel_err err = {0};
	size_t size;
	void *blob = og_btf_raw_blob(types, sizeof(types), strs, sizeof(strs), &size);

	ck_assert_msg(bel_btf_parse(blob, size, base, false, &split, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(bel_btf_type_count(split), 18);
	ck_assert_int_eq(bel_btf_find(split, "s2", BTF_KIND_STRUCT), 16);
	ck_assert_int_eq(bel_btf_find(split, "pair", BTF_KIND_STRUCT), 8);
	ck_assert_int_eq(bel_btf_type_size(split, 16), 8);
	ck_assert_int_eq(bel_btf_type_size(split, 17), 8);
	ck_assert_str_eq(bel_btf_str(split, S_PAIR), "pair");
	ck_assert_str_eq(bel_btf_str(split, (uint32_t)sizeof(hand_strs) + 3), "p");
	ck_assert_ptr_null(bel_btf_type_mut(split, 16)); /* borrowed */
	bel_btf_free(split);
	free(blob);
	bel_btf_free(base);
	free(base_blob);
}
END_TEST

/* Fix-up: sizes from section headers, offsets from symbols, hidden -> static, sorted. */
static void check_datasecs_fixed(const struct bel_btf *btf, uint8_t *image)
{
	uint32_t id, n = bel_btf_type_count(btf), seen = 0;

	for (id = 1; id < n; id++) {
		const struct btf_type *ds = bel_btf_type(btf, id);
		const char *name = bel_btf_type_name(btf, ds);
		const struct btf_var_secinfo *vsi = btf_secinfos(ds);
		const Elf64_Shdr *sh;
		uint32_t i;

		if (btf_kind(ds) != BTF_KIND_DATASEC)
			continue;
		sh = raw_shdr(image, name);
		if (!sh)
			continue;
		seen++;
		ck_assert_msg(ds->size == sh->sh_size, "DATASEC '%s': size %u, section %llu", name,
			      ds->size, (unsigned long long)sh->sh_size);
		for (i = 0; i < btf_vlen(ds); i++) {
			const struct btf_type *var = bel_btf_type(btf, vsi[i].type);
			const char *vname = bel_btf_type_name(btf, var);
			const Elf64_Sym *sym = raw_sym(image, vname);

			ck_assert_uint_le((uint64_t)vsi[i].offset + vsi[i].size, ds->size);
			if (i)
				ck_assert_uint_ge(vsi[i].offset, vsi[i - 1].offset);
			/* every variable here has a symbol of its own name (statics too) */
			ck_assert_msg(sym, "no symbol '%s'", vname);
			ck_assert_msg(vsi[i].offset == sym->st_value, "'%s': offset %u, symbol %llu",
				      vname, vsi[i].offset, (unsigned long long)sym->st_value);
			if (ELF64_ST_VISIBILITY(sym->st_other) == STV_HIDDEN ||
			    ELF64_ST_BIND(sym->st_info) == STB_LOCAL)
				ck_assert_uint_eq(btf_var(var)->linkage, BTF_VAR_STATIC);
			else
				ck_assert_uint_eq(btf_var(var)->linkage, BTF_VAR_GLOBAL_ALLOCATED);
		}
	}
	ck_assert_uint_gt(seen, 0);
}

START_TEST(btf_fixup_globals)
{
	struct fixture_btf fb = open_btf("globals", true);
	struct bel_err err = {0};
	int data = find_ok(fb.btf, ".data", BTF_KIND_DATASEC);
	const struct btf_type *hidden;

	/* clang leaves DATASEC sizes to the loader */
	ck_assert_uint_eq(bel_btf_type(fb.btf, (uint32_t)data)->size, 0);
	ck_assert_msg(bel_btf_fixup_datasecs(fb.btf, fb.elf, &err) == 0, "%s", err.msg);
	check_datasecs_fixed(fb.btf, fb.buf);
	ck_assert_uint_eq(bel_btf_type(fb.btf, (uint32_t)data)->size, raw_shdr(fb.buf, ".data")->sh_size);
	/* hidden_data is a hidden global: static for the kernel */
	hidden = bel_btf_type(fb.btf, (uint32_t)find_ok(fb.btf, "hidden_data", BTF_KIND_VAR));
	ck_assert_uint_eq(btf_var(hidden)->linkage, BTF_VAR_STATIC);
	/* fixing up twice changes nothing */
	ck_assert_msg(bel_btf_fixup_datasecs(fb.btf, fb.elf, &err) == 0, "%s", err.msg);
	check_datasecs_fixed(fb.btf, fb.buf);
	close_btf(&fb);
}
END_TEST

/* The spec's BTF is fixed up, for every fixture. */
START_TEST(btf_fixup_every_fixture)
{
	struct fixture f = build(fixtures[_i]);

	check_datasecs_fixed(f.spec->btf, f.buf);
	release(&f);
}
END_TEST

START_TEST(btf_ext_fixture)
{
	struct fixture f = build("subprogs");
	const struct bel_btf_ext *ext = f.spec->btf_ext;
	static const char *const xdp[] = {"xdp_first", "xdp_second", "xdp_plain"};
	const struct bel_btf_ext_sec *sec;
	uint32_t k;

	ck_assert_uint_eq(ext->func_info.rec_size, sizeof(struct bpf_func_info));
	ck_assert_uint_eq(ext->line_info.rec_size, sizeof(struct bpf_line_info));
	ck_assert_ptr_nonnull(bel_btf_ext_find(&ext->func_info, ".text"));
	ck_assert_ptr_nonnull(bel_btf_ext_find(&ext->line_info, "tc"));
	ck_assert_ptr_null(bel_btf_ext_find(&ext->func_info, "license"));
	ck_assert_uint_eq(bel_btf_ext_find(&ext->func_info, ".text")->count, 4);
	ck_assert_uint_eq(bel_btf_ext_find(&ext->func_info, "tc")->count, 2);
	/* func_info insn_off is a byte offset into the section: the symbol's value */
	sec = bel_btf_ext_find(&ext->func_info, "xdp");
	ck_assert_ptr_nonnull(sec);
	ck_assert_uint_eq(sec->count, 3);
	for (k = 0; k < 3; k++)
		ck_assert_uint_eq(rec_insn_off(sec->recs, ext->func_info.rec_size, k),
				  sym_of(&f, xdp[k])->st_value);
	release(&f);
}
END_TEST

/* ---- runner ----------------------------------------------------------------------------- */


/* BTF for a kernel without any optional BTF feature: same number of types, none of the kinds
 * such a kernel refuses, and still a valid blob. The kernel tests load the result. */
static const char *const sanitize_fixtures[] = {"globals", "externs", "maps", "subprogs"};

START_TEST(btf_sanitize_all_features_off)
{
	struct bel_err err = {0};
	struct bel_spec *spec;
	struct bel_btf *copy, *reparsed;
	const void *raw;
	uint32_t size, i;
	size_t img_size;
	void *img = read_file(fixture_path(sanitize_fixtures[_i]), &img_size);
	int n;

	ck_assert_ptr_nonnull(img);
	ck_assert_msg(bel_spec_build(img, img_size, true, sanitize_fixtures[_i], &spec, &err) == 0,
		      "%s", err.msg);
	raw = bel_btf_raw(spec->btf, &size);
	ck_assert_int_eq(bel_btf_parse(raw, size, NULL, true, &copy, &err), 0);
	n = bel_btf_sanitize(copy, 0, &err);
	ck_assert_msg(n > 0, "%s: nothing rewritten (%d): %s", sanitize_fixtures[_i], n, err.msg);
	raw = bel_btf_raw(copy, &size);
	ck_assert_msg(bel_btf_parse(raw, size, NULL, true, &reparsed, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(bel_btf_type_count(reparsed), bel_btf_type_count(spec->btf));
	for (i = 1; i < bel_btf_type_count(reparsed); i++) {
		const struct btf_type *t = bel_btf_type(reparsed, i);
		uint32_t k = btf_kind(t);

		ck_assert_msg(k != BTF_KIND_VAR && k != BTF_KIND_DATASEC && k != BTF_KIND_FLOAT &&
			      k != BTF_KIND_DECL_TAG && k != BTF_KIND_TYPE_TAG && k != BTF_KIND_ENUM64,
			      "type [%u] still %s", i, bel_btf_kind_name(k));
		ck_assert_msg(k != BTF_KIND_FUNC || btf_vlen(t) == BTF_FUNC_STATIC,
			      "FUNC [%u] still global", i);
	}
	/* with every feature present nothing changes */
	ck_assert_int_eq(bel_btf_sanitize(copy, BEL_BTF_HAS_ALL, &err), 0);
	bel_btf_free(reparsed);
	bel_btf_free(copy);
	bel_spec_free(spec);
	free(img);
}
END_TEST

static Suite *spec_suite(void)
{
	Suite *s = suite_create("spec");
	TCase *tc = tcase_create("spec");

	tcase_add_loop_test(tc, spec_every_fixture, 0, NFIXTURES);
	tcase_add_test(tc, spec_outlives_input);
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

static Suite *sections_suite(void)
{
	Suite *s = suite_create("sections");
	TCase *tc = tcase_create("sections");

	tcase_add_loop_test(tc, sections_table, 0, (int)(sizeof(sec_table) / sizeof(sec_table[0])));
	tcase_add_test(tc, sections_btf_prefix);
	tcase_add_loop_test(tc, sections_kname, 0, (int)(sizeof(kname_table) / sizeof(kname_table[0])));
	suite_add_tcase(s, tc);
	return s;
}

static Suite *btf_suite(void)
{
	Suite *s = suite_create("btf");
	TCase *sanitize = tcase_create("sanitize");

	tcase_add_loop_test(sanitize, btf_sanitize_all_features_off, 0,
			    sizeof(sanitize_fixtures) / sizeof(sanitize_fixtures[0]));
	suite_add_tcase(s, sanitize);
	TCase *tc = tcase_create("btf");

	tcase_add_test(tc, btf_fixture_lookup);
	tcase_add_test(tc, btf_handmade_sizes);
	tcase_add_test(tc, btf_handmade_lookup);
	tcase_add_test(tc, btf_split);
	tcase_add_test(tc, btf_fixup_globals);
	tcase_add_loop_test(tc, btf_fixup_every_fixture, 0, NFIXTURES);
	tcase_add_test(tc, btf_ext_fixture);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(spec_suite());

	srunner_add_suite(sr, sections_suite());
	srunner_add_suite(sr, btf_suite());
	srunner_add_suite(sr, malformed_suite());
	srunner_add_suite(sr, names_suite());
	srunner_add_suite(sr, hostile_suite());
	srunner_add_suite(sr, compat_suite());
	return run_srunner(sr);
}
