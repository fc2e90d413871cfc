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

int bel_btf_sanitize(struct bel_btf *btf, unsigned int features, struct bel_err *err)
{
	uint32_t i, j, n = bel_btf_type_count(btf);
	int int_id = -1, changed = 0;

	if ((features & BEL_BTF_HAS_ALL) == BEL_BTF_HAS_ALL)
		return 0;
	for (i = btf->start_id; i < n; i++) {
		struct btf_type *t = bel_btf_type_mut(btf, i);
		uint32_t kind, vlen;

		if (!t)
			return bel_errf(err, EINVAL, "BTF is read-only");
		kind = btf_kind(t);
		vlen = btf_vlen(t);
		switch (kind) {
		case BTF_KIND_FLOAT:
			if (features & BEL_BTF_HAS_FLOAT)
				continue;
			t->info = info(BTF_KIND_STRUCT, 0); /* size kept */
			break;
		case BTF_KIND_DECL_TAG:
			if (features & BEL_BTF_HAS_DECL_TAG)
				continue;
			t->name_off = 0;
			t->info = info(BTF_KIND_INT, 0);
			t->size = 1;
			*(uint32_t *)(t + 1) = 8; /* an 8-bit int, no encoding */
			break;
		case BTF_KIND_TYPE_TAG:
			if (features & BEL_BTF_HAS_TYPE_TAG)
				continue;
			t->name_off = 0;
			t->info = info(BTF_KIND_CONST, 0); /* type kept */
			break;
		case BTF_KIND_ENUM64:
			if (features & BEL_BTF_HAS_ENUM64)
				continue;
			if (int_id < 0 && (int_id = find_int32(btf)) < 0)
				return bel_errf(err, ENOTSUP, "ENUM64 [%u] needs rewriting, but the BTF has "
						"no 32-bit int", i);
			/* {name, lo, hi} -> member {name, int, offset 0} */
			for (j = 0; j < vlen; j++) {
				uint32_t *e = (uint32_t *)(t + 1) + 3 * j;

				e[1] = (uint32_t)int_id;
				e[2] = 0;
			}
			t->info = info(BTF_KIND_UNION, vlen); /* size kept */
			break;
		case BTF_KIND_VAR:
			if (features & BEL_BTF_HAS_DATASEC)
				continue;
			t->name_off = 0;
			t->info = info(BTF_KIND_INT, 0);
			t->size = 1;
			*(uint32_t *)(t + 1) = 8;
			break;
		case BTF_KIND_DATASEC:
			if (features & BEL_BTF_HAS_DATASEC)
				continue;
			/* {type, offset, size} -> member {name, type, bit offset}: a struct of the
			 * 1-byte ints the VARs became, named as the section was ('.' is not allowed) */
			for (j = 0; j < vlen; j++) {
				struct btf_var_secinfo vsi = btf_secinfos(t)[j];
				struct btf_member *m = &btf_members(t)[j];

				m->name_off = 0;
				m->type = vsi.type;
				m->offset = vsi.offset * 8;
			}
			t->name_off = 0;
			t->info = info(BTF_KIND_STRUCT, vlen);
			break;
		case BTF_KIND_FUNC:
			if ((features & BEL_BTF_HAS_FUNC_GLOBAL) || vlen == BTF_FUNC_STATIC)
				continue;
			t->info = info(BTF_KIND_FUNC, BTF_FUNC_STATIC);
			break;
		default:
			continue;
		}
		changed++;
	}
	return changed;
}
