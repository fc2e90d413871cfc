/* SPDX-License-Identifier: MIT */
/*
 * Global data from user space: the object's copy of each section's initial value (what the map
 * is created with), variables set and read by name, and the live map mapped into memory. Also
 * the user's holds on a map: a held map is not released when its last program unloads, so a
 * mapping or an fd the user is working with stays valid.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

/* Global data, and struct_ops variables (the object's struct, written when attached). */
static bool is_user_data(const struct bel_map_def *def)
{
	return (def->origin == BEL_MAP_FROM_DATA && def->data_kind != BEL_DATA_KCONFIG) ||
	       def->origin == BEL_MAP_FROM_STRUCT_OPS;
}

/*
 * The object's copy of the initial value, made on first need (map->lock held). Zeros follow
 * the section up to a multiple of 16 bytes: a C struct laid over the section (a skeleton's)
 * ends at its last variable rounded up to its alignment, at most 16, so copying such a struct
 * whole stays inside the copy, as it stays inside the page-rounded mapping of the live map.
 */
static uint8_t *initial_copy(struct bel_map *map, struct bel_err *err)
{
	const struct bel_map_def *def = map->def;

	if (map->data)
		return map->data;
	map->data = calloc(1, def->value_size ? ((size_t)def->value_size + 15) / 16 * 16 : 16);
	if (!map->data) {
		bel_errf(err, ENOMEM, "map '%s': out of memory for its %u-byte initial value", def->name,
			 def->value_size);
		return NULL;
	}
	if (def->init)
		memcpy(map->data, def->init, def->value_size);
	return map->data;
}

static size_t page_round(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (n + page - 1) / page * page;
}

/* Frozen maps (read-only sections) and maps user space may not write map read-only. */
static bool read_only(const struct bel_map *map)
{
	return map->def->freeze || (map->shape.map_flags & BPF_F_RDONLY);
}

void ldr_map_unmap(struct bel_map *map)
{
	if (map->mmaped)
		munmap(map->mmaped, map->mmap_size);
	map->mmaped = NULL;
	map->mmap_size = 0;
}

/* The live map's values in memory (map->lock held, the map existing). */
static void *map_live(struct bel_map *map, struct bel_err *err)
{
	struct ldr_map_shape shape;
	size_t size;
	void *p;

	if (map->mmaped)
		return map->mmaped;
	ldr_map_kernel_shape(map, false, &shape);
	if (shape.type != BPF_MAP_TYPE_ARRAY || !(shape.map_flags & BPF_F_MMAPABLE)) {
		bel_errf(err, EINVAL, "map '%s' cannot be mapped: only arrays created BPF_F_MMAPABLE "
			 "can (global data with a non-static variable is)", map->def->name);
		return NULL;
	}
	size = page_round((size_t)((shape.value_size + 7ull) / 8 * 8) * shape.max_entries);
	p = mmap(NULL, size, read_only(map) ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED,
		 map->fd, 0);
	if (p == MAP_FAILED) {
		bel_errf(err, errno, "map '%s': mmap failed: %s", map->def->name, strerror(errno));
		return NULL;
	}
	map->mmaped = p;
	map->mmap_size = size;
	return p;
}

int bel_map_hold(struct bel_map *map)
{
	struct bel_err err = {0};

	if (!map->obj)
		return 0; /* a map opened by fd lives until bel_map_close */
	if (ldr_map_acquire(map, &err))
		return ldr_map_fail(map, &err);
	pthread_mutex_lock(&map->lock);
	map->holds++;
	pthread_mutex_unlock(&map->lock);
	return 0;
}

void bel_map_unhold(struct bel_map *map)
{
	bool had;

	if (!map->obj)
		return;
	pthread_mutex_lock(&map->lock);
	had = map->holds > 0;
	if (had)
		map->holds--;
	pthread_mutex_unlock(&map->lock);
	if (had)
		ldr_map_release(map, false);
}

void *bel_map_mmap(struct bel_map *map, size_t *size)
{
	struct bel_err err = {0};
	void *p;

	if (map->obj && bel_map_fd(map) < 0) {
		bel_errf(&err, ENOENT, "map '%s' does not exist: load a program that uses it, or "
			 "bel_map_hold it, first", map->def->name);
		ldr_map_fail(map, &err);
		return NULL;
	}
	if (bel_map_hold(map))
		return NULL;
	pthread_mutex_lock(&map->lock);
	p = map_live(map, &err);
	if (p && size)
		*size = map->mmap_size;
	pthread_mutex_unlock(&map->lock);
	if (!p) {
		bel_map_unhold(map);
		ldr_map_fail(map, &err);
	}
	return p;
}

void *bel_map_initial_value(struct bel_map *map, size_t *size)
{
	struct bel_err err = {0};
	uint8_t *data = NULL;

	if (!is_user_data(map->def)) {
		bel_errf(&err, EINVAL, "map '%s' is not global data", map->def->name);
		ldr_map_fail(map, &err);
		return NULL;
	}
	pthread_mutex_lock(&map->lock);
	data = initial_copy(map, &err);
	pthread_mutex_unlock(&map->lock);
	if (!data)
		ldr_map_fail(map, &err);
	else if (size)
		*size = map->def->value_size;
	return data;
}

int bel_map_set_initial_value(struct bel_map *map, const void *value, size_t size)
{
	struct bel_err err = {0};
	uint8_t *data;

	if (!is_user_data(map->def) || size != map->def->value_size) {
		bel_errf(&err, EINVAL, "map '%s': %s", map->def->name,
			 !is_user_data(map->def) ? "not global data" : "wrong size for its initial value");
		if (is_user_data(map->def))
			snprintf(err.msg + strlen(err.msg), sizeof(err.msg) - strlen(err.msg),
				 " (%zu bytes given, the section is %u)", size, map->def->value_size);
		return ldr_map_fail(map, &err);
	}
	pthread_mutex_lock(&map->lock);
	if (map->fd >= 0 || map->users || map->reuse_fd >= 0) {
		pthread_mutex_unlock(&map->lock);
		bel_errf(&err, EBUSY, "map '%s' %s: its initial value no longer applies (write "
			 "variables with bel_object_set_var, or through bel_map_mmap, after load)",
			 map->def->name, map->fd < 0 && !map->users ? "is to be an existing map "
			 "(reused), which is not initialised" : "exists already");
		return ldr_map_fail(map, &err);
	}
	data = initial_copy(map, &err);
	if (data)
		memcpy(data, value, size);
	pthread_mutex_unlock(&map->lock);
	return data ? 0 : ldr_map_fail(map, &err);
}

/* ---- variables --------------------------------------------------------------------------- */

unsigned int bel_object_var_count(const struct bel_object *obj)
{
	return obj->spec->nvars;
}

int bel_object_find_var(const struct bel_object *obj, const char *name)
{
	return bel_spec_find_var(obj->spec, name);
}

static enum bel_var_kind var_kind(const struct bel_btf *btf, uint32_t type_id, bool *is_signed)
{
	const struct btf_type *t = bel_btf_skip_mods(btf, type_id, NULL), *el;

	*is_signed = false;
	if (!t)
		return BEL_VAR_OTHER;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		*is_signed = btf_int_encoding(t) & BTF_INT_SIGNED;
		if (btf_int_encoding(t) & BTF_INT_BOOL)
			return BEL_VAR_BOOL;
		if ((btf_int_encoding(t) & BTF_INT_CHAR) || (t->size == 1 &&
		    !strcmp(bel_btf_type_name(btf, t), "char")))
			return BEL_VAR_CHAR;
		return BEL_VAR_INT;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		*is_signed = btf_kflag(t);
		return BEL_VAR_ENUM;
	case BTF_KIND_FLOAT:
		return BEL_VAR_FLOAT;
	case BTF_KIND_PTR:
		return BEL_VAR_POINTER;
	case BTF_KIND_ARRAY:
		el = bel_btf_skip_mods(btf, btf_array(t)->type, NULL);
		return el && btf_kind(el) == BTF_KIND_INT && el->size == 1 ? BEL_VAR_CHAR_ARRAY
									  : BEL_VAR_OTHER;
	default:
		return BEL_VAR_OTHER;
	}
}

int bel_object_var(const struct bel_object *obj, unsigned int i, struct bel_var_info *out)
{
	const struct bel_spec *spec = obj->spec;
	struct bel_var_info info = {0};
	const struct bel_var_def *v;
	struct bel_err err = {0};
	int n = bel_out_size(out, sizeof(info), "bel_var_info", &err);

	if (n < 0) {
		bel_err_prefix(&err, "object '%s'", spec->obj_name);
		return ldr_obj_fail((struct bel_object *)obj, &err);
	}
	if (i >= spec->nvars)
		return -ENOENT;
	v = &spec->vars[i];
	info.sz = (size_t)n;
	info.name = v->name;
	info.section = spec->maps[v->map].name;
	info.map = &obj->maps[v->map];
	info.offset = v->offset;
	info.size = v->size;
	info.btf_type_id = v->type_id;
	info.kind = var_kind(spec->btf, v->type_id, &info.is_signed);
	info.read_only = spec->maps[v->map].freeze;
	info.global = v->global;
	memcpy(out, &info, info.sz);
	return 0;
}

/* The variable of that name, its size checked against the caller's. */
static int var_lookup(const struct bel_object *obj, const char *name, size_t size,
		      const struct bel_var_def **out, struct bel_err *err)
{
	int i = bel_spec_find_var(obj->spec, name);
	const struct bel_var_def *v;

	if (i < 0)
		return bel_errf(err, ENOENT, "no global variable '%s'", name);
	v = &obj->spec->vars[i];
	if (size != v->size)
		return bel_errf(err, EINVAL, "variable '%s' (%s) is %u bytes; %zu given", name,
				obj->spec->maps[v->map].name, v->size, size);
	*out = v;
	return 0;
}

/* Read or write a live map's bytes [off, off + size): through its mapping, or a whole-value
 * lookup (and update) where it cannot be mapped. map->lock held. */
static int live_access(struct bel_map *map, uint32_t off, void *buf, size_t size, bool write,
		       struct bel_err *err)
{
	struct bel_err unmappable = {0};
	uint8_t *p = map_live(map, &unmappable), *value;
	uint32_t key = 0;
	int ret;

	if (p) {
		if (write)
			memcpy(p + off, buf, size);
		else
			memcpy(buf, p + off, size);
		return 0;
	}
	value = calloc(1, map->shape.value_size);
	if (!value)
		return bel_errf(err, ENOMEM, "out of memory");
	ret = bel_sys_map_lookup_elem(map->fd, &key, value, 0);
	if (!ret && write) {
		memcpy(value + off, buf, size);
		ret = bel_sys_map_update_elem(map->fd, &key, value, BPF_ANY);
	} else if (!ret) {
		memcpy(buf, value + off, size);
	}
	free(value);
	if (ret)
		return bel_errf(err, -ret, "map '%s': %s failed: %s", map->def->name,
				write ? "update" : "lookup", strerror(-ret));
	return 0;
}

int bel_object_set_var(struct bel_object *obj, const char *name, const void *value, size_t size)
{
	const struct bel_var_def *v = NULL;
	struct bel_err err = {0};
	struct bel_map *map;
	uint8_t *data;
	int ret = 0;

	if (var_lookup(obj, name, size, &v, &err))
		goto fail;
	map = &obj->maps[v->map];
	pthread_mutex_lock(&map->lock);
	if (map->fd >= 0 && map->def->freeze)
		ret = bel_errf(&err, EBUSY, "variable '%s' is in '%s', which is frozen once created: "
			       "set it before the first program that uses it loads", name,
			       map->def->name);
	else if (map->fd >= 0)
		ret = live_access(map, v->offset, (void *)value, size, true, &err);
	/* a reused map is not initialised: the write would be lost without a word */
	else if (map->reuse_fd >= 0)
		ret = bel_errf(&err, EBUSY, "variable '%s' is in '%s', which is to be an existing "
			       "map (reused) that its initial value is not written to: set it after "
			       "load, when it reaches that map", name, map->def->name);
	/* the initial value too, so the map is created with it again after a release */
	if (!ret && (data = initial_copy(map, &err)))
		memcpy(data + v->offset, value, size);
	else if (!ret)
		ret = err.code;
	pthread_mutex_unlock(&map->lock);
	if (!ret)
		return 0;
fail:
	bel_err_prefix(&err, "object '%s'", obj->spec->obj_name);
	return ldr_obj_fail(obj, &err);
}

int bel_object_get_var(struct bel_object *obj, const char *name, void *value, size_t size)
{
	const struct bel_var_def *v = NULL;
	struct bel_err err = {0};
	struct bel_map *map;
	int ret = 0;

	if (var_lookup(obj, name, size, &v, &err))
		goto fail;
	map = &obj->maps[v->map];
	pthread_mutex_lock(&map->lock);
	if (map->fd >= 0)
		ret = live_access(map, v->offset, value, size, false, &err);
	else if (map->data)
		memcpy(value, map->data + v->offset, size);
	else if (map->def->init)
		memcpy(value, map->def->init + v->offset, size);
	else
		memset(value, 0, size);
	pthread_mutex_unlock(&map->lock);
	if (!ret)
		return 0;
fail:
	bel_err_prefix(&err, "object '%s'", obj->spec->obj_name);
	return ldr_obj_fail(obj, &err);
}
