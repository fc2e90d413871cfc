/* SPDX-License-Identifier: MIT */
/*
 * The structs bel fills for the caller start with `size_t sz`: bel writes only as far as the
 * caller's struct reaches (a program built against an older, smaller struct keeps working) and
 * refuses, with a message, a sz that cannot even hold itself. No kernel needed: CO-RE resolves
 * against the test target BTF, programs are not loaded.
 */
#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bel/bel.h"
#include "testutil.h"

#ifndef BEL_CORE_TARGET_BTF
#error "BEL_CORE_TARGET_BTF must be defined by the build"
#endif

#define GUARD 0xab

static struct bel_object *open_object(const char *name, const char *btf)
{
	struct bel_open_opts o = {.sz = sizeof(o), .btf_path = btf};
	struct bel_object *obj = NULL;

	ck_assert_msg(bel_object_open_file(fixture_path(name), &o, &obj) == 0, "%s: %s", name,
		      bel_thread_error());
	return obj;
}

/* Every byte of buf[from, to) is the guard. */
static bool untouched(const void *buf, size_t from, size_t to)
{
	const unsigned char *b = buf;

	for (; from < to; from++)
		if (b[from] != GUARD)
			return false;
	return true;
}

START_TEST(core_report_strides)
{
	struct bel_object *obj = open_object("core_reads", BEL_CORE_TARGET_BTF);
	struct bel_program *p = bel_object_find_program(obj, "fields");
	size_t stride = offsetof(struct bel_core_report, kind) + sizeof(const char *);
	struct bel_core_report *full;
	unsigned char *old;
	int n, i;

	ck_assert_ptr_nonnull(p);
	n = bel_program_core_report(p, NULL, 0);
	ck_assert_int_gt(n, 1);
	full = calloc((size_t)n, sizeof(*full));
	full[0].sz = sizeof(*full);
	ck_assert_int_eq(bel_program_core_report(p, full, (unsigned int)n), n);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(full[i].sz, sizeof(*full));
		ck_assert_ptr_nonnull(full[i].kind);
		ck_assert(full[i].what[0]);
	}
	/* an older caller's array: smaller elements, each filled as far as it reaches */
	old = malloc((size_t)n * stride + 64);
	memset(old, GUARD, (size_t)n * stride + 64);
	((struct bel_core_report *)old)->sz = stride;
	ck_assert_int_eq(bel_program_core_report(p, (struct bel_core_report *)old, (unsigned int)n), n);
	for (i = 0; i < n; i++) {
		struct bel_core_report e;

		memcpy(&e, old + (size_t)i * stride, stride);
		ck_assert_uint_eq(e.sz, stride);
		ck_assert_uint_eq(e.insn, full[i].insn);
		ck_assert_ptr_eq(e.kind, full[i].kind);
	}
	ck_assert(untouched(old, (size_t)n * stride, (size_t)n * stride + 64));
	/* fewer elements than relocations: the count still says how many there are */
	memset(old, GUARD, (size_t)n * stride + 64);
	((struct bel_core_report *)old)->sz = stride;
	ck_assert_int_eq(bel_program_core_report(p, (struct bel_core_report *)old, 1), n);
	ck_assert(untouched(old, stride, (size_t)n * stride + 64));
	/* a sz that cannot hold itself */
	((struct bel_core_report *)old)->sz = 4;
	ck_assert_int_eq(bel_program_core_report(p, (struct bel_core_report *)old, 1), -EINVAL);
	ck_assert_msg(strstr(bel_object_last_error(obj), "bel_core_report: sz is 4"), "%s",
		      bel_object_last_error(obj));
	free(old);
	free(full);
	bel_object_close(obj);
}
END_TEST

START_TEST(extern_info_sizes)
{
	struct bel_object *obj = open_object("externs", NULL);
	size_t small = offsetof(struct bel_extern_info, name) + sizeof(const char *);
	struct bel_extern_info e;

	ck_assert_uint_gt(bel_object_extern_count(obj), 0);
	memset(&e, GUARD, sizeof(e));
	e.sz = small;
	ck_assert_int_eq(bel_object_extern(obj, 0, &e), 0);
	ck_assert_uint_eq(e.sz, small);
	ck_assert_ptr_nonnull(e.name);
	ck_assert(untouched(&e, small, sizeof(e)));
	memset(&e, 0, sizeof(e));
	e.sz = sizeof(e);
	ck_assert_int_eq(bel_object_extern(obj, 0, &e), 0);
	ck_assert_uint_eq(e.sz, sizeof(e));
	ck_assert_ptr_nonnull(e.kind);
	/* a newer caller's bigger struct: bel fills what it knows and says how much */
	{
		struct {
			struct bel_extern_info info;
			char newer[32];
		} big;

		memset(&big, GUARD, sizeof(big));
		big.info.sz = sizeof(big);
		ck_assert_int_eq(bel_object_extern(obj, 0, &big.info), 0);
		ck_assert_uint_eq(big.info.sz, sizeof(big.info));
		ck_assert(untouched(&big, sizeof(big.info), sizeof(big)));
	}
	e.sz = 0;
	ck_assert_int_eq(bel_object_extern(obj, 0, &e), -EINVAL);
	ck_assert_msg(strstr(bel_object_last_error(obj), "bel_extern_info"), "%s",
		      bel_object_last_error(obj));
	ck_assert_int_eq(bel_object_extern(obj, 0, NULL), -EINVAL);
	bel_object_close(obj);
}
END_TEST

START_TEST(program_info_sizes)
{
	struct bel_object *obj = open_object("hello", NULL);
	struct bel_program *p = bel_object_program(obj, 0);
	size_t small = offsetof(struct bel_program_info, id) + sizeof(uint32_t);
	struct bel_program_info info;

	/* not loaded: -ENOENT, what the caller's struct holds zeroed */
	memset(&info, GUARD, sizeof(info));
	info.sz = small;
	ck_assert_int_eq(bel_program_info(p, &info), -ENOENT);
	ck_assert_uint_eq(info.sz, small);
	ck_assert_uint_eq(info.id, 0);
	ck_assert(untouched(&info, small, sizeof(info)));
	memset(&info, GUARD, sizeof(info));
	info.sz = sizeof(info);
	ck_assert_int_eq(bel_program_info(p, &info), -ENOENT);
	ck_assert_uint_eq(info.load_ns, 0);
	ck_assert_str_eq(info.tag, "");
	info.sz = 3;
	ck_assert_int_eq(bel_program_info(p, &info), -EINVAL);
	ck_assert_msg(strstr(bel_object_last_error(obj), "bel_program_info: sz is 3"), "%s",
		      bel_object_last_error(obj));
	bel_object_close(obj);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("caller_sizes");
	TCase *tc = tcase_create("caller_sizes");
	SRunner *sr;

	tcase_add_test(tc, core_report_strides);
	tcase_add_test(tc, extern_info_sizes);
	tcase_add_test(tc, program_info_sizes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	return run_srunner(sr);
}
