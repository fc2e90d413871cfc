/* SPDX-License-Identifier: MIT */
/*
 * BTF to C, bodies: a struct's or union's members at the offsets BTF gives (padding made
 * explicit where C would not place a member there by itself), and an enum's enumerators.
 */
#include "c_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- records and enums -------------------------------------------------------------------- */

/* Unnamed bit-fields from bit `from` to bit `to`, none crossing a 64-bit boundary, so C puts
 * each where the one before ended, packed or not. */
static int pad(struct dumper *d, uint64_t from, uint64_t to, uint32_t lvl)
{
	while (from < to) {
		uint64_t w = 64 - from % 64;
		int ret;

		if (w > to - from)
			w = to - from;
		c_indent(d, lvl);
		bel_strbuf_printf(d->out, "long: %u;\n", (unsigned int)w);
		from += w;
		ret = c_check_out(d);
		if (ret)
			return ret;
	}
	return 0;
}

/* The record a member without a name stands for, written in place (C11 anonymous members, and
 * a named struct's members for one that is not anonymous), or 0. */
uint32_t c_anon_member_record(const struct dumper *d, uint32_t id)
{
	uint32_t depth;

	for (depth = 0; depth < BEL_BTF_C_MAX_NEST; depth++) {
		const struct btf_type *t = bel_btf_type(d->btf, id);

		if (!t)
			return 0;
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			return c_canon(d->n, id);
		case BTF_KIND_FWD:
			return c_canon(d->n, id) != id ? c_canon(d->n, id) : 0;
		default:
			return 0;
		}
	}
	return 0;
}

int c_members(struct dumper *d, uint32_t id, uint32_t lvl, unsigned int ctx, uint32_t depth)
{
	const struct btf_type *t = bel_btf_type(d->btf, id);
	const struct c_info *info = &d->n->info[id];
	bool packed = info->flags & C_PACKED, is_union = btf_kind(t) == BTF_KIND_UNION;
	uint64_t pos = 0, max_bytes = 0, end, a = (uint64_t)info->align * 8;
	uint32_t i;
	int ret = 0;

	for (i = 0; i < btf_vlen(t) && !ret; i++) {
		const struct btf_member *m = &btf_members(t)[i];
		const char *raw = bel_btf_str(d->btf, m->name_off), *name;
		uint64_t off, msize;
		uint32_t bits, malign, rec;

		c_member_bits(d->btf, t, i, &off, &bits);
		/* c_layout() sized every member already: this cannot fail */
		ret = c_size_align(d->n, m->type, &msize, &malign, d->err);
		if (ret)
			break;
		if (is_union) {
			msize = bits ? (bits + 7) / 8 : msize;
			max_bytes = msize > max_bytes ? msize : max_bytes;
		} else {
			if (c_place(pos, bits, malign, packed) < off)
				ret = pad(d, pos, off, lvl);
			pos = off + (bits ? bits : msize * 8);
		}
		if (ret)
			break;
		c_indent(d, lvl);
		raw = raw ? raw : "";
		rec = !*raw && !bits ? c_anon_member_record(d, m->type) : 0;
		if (rec) {
			/* an anonymous member's names are its record's */
			ret = c_record_body(d, rec, lvl, ctx, depth + 1);
		} else if (!*raw && bits) {
			ret = c_decl(d, m->type, NULL, lvl, ctx, depth + 1);
		} else {
			name = c_member_name(d, raw, i);
			if (!name)
				return bel_errf(d->err, ENOMEM, "out of memory writing C declarations");
			ret = c_decl(d, m->type, name, lvl, ctx, depth + 1);
		}
		if (bits)
			bel_strbuf_printf(d->out, ": %u", bits);
		c_put(d, ";\n");
	}
	if (ret)
		return ret;
	if (!is_union) {
		end = (pos + a - 1) / a * a;
		if (end < (uint64_t)t->size * 8)
			ret = pad(d, pos, (uint64_t)t->size * 8, lvl);
		return ret;
	}
	if ((max_bytes * 8 + a - 1) / a * a < (uint64_t)t->size * 8) {
		/* a member as long as the union: unnamed bit-fields, which align nothing */
		c_indent(d, lvl);
		if (t->size <= 8) {
			bel_strbuf_printf(d->out, "long: %u;\n", t->size * 8);
		} else {
			c_put(d, "struct {\n");
			ret = pad(d, 0, (uint64_t)t->size * 8, lvl + 1);
			c_indent(d, lvl);
			c_put(d, "};\n");
		}
	}
	return ret;
}

/* "struct [name] { members }" with the attribute it needs; the caller opened the scope. */
int c_record_body(struct dumper *d, uint32_t id, uint32_t lvl, unsigned int ctx,
		  uint32_t depth)
{
	const struct btf_type *t = bel_btf_type(d->btf, id);
	int ret;

	d->records++;
	if (depth >= BEL_BTF_C_MAX_NEST)
		return c_too_deep(d);
	ret = c_layout(d->n, id, d->err);
	if (!ret)
		ret = c_check_out(d);
	if (ret)
		return ret;
	c_word(d, btf_kind(t) == BTF_KIND_UNION ? "union" : "struct");
	c_put(d, " {\n");
	ret = c_members(d, id, lvl + 1, ctx, depth);
	if (ret)
		return ret;
	c_indent(d, lvl);
	bel_strbuf_putc(d->out, '}');
	if (d->n->info[id].flags & C_PACKED)
		c_put(d, " __attribute__((packed))");
	return 0;
}

static void enum_value(struct dumper *d, const struct btf_type *t, uint32_t i, uint32_t size)
{
	int64_t v = c_enum_value(t, i, size, btf_kflag(t));

	if (btf_kflag(t)) {
		if (v == INT64_MIN) /* its magnitude is no long long literal */
			c_put(d, "(-9223372036854775807LL - 1)");
		else
			bel_strbuf_printf(d->out, "%lld", (long long)v);
	} else {
		bel_strbuf_printf(d->out, "%llu%s", (unsigned long long)v,
				  (uint64_t)v > INT64_MAX ? "ULL" : "");
	}
}

/* "enum [name] { values }" with the mode that gives it its BTF size. */
int c_enum_body(struct dumper *d, uint32_t id, uint32_t lvl)
{
	const struct btf_type *t = bel_btf_type(d->btf, id);
	static const char *const modes[] = {[1] = "QI", [2] = "HI", [4] = "SI", [8] = "DI"};
	const struct c_info *info = &d->n->info[id];
	uint32_t i;
	int ret = c_enum_layout(d->n, id, d->err);

	if (!ret)
		ret = c_check_out(d);
	if (ret)
		return ret;
	d->state[id] |= S_ENUM_WRITTEN;
	c_word(d, "enum");
	if (c_named(d, id))
		c_word(d, d->n->name[id]);
	c_put(d, " {\n");
	for (i = 0; i < btf_vlen(t); i++) {
		const char *raw = bel_btf_str(d->btf, btf_enumerator_name_off(t, i));

		c_indent(d, lvl + 1);
		c_put(d, c_enumerator_name(d->n, id, i, raw ? raw : ""));
		c_put(d, " = ");
		enum_value(d, t, i, info->size);
		c_put(d, ",\n");
	}
	c_indent(d, lvl);
	bel_strbuf_putc(d->out, '}');
	if (info->flags & C_ENUM_MODE)
		bel_strbuf_printf(d->out, " __attribute__((mode(%s)))", modes[info->size]);
	return 0;
}

