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


/* Value of a field relocation on one side; path NULL: no target found. */
static int field_value(uint32_t kind, const struct access_path *path, uint64_t *val,
		       uint32_t *field_sz, uint32_t *field_type, bool *validate)
{
	const struct accessor *acc;
	const struct btf_type *t, *mt;
	uint32_t mt_id, bit_sz, byte_sz, byte_off;
	uint64_t bit_off;
	bool bitfield;
	int64_t sz;

	if (kind == BEL_CORE_FIELD_EXISTS) {
		*val = path ? 1 : 0;
		return 0;
	}
	if (!path)
		return POISON;
	acc = &path->acc[path->len - 1];
	t = bel_btf_type(path->btf, acc->type_id);
	if (!acc->name) { /* the last step was an array element */
		sz = bel_btf_type_size(path->btf, acc->type_id);
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
	mt_id = btf_members(t)[acc->idx].type;
	mt = bel_btf_skip_mods(path->btf, mt_id, &mt_id);
	if (!mt)
		return -EINVAL;
	bit_off = path->bit_offset;
	bit_sz = btf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(btf_members(t)[acc->idx].offset) : 0;
	bitfield = bit_sz > 0;
	if (bitfield) {
		byte_sz = mt->size;
		if (!byte_sz)
			return -EINVAL;
		byte_off = (uint32_t)(bit_off / 8 / byte_sz * byte_sz);
		/* the smallest load that covers the bitfield */
		while (bit_off + bit_sz - (uint64_t)byte_off * 8 > (uint64_t)byte_sz * 8) {
			if (byte_sz >= 8)
				return -E2BIG;
			byte_sz *= 2;
			byte_off = (uint32_t)(bit_off / 8 / byte_sz * byte_sz);
		}
	} else {
		sz = bel_btf_type_size(path->btf, mt_id);
		if (sz < 0)
			return -EINVAL;
		byte_sz = (uint32_t)sz;
		byte_off = (uint32_t)(bit_off / 8);
		bit_sz = byte_sz * 8;
	}
	/* the compiler's idea of a bitfield load may differ from ours: check only signedness */
	if (validate)
		*validate = !bitfield;
	switch (kind) {
	case BEL_CORE_FIELD_BYTE_OFFSET:
		*val = byte_off;
		if (!bitfield) {
			*field_sz = byte_sz;
			*field_type = mt_id;
		}
		break;
	case BEL_CORE_FIELD_BYTE_SIZE:
		*val = byte_sz;
		break;
	case BEL_CORE_FIELD_SIGNED:
		*val = (is_any_enum(mt) && btf_kflag(mt)) ||
		       (btf_kind(mt) == BTF_KIND_INT && (btf_int_encoding(mt) & BTF_INT_SIGNED));
		if (validate)
			*validate = true;
		break;
	case BEL_CORE_FIELD_LSHIFT_U64:
		*val = 64 - (bit_off + bit_sz - (uint64_t)byte_off * 8);
		break;
	case BEL_CORE_FIELD_RSHIFT_U64:
		*val = 64 - bit_sz;
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
