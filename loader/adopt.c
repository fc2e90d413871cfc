/* SPDX-License-Identifier: MIT */
/*
 * Restart and upgrade: load an object into the tree an earlier load pinned (root/<object>),
 * taking what is there and still right instead of loading it again.
 *
 * - A pinned map is taken when it fits the object's definition (ldr_map_check_compat: type,
 *   sizes, flags, the variable layout of global data) and, for a frozen section, holds the
 *   values this load would freeze; its contents are kept. One of another shape is refused with
 *   the per-field message, or with `migrate` replaced by a new map its entries are copied into.
 * - A pinned program is taken without PROG_LOAD when its kernel tag is the tag of the
 *   instructions bel would load now (computed here, bel_program_tag) and it uses exactly the
 *   maps now taken (its map ids). Every other program is loaded (on the caller's threads).
 * - A pinned link follows its program (adopt_links.c): kept when the program was taken; moved to the new
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

#include "adopt.h"
#include "fs_safe.h"
#include "internal.h"
#include "pin_tree.h"
#include "pinned_match.h"

/* Maps: taken from the tree, or marked for a new map (and with migrate, a copy). */
static int take_maps(struct bel_object *obj, struct ldr_adoption *a, bool migrate,
		     int *migrate_from, struct bel_err *err)
{
	uint32_t i;
	int ret;

	/* .kconfig's values come from the kernel: known before its pin can be compared */
	if (obj->spec->kconfig_map >= 0 && (ret = ldr_obj_resolve_externs(obj, err)))
		return ret;
	for (i = 0; i < obj->spec->nmaps; i++) {
		struct bel_map *map = &obj->maps[i];
		const struct ldr_tree_pin *pin;
		struct bel_err why = {0};
		char name[BEL_NAME_MAX + 1], where[PATH_MAX + 320];
		int fd;

		migrate_from[i] = -1;
		if (map->def->pinning == BEL_PIN_BY_NAME || map->reuse_fd >= 0)
			continue; /* shared through its own pin, or given by the caller */
		bel_pin_name(map->def->name, name, sizeof(name));
		pin = ldr_pin_tree_find(&a->tree, BEL_PIN_MAPS, name);
		if (!pin) {
			a->report.maps_created++;
			continue;
		}
		snprintf(where, sizeof(where), "%s/maps/%s", a->tree.shown, name);
		ret = ldr_pinned_map_matches(map, pin->fd, where, &a->taken_id[i], &why);
		if (!ret) {
			fd = fcntl(pin->fd, F_DUPFD_CLOEXEC, 0);
			if (fd < 0)
				return bel_errf(err, errno, "%s: %s", where, strerror(errno));
			ret = ldr_map_set_reuse_checked(map, fd, err);
			if (ret)
				return ret;
			a->report.maps_reused++;
			continue;
		}
		a->taken_id[i] = 0;
		if (ret == -ESTALE) { /* configured otherwise: a new one, and its programs reload */
			a->report.maps_created++;
			continue;
		}
		if (!migrate)
			return bel_errf(err, -why.code, "%s (the pinned map is kept as it is; with "
					"migrate, a new map takes its entries)", why.msg);
		if (!ldr_map_copyable(map->shape.type) || map->def->origin == BEL_MAP_FROM_DATA)
			return bel_errf(err, EINVAL, "%s; and its entries cannot be copied into a new "
					"one (%s)", why.msg, map->def->origin == BEL_MAP_FROM_DATA ?
					"global data laid out otherwise" : "a map of this type");
		migrate_from[i] = fcntl(pin->fd, F_DUPFD_CLOEXEC, 0);
		if (migrate_from[i] < 0)
			return bel_errf(err, errno, "%s: %s", where, strerror(errno));
	}
	return 0;
}

static int take_programs(struct bel_object *obj, struct ldr_adoption *a, struct bel_err *err)
{
	const struct ldr_tree_dir *dir = &a->tree.dirs[BEL_PIN_PROGRAMS];
	uint32_t i;
	int ret;

	/* ids of pinned programs, learnt on the way (0: not yet asked) */
	a->old_prog_ids = calloc(dir->count + 1, sizeof(*a->old_prog_ids));
	a->map_ids = ldr_expected_map_ids(obj, a->taken_id);
	if (!a->old_prog_ids || !a->map_ids)
		return bel_errf(err, ENOMEM, "out of memory");
	for (i = 0; i < obj->spec->nprogs; i++) {
		struct bel_program *prog = &obj->progs[i];
		const struct ldr_tree_pin *pin;
		char name[BEL_NAME_MAX + 1];

		if (!prog->cfg.autoload)
			continue;
		bel_pin_name(prog->def->name, name, sizeof(name));
		pin = ldr_pin_tree_find(&a->tree, BEL_PIN_PROGRAMS, name);
		if (!pin || !ldr_pinned_prog_matches(prog, a->map_ids, pin->fd,
						     &a->old_prog_ids[pin - dir->pins], NULL, 0))
			continue;
		ret = ldr_prog_adopt(prog, pin->fd, err);
		if (ret)
			return bel_err_prefix(err, "prog '%s'", prog->def->name);
		a->report.progs_reused++;
	}
	return 0;
}

static void adoption_free(struct ldr_adoption *a)
{
	if (!a)
		return;
	ldr_pin_tree_free(&a->tree);
	if (a->root_fd >= 0)
		close(a->root_fd); /* and with it the lock */
	free(a->old_prog_ids);
	free(a->map_ids);
	free(a->taken_id);
	free(a);
}

void ldr_obj_adoption_free(struct bel_object *obj)
{
	adoption_free(obj->adoption);
	obj->adoption = NULL;
}

/* The report's counts of what was pinned and is not part of the object now. */
static void count_dropped(struct bel_object *obj, struct ldr_adoption *a)
{
	uint32_t kept_progs = 0, kept_maps = 0, i;

	/* pins are unique by name, so each object item found with its fd counts once */
	for (i = 0; i < obj->spec->nprogs; i++) {
		char name[BEL_NAME_MAX + 1];

		bel_pin_name(obj->spec->progs[i].name, name, sizeof(name));
		kept_progs += bel_program_fd(&obj->progs[i]) >= 0 &&
			      ldr_pin_tree_find(&a->tree, BEL_PIN_PROGRAMS, name);
	}
	for (i = 0; i < obj->spec->nmaps; i++) {
		char name[BEL_NAME_MAX + 1];

		bel_pin_name(obj->spec->maps[i].name, name, sizeof(name));
		kept_maps += bel_map_fd(&obj->maps[i]) >= 0 &&
			     ldr_pin_tree_find(&a->tree, BEL_PIN_MAPS, name);
	}
	a->report.progs_dropped = a->tree.dirs[BEL_PIN_PROGRAMS].count > kept_progs ?
				  a->tree.dirs[BEL_PIN_PROGRAMS].count - kept_progs : 0;
	a->report.maps_dropped = a->tree.dirs[BEL_PIN_MAPS].count > kept_maps ?
				 a->tree.dirs[BEL_PIN_MAPS].count - kept_maps : 0;
}

/* Adoption comes before any load: nothing of the object exists yet. */
static int check_unloaded(const struct bel_object *obj, struct bel_err *err)
{
	uint32_t i;

	for (i = 0; i < obj->spec->nprogs; i++)
		if (bel_program_fd(&obj->progs[i]) >= 0)
			return bel_errf(err, EBUSY, "prog '%s' is loaded: adopt before loading",
					obj->spec->progs[i].name);
	for (i = 0; i < obj->spec->nmaps; i++)
		if (bel_map_fd(&obj->maps[i]) >= 0)
			return bel_errf(err, EBUSY, "map '%s' exists: adopt before loading",
					obj->spec->maps[i].name);
	return 0;
}

/* A new adoption at root, and the per-map fds to migrate from (both with every fd -1). */
static struct ldr_adoption *adoption_new(const struct bel_object *obj, const char *root,
					 int **migrate_from, struct bel_err *err)
{
	struct ldr_adoption *a = calloc(1, sizeof(*a));
	uint32_t i;

	*migrate_from = calloc(obj->spec->nmaps + 1, sizeof(**migrate_from));
	if (a && *migrate_from) {
		ldr_pin_tree_init(&a->tree);
		a->root_fd = -1;
		a->taken_id = calloc(obj->spec->nmaps + 1, sizeof(*a->taken_id));
	}
	if (!a || !*migrate_from || !a->taken_id) {
		free(a);
		free(*migrate_from);
		bel_errf(err, ENOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < obj->spec->nmaps; i++)
		(*migrate_from)[i] = -1;
	snprintf(a->root, sizeof(a->root), "%s", root);
	return a;
}

/* The entries of the old maps copied into the new ones that replace them (held from here). */
static int migrate_entries(struct bel_object *obj, struct ldr_adoption *a,
			   const int *migrate_from, struct bel_err *err)
{
	uint32_t i;
	int ret = 0;

	for (i = 0; !ret && i < obj->spec->nmaps; i++) {
		if (migrate_from[i] < 0)
			continue;
		ret = bel_map_hold(&obj->maps[i]) ? bel_errf(err, EINVAL, "%s",
							      bel_object_last_error(obj))
						   : ldr_map_copy_entries(&obj->maps[i], migrate_from[i],
								  &a->report.entries_copied,
								  &a->report.entries_lost, err);
		if (!ret)
			a->report.maps_migrated++;
	}
	return ret;
}

/* The report's counts of programs this load verified and, on a first load, maps it made. */
static void count_loaded(const struct bel_object *obj, struct ldr_adoption *a)
{
	uint32_t i;

	for (i = 0; i < obj->spec->nprogs; i++)
		if (bel_program_fd(&obj->progs[i]) >= 0 && obj->progs[i].load_ns)
			a->report.progs_loaded++;
	/* a first load: every map it made is new (over a tree, take_maps counted them) */
	for (i = 0; !a->existed && i < obj->spec->nmaps; i++)
		if (bel_map_fd(&obj->maps[i]) >= 0 && obj->maps[i].def->pinning != BEL_PIN_BY_NAME &&
		    obj->maps[i].reuse_fd < 0)
			a->report.maps_created++;
}

static int adopt(struct bel_object *obj, const char *root, const struct bel_adopt_opts *opts,
		 struct bel_err *err)
{
	struct ldr_adoption *a;
	char name[BEL_NAME_MAX + 1];
	int *migrate_from, ret;
	unsigned int made = 0;
	uint32_t i;

	ret = check_unloaded(obj, err);
	if (ret)
		return ret;
	a = adoption_new(obj, root, &migrate_from, err);
	if (!a)
		return err->code;
	bel_pin_name(obj->spec->obj_name, name, sizeof(name));
	if ((size_t)snprintf(a->tree.shown, sizeof(a->tree.shown), "%s/%s", root, name) >=
	    sizeof(a->tree.shown)) {
		ret = bel_errf(err, ENAMETOOLONG, "%s/%s: over PATH_MAX", root, name);
		goto out;
	}
	/* a missing root is made on bpffs, as bel_object_pin would */
	ret = ldr_bpffs_dir(root, true, &made, err);
	if (ret < 0)
		goto out;
	close(ret);
	ret = ldr_pin_tree_locate(&a->tree, a->tree.shown, err);
	if (ret)
		goto out;
	/* the lock: on the root, held until the new tree is in place (or the object closes) */
	a->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a->root_fd < 0 || flock(a->root_fd, LOCK_EX)) {
		ret = bel_errf(err, errno, "cannot lock the pin root %s: %s", root, strerror(errno));
		goto out;
	}
	ret = ldr_pin_tree_read(&a->tree, a->tree.shown, err);
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
	if (!ret)
		ret = migrate_entries(obj, a, migrate_from, err);
	count_loaded(obj, a);
	if (!ret && a->existed) {
		ret = ldr_adopt_links(obj, a, err);
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
		ldr_bpffs_unmake(root, made);
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
	return ldr_obj_fail(obj, &err);
}

struct ldr_pin_tree *ldr_obj_adopted_tree(struct bel_object *obj, const char *root,
					  int *root_fd)
{
	struct ldr_adoption *a = obj->adoption;

	if (!a || strcmp(a->root, root))
		return NULL;
	*root_fd = a->root_fd;
	return a->existed ? &a->tree : NULL;
}

bool ldr_obj_adopting(const struct bel_object *obj, const char *root)
{
	return obj->adoption && !strcmp(obj->adoption->root, root);
}
