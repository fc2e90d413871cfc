/* SPDX-License-Identifier: MIT */
/* An adoption under way (adopt.c): the old tree read, what was taken from it, the report. */
#ifndef BEL_LOADER_ADOPT_H
#define BEL_LOADER_ADOPT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "bel/bel.h"
#include "common/err.h"
#include "pin_tree.h"

struct ldr_adoption {
	struct ldr_pin_tree tree;     /* the old tree, read; its pins' fds held until the exchange */
	bool existed;                 /* false: nothing was pinned; the pin is a first one */
	int root_fd;                  /* the pin root, locked */
	char root[PATH_MAX];
	uint32_t *old_prog_ids;       /* per pinned program (tree.dirs[PROGRAMS] order): its id */
	uint32_t *taken_id;           /* per object map: the id of the pinned map taken, or 0 */
	uint32_t *map_ids;            /* per object map: the id it will have (0: a new map),
					 worked out once for all programs */
	struct bel_adopt_report report;
};

/* The old tree's links, after the load: each kept, moved to its program's new fd, or replaced
 * by a new attachment; dropped with a program the object no longer has. */
int ldr_adopt_links(struct bel_object *obj, struct ldr_adoption *a, struct bel_err *err);

#endif
