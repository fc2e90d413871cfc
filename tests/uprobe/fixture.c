/* SPDX-License-Identifier: MIT */
#include "fixture.h"

#include <check.h>
#include <limits.h>
#include <unistd.h>

#include "bel/bel.h"

const char *self_exe(void)
{
	static char path[PATH_MAX];

	if (!path[0]) {
		ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

		ck_assert(n > 0);
		path[n] = '\0';
	}
	return path;
}

struct uprobe_rec get_rec(struct bel_object *obj, uint32_t slot)
{
	struct uprobe_rec r;

	ck_assert_int_eq(bel_map_lookup_elem(bel_object_find_map(obj, "recs"), &slot, sizeof(slot),
					     &r, sizeof(r), 0), 0);
	return r;
}
