/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the pure layers (elf/, btf/, reloc/) and the pure helpers of the other layers:
 * no bpf(), no root. One file per module (tests/unit/unit.h lists them); this runs every suite.
 */
#include <check.h>

#include "testutil.h"
#include "unit.h"

int main(void)
{
	SRunner *sr = srunner_create(spec_suite());

	srunner_add_suite(sr, sections_suite());
	srunner_add_suite(sr, btf_suite());
	srunner_add_suite(sr, malformed_suite());
	srunner_add_suite(sr, names_suite());
	srunner_add_suite(sr, hostile_suite());
	srunner_add_suite(sr, compat_suite());
	srunner_add_suite(sr, digest_suite());
	return run_srunner(sr);
}
