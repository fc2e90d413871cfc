/* SPDX-License-Identifier: MIT */
/* Pinning a loaded object (loader/pin.c): the layout bpftool reads, a second pin refused, two
 * maps that would take one name refused, nothing left in the root on any of these paths. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bel/bel.h"
#include "kernel.h"
#include "testutil.h"

/* The pin layout, bpftool reading the pins, pinning twice refused, unpin. */
START_TEST(test_pin_layout)
{
	static const char *const maps[] = {"exec_count", "events", "_rodata", "_bss"};
	const char *root = pin_root_create();
	struct bel_object *obj;
	char path[4096], out[4096], cmd[4200];
	unsigned int i;

	if (!kernel_ready())
		return;
	ck_assert_ptr_nonnull(root);
	obj = open_fixture("hello", false);
	ck_assert_int_eq(bel_object_load(obj, NULL), 0);
	ck_assert_int_eq(bel_object_pin(obj, root), 0);
	for (i = 0; i < 4; i++)
		ck_assert_msg(exists("%s/hello/maps/%s", root, maps[i]), "map pin %s", maps[i]);
	ck_assert(exists("%s/hello/programs/%s", root, "handle_exec"));
	ck_assert(exists("%s/hello/programs/%s", root, "handle_exit"));
	ck_assert(exists("%s/hello/%s", root, "links"));
	/* a second pin of the same object is refused and leaves the first intact */
	ck_assert_int_eq(bel_object_pin(obj, root), -EEXIST);
	ck_assert_ptr_nonnull(strstr(bel_object_last_error(obj), "already exists"));
	bel_object_close(obj);
	/* the pins keep the programs loaded after the object is gone */
	snprintf(cmd, sizeof(cmd), "bpftool -j prog show pinned %s/hello/programs/handle_exec", root);
	ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"name\":\"handle_exec\""));
	ck_assert_ptr_nonnull(strstr(out, "\"version\":\"hello 1.0\""));
	snprintf(path, sizeof(path), "%s/hello", root);
	ck_assert_int_eq(bel_unpin(path, out, sizeof(out)), 0);
	ck_assert(!exists("%s/%s", root, "hello"));
	/* nothing but what we made was ever in the root: no temporary directories remain */
	assert_dir_empty(root);
}
END_TEST

START_TEST(test_pin_collision)
{
	const char *root = pin_root_create();
	struct bel_object *obj;

	if (!kernel_ready())
		return;
	obj = open_fixture("pin_collision", false);
	ck_assert_int_eq(bel_object_load(obj, NULL), 0);
	ck_assert_int_eq(bel_object_pin(obj, root), -EEXIST);
	ck_assert_msg(strstr(bel_object_last_error(obj), "would both be pinned as '_bss'"),
		      "message: %s", bel_object_last_error(obj));
	bel_object_close(obj);
	assert_dir_empty(root);
}
END_TEST

Suite *pin_suite(void)
{
	return kernel_suite("pin", 120, true, (const TTest *[]){
		test_pin_layout, test_pin_collision, NULL});
}
