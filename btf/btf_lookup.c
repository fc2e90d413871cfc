/* SPDX-License-Identifier: MIT */
/*
 * BTF lookups on a parsed blob: types by id (through the base for split BTF), strings by
 * offset, types by name, modifiers skipped, sizes. Every id and offset is checked here, so
 * callers may pass what an object says.
 */
#include "btf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *bel_btf_kind_name(uint32_t kind)
{
	static const char *const names[] = {
		"UNKN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF",
		"VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT",
		"DECL_TAG", "TYPE_TAG", "ENUM64",
	};

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}


uint32_t bel_btf_type_count(const struct bel_btf *btf)
{
	return btf->start_id + btf->nr_types;
}

const struct btf_type *bel_btf_type(const struct bel_btf *btf, uint32_t id)
{
	if (id < btf->start_id)
		return btf->base ? bel_btf_type(btf->base, id) : NULL;
	if (id - btf->start_id >= btf->nr_types)
		return NULL;
	return (const struct btf_type *)(btf->types + btf->type_offs[id - btf->start_id]);
}

struct btf_type *bel_btf_type_mut(struct bel_btf *btf, uint32_t id)
{
	if (!btf->owned || id < btf->start_id || id - btf->start_id >= btf->nr_types)
		return NULL;
	return (struct btf_type *)(btf->types + btf->type_offs[id - btf->start_id]);
}

const char *bel_btf_str(const struct bel_btf *btf, uint32_t off)
{
	if (off < btf->start_str)
		return btf->base ? bel_btf_str(btf->base, off) : NULL;
	off -= btf->start_str;
	return off < btf->hdr->str_len ? btf->strs + off : NULL;
}

const char *bel_btf_type_name(const struct bel_btf *btf, const struct btf_type *t)
{
	const char *name = t ? bel_btf_str(btf, t->name_off) : NULL;

	return name ? name : "";
}


int bel_btf_find(const struct bel_btf *btf, const char *name, uint32_t kind)
{
	uint32_t id, n = bel_btf_type_count(btf);

	for (id = 1; id < n; id++) {
		const struct btf_type *t = bel_btf_type(btf, id);

		if (btf_kind(t) == kind && strcmp(bel_btf_type_name(btf, t), name) == 0)
			return (int)id;
	}
	return -ENOENT;
}

const struct btf_type *bel_btf_skip_mods(const struct bel_btf *btf, uint32_t id, uint32_t *out_id)
{
	const struct btf_type *t = bel_btf_type(btf, id);
	int depth;

	for (depth = 0; t && depth < BEL_BTF_MAX_DEPTH; depth++) {
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			t = bel_btf_type(btf, id);
			continue;
		default:
			if (out_id)
				*out_id = id;
			return t;
		}
	}
	if (out_id)
		*out_id = 0;
	return NULL;
}

int64_t bel_btf_type_size(const struct bel_btf *btf, uint32_t id)
{
	uint64_t nelems = 1, size;
	int depth;

	for (depth = 0; depth < BEL_BTF_MAX_DEPTH; depth++) {
		const struct btf_type *t = bel_btf_skip_mods(btf, id, &id);

		if (!t)
			return -EINVAL;
		switch (btf_kind(t)) {
		case BTF_KIND_INT:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_DATASEC:
		case BTF_KIND_FLOAT:
		case BTF_KIND_PTR:
			size = btf_kind(t) == BTF_KIND_PTR ? 8 : t->size;
			if (size && nelems > UINT32_MAX / size)
				return -E2BIG;
			return (int64_t)(nelems * size);
		case BTF_KIND_VAR:
			id = t->type;
			continue;
		case BTF_KIND_ARRAY:
			nelems *= btf_array(t)->nelems; /* both factors < 2^32: no overflow */
			if (nelems > UINT32_MAX)
				return -E2BIG;
			id = btf_array(t)->type;
			continue;
		default:
			return -EINVAL;
		}
	}
	return -ELOOP;
}

const void *bel_btf_raw(const struct bel_btf *btf, uint32_t *size)
{
	*size = (uint32_t)btf->raw_size;
	return btf->raw;
}
