/* SPDX-License-Identifier: MIT */
/*
 * Maps that come from outside the object: an fd or a pinned path given by the user, another
 * object's map, or libbpf's pinning = LIBBPF_PIN_BY_NAME (iproute2's PIN_GLOBAL_NS), which
 * shares a map through <pin_root>/<map name>. An outside map is checked against the object's
 * definition before use: type, key and value size, max_entries, flags, and for global data the
 * variable layout, since programs address variables by offset.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs_safe.h"
#include "internal.h"
#include "pin_names.h"

/* The DATASEC the existing map's value is described by, parsed from the kernel's copy. */
static int fetch_value_datasec(const struct bpf_map_info *info, struct bel_btf **btf,
			       const struct btf_type **ds, struct bel_err *err)
{
	int ret;

	*btf = NULL;
	if (!info->btf_id || !info->btf_value_type_id)
		return bel_errf(err, EINVAL, "it has no BTF to check the variable layout against");
	ret = ldr_kernel_btf_by_id(info->btf_id, btf, err);
	if (ret)
		return ret;
	*ds = bel_btf_type(*btf, info->btf_value_type_id);
	if (!*ds || btf_kind(*ds) != BTF_KIND_DATASEC) {
		bel_btf_free(*btf);
		*btf = NULL;
		return bel_errf(err, EINVAL, "its value type is not a DATASEC");
	}
	return 0;
}

static int check_layout(const struct bel_spec *spec, const struct bel_map_def *def,
			const struct bpf_map_info *info, struct bel_err *err)
{
	const struct btf_type *theirs = NULL, *ours;
	struct bel_btf *their_btf;
	uint32_t i;
	int ret;

	if (def->origin != BEL_MAP_FROM_DATA || !spec->btf || !def->btf_value_type_id)
		return 0;
	ret = fetch_value_datasec(info, &their_btf, &theirs, err);
	if (ret)
		return ret;
	ours = bel_btf_type(spec->btf, def->btf_value_type_id);
	if (btf_vlen(ours) != btf_vlen(theirs)) {
		ret = bel_errf(err, EINVAL, "%u variables there, %u here", btf_vlen(theirs),
			       btf_vlen(ours));
		goto out;
	}
	for (i = 0; i < btf_vlen(ours); i++) {
		const struct btf_var_secinfo *a = &btf_secinfos(ours)[i], *b = &btf_secinfos(theirs)[i];
		const char *an = bel_btf_type_name(spec->btf, bel_btf_type(spec->btf, a->type));
		const char *bn = bel_btf_type_name(their_btf, bel_btf_type(their_btf, b->type));

		if (strcmp(an, bn) || a->offset != b->offset || a->size != b->size) {
			ret = bel_errf(err, EINVAL, "variable %u is '%s' at %u size %u there, '%s' at %u "
				       "size %u here", i, bn, b->offset, b->size, an, a->offset, a->size);
			goto out;
		}
	}
out:
	bel_btf_free(their_btf);
	return ret;
}

int ldr_map_check_compat(const struct bel_map *map, int fd, const char *where, uint32_t *id,
			 struct bel_err *err)
{
	const struct bel_map_def *def = map->def;
	enum ldr_fd_kind kind = ldr_fd_kind(fd);
	struct bpf_map_info have;
	struct ldr_map_shape want;
	uint32_t len = sizeof(have);
	int ret;

	/* the kernel answers a program's or link's info into a map's struct just as well */
	if (kind != BEL_FD_MAP && kind != BEL_FD_UNKNOWN)
		return bel_errf(err, EINVAL, "map '%s': %s is %s, not a map", def->name, where,
				ldr_fd_kind_name(kind));
	memset(&have, 0, sizeof(have));
	ret = bel_sys_obj_get_info_by_fd(fd, &have, &len);
	if (ret)
		return bel_errf(err, -ret, "map '%s': %s is not a map: %s", def->name, where,
				strerror(-ret));
	ldr_map_kernel_shape(map, false, &want);
#define SAME(field, what)                                                                      \
	if (have.field != want.field)                                                          \
		return bel_errf(err, EINVAL, "map '%s': %s (id %u, '%s') is incompatible: " what   \
				" %u there, %u here", def->name, where, have.id, have.name,          \
				have.field, want.field)
	SAME(type, "type");
	SAME(key_size, "key_size");
	SAME(value_size, "value_size");
	SAME(max_entries, "max_entries");
	SAME(map_flags, "map_flags");
#undef SAME
	ret = check_layout(map->obj->spec, def, &have, err);
	if (ret)
		return bel_err_prefix(err, "map '%s': %s (id %u) has another variable layout",
				      def->name, where, have.id);
	if (id)
		*id = have.id;
	return 0;
}

/* where: NULL when the caller has checked fd already. */
static int set_reuse_fd(struct bel_map *map, int fd, const char *where, struct bel_err *err)
{
	int ret;

	pthread_mutex_lock(&map->lock);
	if (map->fd >= 0 || map->users) {
		pthread_mutex_unlock(&map->lock);
		close(fd);
		return bel_errf(err, EBUSY, "map '%s': already created; reuse must come before loading",
				map->def->name);
	}
	ret = where ? ldr_map_check_compat(map, fd, where, NULL, err) : 0;
	if (ret) {
		pthread_mutex_unlock(&map->lock);
		close(fd);
		return ret;
	}
	if (map->reuse_fd >= 0)
		close(map->reuse_fd);
	map->reuse_fd = fd;
	pthread_mutex_unlock(&map->lock);
	return 0;
}

int ldr_map_set_reuse(struct bel_map *map, int fd, const char *where, struct bel_err *err)
{
	return set_reuse_fd(map, fd, where, err);
}

int ldr_map_set_reuse_checked(struct bel_map *map, int fd, struct bel_err *err)
{
	return set_reuse_fd(map, fd, NULL, err);
}

static int set_reuse(struct bel_map *map, int fd, const char *where)
{
	struct bel_err err = {0};

	if (!ldr_map_set_reuse(map, fd, where, &err))
		return 0;
	bel_err_prefix(&err, "object '%s'", map->obj->spec->obj_name);
	return ldr_obj_fail(map->obj, &err);
}

int bel_map_reuse_fd(struct bel_map *map, int fd)
{
	char where[32];
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	struct bel_err err = {0};

	if (dup_fd < 0) {
		bel_errf(&err, errno, "object '%s': map '%s': cannot use fd %d: %s",
			 map->obj->spec->obj_name, map->def->name, fd, strerror(errno));
		return ldr_obj_fail(map->obj, &err);
	}
	snprintf(where, sizeof(where), "fd %d", fd);
	return set_reuse(map, dup_fd, where);
}

int bel_map_reuse_pinned(struct bel_map *map, const char *path)
{
	struct bel_err err = {0};
	int fd = bel_sys_obj_get(path, 0);

	if (fd < 0) {
		bel_errf(&err, -fd, "object '%s': map '%s': cannot open pinned map %s: %s",
			 map->obj->spec->obj_name, map->def->name, path, strerror(-fd));
		return ldr_obj_fail(map->obj, &err);
	}
	return set_reuse(map, fd, path);
}

/*
 * LIBBPF_PIN_BY_NAME: use <pin_root>/<name> if it exists, else create the map and pin it there.
 * Two loaders racing both find nothing and both create; one pin wins, and the loser drops its
 * map and takes the winner's, so both end with the same map. *existing tells whether the fd is
 * someone else's map (not to be initialised again).
 *
 * The name comes from the object: it must be one path component (ldr_name_check), and what is
 * found there must be a pinned map, reached without following a symbolic link, since anyone
 * who can write the pin root could otherwise lead the object to any map.
 */
static int open_or_create(struct bel_map *map, int root_fd, const char *path, bool *existing,
			  struct bel_err *err)
{
	const char *root = map->obj->pin_root, *name = map->def->name;
	int attempt, fd, ret;

	for (attempt = 0; attempt < 3; attempt++) {
		fd = ldr_pin_get(root_fd, root, name);
		if (fd >= 0) {
			ret = ldr_map_check_compat(map, fd, path, NULL, err);
			if (ret) {
				close(fd);
				return ret;
			}
			if (!map->pin_path)
				map->pin_path = strdup(path);
			*existing = true;
			return fd;
		}
		if (fd != -ENOENT)
			return bel_errf(err, -fd, "map '%s': cannot open %s: %s", name, path,
					fd == -ELOOP ? "it is a symbolic link (not followed)" :
					fd == -EISDIR ? "it is a directory, not a pinned map" :
					fd == -EXDEV ? "another filesystem is mounted there" :
					fd == -EINVAL ? "it is not a pinned map" : strerror(-fd));
		fd = ldr_map_create_fresh(map, err);
		if (fd < 0)
			return fd;
		ret = ldr_pin_at(fd, root_fd, root, name);
		if (!ret) {
			free(map->pin_path);
			map->pin_path = strdup(path);
			map->pin_created = map->pin_path != NULL;
			*existing = false;
			return fd;
		}
		ldr_map_drop_fresh(map, fd);
		if (ret != -EEXIST)
			return bel_errf(err, -ret, "map '%s': pinning at %s failed: %s", name, path,
					ret == -ESTALE ? "the pin root changed while pinning" :
					strerror(-ret));
		/* lost the race: take the winner's map */
	}
	return bel_errf(err, EAGAIN, "map '%s': %s keeps appearing and disappearing", name, path);
}

int ldr_map_open_pinned_by_name(struct bel_map *map, bool *existing, struct bel_err *err)
{
	const char *root = map->obj->pin_root;
	char path[PATH_MAX + BEL_NAME_MAX + 2];
	int root_fd, fd;

	if (ldr_name_check(map->def->name, 0, err))
		return bel_err_prefix(err, "map '%s': cannot be pinned by name", map->def->name);
	snprintf(path, sizeof(path), "%s/%s", root, map->def->name);
	root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return bel_errf(err, errno, "map '%s': cannot open the pin root %s: %s", map->def->name,
				root, strerror(errno));
	fd = open_or_create(map, root_fd, path, existing, err);
	close(root_fd);
	return fd;
}
