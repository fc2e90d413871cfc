/* SPDX-License-Identifier: MIT */
/* What the kernel test files share: opening fixtures, the test cases' set-up, and looking at
 * what ended up in the pin root. */
#include <check.h>
#include <stdio.h>
#include <sys/stat.h>

#include "bel/bel.h"
#include "kernel.h"
#include "testutil.h"

TCase *kernel_case(Suite *s, const char *name, int timeout, bool pin_root)
{
	TCase *tc = tcase_create(name);

	if (pin_root)
		tcase_add_unchecked_fixture(tc, pin_root_setup, pin_root_remove);
	tcase_set_timeout(tc, timeout);
	suite_add_tcase(s, tc);
	return tc;
}

Suite *kernel_suite(const char *name, int timeout, bool pin_root, const TTest *const *tests)
{
	Suite *s = suite_create(name);
	TCase *tc = kernel_case(s, name, timeout, pin_root);

	for (; *tests; tests++)
		tcase_add_test(tc, *tests);
	return s;
}

struct bel_object *open_fixture_with(const char *name, const struct bel_open_opts *opts)
{
	struct bel_object *obj = NULL;
	int ret = bel_object_open_file(fixture_path(name), opts, &obj);

	ck_assert_msg(ret == 0, "open %s: %s", name, bel_thread_error());
	return obj;
}

struct bel_object *open_fixture(const char *name, bool keep_maps)
{
	struct bel_open_opts opts = {.sz = sizeof(opts), .keep_maps = keep_maps};

	return open_fixture_with(name, &opts);
}

int map_fd(const struct bel_object *obj, const char *name)
{
	return bel_map_fd(bel_object_find_map(obj, name));
}

bool exists(const char *fmt, const char *a, const char *b)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), fmt, a, b);
	return stat(path, &st) == 0;
}

void assert_dir_empty(const char *dir)
{
	char cmd[4200], out[4096];

	snprintf(cmd, sizeof(cmd), "ls -A %s", dir);
	ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
}
