/* SPDX-License-Identifier: MIT */
/*
 * BTF-defined maps: each variable of SEC(".maps") is a struct whose members encode the map's
 * attributes the way libbpf's bpf_helpers.h macros write them:
 *   __uint(name, N)   -> int (*name)[N]      the value is the array's element count
 *   __type(name, T)   -> T *name             the pointee is the key or value type
 *   __array(name, T)  -> T *name[]           inner map definition or program prototype
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

static int member_uint(const struct bel_btf *btf, const char *map, const struct btf_member *m,
		       const char *mname, uint32_t *out, struct bel_err *err)
{
	const struct btf_type *ptr = bel_btf_skip_mods(btf, m->type, NULL), *arr;

	if (!ptr || btf_kind(ptr) != BTF_KIND_PTR)
		return bel_errf(err, EINVAL, "map '%s': attribute '%s' is not __uint() (not a pointer)",
				map, mname);
	arr = bel_btf_skip_mods(btf, ptr->type, NULL);
	if (!arr || btf_kind(arr) != BTF_KIND_ARRAY)
		return bel_errf(err, EINVAL, "map '%s': attribute '%s' is not __uint() (not an array pointer)",
				map, mname);
	*out = btf_array(arr)->nelems;
	return 0;
}

/* __type(key, T): the id of T (as written, modifiers kept) and its size. */
static int member_type(const struct bel_btf *btf, const char *map, const struct btf_member *m,
		       const char *mname, uint32_t *type_id, uint32_t *size, struct bel_err *err)
{
	const struct btf_type *ptr = bel_btf_skip_mods(btf, m->type, NULL);
	int64_t sz;

	if (!ptr || btf_kind(ptr) != BTF_KIND_PTR)
		return bel_errf(err, EINVAL, "map '%s': attribute '%s' is not __type() (not a pointer)",
				map, mname);
	sz = bel_btf_type_size(btf, ptr->type);
	if (sz < 0 || sz > UINT32_MAX)
		return bel_errf(err, EINVAL, "map '%s': cannot size the type of '%s' (type [%u])",
				map, mname, ptr->type);
	*type_id = ptr->type;
	*size = (uint32_t)sz;
	return 0;
}

static int parse_def(const struct bel_btf *btf, const char *map, const struct btf_type *def,
		     bool is_inner, struct bel_map_def *out, struct bel_err *err);

/* __array(values, ...): a map-in-map's inner definition, or a prog array's prototype. */
static int parse_values(const struct bel_btf *btf, const char *map, const struct btf_type *def,
			const struct btf_member *m, uint32_t index, bool is_inner,
			struct bel_map_def *out, struct bel_err *err)
{
	const struct btf_type *arr = bel_btf_skip_mods(btf, m->type, NULL), *ptr, *target;
	char inner_name[256];
	int ret;

	if (is_inner)
		return bel_errf(err, EINVAL, "map '%s': an inner map cannot have 'values'", map);
	if (index != btf_vlen(def) - 1)
		return bel_errf(err, EINVAL, "map '%s': 'values' must be the last attribute", map);
	if (!arr || btf_kind(arr) != BTF_KIND_ARRAY)
		return bel_errf(err, EINVAL, "map '%s': 'values' is not an array", map);
	ptr = bel_btf_skip_mods(btf, btf_array(arr)->type, NULL);
	if (!ptr || btf_kind(ptr) != BTF_KIND_PTR)
		return bel_errf(err, EINVAL, "map '%s': 'values' is not an array of pointers", map);
	target = bel_btf_skip_mods(btf, ptr->type, NULL);
	out->values_offset = btf_member_bit_offset(def, m) / 8;
	if (target && btf_kind(target) == BTF_KIND_FUNC_PROTO) {
		if (out->type && out->type != BPF_MAP_TYPE_PROG_ARRAY)
			return bel_errf(err, EINVAL, "map '%s': program 'values' need a prog array", map);
		out->type = BPF_MAP_TYPE_PROG_ARRAY;
		return 0;
	}
	if (!target || btf_kind(target) != BTF_KIND_STRUCT)
		return bel_errf(err, EINVAL, "map '%s': 'values' must point to a map definition or a "
				"function prototype", map);
	if (out->type != BPF_MAP_TYPE_ARRAY_OF_MAPS && out->type != BPF_MAP_TYPE_HASH_OF_MAPS)
		return bel_errf(err, EINVAL, "map '%s': inner map 'values' need a map-in-map type "
				"declared before them", map);
	out->inner = calloc(1, sizeof(*out->inner));
	if (!out->inner)
		return bel_errf(err, ENOMEM, "out of memory");
	snprintf(inner_name, sizeof(inner_name), "%s.inner", map);
	out->inner->name = strdup(inner_name);
	if (!out->inner->name)
		return bel_errf(err, ENOMEM, "out of memory");
	out->inner->origin = BEL_MAP_FROM_BTF;
	ret = parse_def(btf, inner_name, target, true, out->inner, err);
	if (ret)
		return ret;
	snprintf(out->inner->kname, sizeof(out->inner->kname), "%s", inner_name);
	return 0;
}

/* A size given both as __uint(key_size, N) and through __type(key, T) must agree. */
struct sized {
	uint32_t attr_size, type_size, type_id;
	bool have_attr;
};

static int settle_size(const char *map, const char *what, const struct sized *s, uint32_t *size,
		       uint32_t *type_id, struct bel_err *err)
{
	if (s->have_attr && s->type_id && s->attr_size != s->type_size)
		return bel_errf(err, EINVAL, "map '%s': %s_size %u conflicts with the %s type's size %u",
				map, what, s->attr_size, what, s->type_size);
	*size = s->type_id ? s->type_size : s->attr_size;
	*type_id = s->type_id;
	return 0;
}

static int parse_def(const struct bel_btf *btf, const char *map, const struct btf_type *def,
		     bool is_inner, struct bel_map_def *out, struct bel_err *err)
{
	const struct btf_member *m = btf_members(def);
	struct sized key = {0}, value = {0};
	uint32_t i;
	int ret = 0;

	for (i = 0; i < btf_vlen(def) && !ret; i++) {
		const char *mname = bel_btf_str(btf, m[i].name_off);

		if (!mname || !*mname)
			return bel_errf(err, EINVAL, "map '%s': attribute %u has no name", map, i);
		if (!strcmp(mname, "type"))
			ret = member_uint(btf, map, &m[i], mname, &out->type, err);
		else if (!strcmp(mname, "max_entries"))
			ret = member_uint(btf, map, &m[i], mname, &out->max_entries, err);
		else if (!strcmp(mname, "map_flags"))
			ret = member_uint(btf, map, &m[i], mname, &out->map_flags, err);
		else if (!strcmp(mname, "numa_node"))
			ret = member_uint(btf, map, &m[i], mname, &out->numa_node, err);
		else if (!strcmp(mname, "pinning"))
			ret = member_uint(btf, map, &m[i], mname, &out->pinning, err);
		else if (!strcmp(mname, "map_extra")) {
			uint32_t extra = 0;

			ret = member_uint(btf, map, &m[i], mname, &extra, err);
			out->map_extra = extra;
		} else if (!strcmp(mname, "key_size")) {
			ret = member_uint(btf, map, &m[i], mname, &key.attr_size, err);
			key.have_attr = true;
		} else if (!strcmp(mname, "value_size")) {
			ret = member_uint(btf, map, &m[i], mname, &value.attr_size, err);
			value.have_attr = true;
		} else if (!strcmp(mname, "key")) {
			ret = member_type(btf, map, &m[i], mname, &key.type_id, &key.type_size, err);
		} else if (!strcmp(mname, "value")) {
			ret = member_type(btf, map, &m[i], mname, &value.type_id, &value.type_size, err);
		} else if (!strcmp(mname, "values")) {
			ret = parse_values(btf, map, def, &m[i], i, is_inner, out, err);
		} else {
			return bel_errf(err, ENOTSUP, "map '%s': unknown attribute '%s'", map, mname);
		}
	}
	if (!ret)
		ret = settle_size(map, "key", &key, &out->key_size, &out->btf_key_type_id, err);
	if (!ret)
		ret = settle_size(map, "value", &value, &out->value_size, &out->btf_value_type_id, err);
	if (ret)
		return ret;
	if (out->pinning != BEL_PIN_NONE && out->pinning != BEL_PIN_BY_NAME)
		return bel_errf(err, EINVAL, "map '%s': unknown pinning %u", map, out->pinning);
	if (is_inner && out->pinning)
		return bel_errf(err, EINVAL, "map '%s': an inner map cannot be pinned", map);
	/* Map-in-map and prog array slots hold 4-byte fds, whether or not sizes are written out. */
	if (out->type == BPF_MAP_TYPE_PROG_ARRAY || out->type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	    out->type == BPF_MAP_TYPE_HASH_OF_MAPS) {
		if (out->value_size && out->value_size != 4)
			return bel_errf(err, EINVAL, "map '%s': value_size must be 4 for fd slots", map);
		out->value_size = 4;
		if (!out->key_size)
			out->key_size = 4;
	}
	bel_map_def_fix_sizes(out);
	return 0;
}

int bel_spec_collect_btf_maps(struct bel_spec *spec, struct bel_err *err)
{
	const struct bel_elf_sec *sec = bel_elf_sec_by_name(spec->elf, ".maps");
	const struct btf_type *ds;
	uint32_t i;
	int id, ret;

	if (!sec)
		return 0;
	if (!spec->btf)
		return bel_errf(err, EINVAL, "section '.maps' needs BTF, but the object has none");
	id = bel_spec_find_datasec(spec, ".maps");
	if (id < 0)
		return bel_errf(err, ENOENT, "section '.maps' has no DATASEC in BTF");
	ds = bel_btf_type(spec->btf, (uint32_t)id);
	for (i = 0; i < btf_vlen(ds); i++) {
		const struct btf_var_secinfo *vsi = &btf_secinfos(ds)[i];
		const struct btf_type *var = bel_btf_type(spec->btf, vsi->type), *def;
		const char *name = bel_btf_type_name(spec->btf, var);
		struct bel_map_def *map;

		if (!var || btf_kind(var) != BTF_KIND_VAR || !*name)
			return bel_errf(err, EINVAL, "'.maps' entry %u is not a named variable", i);
		def = bel_btf_skip_mods(spec->btf, var->type, NULL);
		if (!def || btf_kind(def) != BTF_KIND_STRUCT)
			return bel_errf(err, EINVAL, "map '%s': definition is not a struct", name);
		if (bel_spec_find_map(spec, name) >= 0)
			return bel_errf(err, EEXIST, "map '%s' is defined twice", name);
		ret = bel_spec_add_map(spec, name, &map, err);
		if (ret)
			return ret;
		snprintf(map->kname, sizeof(map->kname), "%s", name);
		map->origin = BEL_MAP_FROM_BTF;
		map->sec_index = sec->index;
		map->sec_offset = vsi->offset;
		map->sec_size = vsi->size;
		ret = parse_def(spec->btf, name, def, false, map, err);
		if (ret)
			return ret;
		if (!map->type)
			return bel_errf(err, EINVAL, "map '%s': no type given", name);
	}
	return 0;
}
