/* SPDX-License-Identifier: MIT */
/*
 * BTF to C: sizes and alignments as the text writes them, and for each struct and union
 * whether natural alignment reproduces its BTF layout or it must be packed. The rules are the
 * x86-64 psABI's, which clang's BPF target follows too: a type is aligned to its size (arrays
 * to their element's, records to their most aligned named member's), a bit-field does not cross
 * a boundary of its type's size, unnamed bit-fields do not align the record, and packed makes
 * every member's alignment one byte and lets bit-fields cross.
 */
#include "c_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int64_t c_enum_value(const struct btf_type *t, uint32_t i, uint32_t size, bool is_signed)
{
	uint64_t v, mask;

	if (btf_kind(t) == BTF_KIND_ENUM) {
		v = (uint32_t)btf_enums(t)[i].val;
		if (is_signed)
			v = (uint64_t)(int64_t)(int32_t)v;
	} else {
		v = btf_enum64_value(t, i);
	}
	if (size < 8) {
		mask = (1ull << (8 * size)) - 1;
		v &= mask;
		if (is_signed && (v >> (8 * size - 1)) & 1)
			v |= ~mask;
	}
	return (int64_t)v;
}

int c_enum_layout(struct bel_btf_c_names *n, uint32_t id, struct bel_err *err)
{
	const struct btf_type *t = bel_btf_type(n->btf, id);
	struct c_info *info = &n->info[id];
	bool is_signed, neg = false, fits4 = true;
	uint32_t i, vlen, natural;

	if (info->state == C_INFO_DONE)
		return 0;
	is_signed = btf_kflag(t);
	vlen = btf_vlen(t);
	if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8)
		return bel_errf(err, EINVAL, "BTF type [%u] enum '%s': C has no %u-byte integer type",
				id, bel_btf_type_name(n->btf, t), t->size);
	/* C picks the enum's type from the values: int, else unsigned int, else 8 bytes */
	for (i = 0; i < vlen && is_signed; i++)
		neg |= c_enum_value(t, i, t->size, is_signed) < 0;
	for (i = 0; i < vlen; i++) {
		int64_t v = c_enum_value(t, i, t->size, is_signed);

		fits4 &= neg ? v >= INT32_MIN && v <= INT32_MAX : (uint64_t)v <= UINT32_MAX;
	}
	natural = !vlen ? t->size : fits4 ? 4 : 8;
	info->size = info->align = (uint8_t)t->size;
	info->flags = (natural != t->size ? C_ENUM_MODE : 0) |
		      ((vlen ? neg : is_signed) ? C_ENUM_SIGNED : 0);
	info->state = C_INFO_DONE;
	return 0;
}

void c_member_bits(const struct bel_btf *btf, const struct btf_type *rec, uint32_t i,
		   uint64_t *bit_off, uint32_t *bits)
{
	const struct btf_member *m = &btf_members(rec)[i];
	const struct btf_type *mt;

	if (btf_kflag(rec)) {
		*bit_off = BTF_MEMBER_BIT_OFFSET(m->offset);
		*bits = BTF_MEMBER_BITFIELD_SIZE(m->offset);
		return;
	}
	*bit_off = m->offset;
	*bits = 0;
	/* without kind_flag, a bit-field is an INT with fewer bits than bytes, or an offset */
	mt = bel_btf_skip_mods(btf, m->type, NULL);
	if (mt && btf_kind(mt) == BTF_KIND_INT) {
		uint32_t enc = *(const uint32_t *)(mt + 1);

		if (BTF_INT_BITS(enc) && (BTF_INT_BITS(enc) != mt->size * 8 || BTF_INT_OFFSET(enc))) {
			*bits = BTF_INT_BITS(enc);
			*bit_off += BTF_INT_OFFSET(enc);
		}
	}
}

static int bad_id(const struct bel_btf_c_names *n, uint32_t id, struct bel_err *err)
{
	return bel_errf(err, EINVAL, "BTF refers to type [%u], but only %u types exist", id,
			n->ntypes);
}

static int too_deep(uint32_t id, struct bel_err *err)
{
	return bel_errf(err, ELOOP, "BTF type [%u]: a chain of types deeper than %u (a cycle?)",
			id, BEL_BTF_C_MAX_NEST);
}

int c_size_align(struct bel_btf_c_names *n, uint32_t id, uint64_t *size, uint32_t *align,
		 struct bel_err *err)
{
	uint64_t count = 1, unit;
	uint32_t start = id, depth;
	int ret;

	for (depth = 0; depth < BEL_BTF_C_MAX_NEST; depth++) {
		const struct btf_type *t = bel_btf_type(n->btf, id);

		if (!id)
			return bel_errf(err, EINVAL, "void used by value");
		if (!t)
			return bad_id(n, id, err);
		switch (btf_kind(t)) {
		case BTF_KIND_INT:
		case BTF_KIND_FLOAT:
			if (!c_base_spelling(n->btf, id, t, err))
				return err ? err->code : -EINVAL;
			unit = *align = t->size;
			break;
		case BTF_KIND_PTR:
			unit = *align = 8;
			break;
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			id = c_canon(n, id);
			ret = c_enum_layout(n, id, err);
			if (ret)
				return ret;
			unit = *align = n->info[id].size;
			break;
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			id = c_canon(n, id);
			if (n->info[id].state != C_INFO_DONE) {
				ret = c_layout(n, id, err);
				if (ret)
					return ret;
			}
			unit = bel_btf_type(n->btf, id)->size;
			*align = n->info[id].align;
			break;
		case BTF_KIND_FWD:
			if (c_canon(n, id) != id) {
				id = c_canon(n, id);
				continue;
			}
			return bel_errf(err, EINVAL, "%s '%s' [%u] is only declared, but used by value",
					c_kind_word(t), bel_btf_type_name(n->btf, t), id);
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		case BTF_KIND_ARRAY:
			count *= btf_array(t)->nelems;
			if (count > UINT32_MAX)
				return bel_errf(err, E2BIG, "BTF type [%u]: an array of 4 Gi elements or more",
						start);
			id = btf_array(t)->type;
			continue;
		default:
			return bel_errf(err, EINVAL, "BTF type [%u] %s cannot be used by value", id,
					bel_btf_kind_name(btf_kind(t)));
		}
		if (unit && count > UINT32_MAX / unit)
			return bel_errf(err, E2BIG, "BTF type [%u]: 4 GiB or more", start);
		*size = count * unit;
		return 0;
	}
	return too_deep(start, err);
}

/* The struct or union a type holds by value (through typedefs, qualifiers and arrays), or 0. */
static int value_record(const struct bel_btf_c_names *n, uint32_t id, uint32_t *rec,
			struct bel_err *err)
{
	uint32_t start = id, depth;

	*rec = 0;
	for (depth = 0; depth < BEL_BTF_C_MAX_NEST; depth++) {
		const struct btf_type *t = bel_btf_type(n->btf, id);

		if (!id)
			return 0;
		if (!t)
			return bad_id(n, id, err);
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		case BTF_KIND_ARRAY:
			id = btf_array(t)->type;
			continue;
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_FWD:
			if (btf_kind(bel_btf_type(n->btf, c_canon(n, id))) != BTF_KIND_FWD)
				*rec = c_canon(n, id);
			return 0;
		default:
			return 0;
		}
	}
	return too_deep(start, err);
}

static int member_err(const struct bel_btf_c_names *n, uint32_t id, uint32_t i,
		      struct bel_err *err)
{
	const struct btf_type *t = bel_btf_type(n->btf, id);
	const char *m = bel_btf_str(n->btf, btf_members(t)[i].name_off);

	return bel_err_prefix(err, "%s '%s' [%u]: member %u '%s'", c_kind_word(t),
			      bel_btf_type_name(n->btf, t), id, i, m ? m : "");
}

/* 0 when this packing reproduces the BTF layout, 1 when it does not, -errno when nothing
 * would (*align gets the record's alignment). */
static int try_layout(struct bel_btf_c_names *n, uint32_t id, bool packed, uint32_t *align,
		      struct bel_err *err)
{
	const struct btf_type *t = bel_btf_type(n->btf, id);
	bool is_union = btf_kind(t) == BTF_KIND_UNION;
	uint64_t pos = 0, max_bytes = 0, size = (uint64_t)t->size * 8;
	uint32_t i, vlen = btf_vlen(t);
	int ret;

	*align = 1;
	for (i = 0; i < vlen; i++) {
		const struct btf_member *m = &btf_members(t)[i];
		uint64_t off, msize;
		uint32_t bits, malign;

		c_member_bits(n->btf, t, i, &off, &bits);
		ret = c_size_align(n, m->type, &msize, &malign, err);
		if (ret)
			return member_err(n, id, i, err);
		if (bits) {
			const struct btf_type *base = bel_btf_skip_mods(n->btf, m->type, NULL);
			uint32_t k = base ? btf_kind(base) : 0;

			if (k != BTF_KIND_INT && k != BTF_KIND_ENUM && k != BTF_KIND_ENUM64) {
				bel_errf(err, EINVAL, "a bit-field of a type that is not an integer");
				return member_err(n, id, i, err);
			}
			if (bits > msize * 8) {
				bel_errf(err, EINVAL, "a %u-bit bit-field of a %u-byte type", bits,
					 (uint32_t)msize);
				return member_err(n, id, i, err);
			}
			/* unnamed bit-fields do not align the record */
			if (c_member_named(n->btf, m) && !packed && malign > *align)
				*align = malign;
			msize = bits;
		} else {
			if (!packed && malign > *align)
				*align = malign;
			msize *= 8;
		}
		if (is_union) {
			if (off) {
				bel_errf(err, EINVAL, "at bit %llu, but C puts every member of a union at 0",
					 (unsigned long long)off);
				return member_err(n, id, i, err);
			}
			if ((msize + 7) / 8 > max_bytes)
				max_bytes = (msize + 7) / 8;
			continue;
		}
		if (off < pos) {
			bel_errf(err, EINVAL, "at bit %llu, inside the member before it (which ends at bit %llu)",
				 (unsigned long long)off, (unsigned long long)pos);
			return member_err(n, id, i, err);
		}
		if (!bits && off % 8) {
			bel_errf(err, EINVAL, "at bit %llu: not a bit-field, yet not at a byte",
				 (unsigned long long)off);
			return member_err(n, id, i, err);
		}
		/* padding gets pos to off; then C must put the member right there */
		if (c_place(off, bits, malign, packed) != off)
			return 1;
		pos = off + msize;
	}
	if (is_union ? max_bytes > t->size : pos > size)
		return bel_errf(err, EINVAL, "%s '%s' [%u]: members need %llu bits, more than its %u bytes",
				c_kind_word(t), bel_btf_type_name(n->btf, t), id,
				(unsigned long long)(is_union ? max_bytes * 8 : pos), t->size);
	return t->size % *align ? 1 : 0;
}

static int record_layout(struct bel_btf_c_names *n, uint32_t id, struct bel_err *err)
{
	uint32_t align;
	bool packed = false;
	int ret = try_layout(n, id, false, &align, err);

	if (ret == 1) {
		packed = true;
		ret = try_layout(n, id, true, &align, err);
		if (ret == 1) /* cannot happen: packed puts a member anywhere after the one before */
			ret = bel_errf(err, EINVAL, "%s '%s' [%u]: C cannot reproduce its layout",
				       c_kind_word(bel_btf_type(n->btf, id)),
				       bel_btf_type_name(n->btf, bel_btf_type(n->btf, id)), id);
	}
	if (ret)
		return ret;
	n->info[id].align = (uint8_t)align;
	n->info[id].flags = packed ? C_PACKED : 0;
	n->info[id].state = C_INFO_DONE;
	return 0;
}

int c_layout(struct bel_btf_c_names *n, uint32_t id, struct bel_err *err)
{
	struct frame {
		uint32_t id, next;
	} *stack;
	uint32_t depth = 0, cap = 16;
	int ret = 0;

	id = c_canon(n, id);
	if (n->info[id].state == C_INFO_DONE)
		return 0;
	/* records inside records by value, depth first with a stack of our own: kernel structs
	 * nest deeply, and a hostile BTF deeper still */
	stack = malloc(cap * sizeof(*stack));
	if (!stack)
		return bel_errf(err, ENOMEM, "out of memory laying out BTF records");
	stack[depth++] = (struct frame){id, 0};
	n->info[id].state = C_INFO_BUSY;
	while (depth && !ret) {
		struct frame *f = &stack[depth - 1];
		const struct btf_type *t = bel_btf_type(n->btf, f->id);
		uint32_t rec = 0;

		for (; f->next < btf_vlen(t); f->next++) {
			ret = value_record(n, btf_members(t)[f->next].type, &rec, err);
			if (ret) {
				member_err(n, f->id, f->next, err);
				break;
			}
			if (rec && n->info[rec].state != C_INFO_DONE)
				break;
			rec = 0;
		}
		if (ret)
			break;
		if (rec) {
			const struct btf_type *rt = bel_btf_type(n->btf, rec);

			if (n->info[rec].state == C_INFO_BUSY) {
				ret = bel_errf(err, ELOOP, "%s '%s' [%u] contains %s '%s' [%u] by value, "
					       "which contains it: a cycle without a pointer",
					       c_kind_word(t), bel_btf_type_name(n->btf, t), f->id,
					       c_kind_word(rt), bel_btf_type_name(n->btf, rt), rec);
				break;
			}
			if (depth == cap) {
				struct frame *grown = realloc(stack, cap * 2 * sizeof(*stack));

				if (!grown) {
					ret = bel_errf(err, ENOMEM, "out of memory laying out BTF records");
					break;
				}
				stack = grown;
				cap *= 2;
			}
			stack[depth++] = (struct frame){rec, 0};
			n->info[rec].state = C_INFO_BUSY;
			continue;
		}
		ret = record_layout(n, f->id, err);
		depth--;
	}
	/* what was left half done can be tried again (and fail the same way) */
	while (ret && depth)
		n->info[stack[--depth].id].state = C_INFO_NONE;
	if (ret && n->info[id].state != C_INFO_DONE)
		n->info[id].state = C_INFO_NONE;
	free(stack);
	return ret;
}
