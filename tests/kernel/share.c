/* SPDX-License-Identifier: MIT */
/* Maps shared between objects (loader/map_share.c): reused fds, pin by name and the refusal of
 * a pinned map of another shape, global data of another layout, pins a failed load takes back,
 * iproute2's legacy maps beside libbpf's, two processes racing to pin the same map. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bel/bel.h"
#include "kernel.h"
#include "testutil.h"

static struct bel_object *open_pinned(const char *name, const char *pin_root)
{
	struct bel_open_opts opts = {.sz = sizeof(opts), .pin_root = pin_root};

	return open_fixture_with(name, &opts);
}

/* Two objects share a map through bel_map_reuse_fd: the programs of both use one map. */
START_TEST(test_reuse_fd_between_objects)
{
	struct bel_object *a, *b;
	const char *root = pin_root_create();

	if (!kernel_ready())
		return;
	a = open_pinned("pinned", root);
	b = open_pinned("pinned", root);
	ck_assert_int_eq(bel_program_load(bel_object_find_program(a, "count_private")), 0);
	ck_assert_int_eq(bel_map_reuse_fd(bel_object_find_map(b, "private_counts"),
					  bel_map_fd(bel_object_find_map(a, "private_counts"))), 0);
	ck_assert_int_eq(bel_program_load(bel_object_find_program(b, "count_private")), 0);
	ck_assert_uint_eq(bel_map_id(bel_object_find_map(a, "private_counts")),
			  bel_map_id(bel_object_find_map(b, "private_counts")));
	/* reuse after the map exists is refused */
	ck_assert_int_eq(bel_map_reuse_fd(bel_object_find_map(b, "private_counts"),
					  bel_map_fd(bel_object_find_map(a, "private_counts"))), -EBUSY);
	bel_object_close(b);
	bel_object_close(a);
}
END_TEST

/* Pin by name: the first loader pins, the next one uses the pin; a map of another shape under
 * the same name is refused with a message naming both sides. */
START_TEST(test_pin_by_name_and_mismatch)
{
	const char *root = pin_root_create();
	struct bel_object *a, *b, *bad;
	char path[4096];
	struct stat st;
	int fds_before;

	if (!kernel_ready())
		return;
	fds_before = count_fds();
	a = open_pinned("pinned", root);
	ck_assert_int_eq(bel_object_load(a, NULL), 0);
	snprintf(path, sizeof(path), "%s/shared_counts", root);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_str_eq(bel_map_pin_path(bel_object_find_map(a, "shared_counts")), path);
	b = open_pinned("pinned", root);
	ck_assert_int_eq(bel_object_load(b, NULL), 0);
	ck_assert_uint_eq(bel_map_id(bel_object_find_map(a, "shared_counts")),
			  bel_map_id(bel_object_find_map(b, "shared_counts")));
	ck_assert_uint_ne(bel_map_id(bel_object_find_map(a, "private_counts")),
			  bel_map_id(bel_object_find_map(b, "private_counts")));

	bad = open_pinned("pinned_mismatch", root);
	ck_assert_int_eq(bel_object_load(bad, NULL), -EINVAL);
	ck_assert_msg(strstr(bel_object_last_error(bad), "incompatible: value_size 8 there, 4 here") &&
		      strstr(bel_object_last_error(bad), path),
		      "message: %s", bel_object_last_error(bad));
	/* the same through an explicit reuse of the pinned path */
	bel_object_close(bad);
	bad = open_pinned("pinned_mismatch", "/nonexistent");
	ck_assert_int_eq(bel_map_reuse_pinned(bel_object_find_map(bad, "shared_counts"), path), -EINVAL);
	ck_assert_ptr_nonnull(strstr(bel_object_last_error(bad), "value_size 8 there, 4 here"));
	bel_object_close(bad);
	bel_object_close(b);
	bel_object_close(a);
	/* the pin outlives the objects, as with libbpf */
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(count_fds(), fds_before);
}
END_TEST

/* Global data shared between objects must have the same variables at the same offsets. */
START_TEST(test_reuse_global_data_layout)
{
	struct bel_object *a, *b;

	if (!kernel_ready())
		return;
	b = open_pinned("layout_other", "/nonexistent");
	a = open_pinned("pinned", pin_root_create());
	ck_assert_int_eq(bel_object_load(a, NULL), 0);
	ck_assert_uint_eq(bel_map_value_size(bel_object_find_map(a, ".bss")),
			  bel_map_value_size(bel_object_find_map(b, ".bss")));
	ck_assert_int_eq(bel_map_reuse_fd(bel_object_find_map(b, ".bss"),
					  bel_map_fd(bel_object_find_map(a, ".bss"))), -EINVAL);
	ck_assert_msg(strstr(bel_object_last_error(b), "'total_packets' at 0 size 8 there, "
			     "'dropped_packets' at 0 size 8 here"), "message: %s", bel_object_last_error(b));
	bel_object_close(b);
	bel_object_close(a);
	remove_tree(pin_root_create()); /* pinned's shared_counts was pinned there */
}
END_TEST

/* A failed load takes back the pin-by-name pins it made. */
START_TEST(test_failed_load_unpins)
{
	const char *root = pin_root_create();
	struct bel_object *obj;
	char path[4096];
	struct stat st;

	if (!kernel_ready())
		return;
	obj = open_pinned("pinned_bad", root);
	ck_assert_int_eq(bel_object_load(obj, NULL), -EACCES);
	snprintf(path, sizeof(path), "%s/undo_me", root);
	ck_assert_msg(stat(path, &st) != 0, "%s left behind", path);
	bel_object_close(obj);
}
END_TEST

/* iproute2's PIN_GLOBAL_NS legacy map and libbpf's pin-by-name BTF map of the same name are
 * one map: a tc program and a cgroup program count into it together. */
START_TEST(test_tc_and_cgroup_share)
{
	const char *root = pin_root_create();
	struct bel_object *tc, *cg;
	char path[4096];

	if (!kernel_ready())
		return;
	tc = open_pinned("iproute2_legacy", root);
	cg = open_pinned("pinned", root);
	ck_assert_int_eq(bel_object_load(tc, NULL), 0);
	ck_assert_int_eq(bel_object_load(cg, NULL), 0);
	ck_assert_uint_eq(bel_map_id(bel_object_find_map(tc, "shared_counts")),
			  bel_map_id(bel_object_find_map(cg, "shared_counts")));
	bel_object_close(cg);
	bel_object_close(tc);
	snprintf(path, sizeof(path), "%s/shared_counts", root);
	ck_assert_int_eq(unlink(path), 0);
}
END_TEST

/* Two processes load the same object with pin-by-name at the same moment: one map, which both
 * use. Repeated to give the race a chance. */
START_TEST(test_concurrent_loaders_share_pin)
{
	const char *root = pin_root_create();
	char path[4096];
	int round;

	if (!kernel_ready())
		return;
	snprintf(path, sizeof(path), "%s/shared_counts", root);
	for (round = 0; round < 20; round++) {
		int go[2], hold[2], res[2][2], i;
		uint32_t ids[2] = {0, 0};
		pid_t pids[2];

		/* go: one byte each starts both loads at once; hold: EOF lets them exit, after
		 * the parent has read both ids (the pins and maps stay alive until then) */
		ck_assert_int_eq(pipe(go), 0);
		ck_assert_int_eq(pipe(hold), 0);
		for (i = 0; i < 2; i++) {
			ck_assert_int_eq(pipe(res[i]), 0);
			pids[i] = fork();
			ck_assert_int_ge(pids[i], 0);
			if (pids[i] == 0) {
				struct bel_open_opts opts = {.sz = sizeof(opts), .pin_root = root};
				struct bel_object *obj = NULL;
				uint32_t id = 0;
				char c;

				close(go[1]);
				close(hold[1]);
				if (bel_object_open_file(fixture_path("pinned"), &opts, &obj))
					_exit(1);
				if (read(go[0], &c, 1) != 1)
					_exit(1);
				if (!bel_object_load(obj, NULL))
					id = bel_map_id(bel_object_find_map(obj, "shared_counts"));
				if (write(res[i][1], &id, sizeof(id)) != sizeof(id))
					_exit(1);
				while (read(hold[0], &c, 1) > 0)
					;
				bel_object_close(obj);
				_exit(0);
			}
			close(res[i][1]);
		}
		close(go[0]);
		close(hold[0]);
		ck_assert_int_eq(write(go[1], "gg", 2), 2);
		for (i = 0; i < 2; i++) {
			ck_assert_int_eq(read(res[i][0], &ids[i], sizeof(ids[i])), sizeof(ids[i]));
			close(res[i][0]);
		}
		close(go[1]);
		close(hold[1]);
		for (i = 0; i < 2; i++)
			waitpid(pids[i], NULL, 0);
		ck_assert_uint_ne(ids[0], 0);
		ck_assert_msg(ids[0] == ids[1], "round %d: two maps (%u, %u)", round, ids[0], ids[1]);
		ck_assert_int_eq(unlink(path), 0);
	}
}
END_TEST

Suite *share_suite(void)
{
	return kernel_suite("share", 300, true, (const TTest *[]){
		test_reuse_fd_between_objects, test_pin_by_name_and_mismatch,
		test_reuse_global_data_layout, test_failed_load_unpins, test_tc_and_cgroup_share,
		test_concurrent_loaders_share_pin, NULL});
}
