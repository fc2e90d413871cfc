/* SPDX-License-Identifier: MIT */
/*
 * Name -> index maps for sets that grow while they are searched (a spec's maps, programs and
 * externs, BTF DATASECs by name). Open addressing over a power-of-two table at most half full,
 * so a lookup costs one hash and a few probes however many names there are. Names are not
 * copied: each must outlive the map.
 */
#ifndef BEL_COMMON_NAME_MAP_H
#define BEL_COMMON_NAME_MAP_H

#include <stdint.h>

struct bel_name_map {
	struct bel_name_slot {
		const char *name;   /* NULL: empty slot */
		uint32_t hash;
		uint32_t value;
	} *slots;
	uint32_t mask;          /* slots - 1, when there are slots */
	uint32_t count;
	uint32_t seed;          /* varies per table, so crafted names cannot aim at one slot */
};

/* Map name to value (at most INT32_MAX). The first value given for a name stays: -EEXIST
 * for a name already present, -ENOMEM, or 0. */
int bel_name_map_add(struct bel_name_map *map, const char *name, uint32_t value);
/* The value of name, or -ENOENT. */
int bel_name_map_get(const struct bel_name_map *map, const char *name);
void bel_name_map_free(struct bel_name_map *map);

#endif
