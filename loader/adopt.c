/* SPDX-License-Identifier: MIT */
/*
 * Restart and upgrade: load an object into the tree an earlier load pinned (root/<object>),
 * taking what is there and still right instead of loading it again.
 *
 * - A pinned map is taken when it fits the object's definition (bel_map_check_compat: type,
 *   sizes, flags, the variable layout of global data) and, for a frozen section, holds the
 *   values this load would freeze; its contents are kept. One of another shape is refused with
 *   the per-field message, or with `migrate` replaced by a new map its entries are copied into.
 * - A pinned program is taken without PROG_LOAD when its kernel tag is the tag of the
 *   instructions bel would load now (computed here, bel_program_tag) and it uses exactly the
 *   maps now taken (its map ids). Every other program is loaded (on the caller's threads).
 * - A pinned link follows its program: kept when the program was taken; moved to the new
 *   program with BPF_LINK_UPDATE (naming the old one, so two upgraders cannot both win) when the
 *   program changed; where the link kind cannot be moved, a new link is made first (the two
 *   overlap until the old one goes) if the section says where to attach, else reported lost.
 *   Links of programs the object no longer has go with the old tree.
 *
 * Nothing is published here: bel_object_pin then builds the new tree and exchanges it with the
 * old one in one rename, so readers see the old tree or the new one. A lock on the pin root
 * (flock) is held from the read to the exchange, so two loaders adopting the same tree take
 * turns and end with one consistent tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "fs_safe.h"
#include "internal.h"
#include "pin_tree.h"

#define MAX_PROG_MAPS 1024

struct bel_adoption {
	struct bel_pin_tree tree;     /* the old tree, read; its pins' fds held until the exchange */
	bool existed;                 /* false: nothing was pinned; the pin is a first one */
	int root_fd;                  /* the pin root, locked */
	char root[PATH_MAX];
	uint32_t *old_prog_ids;       /* per pinned program (tree.dirs[PROGRAMS] order): its id */
	uint32_t *map_ids;            /* per object map: the id it will have (0: a new map),
					 worked out once for all programs */
	struct bel_adopt_report report;
};

static uint32_t fd_id(int fd, bool map)
{
	struct bpf_map_info minfo;
	struct bpf_prog_info pinfo;
	uint32_t len = map ? sizeof(minfo) : sizeof(pinfo);

	memset(&minfo, 0, sizeof(minfo));
	memset(&pinfo, 0, sizeof(pinfo));
	if (bel_sys_obj_get_info_by_fd(fd, map ? (void *)&minfo : (void *)&pinfo, &len))
		return 0;
	return map ? minfo.id : pinfo.id;
}

/* A frozen section holds what this load would freeze, or it cannot be taken (the verifier used
 * its values as constants when the programs were loaded). */
static bool same_frozen_contents(struct bel_map *map, int fd)
{
	const struct bel_map_def *def = map->def;
	uint8_t *theirs, *ours = map->data ? map->data : (uint8_t *)def->init;
	uint32_t key = 0;
	bool same;

	if (!def->freeze)
		return true;
	if (def->data_kind == BEL_DATA_KCONFIG)
		ours = map->obj->kconfig_data;
	theirs = calloc(1, def->value_size ? def->value_size : 1);
	if (!theirs)
		return false;
	same = !bel_sys_map_lookup_elem(fd, &key, theirs, 0);
	if (same && ours)
		same = !memcmp(ours, theirs, def->value_size);
	else if (same) /* zeros */
		for (key = 0; key < def->value_size && same; key++)
			same = !theirs[key];
	free(theirs);
	return same;
}

/* Entries of the old map into the new one, where both have the same key and value sizes. */
static int copy_entries(const struct bel_map *map, int old_fd, uint64_t *copied, uint64_t *lost,
			struct bel_err *err)
{
	size_t key_sz = map->shape.key_size, value_sz = bel_map_value_buffer_size(map);
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

static bool copyable(uint32_t type)
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

/* Maps: taken from the tree, or marked for a new map (and with migrate, a copy). */
static int take_maps(struct bel_object *obj, struct bel_adoption *a, bool migrate,
		     int *migrate_from, struct bel_err *err)
{
	uint32_t i;
	int ret;

	/* .kconfig's values come from the kernel: known before its pin can be compared */
	if (obj->spec->kconfig_map >= 0 && (ret = bel_obj_resolve_externs(obj, err)))
		return ret;
	for (i = 0; i < obj->spec->nmaps; i++) {
		struct bel_map *map = &obj->maps[i];
		const struct bel_tree_pin *pin;
		struct bel_err why = {0};
		char name[BEL_NAME_MAX + 1], where[PATH_MAX + 320];
		int fd;

		migrate_from[i] = -1;
		if (map->def->pinning == BEL_PIN_BY_NAME || map->reuse_fd >= 0)
			continue; /* shared through its own pin, or given by the caller */
		bel_pin_name(map->def->name, name, sizeof(name));
		pin = bel_pin_tree_find(&a->tree, BEL_PIN_MAPS, name);
		if (!pin) {
			a->report.maps_created++;
			continue;
		}
		snprintf(where, sizeof(where), "%s/maps/%s", a->tree.shown, name);
		if (!bel_map_check_compat(map, pin->fd, where, &why) &&
		    same_frozen_contents(map, pin->fd)) {
			fd = fcntl(pin->fd, F_DUPFD_CLOEXEC, 0);
			if (fd < 0)
				return bel_errf(err, errno, "%s: %s", where, strerror(errno));
			ret = bel_map_set_reuse(map, fd, where, err);
			if (ret)
				return ret;
			a->report.maps_reused++;
			continue;
		}
		if (!why.code) { /* a frozen section configured otherwise: a new one, programs reload */
			a->report.maps_created++;
			continue;
		}
		if (!migrate)
			return bel_errf(err, -why.code, "%s (the pinned map is kept as it is; with "
					"migrate, a new map takes its entries)", why.msg);
		if (!copyable(map->shape.type) || map->def->origin == BEL_MAP_FROM_DATA)
			return bel_errf(err, EINVAL, "%s; and its entries cannot be copied into a new "
					"one (%s)", why.msg, map->def->origin == BEL_MAP_FROM_DATA ?
					"global data laid out otherwise" : "a map of this type");
		migrate_from[i] = fcntl(pin->fd, F_DUPFD_CLOEXEC, 0);
		if (migrate_from[i] < 0)
			return bel_errf(err, errno, "%s: %s", where, strerror(errno));
	}
	return 0;
}

/* The id each map of the object will have: a taken map's, a map pinned by name's; 0 for a map
 * that will be new (so a pinned program, which used another, cannot be taken). */
static int known_map_ids(struct bel_object *obj, struct bel_adoption *a, struct bel_err *err)
{
	uint32_t i;

	a->map_ids = calloc(obj->spec->nmaps + 1, sizeof(*a->map_ids));
	if (!a->map_ids)
		return bel_errf(err, ENOMEM, "out of memory");
	for (i = 0; i < obj->spec->nmaps; i++) {
		const struct bel_map *map = &obj->maps[i];
		char path[PATH_MAX + 256];
		int fd;

		if (map->reuse_fd >= 0) {
			a->map_ids[i] = fd_id(map->reuse_fd, true);
		} else if (map->def->pinning == BEL_PIN_BY_NAME &&
			   (size_t)snprintf(path, sizeof(path), "%s/%s", obj->pin_root,
					    map->def->name) < sizeof(path) &&
			   (fd = bel_sys_obj_get(path, 0)) >= 0) {
			a->map_ids[i] = fd_id(fd, true);
			close(fd);
		}
	}
	return 0;
}

/* The ids of the maps prog would use now: its map table, then the metadata maps it binds. */
static uint32_t expected_map_ids(const struct bel_program *prog, const struct bel_adoption *a,
				 uint32_t *ids, uint32_t max)
{
	const struct bel_spec *spec = prog->obj->spec;
	uint32_t n = 0, i, j;

	for (i = 0; i < prog->def->nmaps && n < max; i++)
		ids[n++] = a->map_ids[prog->def->maps[i]];
	for (i = 0; i < spec->nmeta_maps && n < max; i++) {
		uint32_t m = spec->meta_maps[i];
		bool in_table = false;

		for (j = 0; j < prog->def->nmaps && !in_table; j++)
			in_table = prog->def->maps[j] == m;
		if (!in_table)
			ids[n++] = a->map_ids[m];
	}
	return n;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Whether the pinned program at fd is what prog would load now; its id in *id. */
static bool same_program(struct bel_program *prog, const struct bel_adoption *a, int fd,
			 uint32_t *id)
{
	uint32_t *have = calloc(MAX_PROG_MAPS, sizeof(*have));
	uint32_t *want = calloc(MAX_PROG_MAPS, sizeof(*want));
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), nwant, i;
	char tag[17], kernel_tag[17];
	bool same = false;

	if (!have || !want || bel_program_tag(prog, tag))
		goto out;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = MAX_PROG_MAPS;
	info.map_ids = (uint64_t)(uintptr_t)have;
	if (bel_sys_obj_get_info_by_fd(fd, &info, &len) || info.nr_map_ids > MAX_PROG_MAPS)
		goto out;
	*id = info.id;
	for (i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(kernel_tag + 2 * i, 3, "%02x", info.tag[i]);
	nwant = expected_map_ids(prog, a, want, MAX_PROG_MAPS);
	if (strcmp(tag, kernel_tag) || nwant != info.nr_map_ids ||
	    info.type != prog->cfg.prog_type)
		goto out;
	qsort(have, nwant, sizeof(*have), cmp_u32);
	qsort(want, nwant, sizeof(*want), cmp_u32);
	/* sorted, a new map (id 0) comes first */
	same = !memcmp(have, want, nwant * sizeof(*have)) && (!nwant || want[0]);
out:
	free(have);
	free(want);
	return same;
}

static int take_programs(struct bel_object *obj, struct bel_adoption *a, struct bel_err *err)
{
	const struct bel_tree_dir *dir = &a->tree.dirs[BEL_PIN_PROGRAMS];
	uint32_t i;
	int ret;

	/* ids of pinned programs, learnt on the way (0: not yet asked) */
	a->old_prog_ids = calloc(dir->count + 1, sizeof(*a->old_prog_ids));
	if (!a->old_prog_ids)
		return bel_errf(err, ENOMEM, "out of memory");
	ret = known_map_ids(obj, a, err);
	if (ret)
		return ret;
	for (i = 0; i < obj->spec->nprogs; i++) {
		struct bel_program *prog = &obj->progs[i];
		const struct bel_tree_pin *pin;
		char name[BEL_NAME_MAX + 1];

		if (!prog->cfg.autoload)
			continue;
		bel_pin_name(prog->def->name, name, sizeof(name));
		pin = bel_pin_tree_find(&a->tree, BEL_PIN_PROGRAMS, name);
		if (!pin || !same_program(prog, a, pin->fd, &a->old_prog_ids[pin - dir->pins]))
			continue;
		ret = bel_prog_adopt(prog, pin->fd, err);
		if (ret)
			return bel_err_prefix(err, "prog '%s'", prog->def->name);
		a->report.progs_reused++;
	}
	return 0;
}

/* The object's program that the pinned program with this id was loaded for (by its pin name),
 * and that program's pinned fd; NULL when the object has none by that name any more. */
static struct bel_program *owner(struct bel_object *obj, struct bel_adoption *a, uint32_t prog_id,
				 int *old_fd)
{
	const struct bel_tree_dir *dir = &a->tree.dirs[BEL_PIN_PROGRAMS];
	uint32_t i, p;

	for (i = 0; i < dir->count; i++) {
		if (!a->old_prog_ids[i])
			a->old_prog_ids[i] = fd_id(dir->pins[i].fd, false);
		if (a->old_prog_ids[i] != prog_id)
			continue;
		*old_fd = dir->pins[i].fd;
		for (p = 0; p < obj->spec->nprogs; p++) {
			char name[BEL_NAME_MAX + 1];

			bel_pin_name(obj->spec->progs[p].name, name, sizeof(name));
			if (!strcmp(name, dir->pins[i].name))
				return &obj->progs[p];
		}
	}
	return NULL;
}

static int follow_links(struct bel_object *obj, struct bel_adoption *a, struct bel_err *err)
{
	const struct bel_tree_dir *dir = &a->tree.dirs[BEL_PIN_LINKS];
	uint32_t i;

	for (i = 0; i < dir->count; i++) {
		struct bpf_link_info info;
		uint32_t len = sizeof(info);
		struct bel_program *prog;
		int old_fd = -1, fd, ret;

		memset(&info, 0, sizeof(info));
		if (bel_sys_obj_get_info_by_fd(dir->pins[i].fd, &info, &len))
			continue;
		prog = owner(obj, a, info.prog_id, &old_fd);
		if (!prog || bel_program_fd(prog) < 0) {
			a->report.links_dropped++;
			continue;
		}
		if (fd_id(bel_program_fd(prog), false) != info.prog_id) {
			/* the program changed: move the link, atomically, if no one else did */
			ret = bel_sys_link_update(dir->pins[i].fd, bel_program_fd(prog), old_fd);
			if (ret) {
				fd = bel_program_attachable(prog, NULL) ? bel_program_attach(prog, NULL)
									  : -EOPNOTSUPP;
				if (fd < 0) {
					a->report.links_lost++;
					bel_obj_msg(obj, BEL_MSG_WARN, "object '%s': prog '%s': link %s "
						    "cannot move to the new program (%s) and its section "
						    "does not say where to attach it again: it goes with "
						    "the old tree", obj->spec->obj_name, prog->def->name,
						    dir->pins[i].name, strerror(-ret));
				} else {
					a->report.links_replaced++; /* the old one goes at the exchange */
				}
				continue;
			}
			a->report.links_updated++;
		} else {
			a->report.links_kept++;
		}
		fd = fcntl(dir->pins[i].fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return bel_errf(err, errno, "cannot keep link %s: %s", dir->pins[i].name,
					strerror(errno));
		pthread_mutex_lock(&prog->lock);
		ret = bel_prog_keep_link(prog, fd);
		pthread_mutex_unlock(&prog->lock);
		if (ret) {
			close(fd);
			return bel_errf(err, ENOMEM, "out of memory");
		}
	}
	return 0;
}

static void adoption_free(struct bel_adoption *a)
{
	if (!a)
		return;
	bel_pin_tree_free(&a->tree);
	if (a->root_fd >= 0)
		close(a->root_fd); /* and with it the lock */
	free(a->old_prog_ids);
	free(a->map_ids);
	free(a);
}

void bel_obj_adoption_free(struct bel_object *obj)
{
	adoption_free(obj->adoption);
	obj->adoption = NULL;
}

static void count_dropped(struct bel_object *obj, struct bel_adoption *a)
{
	const struct bel_tree_dir *progs = &a->tree.dirs[BEL_PIN_PROGRAMS];
	const struct bel_tree_dir *maps = &a->tree.dirs[BEL_PIN_MAPS];
	uint32_t i, j;

	for (i = 0; i < progs->count; i++) {
		for (j = 0; j < obj->spec->nprogs; j++) {
			char name[BEL_NAME_MAX + 1];

			bel_pin_name(obj->spec->progs[j].name, name, sizeof(name));
			if (!strcmp(name, progs->pins[i].name) && bel_program_fd(&obj->progs[j]) >= 0)
				break;
		}
		a->report.progs_dropped += j == obj->spec->nprogs;
	}
	for (i = 0; i < maps->count; i++) {
		for (j = 0; j < obj->spec->nmaps; j++) {
			char name[BEL_NAME_MAX + 1];

			bel_pin_name(obj->spec->maps[j].name, name, sizeof(name));
			if (!strcmp(name, maps->pins[i].name) && bel_map_fd(&obj->maps[j]) >= 0)
				break;
		}
		a->report.maps_dropped += j == obj->spec->nmaps;
	}
}

static int adopt(struct bel_object *obj, const char *root, const struct bel_adopt_opts *opts,
		 struct bel_err *err)
{
	struct bel_adoption *a;
	char name[BEL_NAME_MAX + 1];
	int *migrate_from, ret = 0;
	unsigned int made = 0;
	uint32_t i;

	for (i = 0; i < obj->spec->nprogs; i++)
		if (bel_program_fd(&obj->progs[i]) >= 0)
			return bel_errf(err, EBUSY, "prog '%s' is loaded: adopt before loading",
					obj->spec->progs[i].name);
	for (i = 0; i < obj->spec->nmaps; i++)
		if (bel_map_fd(&obj->maps[i]) >= 0)
			return bel_errf(err, EBUSY, "map '%s' exists: adopt before loading",
					obj->spec->maps[i].name);
	a = calloc(1, sizeof(*a));
	migrate_from = calloc(obj->spec->nmaps + 1, sizeof(*migrate_from));
	if (!a || !migrate_from) {
		free(a);
		free(migrate_from);
		return bel_errf(err, ENOMEM, "out of memory");
	}
	bel_pin_tree_init(&a->tree);
	a->root_fd = -1;
	for (i = 0; i < obj->spec->nmaps; i++)
		migrate_from[i] = -1;
	snprintf(a->root, sizeof(a->root), "%s", root);
	bel_pin_name(obj->spec->obj_name, name, sizeof(name));
	if ((size_t)snprintf(a->tree.shown, sizeof(a->tree.shown), "%s/%s", root, name) >=
	    sizeof(a->tree.shown)) {
		ret = bel_errf(err, ENAMETOOLONG, "%s/%s: over PATH_MAX", root, name);
		goto out;
	}
	/* a missing root is made on bpffs, as bel_object_pin would */
	ret = bel_bpffs_dir(root, true, &made, err);
	if (ret < 0)
		goto out;
	close(ret);
	ret = bel_pin_tree_locate(&a->tree, a->tree.shown, err);
	if (ret)
		goto out;
	/* the lock: on the root, held until the new tree is in place (or the object closes) */
	a->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a->root_fd < 0 || flock(a->root_fd, LOCK_EX)) {
		ret = bel_errf(err, errno, "cannot lock the pin root %s: %s", root, strerror(errno));
		goto out;
	}
	ret = bel_pin_tree_read(&a->tree, a->tree.shown, err);
	if (ret == -ENOENT) {
		bel_err_clear(err);
		ret = 0; /* nothing pinned yet: a first load */
	} else if (!ret) {
		a->existed = true;
		ret = take_maps(obj, a, BEL_OPT(opts, migrate, false), migrate_from, err);
		if (!ret)
			ret = take_programs(obj, a, err);
	}
	if (!ret && bel_object_load(obj, BEL_OPT(opts, load, NULL))) {
		const struct bel_load_opts *lo = BEL_OPT(opts, load, NULL);

		/* with keep_going what loaded is adopted; each failure is in its program's status */
		if (!BEL_OPT(lo, keep_going, false))
			ret = bel_errf(err, ECANCELED, "%s", bel_object_last_error(obj));
	}
	for (i = 0; !ret && i < obj->spec->nmaps; i++) {
		if (migrate_from[i] < 0)
			continue;
		ret = bel_map_hold(&obj->maps[i]) ? bel_errf(err, EINVAL, "%s",
							      bel_object_last_error(obj))
						   : copy_entries(&obj->maps[i], migrate_from[i],
								  &a->report.entries_copied,
								  &a->report.entries_lost, err);
		if (!ret)
			a->report.maps_migrated++;
	}
	for (i = 0; i < obj->spec->nprogs; i++)
		if (bel_program_fd(&obj->progs[i]) >= 0 && obj->progs[i].load_ns)
			a->report.progs_loaded++;
	if (!ret && a->existed) {
		ret = follow_links(obj, a, err);
		count_dropped(obj, a);
	}
out:
	for (i = 0; i < obj->spec->nmaps; i++)
		if (migrate_from[i] >= 0)
			close(migrate_from[i]);
	free(migrate_from);
	if (ret) {
		bel_object_unload(obj);
		for (i = 0; i < obj->spec->nmaps; i++)
			bel_map_unhold(&obj->maps[i]);
		adoption_free(a);
		bel_bpffs_unmake(root, made);
		return ret;
	}
	obj->adoption = a;
	return 0;
}

int bel_object_adopt(struct bel_object *obj, const char *root, const struct bel_adopt_opts *opts,
		     struct bel_adopt_report *report)
{
	struct bel_err err = {0};
	int ret;

	if (bel_opts_check(opts, sizeof(*opts), "bel_adopt_opts", &err))
		goto fail;
	if (!root) {
		bel_errf(&err, EINVAL, "no pin root given");
		goto fail;
	}
	if (obj->adoption) {
		bel_errf(&err, EBUSY, "an adoption is already under way: pin or close first");
		goto fail;
	}
	ret = adopt(obj, root, opts, &err);
	if (ret)
		goto fail;
	if (report && report->sz >= sizeof(size_t)) {
		size_t sz = report->sz < sizeof(*report) ? report->sz : sizeof(*report);

		obj->adoption->report.sz = sz;
		memcpy(report, &obj->adoption->report, sz);
	}
	return 0;
fail:
	bel_err_prefix(&err, "object '%s': adopt %s", obj->spec->obj_name, root ? root : "");
	return bel_obj_fail(obj, &err);
}

struct bel_pin_tree *bel_obj_adopted_tree(struct bel_object *obj, const char *root,
					  int *root_fd)
{
	struct bel_adoption *a = obj->adoption;

	if (!a || strcmp(a->root, root))
		return NULL;
	*root_fd = a->root_fd;
	return a->existed ? &a->tree : NULL;
}

bool bel_obj_adopting(const struct bel_object *obj, const char *root)
{
	return obj->adoption && !strcmp(obj->adoption->root, root);
}
