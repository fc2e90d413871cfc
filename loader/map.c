/* SPDX-License-Identifier: MIT */
/*
 * Map slots: created by the first program that needs a map, initialised (global data contents,
 * read-only sections frozen, map-in-map and prog-array slots filled), released when the last
 * user goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu_list.h"
#include "internal.h"

/* Map types whose BTF key/value the kernel refuses (map_check_no_btf). libbpf 1.1 omits BTF for
 * these too, except prog arrays, which it retries without BTF after the kernel says no. */
static bool btf_unsupported(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_CGROUP_ARRAY:
	case BPF_MAP_TYPE_STACK_TRACE:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
	case BPF_MAP_TYPE_CPUMAP:
	case BPF_MAP_TYPE_XSKMAP:
	case BPF_MAP_TYPE_SOCKMAP:
	case BPF_MAP_TYPE_SOCKHASH:
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		return true;
	default:
		return false;
	}
}


/* A ring buffer's size must be a power-of-two multiple of the page size; round up as libbpf. */
static uint32_t ringbuf_size(uint32_t requested)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), size = page;

	while (size < requested && size < (1ull << 31))
		size <<= 1;
	return (uint32_t)size;
}

static void shape_of(const struct bel_map_def *def, struct ldr_map_shape *out)
{
	out->type = def->type;
	out->key_size = def->key_size;
	out->value_size = def->value_size;
	out->max_entries = def->max_entries;
	out->map_flags = def->map_flags;
	out->numa_node = def->numa_node;
	out->map_extra = def->map_extra;
}

void ldr_map_state_init(struct bel_map *map)
{
	map->fd = -1;
	map->reuse_fd = -1;
	map->st_link_fd = -1;
	map->autocreate = true;
	shape_of(map->def, &map->shape);
	if (map->def->inner) {
		map->inner_def = map->def->inner;
		shape_of(map->def->inner, &map->inner);
	}
	pthread_mutex_init(&map->lock, NULL);
}

void ldr_map_kernel_shape(const struct bel_map *map, bool inner, struct ldr_map_shape *out)
{
	const struct bel_map_def *def = inner ? map->inner_def : map->def;

	*out = inner ? map->inner : map->shape;
	if (out->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !out->max_entries)
		out->max_entries = ldr_possible_cpu_count();
	if (out->type == BPF_MAP_TYPE_RINGBUF)
		out->max_entries = ringbuf_size(out->max_entries);
	if (def->origin == BEL_MAP_FROM_DATA && !bel_kernel_features()->mmapable_maps)
		out->map_flags &= ~BPF_F_MMAPABLE;
	/* the kernel's value is its own wrapper of the struct (bpf_struct_ops_<name>) */
	if (def->origin == BEL_MAP_FROM_STRUCT_OPS)
		ldr_struct_ops_kernel_shape(map, out);
}

/* def names the map and gives its BTF; the shape is what the kernel gets. */
static int create_raw(struct bel_object *obj, const struct bel_map_def *def,
		      const struct ldr_map_shape *shape, int inner_fd, struct bel_err *err)
{
	const struct bel_features *feat = bel_kernel_features();
	struct bel_map_create_args args = {
		.map_type = shape->type,
		.key_size = shape->key_size,
		.value_size = shape->value_size,
		.max_entries = shape->max_entries,
		.map_flags = shape->map_flags,
		.numa_node = shape->numa_node,
		.map_extra = shape->map_extra,
		.inner_map_fd = inner_fd > 0 ? (uint32_t)inner_fd : 0,
		.name = feat->prog_name ? def->kname : NULL,
	};
	int fd, btf_fd;

	btf_fd = ldr_obj_btf_fd(obj);
	/* BTF describes the sizes the object declared; a size set since then has none */
	if (btf_fd >= 0 && (def->btf_key_type_id || def->btf_value_type_id) &&
	    !btf_unsupported(shape->type) && shape->key_size == def->key_size &&
	    shape->value_size == def->value_size) {
		args.btf_fd = (uint32_t)btf_fd;
		args.btf_key_type_id = def->btf_key_type_id;
		args.btf_value_type_id = def->btf_value_type_id;
	}
	fd = bel_sys_map_create(&args);
	if (fd < 0 && args.btf_fd) {
		ldr_obj_msg(obj, BEL_MSG_WARN, "map '%s': kernel refused it with BTF (%s); retrying "
			    "without BTF", def->name, strerror(-fd));
		args.btf_fd = args.btf_key_type_id = args.btf_value_type_id = 0;
		fd = bel_sys_map_create(&args);
	}
	if (fd < 0)
		return bel_errf(err, -fd, "map '%s': BPF_MAP_CREATE (type %u, key %u, value %u, "
				"max_entries %u, flags %#x) failed: %s", def->name, shape->type,
				shape->key_size, shape->value_size, shape->max_entries, shape->map_flags,
				strerror(-fd));
	return fd;
}

static int init_contents(struct bel_map *map, int fd, struct bel_err *err)
{
	const struct bel_map_def *def = map->def;
	uint32_t key = 0;
	int ret;

	if (def->origin != BEL_MAP_FROM_DATA)
		return 0;
	if (map->data || def->init || def->data_kind == BEL_DATA_KCONFIG) {
		const void *init = def->data_kind == BEL_DATA_KCONFIG ? map->obj->target.kconfig_data
				   : map->data ? map->data : def->init;

		if (def->data_kind == BEL_DATA_KCONFIG && map->obj->target.kconfig_err.code) {
			*err = map->obj->target.kconfig_err;
			return err->code;
		}
		if (!init)
			return bel_errf(err, EINVAL, "map '%s': extern values were never resolved",
					def->name);
		ret = bel_sys_map_update_elem(fd, &key, init, 0);
		if (ret)
			return bel_errf(err, -ret, "map '%s': setting initial contents failed: %s",
					def->name, strerror(-ret));
	}
	if (def->freeze) {
		ret = bel_sys_map_freeze(fd);
		if (ret)
			return bel_errf(err, -ret, "map '%s': BPF_MAP_FREEZE failed: %s", def->name,
					strerror(-ret));
	}
	return 0;
}

/* Map-in-map: each initial slot holds an object map, which this map keeps a user of. */
static int fill_map_slots(struct bel_map *map, int fd, struct bel_err *err)
{
	const struct bel_map_def *def = map->def;
	uint32_t i;
	int ret;

	if (!def->nslots || def->type == BPF_MAP_TYPE_PROG_ARRAY)
		return 0;
	map->slot_maps = calloc(def->nslots, sizeof(*map->slot_maps));
	if (!map->slot_maps)
		return bel_errf(err, ENOMEM, "out of memory");
	for (i = 0; i < def->nslots; i++) {
		struct bel_map *inner = &map->obj->maps[def->slots[i].target];
		uint32_t key = def->slots[i].slot;
		int inner_fd;

		ret = ldr_map_acquire(inner, err);
		if (ret)
			return bel_err_prefix(err, "map '%s': slot %u", def->name, key);
		map->slot_maps[map->nslot_maps++] = def->slots[i].target;
		inner_fd = inner->fd;
		ret = bel_sys_map_update_elem(fd, &key, &inner_fd, 0);
		if (ret)
			return bel_errf(err, -ret, "map '%s': putting map '%s' in slot %u failed: %s",
					def->name, inner->def->name, key, strerror(-ret));
	}
	return 0;
}

void ldr_maps_release(struct bel_object *obj, uint32_t **maps, uint32_t *n, bool undo)
{
	uint32_t i;

	for (i = 0; i < *n; i++)
		ldr_map_release(&obj->maps[(*maps)[i]], undo);
	free(*maps);
	*maps = NULL;
	*n = 0;
}

static void release_slot_maps(struct bel_map *map)
{
	ldr_maps_release(map->obj, &map->slot_maps, &map->nslot_maps, false);
}

/* Prog arrays: link slots to programs already loaded (publish lock held). */
static void fill_prog_slots(struct bel_map *map)
{
	const struct bel_map_def *def = map->def;
	uint32_t i;

	if (def->type != BPF_MAP_TYPE_PROG_ARRAY)
		return;
	for (i = 0; i < def->nslots; i++) {
		const struct bel_program *prog = &map->obj->progs[def->slots[i].target];
		uint32_t key = def->slots[i].slot;
		int ret;

		if (prog->fd < 0)
			continue;
		ret = bel_sys_map_update_elem(map->fd, &key, &prog->fd, 0);
		if (ret)
			ldr_obj_msg(map->obj, BEL_MSG_WARN, "map '%s': putting prog '%s' in slot %u "
				    "failed: %s", def->name, prog->def->name, key, strerror(-ret));
	}
}

void ldr_link_prog_slots(struct bel_object *obj, struct bel_program *prog, bool remove)
{
	const struct bel_spec *spec = obj->spec;
	uint32_t prog_index = (uint32_t)(prog - obj->progs), s;

	/* the program's own slots, listed at open: not a scan of every map per load */
	for (s = spec->prog_slots_start[prog_index]; s < spec->prog_slots_start[prog_index + 1]; s++) {
		const struct bel_prog_slot *ps = &spec->prog_slots[s];
		const struct bel_map *map = &obj->maps[ps->map];
		uint32_t key = ps->slot;
		int ret;

		if (map->fd < 0)
			continue;
		ret = remove ? bel_sys_map_delete_elem(map->fd, &key)
			     : bel_sys_map_update_elem(map->fd, &key, &prog->fd, 0);
		if (ret && !(remove && ret == -ENOENT))
			ldr_obj_msg(obj, BEL_MSG_WARN, "map '%s': %s prog '%s' in slot %u failed: %s",
				    map->def->name, remove ? "removing" : "putting", prog->def->name,
				    key, strerror(-ret));
	}
}

int ldr_map_create_fresh(struct bel_map *map, struct bel_err *err)
{
	const struct bel_map_def *def = map->def;
	struct ldr_map_shape shape;
	int fd, inner_fd = -1, ret;

	/* the value is written when it is attached (it needs the programs' fds) */
	if (def->origin == BEL_MAP_FROM_STRUCT_OPS) {
		ldr_map_kernel_shape(map, false, &shape);
		return ldr_struct_ops_create(map, &shape, err);
	}
	if (map->inner_def) {
		/* The kernel copies the inner map's shape from a template it does not keep. */
		ldr_map_kernel_shape(map, true, &shape);
		inner_fd = create_raw(map->obj, map->inner_def, &shape, -1, err);
		if (inner_fd < 0)
			return bel_err_prefix(err, "map '%s': inner map template", def->name);
	}
	ldr_map_kernel_shape(map, false, &shape);
	fd = create_raw(map->obj, def, &shape, inner_fd, err);
	if (inner_fd >= 0)
		close(inner_fd);
	if (fd < 0)
		return fd;
	ret = init_contents(map, fd, err);
	if (!ret)
		ret = fill_map_slots(map, fd, err);
	if (ret) {
		ldr_map_drop_fresh(map, fd);
		return ret;
	}
	return fd;
}

void ldr_map_drop_fresh(struct bel_map *map, int fd)
{
	release_slot_maps(map);
	close(fd);
}

static int create_map(struct bel_map *map, struct bel_err *err)
{
	const struct bel_map_def *def = map->def;
	bool existing = false;
	int fd;

	if (map->reuse_fd < 0 && !map->autocreate)
		return bel_errf(err, ENOENT, "map '%s' is not to be created (autocreate is off) and "
				"no existing map was given for it", def->name);
	if (map->reuse_fd >= 0) {
		fd = fcntl(map->reuse_fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return bel_errf(err, errno, "map '%s': dup of the reused fd failed: %s", def->name,
					strerror(errno));
		existing = true;
	} else if (def->pinning == BEL_PIN_BY_NAME && !map->obj->ignore_pinning) {
		fd = ldr_map_open_pinned_by_name(map, &existing, err);
	} else {
		fd = ldr_map_create_fresh(map, err);
	}
	if (fd < 0)
		return fd;
	pthread_mutex_lock(&map->obj->publish_lock);
	__atomic_store_n(&map->fd, fd, __ATOMIC_RELEASE);
	/* A shared map's slots belong to whoever made it. */
	if (!existing)
		fill_prog_slots(map);
	pthread_mutex_unlock(&map->obj->publish_lock);
	ldr_obj_msg(map->obj, BEL_MSG_DEBUG, "map '%s': %s, fd %d", def->name,
		    existing ? "reused" : "created", fd);
	return 0;
}

int ldr_map_acquire(struct bel_map *map, struct bel_err *err)
{
	int ret = 0;

	pthread_mutex_lock(&map->lock);
	if (map->fd < 0)
		ret = create_map(map, err);
	if (!ret)
		map->users++;
	pthread_mutex_unlock(&map->lock);
	return ret;
}

void ldr_map_release(struct bel_map *map, bool undo)
{
	int fd = -1;

	pthread_mutex_lock(&map->lock);
	if (map->users && --map->users == 0) {
		/* A pin made by a load that failed is undone; otherwise pins outlive us. */
		if (undo && map->pin_created && map->pin_path)
			unlink(map->pin_path);
		map->pin_created = false;
		if (!map->obj->keep_maps) {
			pthread_mutex_lock(&map->obj->publish_lock);
			fd = map->fd;
			__atomic_store_n(&map->fd, -1, __ATOMIC_RELEASE);
			pthread_mutex_unlock(&map->obj->publish_lock);
			ldr_map_unmap(map);
			release_slot_maps(map);
		}
	}
	pthread_mutex_unlock(&map->lock);
	if (fd >= 0)
		close(fd);
}

void ldr_map_state_free(struct bel_map *map)
{
	if (!map->st_kept)
		ldr_struct_ops_unregister(map);
	ldr_map_unmap(map);
	if (map->fd >= 0)
		close(map->fd);
	if (map->reuse_fd >= 0)
		close(map->reuse_fd);
	free(map->pin_path);
	free(map->slot_maps);
	free(map->data);
	if (map->own_def) {
		free(map->own_def->name);
		free(map->own_def);
	}
	pthread_mutex_destroy(&map->lock);
}
