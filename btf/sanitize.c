/* SPDX-License-Identifier: MIT */
#include "sanitize.h"

#include <errno.h>
#include <string.h>

static uint32_t info(uint32_t kind, uint32_t vlen)
{
	return (kind << 24) | vlen;
}

static int find_int32(const struct bel_btf *btf)
{
	uint32_t i, n = bel_btf_type_count(btf);

	for (i = 1; i < n; i++) {
		const struct btf_type *t = bel_btf_type(btf, i);

		if (btf_kind(t) == BTF_KIND_INT && t->size == 4 && btf_int_bits(t) == 32)
			return (int)i;
	}
	return -ENOENT;
}

/* DECL_TAG and VAR become an unnamed 8-bit int with no encoding: a type the kernel takes
 * that still has an id of its own. */
static void to_byte_int(struct btf_type *t)
{
	t->name_off = 0;
	t->info = info(BTF_KIND_INT, 0);
	t->size = 1;
	*(uint32_t *)(t + 1) = 8;
}

/* ENUM64 records {name, lo, hi} become union members {name, int, offset 0}; size kept. */
static void enum64_to_union(struct btf_type *t, uint32_t int_id)
{
	uint32_t j, vlen = btf_vlen(t);

	for (j = 0; j < vlen; j++) {
		uint32_t *e = (uint32_t *)btf_enum64_rec(t, j);

		e[1] = int_id;
		e[2] = 0;
	}
	t->info = info(BTF_KIND_UNION, vlen);
}

/* DATASEC {type, offset, size} -> member {name, type, bit offset}: a struct of the 1-byte ints
 * the VARs became, named as the section was ('.' is not allowed). */
static void datasec_to_struct(struct btf_type *t)
{
	uint32_t j, vlen = btf_vlen(t);

	for (j = 0; j < vlen; j++) {
		struct btf_var_secinfo vsi = btf_secinfos(t)[j];
		struct btf_member *m = &btf_members(t)[j];

		m->name_off = 0;
		m->type = vsi.type;
		m->offset = vsi.offset * 8;
	}
	t->name_off = 0;
	t->info = info(BTF_KIND_STRUCT, vlen);
}

/* Type id rewritten if the kernel lacks its kind: 1 when it was, 0 when it stays, -errno. */
static int sanitize_type(const struct bel_btf *btf, uint32_t id, struct btf_type *t,
			 unsigned int features, int *int_id, struct bel_err *err)
{
	switch (btf_kind(t)) {
	case BTF_KIND_FLOAT:
		if (features & BEL_BTF_HAS_FLOAT)
			return 0;
		t->info = info(BTF_KIND_STRUCT, 0); /* size kept */
		return 1;
	case BTF_KIND_DECL_TAG:
		if (features & BEL_BTF_HAS_DECL_TAG)
			return 0;
		to_byte_int(t);
		return 1;
	case BTF_KIND_TYPE_TAG:
		if (features & BEL_BTF_HAS_TYPE_TAG)
			return 0;
		t->name_off = 0;
		t->info = info(BTF_KIND_CONST, 0); /* type kept */
		return 1;
	case BTF_KIND_ENUM64:
		if (features & BEL_BTF_HAS_ENUM64)
			return 0;
		if (*int_id < 0 && (*int_id = find_int32(btf)) < 0)
			return bel_errf(err, ENOTSUP, "ENUM64 [%u] needs rewriting, but the BTF has "
					"no 32-bit int", id);
		enum64_to_union(t, (uint32_t)*int_id);
		return 1;
	case BTF_KIND_VAR:
		if (features & BEL_BTF_HAS_DATASEC)
			return 0;
		to_byte_int(t);
		return 1;
	case BTF_KIND_DATASEC:
		if (features & BEL_BTF_HAS_DATASEC)
			return 0;
		datasec_to_struct(t);
		return 1;
	case BTF_KIND_FUNC:
		if ((features & BEL_BTF_HAS_FUNC_GLOBAL) || btf_vlen(t) == BTF_FUNC_STATIC)
			return 0;
		t->info = info(BTF_KIND_FUNC, BTF_FUNC_STATIC);
		return 1;
	default:
		return 0;
	}
}

int bel_btf_sanitize(struct bel_btf *btf, unsigned int features, struct bel_err *err)
{
	uint32_t i, n = bel_btf_type_count(btf);
	int int_id = -1, changed = 0;

	if ((features & BEL_BTF_HAS_ALL) == BEL_BTF_HAS_ALL)
		return 0;
	for (i = btf->start_id; i < n; i++) {
		struct btf_type *t = bel_btf_type_mut(btf, i);
		int ret;

		if (!t)
			return bel_errf(err, EINVAL, "BTF is read-only");
		ret = sanitize_type(btf, i, t, features, &int_id, err);
		if (ret < 0)
			return ret;
		changed += ret;
	}
	return changed;
}
