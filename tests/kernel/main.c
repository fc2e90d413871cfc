/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests: load the fixtures with bel on the running kernel and check what the kernel
 * holds (through bpftool and BPF_OBJ_GET_INFO_BY_FD), what is pinned, and that failures leave
 * nothing behind: no program, no fd, no pin. One file per module (tests/kernel/kernel.h lists
 * them); this runs every suite.
 */
#include <check.h>

#include "kernel.h"
#include "testutil.h"

int main(void)
{
	SRunner *sr = srunner_create(load_suite());

	srunner_add_suite(sr, prog_suite());
	srunner_add_suite(sr, map_suite());
	srunner_add_suite(sr, metadata_suite());
	srunner_add_suite(sr, pin_suite());
	srunner_add_suite(sr, cli_suite());
	srunner_add_suite(sr, share_suite());
	srunner_add_suite(sr, attach_suite());
	srunner_add_suite(sr, externs_suite());
	srunner_add_suite(sr, sanitize_suite());
	return run_srunner(sr);
}
