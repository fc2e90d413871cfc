/* SPDX-License-Identifier: MIT */
/*
 * A map's shape before it is created: size, value size, flags, NUMA node, the inner map of a
 * map-in-map, whether to create it at all. Each change is refused while the map exists (it
 * would not apply to what programs use), and checked against what the kernel will take, so the
 * error names the map here rather than coming back as EINVAL from BPF_MAP_CREATE.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "names.h"

int ldr_map_fail(const struct bel_map *map, struct bel_err *err)
{
	if (!map->obj)
		return ldr_thread_fail(err);
	bel_err_prefix(err, "object '%s'", map->obj->spec->obj_name);
	return ldr_obj_fail(map->obj, err);
}

/* Takes map->lock when the map may be configured; else says why. */
static int config_begin(struct bel_map *map, const char *what, struct bel_err *err)
{
	if (!map->obj)
		return bel_errf(err, EINVAL, "map '%s': %s: a map opened by fd or path exists already",
				map->def->name, what);
	pthread_mutex_lock(&map->lock);
	if (map->fd < 0 && !map->users)
		return 0;
	pthread_mutex_unlock(&map->lock);
	return bel_errf(err, EBUSY, "map '%s': %s: the map exists already (set it before a program "
			"that uses it loads)", map->def->name, what);
}

static bool is_global_data(const struct bel_map *map)
{
	return map->def->origin == BEL_MAP_FROM_DATA;
}

static bool holds_fds(uint32_t type)
{
	return type == BPF_MAP_TYPE_PROG_ARRAY || type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	       type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

int bel_map_set_max_entries(struct bel_map *map, uint32_t max_entries)
{
	long page = sysconf(_SC_PAGESIZE);
	struct bel_err err = {0};

	if (is_global_data(map)) {
		bel_errf(&err, EINVAL, "map '%s': global data is one element; its size is the section's",
			 map->def->name);
		return ldr_map_fail(map, &err);
	}
	if (map->shape.type == BPF_MAP_TYPE_RINGBUF &&
	    (max_entries < (uint32_t)page || max_entries % (uint32_t)page ||
	     (max_entries & (max_entries - 1)))) {
		bel_errf(&err, EINVAL, "map '%s': a ring buffer's size must be a power-of-two multiple "
			 "of the page size (%ld bytes); %u is not", map->def->name, page, max_entries);
		return ldr_map_fail(map, &err);
	}
	if (config_begin(map, "setting max_entries", &err))
		return ldr_map_fail(map, &err);
	map->shape.max_entries = max_entries;
	pthread_mutex_unlock(&map->lock);
	return 0;
}

int bel_map_set_value_size(struct bel_map *map, uint32_t size)
{
	struct bel_err err = {0};

	if (is_global_data(map) || holds_fds(map->shape.type) || !size) {
		bel_errf(&err, EINVAL, "map '%s': the value size of %s cannot be set%s", map->def->name,
			 is_global_data(map) ? "global data (the section's layout)"
			 : holds_fds(map->shape.type) ? "a map of fds (4 bytes)" : "a map", size ? "" : " to 0");
		return ldr_map_fail(map, &err);
	}
	if (config_begin(map, "setting the value size", &err))
		return ldr_map_fail(map, &err);
	map->shape.value_size = size;
	pthread_mutex_unlock(&map->lock);
	return 0;
}

int bel_map_set_flags(struct bel_map *map, uint32_t flags)
{
	struct bel_err err = {0};

	if (config_begin(map, "setting flags", &err))
		return ldr_map_fail(map, &err);
	map->shape.map_flags = flags;
	pthread_mutex_unlock(&map->lock);
	return 0;
}

int bel_map_set_numa_node(struct bel_map *map, uint32_t node)
{
	struct bel_err err = {0};

	if (config_begin(map, "setting the NUMA node", &err))
		return ldr_map_fail(map, &err);
	map->shape.numa_node = node;
	map->shape.map_flags |= BPF_F_NUMA_NODE; /* the kernel reads numa_node only with it */
	pthread_mutex_unlock(&map->lock);
	return 0;
}

int bel_map_set_inner_map(struct bel_map *map, const struct bel_map *inner)
{
	struct bel_err err = {0};

	if (map->shape.type != BPF_MAP_TYPE_ARRAY_OF_MAPS &&
	    map->shape.type != BPF_MAP_TYPE_HASH_OF_MAPS) {
		bel_errf(&err, EINVAL, "map '%s' (%s) is not a map-in-map", map->def->name,
			 ldr_map_type_name(map->shape.type));
		return ldr_map_fail(map, &err);
	}
	/* the template is kept as a pointer into its object: another object (or a map opened by
	 * fd) can be closed before this map is created, and its BTF ids are not this object's */
	if (inner->obj != map->obj) {
		bel_errf(&err, EINVAL, "map '%s': map '%s' is not a map of this object (an inner map "
			 "template must be)", map->def->name, inner->def->name);
		return ldr_map_fail(map, &err);
	}
	if (inner->shape.type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	    inner->shape.type == BPF_MAP_TYPE_HASH_OF_MAPS || inner == map) {
		bel_errf(&err, EINVAL, "map '%s': map '%s' cannot be its inner map (maps of maps do "
			 "not nest)", map->def->name, inner->def->name);
		return ldr_map_fail(map, &err);
	}
	if (config_begin(map, "setting the inner map", &err))
		return ldr_map_fail(map, &err);
	map->inner_def = inner->def;
	/* its shape as configured now, read under its lock (an outer map's lock comes first) */
	pthread_mutex_lock(&((struct bel_map *)inner)->lock);
	map->inner = inner->shape;
	pthread_mutex_unlock(&((struct bel_map *)inner)->lock);
	pthread_mutex_unlock(&map->lock);
	return 0;
}

int bel_map_set_autocreate(struct bel_map *map, bool create)
{
	struct bel_err err = {0};

	if (config_begin(map, "setting autocreate", &err))
		return ldr_map_fail(map, &err);
	map->autocreate = create;
	pthread_mutex_unlock(&map->lock);
	return 0;
}

bool bel_map_autocreate(const struct bel_map *map)
{
	return map->autocreate;
}
