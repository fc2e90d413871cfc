/* SPDX-License-Identifier: MIT */
/* Metadata (.rodata variables named bpf_metadata_*): bound to every program of the object, so
 * bpftool prints it for each. */
#include <stdio.h>
#include <string.h>

#include "bel/bel.h"
#include "kernel.h"
#include "testutil.h"

/* bpftool prints the metadata for every program, including those that never read .rodata. */
START_TEST(test_metadata_bpftool)
{
	struct bel_object *obj;
	char cmd[128], out[8192];
	unsigned int i;

	if (!kernel_ready())
		return;
	obj = open_fixture("metadata", false);
	ck_assert_int_eq(bel_object_load(obj, NULL), 0);
	for (i = 0; i < bel_object_program_count(obj); i++) {
		struct bel_program_info info = {.sz = sizeof(info)};

		ck_assert_int_eq(bel_program_info(bel_object_program(obj, i), &info), 0);
		snprintf(cmd, sizeof(cmd), "bpftool -j prog show id %u", info.id);
		ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 0);
		ck_assert_msg(strstr(out, "\"metadata\":{") && strstr(out, "\"name\":\"bel-test\"") &&
			      strstr(out, "\"build\":42"), "%s: no metadata in %s",
			      bel_program_name(bel_object_program(obj, i)), out);
	}
	bel_object_close(obj);
}
END_TEST

Suite *metadata_suite(void)
{
	return kernel_suite("metadata", 120, true, (const TTest *[]){test_metadata_bpftool, NULL});
}
