/* SPDX-License-Identifier: MIT */
/*
 * Elements of a live map from user space: lookup, update, delete, iteration and the batch
 * commands, on a map of an object or on any map opened by fd or path. Sizes are checked against
 * the map before the kernel is asked (it would read or write the map's sizes whatever buffer it
 * was given). Per-CPU maps take and return one value per possible CPU, each rounded up to 8
 * bytes as the kernel lays them out.
 *
 * The kernel's own answers (ENOENT for a missing key, EEXIST, E2BIG for a full map) come back
 * as -errno without a message: they are results, not failures, and lookups are hot paths.
 * Misuse (wrong sizes, a map that does not exist) gets a message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu_list.h"
#include "fs_safe.h"
#include "internal.h"
#include "names.h"

static bool is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

size_t ldr_map_value_buffer_size(const struct bel_map *map)
{
	if (is_percpu(map->shape.type))
		return (size_t)((map->shape.value_size + 7ull) / 8 * 8) * ldr_possible_cpu_count();
	return map->shape.value_size;
}

/* The slow path of every element call: say what was wrong. */
static int misuse(const struct bel_map *map, const char *op, size_t key_sz, size_t value_sz,
		  bool has_value)
{
	struct bel_err err = {0};

	if (bel_map_fd(map) < 0)
		bel_errf(&err, ENOENT, "map '%s': %s: the map does not exist (load a program that uses "
			 "it, or bel_map_hold it)", map->def->name, op);
	else if (key_sz != map->shape.key_size)
		bel_errf(&err, EINVAL, "map '%s': %s: key of %zu bytes, the map's are %u", map->def->name,
			 op, key_sz, map->shape.key_size);
	else if (has_value)
		bel_errf(&err, EINVAL, "map '%s': %s: value buffer of %zu bytes, the map needs %zu%s",
			 map->def->name, op, value_sz, ldr_map_value_buffer_size(map),
			 is_percpu(map->shape.type) ? " (one 8-byte-aligned value per possible CPU)" : "");
	else
		bel_errf(&err, EINVAL, "map '%s': %s: bad arguments", map->def->name, op);
	return ldr_map_fail(map, &err);
}

#define ELEM_FD(map, op, key_sz, value_sz, has_value)                                          \
	int fd = bel_map_fd(map);                                                               \
	if (fd < 0 || (key_sz) != (map)->shape.key_size ||                                      \
	    ((has_value) && (value_sz) != ldr_map_value_buffer_size(map)))                      \
		return misuse(map, op, key_sz, value_sz, has_value)

int bel_map_lookup_elem(const struct bel_map *map, const void *key, size_t key_sz, void *value,
			size_t value_sz, uint64_t flags)
{
	ELEM_FD(map, "lookup", key_sz, value_sz, true);
	return bel_sys_map_lookup_elem(fd, key, value, flags);
}

int bel_map_update_elem(const struct bel_map *map, const void *key, size_t key_sz,
			const void *value, size_t value_sz, uint64_t flags)
{
	ELEM_FD(map, "update", key_sz, value_sz, true);
	return bel_sys_map_update_elem(fd, key, value, flags);
}

int bel_map_delete_elem(const struct bel_map *map, const void *key, size_t key_sz)
{
	ELEM_FD(map, "delete", key_sz, 0, false);
	return bel_sys_map_delete_elem(fd, key);
}

int bel_map_lookup_and_delete_elem(const struct bel_map *map, const void *key, size_t key_sz,
				   void *value, size_t value_sz, uint64_t flags)
{
	ELEM_FD(map, "lookup_and_delete", key_sz, value_sz, true);
	return bel_sys_map_lookup_and_delete_elem(fd, key, value, flags);
}

int bel_map_get_next_key(const struct bel_map *map, const void *key, void *next_key,
			 size_t key_sz)
{
	ELEM_FD(map, "get_next_key", key_sz, 0, false);
	return bel_sys_map_get_next_key(fd, key, next_key);
}

int bel_map_foreach(const struct bel_map *map, bool with_values, bel_map_elem_fn fn, void *ctx)
{
	size_t key_sz = map->shape.key_size, value_sz = ldr_map_value_buffer_size(map);
	uint8_t *keys, *value = NULL, *cur, *next;
	struct bel_err err = {0};
	int fd = bel_map_fd(map), count = 0, ret;

	if (fd < 0 || !fn)
		return misuse(map, "foreach", key_sz, 0, false);
	if (!key_sz) {
		bel_errf(&err, EINVAL, "map '%s' (%s) has no keys to walk", map->def->name,
			 ldr_map_type_name(map->shape.type));
		return ldr_map_fail(map, &err);
	}
	keys = calloc(2, key_sz);
	if (with_values)
		value = malloc(value_sz ? value_sz : 1);
	if (!keys || (with_values && !value)) {
		free(keys);
		free(value);
		bel_errf(&err, ENOMEM, "map '%s': foreach: out of memory", map->def->name);
		return ldr_map_fail(map, &err);
	}
	cur = NULL;
	next = keys;
	for (;;) {
		ret = bel_sys_map_get_next_key(fd, cur, next);
		if (ret == -ENOENT) {
			ret = count;
			break;
		}
		if (ret)
			break;
		cur = next;
		next = cur == keys ? keys + key_sz : keys;
		if (with_values) {
			ret = bel_sys_map_lookup_elem(fd, cur, value, 0);
			if (ret == -ENOENT) /* deleted since it was listed */
				continue;
			if (ret)
				break;
		}
		count++;
		ret = fn(cur, value, ctx);
		if (ret) {
			ret = ret < 0 ? ret : count;
			break;
		}
	}
	free(keys);
	free(value);
	return ret;
}

static int batch(const struct bel_map *map, int cmd, const char *op, void *in_batch,
		 void *out_batch, void *keys, void *values, uint32_t *count,
		 const struct bel_map_batch_opts *opts)
{
	struct bel_err err = {0};
	int fd = bel_map_fd(map);

	if (bel_opts_check(opts, sizeof(*opts), "bel_map_batch_opts", &err))
		return ldr_map_fail(map, &err);
	if (fd < 0 || !count)
		return misuse(map, op, map->shape.key_size, 0, false);
	return bel_sys_map_batch(cmd, fd, in_batch, out_batch, keys, values, count,
				 BEL_OPT(opts, elem_flags, 0), BEL_OPT(opts, flags, 0));
}

int bel_map_lookup_batch(const struct bel_map *map, void *in_batch, void *out_batch, void *keys,
			 void *values, uint32_t *count, const struct bel_map_batch_opts *opts)
{
	return batch(map, BPF_MAP_LOOKUP_BATCH, "lookup_batch", in_batch, out_batch, keys, values,
		     count, opts);
}

int bel_map_lookup_and_delete_batch(const struct bel_map *map, void *in_batch, void *out_batch,
				    void *keys, void *values, uint32_t *count,
				    const struct bel_map_batch_opts *opts)
{
	return batch(map, BPF_MAP_LOOKUP_AND_DELETE_BATCH, "lookup_and_delete_batch", in_batch,
		     out_batch, keys, values, count, opts);
}

int bel_map_update_batch(const struct bel_map *map, const void *keys, const void *values,
			 uint32_t *count, const struct bel_map_batch_opts *opts)
{
	return batch(map, BPF_MAP_UPDATE_BATCH, "update_batch", NULL, NULL, (void *)keys,
		     (void *)values, count, opts);
}

int bel_map_delete_batch(const struct bel_map *map, const void *keys, uint32_t *count,
			 const struct bel_map_batch_opts *opts)
{
	return batch(map, BPF_MAP_DELETE_BATCH, "delete_batch", NULL, NULL, (void *)keys, NULL,
		     count, opts);
}

/* ---- maps from outside any object --------------------------------------------------------- */

static int open_from_fd(int fd, const char *where, struct bel_map **out, struct bel_err *err)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	enum ldr_fd_kind kind;
	struct bel_map_def *def;
	struct bel_map *map;
	int ret;

	kind = ldr_fd_kind(fd);
	if (kind != BEL_FD_MAP && kind != BEL_FD_UNKNOWN)
		return bel_errf(err, EINVAL, "%s is not a map but %s", where, ldr_fd_kind_name(kind));
	memset(&info, 0, sizeof(info));
	ret = bel_sys_obj_get_info_by_fd(fd, &info, &len);
	if (ret)
		return bel_errf(err, -ret, "%s is not a BPF map: %s", where, strerror(-ret));
	map = calloc(1, sizeof(*map));
	def = calloc(1, sizeof(*def));
	if (!map || !def || !(def->name = strdup(info.name[0] ? info.name : "(unnamed)"))) {
		free(map);
		free(def);
		return bel_errf(err, ENOMEM, "out of memory");
	}
	snprintf(def->kname, sizeof(def->kname), "%s", info.name);
	def->origin = BEL_MAP_FROM_KERNEL;
	def->type = info.type;
	def->key_size = info.key_size;
	def->value_size = info.value_size;
	def->max_entries = info.max_entries;
	def->map_flags = info.map_flags;
	map->def = map->own_def = def;
	ldr_map_state_init(map);
	map->fd = fd;
	map->users = 1; /* never released: the handle owns the fd until bel_map_close */
	*out = map;
	return 0;
}

int bel_map_open_fd(int fd, struct bel_map **out)
{
	struct bel_err err = {0};
	char where[32];
	int dup_fd;

	*out = NULL;
	snprintf(where, sizeof(where), "fd %d", fd);
	dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0) {
		bel_errf(&err, errno, "%s: %s", where, strerror(errno));
		return ldr_thread_fail(&err);
	}
	if (open_from_fd(dup_fd, where, out, &err)) {
		close(dup_fd);
		return ldr_thread_fail(&err);
	}
	return 0;
}

int bel_map_open_pinned(const char *path, struct bel_map **out)
{
	struct bel_err err = {0};
	int fd;

	*out = NULL;
	fd = bel_sys_obj_get(path, 0);
	if (fd < 0) {
		bel_errf(&err, -fd, "cannot open pinned map %s: %s", path, strerror(-fd));
		return ldr_thread_fail(&err);
	}
	if (open_from_fd(fd, path, out, &err)) {
		close(fd);
		return ldr_thread_fail(&err);
	}
	return 0;
}

void bel_map_close(struct bel_map *map)
{
	if (!map || map->obj)
		return; /* an object's maps go with the object */
	ldr_map_state_free(map);
	free(map);
}
