/* SPDX-License-Identifier: MIT */
/*
 * BTF to C, declarations: C's declarators are written inside out, the part left of the name
 * (base type, pointers, qualifiers, opening parentheses) and then the part right of it
 * (array bounds, parameter lists, closing parentheses).
 */
#include "c_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- declarations: C's inside-out declarators, written left of the name then right ---------- */

#define Q_CONST 0x1
#define Q_VOLATILE 0x2
#define Q_RESTRICT 0x4

static int left(struct dumper *d, uint32_t id, unsigned int quals, uint32_t lvl, unsigned int ctx,
		uint32_t depth);
static int right(struct dumper *d, uint32_t id, uint32_t lvl, unsigned int ctx, uint32_t depth);

int c_decl(struct dumper *d, uint32_t id, const char *name, uint32_t lvl, unsigned int ctx,
	   uint32_t depth)
{
	int ret = left(d, id, 0, lvl, ctx, depth);

	if (!ret && name && *name)
		c_word(d, name);
	return ret ? ret : right(d, id, lvl, ctx, depth);
}

bool c_is_qual(uint32_t kind)
{
	return kind == BTF_KIND_CONST || kind == BTF_KIND_VOLATILE || kind == BTF_KIND_RESTRICT ||
	       kind == BTF_KIND_TYPE_TAG;
}

/* The kind under any qualifiers and type tags (0 for void or a bad id: no parentheses). */
static uint32_t kind_under_quals(const struct dumper *d, uint32_t id)
{
	uint32_t depth;

	for (depth = 0; depth < BEL_BTF_C_MAX_NEST; depth++) {
		const struct btf_type *t = bel_btf_type(d->btf, id);

		if (!t)
			return 0;
		if (!c_is_qual(btf_kind(t)))
			return btf_kind(t);
		id = t->type;
	}
	return 0;
}

static void quals_words(struct dumper *d, unsigned int quals)
{
	if (d->no_quals)
		return;
	if (quals & Q_CONST)
		c_word(d, "const");
	if (quals & Q_VOLATILE)
		c_word(d, "volatile");
	if (quals & Q_RESTRICT)
		c_word(d, "restrict");
}

static int base(struct dumper *d, uint32_t id, const struct btf_type *t, uint32_t lvl,
		unsigned int ctx, uint32_t depth)
{
	uint32_t c = c_canon(d->n, id);
	const struct btf_type *ct = bel_btf_type(d->btf, c);
	const char *s;
	int ret;

	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
		s = c_base_spelling(d->btf, id, t, d->err);
		if (!s)
			return d->err ? d->err->code : -EINVAL;
		c_word(d, s);
		return 0;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_FWD:
		if (c_named(d, c)) {
			c_word(d, c_kind_word(ct));
			c_word(d, d->n->name[c]);
			return 0;
		}
		if (btf_kind(t) == BTF_KIND_FWD)
			return c_fail(d, EINVAL, "uses type [%u], a FWD without a name", id);
		/* anonymous: written here, its members a namespace of their own */
		ret = c_scope_push(d);
		if (ret)
			return ret;
		ret = c_record_body(d, c, lvl, ctx, depth + 1);
		c_scope_pop(d);
		return ret;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (c_named(d, c) && btf_vlen(ct)) {
			c_word(d, "enum");
			c_word(d, d->n->name[c]);
			return 0;
		}
		if (btf_vlen(ct) && !(ctx & CTX_PROTO) && !(d->state[c] & S_ENUM_WRITTEN))
			return c_enum_body(d, c, lvl);
		/* written elsewhere, or has no values: the integer type it is */
		ret = c_enum_layout(d->n, c, d->err);
		if (ret)
			return ret;
		c_word(d, c_int_type(d->n->info[c].size, d->n->info[c].flags & C_ENUM_SIGNED));
		return 0;
	case BTF_KIND_TYPEDEF:
		if (!c_named(d, id))
			return c_fail(d, EINVAL, "uses type [%u], a typedef without a name", id);
		c_word(d, d->n->name[id]);
		return 0;
	default:
		return c_not_c_type(d, id, t);
	}
}

static int left(struct dumper *d, uint32_t id, unsigned int quals, uint32_t lvl, unsigned int ctx,
		uint32_t depth)
{
	const struct btf_type *t;
	uint32_t k;
	int ret;

	if (depth >= BEL_BTF_C_MAX_NEST)
		return c_too_deep(d);
	if (!id) {
		quals_words(d, quals & ~Q_RESTRICT);
		c_word(d, "void");
		return 0;
	}
	t = bel_btf_type(d->btf, id);
	if (!t)
		return c_bad_ref(d, id);
	switch (btf_kind(t)) {
	case BTF_KIND_CONST:
		return left(d, t->type, quals | Q_CONST, lvl, ctx, depth + 1);
	case BTF_KIND_VOLATILE:
		return left(d, t->type, quals | Q_VOLATILE, lvl, ctx, depth + 1);
	case BTF_KIND_RESTRICT:
		return left(d, t->type, quals | Q_RESTRICT, lvl, ctx, depth + 1);
	case BTF_KIND_TYPE_TAG:
		return left(d, t->type, quals, lvl, ctx, depth + 1);
	case BTF_KIND_PTR:
		ret = left(d, t->type, 0, lvl, ctx, depth + 1);
		if (ret)
			return ret;
		k = kind_under_quals(d, t->type);
		if (k == BTF_KIND_ARRAY || k == BTF_KIND_FUNC_PROTO)
			c_punct(d, '(');
		c_punct(d, '*');
		/* qualifiers of the pointer itself follow the star: "int *const p" */
		quals_words(d, quals);
		return 0;
	case BTF_KIND_ARRAY:
		/* a qualified array is an array of qualified elements */
		return left(d, btf_array(t)->type, quals, lvl, ctx, depth + 1);
	case BTF_KIND_FUNC_PROTO:
		/* C has no qualified function types */
		return left(d, t->type, 0, lvl, ctx, depth + 1);
	default:
		quals_words(d, quals & ~Q_RESTRICT);
		return base(d, id, t, lvl, ctx, depth);
	}
}

static int params(struct dumper *d, const struct btf_type *t, uint32_t lvl, unsigned int ctx,
		  uint32_t depth)
{
	uint32_t i, vlen = btf_vlen(t);
	int ret = 0;

	bel_strbuf_putc(d->out, '(');
	if (!vlen)
		c_put(d, "void");
	for (i = 0; i < vlen && !ret; i++) {
		uint32_t p = btf_params(t)[i].type;

		if (i)
			c_put(d, ", ");
		if (!p && i == vlen - 1)
			c_put(d, "...");
		else if (!p)
			ret = c_fail(d, EINVAL, "a prototype whose parameter %u is void", i);
		else
			ret = c_decl(d, p, NULL, lvl, ctx | CTX_PROTO, depth + 1);
	}
	bel_strbuf_putc(d->out, ')');
	return ret;
}

static int right(struct dumper *d, uint32_t id, uint32_t lvl, unsigned int ctx, uint32_t depth)
{
	const struct btf_type *t;
	uint32_t k;
	int ret;

	for (; depth < BEL_BTF_C_MAX_NEST; depth++) {
		t = bel_btf_type(d->btf, id);
		if (!id || !t)
			return 0; /* left() checked the ids */
		switch (btf_kind(t)) {
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		case BTF_KIND_PTR:
			k = kind_under_quals(d, t->type);
			if (k == BTF_KIND_ARRAY || k == BTF_KIND_FUNC_PROTO)
				bel_strbuf_putc(d->out, ')');
			id = t->type;
			continue;
		case BTF_KIND_ARRAY:
			bel_strbuf_printf(d->out, "[%u]", btf_array(t)->nelems);
			id = btf_array(t)->type;
			continue;
		case BTF_KIND_FUNC_PROTO:
			ret = params(d, t, lvl, ctx, depth);
			if (ret)
				return ret;
			id = t->type;
			continue;
		default:
			return 0;
		}
	}
	return c_too_deep(d);
}

