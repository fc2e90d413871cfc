/* SPDX-License-Identifier: MIT */
/*
 * Whether what is pinned is what an object would load now: the one judgement adopt acts on and
 * status reports, so the two cannot disagree.
 */
#ifndef BEL_LOADER_PINNED_MATCH_H
#define BEL_LOADER_PINNED_MATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

/* The kernel id of a map's or a program's fd (0 if it cannot be told). */
uint32_t ldr_fd_id(int fd, bool map);

/* Whether the pinned map at fd can serve as map: 0; -EINVAL when its shape differs (why says
 * the field, both sides); -ESTALE when it is a frozen section holding other values than this
 * load would freeze (the programs were verified with those as constants). */
int ldr_pinned_map_matches(struct bel_map *map, int fd, const char *where, uint32_t *id,
			   struct bel_err *why);

/*
 * The ids each map of the object will have when the pinned maps that match are taken: the
 * pinned map's (taken_id[i], 0 when none was taken), a map pinned by name's, else 0 (a new
 * map). malloc'd.
 */
uint32_t *ldr_expected_map_ids(struct bel_object *obj, const uint32_t *taken_id);

/* Whether the pinned program at fd is what prog would load now: the kernel's tag is the tag of
 * its instructions as they would load (bel_program_tag), its type the same, and its map ids
 * those the program would use (map_ids from ldr_expected_map_ids). *id: the pinned program's.
 * why (may be NULL) says what differs. */
bool ldr_pinned_prog_matches(struct bel_program *prog, const uint32_t *map_ids, int fd,
			     uint32_t *id, char *why, size_t why_size);

#endif
