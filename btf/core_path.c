/* SPDX-License-Identifier: MIT */
/*
 * CO-RE, the local access path: an access string ("0:1:2") parsed and walked on the local
 * BTF, and written out for messages.
 */
#include "core_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_access(const char *str, struct access_path *path)
{
	const char *p = str;

	path->raw_len = 0;
	if (!*p)
		return -EINVAL;
	while (*p) {
		unsigned long v;
		char *end;

		if (*p < '0' || *p > '9' || path->raw_len == PATH_MAX_ACCESSORS)
			return -EINVAL;
		v = strtoul(p, &end, 10);
		if (v > INT32_MAX)
			return -EINVAL;
		path->raw[path->raw_len++] = (uint32_t)v;
		p = end;
		if (*p == ':')
			p++;
		else if (*p)
			return -EINVAL;
	}
	return 0;
}

/* A zero-length array that is the last member of the struct before it. */
bool core_is_flex_arr(const struct bel_btf *btf, const struct accessor *prev,
		      const struct btf_array *arr)
{
	const struct btf_type *t;

	if (!prev->name || arr->nelems > 0)
		return false;
	t = bel_btf_type(btf, prev->type_id);
	return t && prev->idx == btf_vlen(t) - 1;
}

/* Access index i (idx) of a field's path, from type *id: a member of a struct or union (named
 * ones are accessors), or an array element. *id becomes the type reached. */
static int walk_step(const struct bel_btf *btf, uint32_t *id, uint32_t idx, int i,
		     struct access_path *path, struct bel_err *err)
{
	const struct btf_type *t = bel_btf_skip_mods(btf, *id, id);
	int64_t sz;

	if (!t)
		return bel_errf(err, EINVAL, "type [%u] does not resolve", *id);
	if (is_composite(t)) {
		const struct btf_member *m;

		if (idx >= btf_vlen(t))
			return bel_errf(err, EINVAL, "member %u of a %u-member '%s'", idx,
					btf_vlen(t), bel_btf_type_name(btf, t));
		m = &btf_members(t)[idx];
		path->bit_offset += btf_member_bit_offset(t, m);
		if (m->name_off) {
			const char *name = bel_btf_str(btf, m->name_off);

			if (!name || !*name)
				return bel_errf(err, EINVAL, "bad member name");
			path->acc[path->len].type_id = *id;
			path->acc[path->len].idx = idx;
			path->acc[path->len].name = name;
			path->len++;
		}
		*id = m->type;
	} else if (btf_kind(t) == BTF_KIND_ARRAY) {
		const struct btf_array *a = btf_array(t);

		t = bel_btf_skip_mods(btf, a->type, id);
		if (!t)
			return bel_errf(err, EINVAL, "array element type does not resolve");
		if (!core_is_flex_arr(btf, &path->acc[path->len - 1], a) && idx >= a->nelems)
			return bel_errf(err, EINVAL, "index %u of a %u-element array", idx, a->nelems);
		path->acc[path->len].type_id = *id;
		path->acc[path->len].idx = idx;
		path->acc[path->len].name = NULL;
		path->len++;
		sz = bel_btf_type_size(btf, *id);
		if (sz < 0)
			return bel_errf(err, EINVAL, "cannot size type [%u]", *id);
		path->bit_offset += (uint64_t)idx * (uint64_t)sz * 8;
	} else {
		return bel_errf(err, EINVAL, "access index %d goes into a %s", i,
				bel_btf_kind_name(btf_kind(t)));
	}
	return 0;
}

/* The local side: walk the access string over the local type. */
int core_parse_access_path(const struct bel_btf *btf, uint32_t type_id, const char *access,
			   uint32_t kind, struct access_path *path, struct bel_err *err)
{
	const struct btf_type *t;
	uint32_t id;
	int64_t sz;
	int i;

	memset(path, 0, sizeof(*path));
	path->btf = btf;
	path->root_type_id = type_id;
	path->kind = kind;
	if (parse_access(access, path))
		return bel_errf(err, EINVAL, "bad access string '%s'", access);
	if (is_type_kind(kind)) {
		if (strcmp(access, "0"))
			return bel_errf(err, EINVAL, "type relocation with access string '%s'", access);
		return 0;
	}
	t = bel_btf_skip_mods(btf, type_id, &id);
	if (!t)
		return bel_errf(err, EINVAL, "type [%u] does not resolve", type_id);
	path->acc[0].type_id = id;
	path->acc[0].idx = path->raw[0];
	path->len = 1;
	if (is_enumval_kind(kind)) {
		if (!is_any_enum(t) || path->raw_len > 1 || path->raw[0] >= btf_vlen(t))
			return bel_errf(err, EINVAL, "enum value relocation on [%u] '%s' with access '%s'",
					type_id, bel_btf_type_name(btf, t), access);
		path->acc[0].name = bel_btf_str(btf, btf_enumerator_name_off(t, path->raw[0]));
		return path->acc[0].name ? 0 : bel_errf(err, EINVAL, "enumerator without a name");
	}
	if (!is_field_kind(kind))
		return bel_errf(err, EOPNOTSUPP, "unknown relocation kind %u", kind);
	sz = bel_btf_type_size(btf, id);
	if (sz < 0)
		return bel_errf(err, EINVAL, "cannot size type [%u]", id);
	path->bit_offset = (uint64_t)path->raw[0] * (uint64_t)sz * 8;
	for (i = 1; i < path->raw_len; i++) {
		int ret = walk_step(btf, &id, path->raw[i], i, path, err);

		if (ret)
			return ret;
	}
	return 0;
}


/* "struct task_struct.real_parent->tgid"-like text for the local side of a relocation. */
void core_describe(const struct access_path *local, const struct btf_type *root, char *out,
		   size_t size)
{
	size_t n;
	int i;

	static const char *const c_kinds[] = {
		[BTF_KIND_STRUCT] = "struct", [BTF_KIND_UNION] = "union", [BTF_KIND_ENUM] = "enum",
		[BTF_KIND_ENUM64] = "enum", [BTF_KIND_TYPEDEF] = "typedef", [BTF_KIND_FWD] = "struct",
	};
	const char *kind = btf_kind(root) < sizeof(c_kinds) / sizeof(c_kinds[0]) &&
			   c_kinds[btf_kind(root)] ? c_kinds[btf_kind(root)] : bel_btf_kind_name(btf_kind(root));

	n = (size_t)snprintf(out, size, "%s %s", kind, bel_btf_type_name(local->btf, root));
	if (is_enumval_kind(local->kind) && local->acc[0].name)
		n += (size_t)snprintf(out + n, n < size ? size - n : 0, "::%s", local->acc[0].name);
	else if (is_field_kind(local->kind))
		for (i = 1; i < local->len && n < size; i++)
			n += local->acc[i].name
				? (size_t)snprintf(out + n, size - n, ".%s", local->acc[i].name)
				: (size_t)snprintf(out + n, size - n, "[%u]", local->acc[i].idx);
	if (n < size && local->raw_len)
		n += (size_t)snprintf(out + n, size - n, " (access ");
	for (i = 0; i < local->raw_len && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%u", i ? ":" : "", local->raw[i]);
	if (n < size && local->raw_len)
		snprintf(out + n, size - n, ")");
}
