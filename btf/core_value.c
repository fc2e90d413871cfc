/* SPDX-License-Identifier: MIT */
/*
 * CO-RE, the values: what a relocation computes on one side (field offset, size, signedness
 * and shifts; type id, existence and size; enumerator existence and value), and the result
 * from the local and target sides together.
 */
#include "core_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A field reached through an array element: its offset and size, nothing else. */
static int element_value(uint32_t kind, const struct access_path *path,
			 const struct accessor *acc, uint64_t *val, uint32_t *field_sz,
			 uint32_t *field_type, bool *validate)
{
	int64_t sz = bel_btf_type_size(path->btf, acc->type_id);

	if (sz < 0)
		return -EINVAL;
	if (kind == BEL_CORE_FIELD_BYTE_OFFSET) {
		*val = path->bit_offset / 8;
		*field_sz = (uint32_t)sz;
		*field_type = acc->type_id;
	} else if (kind == BEL_CORE_FIELD_BYTE_SIZE) {
		*val = (uint64_t)sz;
	} else {
		return -EINVAL;
	}
	if (validate)
		*validate = true;
	return 0;
}

/* How a member is loaded: the bytes read and the bits of them that are the member. */
struct field_load {
	uint32_t byte_off, byte_sz, bit_sz;
	bool bitfield;
};

static int member_load(const struct access_path *path, const struct btf_type *t,
		       const struct accessor *acc, const struct btf_type *mt, uint32_t mt_id,
		       struct field_load *ld)
{
	uint64_t bit_off = path->bit_offset;
	int64_t sz;

	ld->bit_sz = btf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(btf_members(t)[acc->idx].offset) : 0;
	ld->bitfield = ld->bit_sz > 0;
	if (ld->bitfield) {
		ld->byte_sz = mt->size;
		if (!ld->byte_sz)
			return -EINVAL;
		ld->byte_off = (uint32_t)(bit_off / 8 / ld->byte_sz * ld->byte_sz);
		/* the smallest load that covers the bitfield */
		while (bit_off + ld->bit_sz - (uint64_t)ld->byte_off * 8 > (uint64_t)ld->byte_sz * 8) {
			if (ld->byte_sz >= 8)
				return -E2BIG;
			ld->byte_sz *= 2;
			ld->byte_off = (uint32_t)(bit_off / 8 / ld->byte_sz * ld->byte_sz);
		}
	} else {
		sz = bel_btf_type_size(path->btf, mt_id);
		if (sz < 0)
			return -EINVAL;
		ld->byte_sz = (uint32_t)sz;
		ld->byte_off = (uint32_t)(bit_off / 8);
		ld->bit_sz = ld->byte_sz * 8;
	}
	return 0;
}

/* Value of a field relocation on one side; path NULL: no target found. */
static int field_value(uint32_t kind, const struct access_path *path, uint64_t *val,
		       uint32_t *field_sz, uint32_t *field_type, bool *validate)
{
	const struct accessor *acc;
	const struct btf_type *t, *mt;
	struct field_load ld;
	uint32_t mt_id;
	int ret;

	if (kind == BEL_CORE_FIELD_EXISTS) {
		*val = path ? 1 : 0;
		return 0;
	}
	if (!path)
		return POISON;
	acc = &path->acc[path->len - 1];
	if (!acc->name) /* the last step was an array element */
		return element_value(kind, path, acc, val, field_sz, field_type, validate);
	t = bel_btf_type(path->btf, acc->type_id);
	mt_id = btf_members(t)[acc->idx].type;
	mt = bel_btf_skip_mods(path->btf, mt_id, &mt_id);
	if (!mt)
		return -EINVAL;
	ret = member_load(path, t, acc, mt, mt_id, &ld);
	if (ret)
		return ret;
	/* the compiler's idea of a bitfield load may differ from ours: check only signedness */
	if (validate)
		*validate = !ld.bitfield;
	switch (kind) {
	case BEL_CORE_FIELD_BYTE_OFFSET:
		*val = ld.byte_off;
		if (!ld.bitfield) {
			*field_sz = ld.byte_sz;
			*field_type = mt_id;
		}
		break;
	case BEL_CORE_FIELD_BYTE_SIZE:
		*val = ld.byte_sz;
		break;
	case BEL_CORE_FIELD_SIGNED:
		*val = (is_any_enum(mt) && btf_kflag(mt)) ||
		       (btf_kind(mt) == BTF_KIND_INT && (btf_int_encoding(mt) & BTF_INT_SIGNED));
		if (validate)
			*validate = true;
		break;
	case BEL_CORE_FIELD_LSHIFT_U64:
		*val = 64 - (path->bit_offset + ld.bit_sz - (uint64_t)ld.byte_off * 8);
		break;
	case BEL_CORE_FIELD_RSHIFT_U64:
		*val = 64 - ld.bit_sz;
		if (validate)
			*validate = true;
		break;
	default:
		return -EOPNOTSUPP;
	}
	return 0;
}

static int type_value(uint32_t kind, const struct access_path *path, uint64_t *val, bool *validate)
{
	int64_t sz;

	if (validate)
		*validate = true;
	if (!path) { /* type relocations are 0 when there is no target */
		*val = 0;
		return 0;
	}
	switch (kind) {
	case BEL_CORE_TYPE_ID_TARGET:
		*val = path->root_type_id;
		if (validate)
			*validate = false; /* ids in the object change when objects are linked */
		return 0;
	case BEL_CORE_TYPE_EXISTS:
	case BEL_CORE_TYPE_MATCHES:
		*val = 1;
		return 0;
	case BEL_CORE_TYPE_SIZE:
		sz = bel_btf_type_size(path->btf, path->root_type_id);
		if (sz < 0)
			return -EINVAL;
		*val = (uint64_t)sz;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int enum_value(uint32_t kind, const struct access_path *path, uint64_t *val)
{
	const struct btf_type *t;

	if (kind == BEL_CORE_ENUMVAL_EXISTS) {
		*val = path ? 1 : 0;
		return 0;
	}
	if (!path)
		return POISON;
	t = bel_btf_type(path->btf, path->acc[0].type_id);
	if (btf_kind(t) == BTF_KIND_ENUM) {
		/* signed, as libbpf reads it (clang 14 marks no enum signed, yet sign-extends
		 * negative enumerators into ldimm64); patching accepts the zero-extended form too */
		*val = (uint64_t)(int64_t)btf_enums(t)[path->acc[0].idx].val;
	} else {
		*val = btf_enum64_value(t, path->acc[0].idx);
	}
	return 0;
}

/* One side's result; targ NULL: no candidate matched. */
int core_calc(const struct access_path *local, const struct access_path *targ,
	      struct bel_core_result *res)
{
	uint32_t orig_type = 0, new_type = 0;
	int ret;

	res->orig_val = res->new_val = 0;
	res->orig_sz = res->new_sz = 0;
	res->poison = res->fail_memsz_adjust = false;
	res->validate = true; /* the instruction must hold the local value, unless a kind says not */
	if (is_field_kind(local->kind)) {
		ret = field_value(local->kind, local, &res->orig_val, &res->orig_sz, &orig_type,
				  &res->validate);
		if (!ret)
			ret = field_value(local->kind, targ, &res->new_val, &res->new_sz, &new_type, NULL);
		if (!ret && targ && res->orig_sz != res->new_sz) {
			const struct btf_type *ot = bel_btf_type(local->btf, orig_type);
			const struct btf_type *nt = bel_btf_type(targ->btf, new_type);

			/* A load may change size only for pointers (32-bit kernels) and unsigned
			 * integers, which zero extension keeps right. */
			if (!(ot && nt && btf_kind(ot) == BTF_KIND_PTR && btf_kind(nt) == BTF_KIND_PTR) &&
			    !(ot && nt && btf_kind(ot) == BTF_KIND_INT && btf_kind(nt) == BTF_KIND_INT &&
			      !(btf_int_encoding(ot) & BTF_INT_SIGNED) &&
			      !(btf_int_encoding(nt) & BTF_INT_SIGNED)))
				res->fail_memsz_adjust = true;
		}
	} else if (is_type_kind(local->kind)) {
		ret = type_value(local->kind, local, &res->orig_val, &res->validate);
		if (!ret)
			ret = type_value(local->kind, targ, &res->new_val, NULL);
	} else {
		const struct btf_type *et = bel_btf_type(local->btf, local->acc[0].type_id);

		res->validate = true;
		res->enum32 = et && btf_kind(et) == BTF_KIND_ENUM;
		ret = enum_value(local->kind, local, &res->orig_val);
		if (!ret)
			ret = enum_value(local->kind, targ, &res->new_val);
	}
	if (ret == POISON) {
		res->poison = true;
		ret = 0;
	}
	return ret;
}
