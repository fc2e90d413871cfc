/* SPDX-License-Identifier: MIT */
/* A map's entries into another of the same key and value sizes: what migrating a pinned map of
 * another shape to a new one keeps. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

bool ldr_map_copyable(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH: case BPF_MAP_TYPE_LRU_HASH: case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH: case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		return true;
	default:
		return false;
	}
}

int ldr_map_copy_entries(const struct bel_map *map, int old_fd, uint64_t *copied, uint64_t *lost,
			 struct bel_err *err)
{
	size_t key_sz = map->shape.key_size, value_sz = ldr_map_value_buffer_size(map);
	uint8_t *keys = calloc(2, key_sz ? key_sz : 1), *value = calloc(1, value_sz ? value_sz : 1);
	uint8_t *cur = NULL, *next = keys;
	int new_fd = bel_map_fd(map), ret;

	if (!keys || !value) {
		free(keys);
		free(value);
		return bel_errf(err, ENOMEM, "out of memory");
	}
	for (;;) {
		ret = bel_sys_map_get_next_key(old_fd, cur, next);
		if (ret == -ENOENT) {
			ret = 0;
			break;
		}
		if (ret) {
			bel_errf(err, -ret, "map '%s': reading the old map's keys: %s", map->def->name,
				 strerror(-ret));
			break;
		}
		cur = next;
		next = cur == keys ? keys + key_sz : keys;
		if (bel_sys_map_lookup_elem(old_fd, cur, value, 0))
			continue; /* gone meanwhile */
		if (bel_sys_map_update_elem(new_fd, cur, value, BPF_ANY))
			++*lost; /* the new map is smaller, or refuses it */
		else
			++*copied;
	}
	free(keys);
	free(value);
	return ret;
}
