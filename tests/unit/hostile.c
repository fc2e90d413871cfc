/* SPDX-License-Identifier: MIT */
/*
 * Objects written by an adversary that are well-formed byte for byte but mean something
 * harmful: sizes that wrap when added, counts that make a per-item scan quadratic, type graphs
 * that make CO-RE matching exponential, map-in-map slots that name their own map. Each is made
 * in memory (tests/objgen.c) and must be refused with a message, or handled in time linear in
 * its size. No kernel, no root: only the pure layers, and the loader's open and extern reading
 * (which reads the kernel config, as `bel inspect --core` does).
 */
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bel/bel.h"
#include "btf/btf.h"
#include "btf/core.h"
#include "objgen.h"
#include "reloc/core.h"
#include "reloc/externs.h"
#include "reloc/spec.h"
#include "testutil.h"
#include "unit.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const struct bel_extern *find_extern(const struct bel_spec *spec, const char *name)
{
	int i = bel_spec_find_extern(spec, name);

	ck_assert_msg(i >= 0, "no extern '%s'", name);
	return &spec->externs[i];
}

/* ---- .kconfig layout ----------------------------------------------------------------------- */

/* Laid out by size: CONFIG_LSM (100 bytes) first, then two arrays whose sizes add up to
 * 2^32 - 84, so a 32-bit running offset wraps to a 16-byte total. */
static const char *const wrap_names[] = {"CONFIG_LSM", "CONFIG_BEL_HUGE_A", "CONFIG_BEL_HUGE_B"};
static const uint32_t wrap_sizes[] = {100, 0x80000000u, 0x80000000u - 84};

/* Regression: the map value was 16 bytes while CONFIG_LSM's 100 were written into it. */
START_TEST(kconfig_offsets_wrap)
{
	size_t size;
	void *img = og_kconfig_object(wrap_names, wrap_sizes, 3, &size);
	struct bel_spec *spec = NULL;
	struct bel_err err = {0};
	int ret = bel_spec_build(img, size, true, "kcfg", &spec, &err);

	if (ret == 0) {
		const struct bel_map_def *map = &spec->maps[spec->kconfig_map];
		uint32_t i;

		for (i = 0; i < spec->nexterns; i++)
			ck_assert_msg((uint64_t)spec->externs[i].kcfg_off + spec->externs[i].kcfg_size <=
				      map->value_size, "extern '%s' at [%u, +%u) outside the %u-byte map",
				      spec->externs[i].name, spec->externs[i].kcfg_off,
				      spec->externs[i].kcfg_size, map->value_size);
		bel_spec_free(spec);
	}
	ck_assert_int_eq(ret, -E2BIG);
	ck_assert_msg(strstr(err.msg, ".kconfig"), "message: %s", err.msg);
	free(img);
}
END_TEST

/*
 * The same object through the loader the way `bel inspect --core` takes it: open, then every
 * extern's value, which reads the kernel config into the .kconfig map's contents. Under ASan
 * this was a heap-buffer-overflow write; now the open is refused.
 */
START_TEST(kconfig_offsets_wrap_loader)
{
	struct bel_open_opts opts = {.sz = sizeof(opts), .name = "kcfg"};
	struct bel_object *obj = NULL;
	size_t size;
	void *img = og_kconfig_object(wrap_names, wrap_sizes, 3, &size);
	int ret = bel_object_open_mem(img, size, &opts, &obj);

	if (ret == 0) {
		struct bel_extern_info info;
		unsigned int i;

		for (i = 0; i < bel_object_extern_count(obj); i++)
			bel_object_extern(obj, i, &info);
		bel_object_close(obj);
	}
	ck_assert_int_eq(ret, -E2BIG);
	ck_assert_msg(strstr(bel_thread_error(), "object 'kcfg'") &&
		      strstr(bel_thread_error(), ".kconfig"), "message: %s", bel_thread_error());
	free(img);
}
END_TEST

/* No wrap, but more than a .kconfig map can be: refused before anything is sized from it. */
START_TEST(kconfig_too_large)
{
	static const char *const names[] = {"CONFIG_BEL_A", "CONFIG_BEL_B"};
	static const uint32_t sizes[] = {3u << 20, 3u << 20};
	struct bel_spec *spec = NULL;
	struct bel_err err = {0};
	size_t size;
	void *img = og_kconfig_object(names, sizes, 2, &size);

	ck_assert_int_eq(bel_spec_build(img, size, true, "kcfg", &spec, &err), -E2BIG);
	ck_assert_msg(strstr(err.msg, ".kconfig"), "message: %s", err.msg);
	free(img);
}
END_TEST

/* The layout itself: by alignment, then size, then name, each extern inside the value. */
START_TEST(kconfig_layout)
{
	static const char *const names[] = {"CONFIG_BEL_X", "CONFIG_BEL_Y", "CONFIG_BEL_Z"};
	static const uint32_t sizes[] = {5, 3, 3};
	struct bel_spec *spec = NULL;
	struct bel_err err = {0};
	size_t size;
	void *img = og_kconfig_object(names, sizes, 3, &size);

	ck_assert_msg(bel_spec_build(img, size, true, "kcfg", &spec, &err) == 0, "%s", err.msg);
	ck_assert_int_ge(spec->kconfig_map, 0);
	ck_assert_uint_eq(find_extern(spec, "CONFIG_BEL_Y")->kcfg_off, 0);
	ck_assert_uint_eq(find_extern(spec, "CONFIG_BEL_Z")->kcfg_off, 3);
	ck_assert_uint_eq(find_extern(spec, "CONFIG_BEL_X")->kcfg_off, 6);
	ck_assert_uint_eq(spec->maps[spec->kconfig_map].value_size, 11);
	bel_spec_free(spec);
	free(img);
}
END_TEST

/* ---- Open time linear in the number of maps and programs ----------------------------------- */

struct scaling {
	uint32_t nprogs, nmaps;
	bool btf;
};

static double build_seconds(const struct scaling *s, uint32_t n)
{
	uint32_t nprogs = s->nprogs ? n : 0, nmaps = s->nmaps ? n : 0;
	double best = 1e9;
	size_t size;
	void *img = og_scaling_object(nprogs, nmaps, s->btf, &size);
	int round;

	for (round = 0; round < 3; round++) {
		struct bel_spec *spec;
		struct bel_err err = {0};
		double t0 = now_s(), t;
		uint32_t i;

		ck_assert_msg(bel_spec_build(img, size, false, "scale", &spec, &err) == 0, "%s", err.msg);
		t = now_s() - t0;
		best = t < best ? t : best;
		ck_assert_uint_eq(spec->nprogs, nprogs);
		ck_assert_uint_eq(spec->nmaps, nmaps);
		for (i = 0; i < nprogs && nmaps; i += 997) {
			char name[32];

			snprintf(name, sizeof(name), "m%u", i % nmaps);
			ck_assert_uint_eq(spec->progs[i].nmaps, 1);
			ck_assert_int_eq((int)spec->progs[i].maps[0], bel_spec_find_map(spec, name));
		}
		bel_spec_free(spec);
	}
	free(img);
	return best;
}

/*
 * 8 times the items must take well under 64 times as long (a quadratic open did: 80,000
 * legacy maps took 16 s, so 40,000 took 4). A linear open's time per item still grows with the
 * object (caches), and a shared machine adds noise: the bound is 40x, or half a second, which
 * the quadratic open was far beyond and a linear one stays far below.
 */
static void check_linear(const struct scaling *s, const char *what)
{
	double small = build_seconds(s, 5000), big = build_seconds(s, 40000);

	ck_assert_msg(big < 40 * small || big < 0.5,
		      "%s: 5,000 took %.4f s, 40,000 took %.4f s (%.1fx for 8x the items)", what,
		      small, big, big / small);
}

START_TEST(scaling_legacy_maps)
{
	check_linear(&(struct scaling){.nprogs = 1, .nmaps = 1}, "legacy maps");
}
END_TEST

START_TEST(scaling_btf_maps)
{
	check_linear(&(struct scaling){.nprogs = 1, .nmaps = 1, .btf = true}, "BTF maps");
}
END_TEST

START_TEST(scaling_programs)
{
	check_linear(&(struct scaling){.nprogs = 1}, "programs");
}
END_TEST

/* ---- CO-RE matching bounded -------------------------------------------------------------- */

struct graph_case {
	enum og_core_graph g;
	uint32_t width, depth;
	int expect;          /* 0: resolves; -E2BIG: refused as too much work; 1: either */
	uint64_t value;      /* when it resolves */
};

static const struct graph_case graph_cases[] = {
	{OG_CORE_REPEATED_NAMES, 8, 30, 0, 1},
	{OG_CORE_ANON_MEMBERS, 8, 30, 0, 1},
	{OG_CORE_DEEP_NESTING, 0, 20000, 1, 0},
	{OG_CORE_WIDE_UNION, 65535, 0, -E2BIG, 0},
	{OG_CORE_WIDE_ENUM, 65535, 0, -E2BIG, 0},
	{OG_CORE_MANY_CANDIDATES, 1000, 0, 0, 0},
	{OG_CORE_MANY_CANDIDATES, 65535, 0, -E2BIG, 0},
	{OG_CORE_PROTO_FANOUT, 8, 10, 0, 1},
	{OG_CORE_MEMBER_DAG, 8, 30, 0, 0},
};

/* One relocation on an adversarial graph, with the BTF as its own (indexed) target. */
START_TEST(core_graph_bounded)
{
	const struct graph_case *c = &graph_cases[_i];
	struct og_btf b;
	struct og_core_relo r;
	struct bel_btf *btf;
	struct bel_core_target target;
	struct bel_core_relo relo;
	struct bel_core_result res;
	struct bel_err err = {0};
	size_t size;
	void *blob;
	double t0, t;
	int ret;

	og_btf_init(&b);
	r = og_core_graph(&b, c->g, c->width, c->depth);
	blob = og_btf_blob(&b, &size);
	og_btf_free(&b);
	ck_assert_msg(bel_btf_parse(blob, size, NULL, true, &btf, &err) == 0, "%s", err.msg);
	free(blob);
	ck_assert_int_eq(bel_btf_index_names(btf, &err), 0);
	target = (struct bel_core_target){.btf = btf, .name = "self"};
	relo = (struct bel_core_relo){.type_id = r.type_id, .access_str_off = r.access_off,
				      .kind = r.kind};
	t0 = now_s();
	ret = bel_core_resolve(btf, &relo, &target, 1, &res, &err);
	t = now_s() - t0;
	/* 1 s is hundreds of times the bound's worth on this machine; valgrind included */
	ck_assert_msg(t < 10.0, "%s: one relocation took %.2f s", og_core_graph_name(c->g), t);
	if (c->expect == 0) {
		ck_assert_msg(ret == 0, "%s: %s", og_core_graph_name(c->g), err.msg);
		ck_assert_uint_eq(res.new_val, c->value);
	} else if (c->expect < 0) {
		ck_assert_msg(ret == c->expect, "%s: returned %d (%s)", og_core_graph_name(c->g), ret,
			      err.msg);
		ck_assert_msg(strstr(err.msg, "steps"), "%s: message: %s", og_core_graph_name(c->g),
			      err.msg);
	} else if (ret) {
		ck_assert_msg(err.msg[0], "%s: no message", og_core_graph_name(c->g));
	}
	bel_btf_free(btf);
}
END_TEST

/* The same as fuzz_object takes it: a whole object, CO-RE against its own BTF. */
START_TEST(core_graph_object)
{
	const struct graph_case *c = &graph_cases[_i];
	struct bel_core_target target;
	struct bel_spec *spec;
	struct bel_err err = {0};
	size_t size;
	void *img = og_core_object(c->g, c->width, c->depth, &size);
	double t0;

	ck_assert_msg(bel_spec_build(img, size, true, "core", &spec, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(bel_btf_index_names(spec->btf, &err), 0);
	target = (struct bel_core_target){.btf = spec->btf, .name = "self"};
	t0 = now_s();
	for (uint32_t p = 0; p < spec->nprogs; p++) {
		const struct bel_prog_def *prog = &spec->progs[p];
		size_t bytes = (size_t)prog->insn_cnt * sizeof(*prog->insns);
		struct bpf_insn *insns = malloc(bytes ? bytes : 1);

		ck_assert_ptr_nonnull(insns);
		memcpy(insns, prog->insns, bytes);
		bel_err_clear(&err);
		if (bel_core_apply(spec, prog, &target, 1, insns, &err))
			ck_assert_msg(err.msg[0] && strstr(err.msg, "CO-RE relocation"), "message: %s",
				      err.msg);
		free(insns);
	}
	ck_assert_msg(now_s() - t0 < 10.0, "%s: CO-RE took %.2f s", og_core_graph_name(c->g),
		      now_s() - t0);
	bel_spec_free(spec);
	free(img);
}
END_TEST

/* ---- Map-in-map slots ------------------------------------------------------------------------ */

/* Regression: creating the map acquired the map itself for its slot, under its own lock. */
START_TEST(map_in_map_holds_itself)
{
	struct bel_spec *spec = NULL;
	struct bel_err err = {0};
	size_t size;
	void *img = og_self_slot_object(&size);
	int ret = bel_spec_build(img, size, true, "mim", &spec, &err);

	bel_spec_free(spec);
	ck_assert_msg(ret == -EINVAL, "returned %d: %s", ret, err.msg);
	ck_assert_msg(strstr(err.msg, "map 'outer'") && strstr(err.msg, "map-in-map"),
		      "message: %s", err.msg);
	free(img);
}
END_TEST

/* ---- global variables: their extents ----------------------------------------------------- */

/*
 * .data of 16 bytes: `long a` at 0, then `int b` whose DATASEC entry says [b_off, +b_size).
 * Returns the spec's result and message.
 */
static int datasec_object(uint32_t b_off, uint32_t b_size, struct bel_err *err)
{
	struct og_obj o;
	struct og_btf b;
	uint8_t zeros[16] = {0};
	uint32_t data, i64, i32, va, vb;
	struct bel_spec *spec = NULL;
	size_t size, blob_size;
	void *img, *blob;
	int ret;

	og_obj_init(&o);
	og_btf_init(&b);
	og_sec(&o, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, "GPL", 4);
	data = og_sec(&o, ".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, zeros, sizeof(zeros));
	og_sym(&o, "a", STB_GLOBAL, STT_OBJECT, (uint16_t)data, 0, 8);
	og_sym(&o, "b", STB_GLOBAL, STT_OBJECT, (uint16_t)data, b_off, b_size);
	i64 = og_int(&b, "long", 8, BTF_INT_SIGNED);
	i32 = og_int(&b, "int", 4, BTF_INT_SIGNED);
	va = og_var(&b, "a", i64, BTF_VAR_GLOBAL_ALLOCATED);
	vb = og_var(&b, "b", i32, BTF_VAR_GLOBAL_ALLOCATED);
	og_type(&b, ".data", BTF_KIND_DATASEC, 2, false, sizeof(zeros));
	og_secinfo(&b, va, 0, 8);
	og_secinfo(&b, vb, b_off, b_size);
	blob = og_btf_blob(&b, &blob_size);
	og_sec(&o, ".BTF", SHT_PROGBITS, 0, blob, blob_size);
	img = og_image(&o, &size);
	ret = bel_spec_build(img, size, true, "vars", &spec, err);
	if (!ret)
		ck_assert_uint_eq(spec->nvars, 2);
	bel_spec_free(spec);
	free(blob);
	free(img);
	og_btf_free(&b);
	og_obj_free(&o);
	return ret;
}

/* A variable is written by its extent (bel_object_set_var, --set, a skeleton member): one
 * overlapping another, or wider than its type, would write what the program reads as
 * something else. */
START_TEST(vars_extents)
{
	struct bel_err err = {0};

	ck_assert_msg(datasec_object(8, 4, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(datasec_object(4, 4, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "variables 'a' and 'b' of '.data' overlap (at 4)"), "%s",
		      err.msg);
	ck_assert_int_eq(datasec_object(8, 8, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "variable 'b' of '.data' takes 8 bytes, but its type is 4"),
		      "%s", err.msg);
	ck_assert_int_eq(datasec_object(8, 2, &err), -EINVAL);
}
END_TEST

Suite *hostile_suite(void)
{
	Suite *s = suite_create("hostile");
	TCase *kcfg = tcase_create("kconfig"), *scale = tcase_create("scaling");
	TCase *core = tcase_create("core"), *slots = tcase_create("slots");
	int n = (int)(sizeof(graph_cases) / sizeof(graph_cases[0]));

	tcase_add_test(kcfg, kconfig_offsets_wrap);
	tcase_add_test(kcfg, kconfig_offsets_wrap_loader);
	tcase_add_test(kcfg, kconfig_too_large);
	tcase_add_test(kcfg, kconfig_layout);
	tcase_set_timeout(scale, 120);
	tcase_add_test(scale, scaling_legacy_maps);
	tcase_add_test(scale, scaling_btf_maps);
	tcase_add_test(scale, scaling_programs);
	tcase_set_timeout(core, 60);
	tcase_add_loop_test(core, core_graph_bounded, 0, n);
	tcase_add_loop_test(core, core_graph_object, 0, n);
	tcase_add_test(slots, map_in_map_holds_itself);
	tcase_add_test(slots, vars_extents);
	suite_add_tcase(s, kcfg);
	suite_add_tcase(s, scale);
	suite_add_tcase(s, core);
	suite_add_tcase(s, slots);
	return s;
}
