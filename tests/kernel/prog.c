/* SPDX-License-Identifier: MIT */
/* One program at a time (loader/prog.c): only the maps of its table exist, unloading releases
 * them, keep_maps keeps them for the next load. */
#include <string.h>

#include "bel/bel.h"
#include "kernel.h"
#include "testutil.h"

/* One program: only the maps of its table (and metadata maps) exist; unload releases them;
 * loading again creates them again. */
START_TEST(test_single_program)
{
	struct bel_object *obj;
	struct bel_program *p;
	unsigned int i;
	int round;

	if (!kernel_ready())
		return;
	obj = open_fixture("maps", false);
	p = bel_object_find_program(obj, "tail_zero");
	ck_assert_ptr_nonnull(p);
	for (round = 0; round < 2; round++) {
		ck_assert_int_eq(bel_program_load(p), 0);
		for (i = 0; i < bel_object_map_count(obj); i++) {
			const struct bel_map *m = bel_object_map(obj, i);
			bool want = !strcmp(bel_map_name(m), "hash_map");

			ck_assert_msg((bel_map_fd(m) >= 0) == want, "round %d: map %s fd %d", round,
				      bel_map_name(m), bel_map_fd(m));
		}
		ck_assert_int_eq(bel_program_unload(p), 0);
		ck_assert_int_lt(bel_program_fd(p), 0);
		for (i = 0; i < bel_object_map_count(obj); i++)
			ck_assert_int_lt(bel_map_fd(bel_object_map(obj, i)), 0);
	}
	bel_object_close(obj);
}
END_TEST

/* keep_maps keeps a map after its last program goes, so a reload sees the same map. */
START_TEST(test_keep_maps)
{
	struct bel_object *obj;
	struct bel_program *p;
	uint32_t id;

	if (!kernel_ready())
		return;
	obj = open_fixture("maps", true);
	p = bel_object_find_program(obj, "tail_zero");
	ck_assert_int_eq(bel_program_load(p), 0);
	id = bel_map_id(bel_object_find_map(obj, "hash_map"));
	ck_assert_int_eq(bel_program_unload(p), 0);
	ck_assert_uint_eq(bel_map_id(bel_object_find_map(obj, "hash_map")), id);
	ck_assert_int_eq(bel_program_load(p), 0);
	ck_assert_uint_eq(bel_map_id(bel_object_find_map(obj, "hash_map")), id);
	bel_object_close(obj);
}
END_TEST

Suite *prog_suite(void)
{
	return kernel_suite("prog", 120, true, (const TTest *[]){
		test_single_program, test_keep_maps, NULL});
}
