/* SPDX-License-Identifier: MIT */
/*
 * Pins: root/<object>/{maps,programs,links}/<name>. bpffs refuses names containing '.', so
 * every '.' becomes '_' (".rodata" -> "_rodata"); two names that escape alike are refused
 * rather than silently sharing a pin. The tree is built under a temporary name in root and
 * renamed into place, so a reader sees all of it or none of it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static const char *const kinds[] = {"maps", "programs", "links"};

void bel_pin_name(const char *name, char *out, size_t size)
{
	size_t i;

	if (!size)
		return;
	for (i = 0; name[i] && i + 1 < size; i++)
		out[i] = name[i] == '.' || name[i] == '/' ? '_' : name[i];
	out[i] = '\0';
}

/* Remove dir/{maps,programs,links}/ * and dir itself; only what bel would have made. */
static int remove_tree(const char *dir, char *errbuf, size_t errsize)
{
	char path[4096];
	size_t k;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct dirent *de;
		DIR *d;

		snprintf(path, sizeof(path), "%s/%s", dir, kinds[k]);
		d = opendir(path);
		if (!d) {
			if (errno == ENOENT)
				continue;
			snprintf(errbuf, errsize, "cannot open %s: %s", path, strerror(errno));
			return -errno;
		}
		while ((de = readdir(d)) != NULL) {
			char file[4096 + 256];

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
			if (unlink(file)) {
				int e = errno;

				snprintf(errbuf, errsize, "cannot remove %s: %s", file, strerror(e));
				closedir(d);
				return -e;
			}
		}
		closedir(d);
		if (rmdir(path)) {
			snprintf(errbuf, errsize, "cannot remove %s: %s", path, strerror(errno));
			return -errno;
		}
	}
	if (rmdir(dir)) {
		snprintf(errbuf, errsize, "cannot remove %s: %s", dir, strerror(errno));
		return -errno;
	}
	return 0;
}

static int check_unique(struct bel_err *err, const char *kind, char (*names)[256], uint32_t n,
			const char *const *orig)
{
	uint32_t i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (!strcmp(names[i], names[j]))
				return bel_errf(err, EEXIST, "%s '%s' and '%s' would both be pinned as '%s'",
						kind, orig[i], orig[j], names[i]);
	return 0;
}

/* What goes in one directory of the tree: names (escaped and as given) and fds. */
struct pin_set {
	uint32_t count, cap;
	char (*names)[256];
	const char **orig;
	int *fds;
};

static int pin_set_add(struct pin_set *set, const char *orig, int fd, struct bel_err *err)
{
	if (set->count == set->cap) {
		uint32_t cap = set->cap ? set->cap * 2 : 16;
		void *a = realloc(set->names, cap * sizeof(*set->names));

		if (a)
			set->names = a;
		a = a ? realloc(set->orig, cap * sizeof(*set->orig)) : NULL;
		if (a)
			set->orig = a;
		a = a ? realloc(set->fds, cap * sizeof(*set->fds)) : NULL;
		if (!a)
			return bel_errf(err, ENOMEM, "out of memory");
		set->fds = a;
		set->cap = cap;
	}
	set->orig[set->count] = orig;
	set->fds[set->count] = fd;
	bel_pin_name(orig, set->names[set->count], sizeof(set->names[0]));
	set->count++;
	return 0;
}

static void pin_set_free(struct pin_set *set)
{
	free(set->names);
	free(set->orig);
	free(set->fds);
}

/* Loaded maps, loaded programs, or links ("<prog>", then "<prog>_1", ... for more links). */
static int collect(struct bel_object *obj, size_t kind, struct pin_set *set, struct bel_err *err)
{
	const struct bel_spec *spec = obj->spec;
	uint32_t i, l;
	int ret = 0;

	for (i = 0; kind == 0 && i < spec->nmaps && !ret; i++)
		if (bel_map_fd(&obj->maps[i]) >= 0)
			ret = pin_set_add(set, spec->maps[i].name, obj->maps[i].fd, err);
	for (i = 0; kind == 1 && i < spec->nprogs && !ret; i++)
		if (bel_program_fd(&obj->progs[i]) >= 0)
			ret = pin_set_add(set, spec->progs[i].name, obj->progs[i].fd, err);
	for (i = 0; kind == 2 && i < spec->nprogs && !ret; i++) {
		for (l = 0; l < obj->progs[i].nlinks && !ret; l++) {
			ret = pin_set_add(set, spec->progs[i].name, obj->progs[i].links[l], err);
			if (!ret && l)
				snprintf(set->names[set->count - 1] + strlen(set->names[set->count - 1]),
					 16, "_%u", l);
		}
	}
	return ret;
}

static int pin_all(struct bel_object *obj, const char *tmp, struct bel_err *err)
{
	static const char *const what[] = {"map", "program", "link"};
	char path[4096];
	int ret = 0;
	uint32_t i;
	size_t k;

	for (k = 0; k < 3 && !ret; k++) {
		struct pin_set set = {0};

		ret = collect(obj, k, &set, err);
		if (!ret)
			ret = check_unique(err, kinds[k], set.names, set.count, set.orig);
		for (i = 0; i < set.count && !ret; i++) {
			snprintf(path, sizeof(path), "%s/%s/%s", tmp, kinds[k], set.names[i]);
			ret = bel_sys_obj_pin(set.fds[i], path);
			if (ret)
				bel_errf(err, -ret, "pinning %s '%s' at %s failed: %s", what[k],
					 set.orig[i], path, strerror(-ret));
		}
		pin_set_free(&set);
	}
	return ret;
}

int bel_object_pin(struct bel_object *obj, const char *root)
{
	static unsigned int counter;
	char dir_name[256], tmp[4096], final[4096], cleanup_err[256];
	struct bel_err err = {0};
	struct stat st;
	size_t k;
	int ret = 0;

	bel_pin_name(obj->spec->obj_name, dir_name, sizeof(dir_name));
	if (!*dir_name) {
		bel_errf(&err, EINVAL, "the object has an empty name; give one to pin it");
		goto fail;
	}
	if (stat(root, &st) || !S_ISDIR(st.st_mode)) {
		bel_errf(&err, ENOENT, "pin root %s is not a directory", root);
		goto fail;
	}
	snprintf(final, sizeof(final), "%s/%s", root, dir_name);
	if (!lstat(final, &st)) {
		bel_errf(&err, EEXIST, "%s already exists; unpin it first", final);
		goto fail;
	}
	snprintf(tmp, sizeof(tmp), "%s/bel-tmp-%d-%u-%s", root, (int)getpid(),
		 __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED), dir_name);
	if (mkdir(tmp, 0700)) {
		bel_errf(&err, errno, "cannot create %s: %s", tmp, strerror(errno));
		goto fail;
	}
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && !ret; k++) {
		char sub[4096 + 16];

		snprintf(sub, sizeof(sub), "%s/%s", tmp, kinds[k]);
		if (mkdir(sub, 0700))
			ret = bel_errf(&err, errno, "cannot create %s: %s", sub, strerror(errno));
	}
	if (!ret)
		ret = pin_all(obj, tmp, &err);
	/* rename(2) will not replace a non-empty directory: a racing pin of the same name fails. */
	if (!ret && rename(tmp, final))
		ret = bel_errf(&err, errno, "cannot move the pins into place at %s: %s", final,
			       strerror(errno));
	if (ret) {
		remove_tree(tmp, cleanup_err, sizeof(cleanup_err));
		goto fail;
	}
	bel_obj_msg(obj, BEL_MSG_INFO, "object '%s': pinned at %s", obj->spec->obj_name, final);
	return 0;
fail:
	bel_err_prefix(&err, "object '%s': pin", obj->spec->obj_name);
	return bel_obj_fail(obj, &err);
}

int bel_unpin(const char *path, char *errbuf, size_t errsize)
{
	char tmp[4096], copy[4096], *slash;
	static unsigned int counter;
	struct stat st;

	snprintf(copy, sizeof(copy), "%s", path);
	while (strlen(copy) > 1 && copy[strlen(copy) - 1] == '/')
		copy[strlen(copy) - 1] = '\0';
	if (lstat(copy, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(errbuf, errsize, "%s is not a pinned object directory", copy);
		return -ENOENT;
	}
	/* Take the tree out of sight first, so nobody opens half of it. */
	slash = strrchr(copy, '/');
	snprintf(tmp, sizeof(tmp), "%.*sbel-unpin-%d-%u", slash ? (int)(slash - copy + 1) : 0,
		 copy, (int)getpid(), __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
	if (rename(copy, tmp)) {
		snprintf(errbuf, errsize, "cannot move %s aside: %s", copy, strerror(errno));
		return -errno;
	}
	return remove_tree(tmp, errbuf, errsize);
}
