/* SPDX-License-Identifier: MIT */
/* What the uprobe test binaries share: their own path (the binary they probe) and the records
 * the programs of progs/uprobe.bpf.c and progs/uprobe_multi.bpf.c keep in their map `recs`. */
#ifndef BEL_TESTS_UPROBE_FIXTURE_H
#define BEL_TESTS_UPROBE_FIXTURE_H

#include <stdint.h>

struct bel_object;

struct uprobe_rec {
	uint64_t count, cookie, value, pid;
};

/* This executable's path (read once; a static buffer). Fails the test when it cannot be read. */
const char *self_exe(void);
/* Slot `slot` of the object's map `recs`; fails the test when it cannot be read. */
struct uprobe_rec get_rec(struct bel_object *obj, uint32_t slot);

#endif
