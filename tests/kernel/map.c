/* SPDX-License-Identifier: MIT */
/* What a load puts in maps (loader/map.c): global data as in the ELF file, .rodata frozen, and
 * the initial slots of prog arrays and maps of maps. */
#include <errno.h>
#include <stdint.h>

#include "bel/bel.h"
#include "kernel.h"
#include "syscall/bpf.h"
#include "testutil.h"

/* Global data: contents as in the ELF file, .rodata frozen (user space may not write). */
START_TEST(test_global_data)
{
	struct bel_object *obj;
	const struct bel_map *ro, *data;
	uint8_t value[256];
	uint32_t key = 0;

	if (!kernel_ready())
		return;
	obj = open_fixture("globals", false);
	ck_assert_int_eq(bel_object_load(obj, NULL), 0);
	ro = bel_object_find_map(obj, ".rodata");
	data = bel_object_find_map(obj, ".data");
	ck_assert_ptr_nonnull(ro);
	ck_assert_ptr_nonnull(data);
	ck_assert_uint_le(bel_map_value_size(ro), sizeof(value));
	ck_assert_int_eq(bel_sys_map_lookup_elem(bel_map_fd(ro), &key, value, 0), 0);
	ck_assert_int_eq(bel_sys_map_update_elem(bel_map_fd(ro), &key, value, 0), -EPERM);
	ck_assert_int_eq(bel_sys_map_lookup_elem(bel_map_fd(data), &key, value, 0), 0);
	ck_assert_int_eq(bel_sys_map_update_elem(bel_map_fd(data), &key, value, 0), 0);
	bel_object_close(obj);
}
END_TEST

/* Prog array and map-in-map initial slots hold the programs and maps they name. */
START_TEST(test_initial_slots)
{
	struct bel_object *obj;
	struct bel_program_info info = {.sz = sizeof(info)};
	uint32_t key = 0, id = 0;

	if (!kernel_ready())
		return;
	obj = open_fixture("maps", false);
	ck_assert_int_eq(bel_object_load(obj, NULL), 0);
	ck_assert_int_eq(bel_sys_map_lookup_elem(map_fd(obj, "jump_table"), &key, &id, 0), 0);
	ck_assert_int_eq(bel_program_info(bel_object_find_program(obj, "tail_zero"), &info), 0);
	ck_assert_uint_eq(id, info.id);
	key = 2;
	ck_assert_int_eq(bel_sys_map_lookup_elem(map_fd(obj, "jump_table"), &key, &id, 0), 0);
	ck_assert_int_eq(bel_program_info(bel_object_find_program(obj, "tail_two"), &info), 0);
	ck_assert_uint_eq(id, info.id);
	key = 0;
	ck_assert_int_eq(bel_sys_map_lookup_elem(map_fd(obj, "outer_array"), &key, &id, 0), 0);
	ck_assert_uint_eq(id, bel_map_id(bel_object_find_map(obj, "inner_a")));
	bel_object_close(obj);
}
END_TEST

Suite *map_suite(void)
{
	return kernel_suite("map", 120, true, (const TTest *[]){
		test_global_data, test_initial_slots, NULL});
}
