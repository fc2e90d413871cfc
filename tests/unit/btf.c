/* SPDX-License-Identifier: MIT */
/* btf/: bel_btf_parse() on fixture and hand-made BTF, sizes, DATASEC fix-up, .BTF.ext, and
 * sanitizing for kernels without the newer kinds. */
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

/* BTF written by hand: tests/btf_encode.h */
#include "btf_encode.h"

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

Suite *btf_suite(void)
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
