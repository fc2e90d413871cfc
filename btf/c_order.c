/* SPDX-License-Identifier: MIT */
/*
 * BTF to C, the order: what a definition needs written before it (walked from its members,
 * elements, targets and parameters), and the depth-first walk with an explicit stack that
 * writes each type after its needs, declaring what a pointer names inside a prototype.
 */
#include "c_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- what a definition needs ---------------------------------------------------------------- */

static int add_dep(struct dumper *d, uint32_t id, bool declare)
{
	if (d->ndeps == d->capdeps) {
		uint32_t cap = d->capdeps ? d->capdeps * 2 : 64;
		struct dep *grown = realloc(d->deps, cap * sizeof(*grown));

		if (!grown)
			return bel_errf(d->err, ENOMEM, "out of memory writing C declarations");
		d->deps = grown;
		d->capdeps = cap;
	}
	d->deps[d->ndeps++] = (struct dep){id, declare};
	return 0;
}

static int walk(struct dumper *d, uint32_t id, unsigned int how, uint32_t depth);

/* The members of a record written in place: each used by value. Once per frame: a second use
 * needs nothing more. */
static int walk_body(struct dumper *d, uint32_t id, unsigned int how, uint32_t depth)
{
	const struct btf_type *t = bel_btf_type(d->btf, id);
	uint32_t i;
	int ret = 0;

	if (depth >= BEL_BTF_C_MAX_NEST)
		return c_too_deep(d);
	if (d->stamp[id] == d->serial)
		return 0;
	d->stamp[id] = d->serial;
	for (i = 0; i < btf_vlen(t) && !ret; i++) {
		const struct btf_member *m = &btf_members(t)[i];
		const char *raw = bel_btf_str(d->btf, m->name_off);
		uint32_t rec = (!raw || !*raw) ? c_anon_member_record(d, m->type) : 0;

		if (rec)
			ret = walk_body(d, rec, how, depth + 1);
		else
			ret = walk(d, m->type, (how & W_PROTO) | W_COMPLETE, depth + 1);
	}
	return ret;
}

static int walk(struct dumper *d, uint32_t id, unsigned int how, uint32_t depth)
{
	const struct btf_type *t;
	uint32_t c, i;
	int ret;

	if (depth >= BEL_BTF_C_MAX_NEST)
		return c_too_deep(d);
	if (!id)
		return 0;
	t = bel_btf_type(d->btf, id);
	if (!t)
		return c_bad_ref(d, id);
	c = c_canon(d->n, id);
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
		return 0;
	case BTF_KIND_PTR:
		if (how & W_THROUGH)
			return 0;
		return walk(d, t->type, how & W_PROTO, depth + 1);
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return walk(d, t->type, how, depth + 1);
	case BTF_KIND_ARRAY:
		return walk(d, btf_array(t)->type, how | W_COMPLETE, depth + 1);
	case BTF_KIND_FUNC_PROTO:
		if (how & W_THROUGH)
			return 0;
		ret = walk(d, t->type, how & W_PROTO, depth + 1);
		for (i = 0; i < btf_vlen(t) && !ret; i++)
			ret = walk(d, btf_params(t)[i].type, W_PROTO, depth + 1);
		return ret;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (c_named(d, c)) {
			if (how & W_COMPLETE)
				return add_dep(d, c, false);
			return how & W_PROTO ? add_dep(d, c, true) : 0;
		}
		/* an anonymous record behind a typedef is the typedef's to write */
		return how & W_THROUGH ? 0 : walk_body(d, c, how & W_PROTO, depth + 1);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return c_named(d, c) && btf_vlen(bel_btf_type(d->btf, c)) ? add_dep(d, c, false) : 0;
	case BTF_KIND_FWD:
		if (c != id)
			return walk(d, c, how, depth + 1);
		if (!c_named(d, id))
			return c_fail(d, EINVAL, "uses type [%u], a FWD without a name", id);
		if (how & W_COMPLETE)
			return c_fail(d, EINVAL, "uses %s '%s' [%u] by value, but it is only declared",
				      c_kind_word(t), d->n->name[id], id);
		return how & W_PROTO ? add_dep(d, id, true) : 0;
	case BTF_KIND_TYPEDEF:
		if (!c_named(d, id))
			return c_fail(d, EINVAL, "uses type [%u], a typedef without a name", id);
		ret = add_dep(d, id, false);
		/* used by value: what the typedef stands for must be complete too */
		if (!ret && (how & W_COMPLETE))
			ret = walk(d, t->type, how | W_THROUGH, depth + 1);
		return ret;
	default:
		return c_not_c_type(d, id, t);
	}
}

/* ---- the order ---------------------------------------------------------------------------- */

static int push_frame(struct dumper *d, uint32_t id, bool pseudo)
{
	const struct btf_type *t = bel_btf_type(d->btf, id);
	uint32_t begin = d->ndeps, saved = d->cur;
	int ret;

	if (d->nframes == d->capframes) {
		uint32_t cap = d->capframes ? d->capframes * 2 : 32;
		struct frame *grown = realloc(d->frames, cap * sizeof(*grown));

		if (!grown)
			return bel_errf(d->err, ENOMEM, "out of memory writing C declarations");
		d->frames = grown;
		d->capframes = cap;
	}
	d->serial++;
	d->cur = id;
	if (btf_kind(t) == BTF_KIND_TYPEDEF)
		ret = walk(d, t->type, 0, 0);
	else if (btf_kind(t) == BTF_KIND_STRUCT || btf_kind(t) == BTF_KIND_UNION)
		ret = walk_body(d, id, 0, 0);
	else if (pseudo)
		ret = walk(d, id, 0, 0);
	else
		ret = 0; /* an enum needs nothing */
	d->cur = saved;
	if (ret)
		return ret;
	d->frames[d->nframes++] = (struct frame){id, begin, d->ndeps, begin, pseudo};
	if (!pseudo)
		d->state[id] |= S_ON_STACK;
	return 0;
}

static int write_fwd(struct dumper *d, uint32_t id)
{
	const struct btf_type *t = bel_btf_type(d->btf, id);

	c_word(d, c_kind_word(t));
	c_word(d, d->n->name[id]);
	c_put(d, ";\n\n");
	d->state[id] |= S_DECLARED;
	return c_check_out(d);
}

static int write_def(struct dumper *d, uint32_t id)
{
	const struct btf_type *t = bel_btf_type(d->btf, id);
	int ret;

	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		ret = c_layout(d->n, id, d->err);
		if (!ret)
			ret = c_scope_push(d);
		if (ret)
			return ret;
		c_word(d, btf_kind(t) == BTF_KIND_UNION ? "union" : "struct");
		c_word(d, d->n->name[id]);
		c_put(d, " {\n");
		ret = c_members(d, id, 1, 0, 1);
		c_scope_pop(d);
		if (ret)
			return ret;
		bel_strbuf_putc(d->out, '}');
		if (d->n->info[id].flags & C_PACKED)
			c_put(d, " __attribute__((packed))");
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		ret = c_enum_body(d, id, 0);
		if (ret)
			return ret;
		break;
	case BTF_KIND_TYPEDEF:
		c_put(d, "typedef ");
		ret = c_decl(d, t->type, d->n->name[id], 0, 0, 0);
		if (ret)
			return ret;
		break;
	default:
		return 0;
	}
	c_put(d, ";\n\n");
	return c_check_out(d);
}

/* Write id (or, pseudo, only what it needs) after everything it needs. */
static int define(struct dumper *d, uint32_t id, bool pseudo)
{
	int ret;

	if (!pseudo && (d->state[id] & S_DEFINED))
		return 0;
	ret = push_frame(d, id, pseudo);
	while (!ret && d->nframes) {
		struct frame *f = &d->frames[d->nframes - 1];

		if (f->next < f->dep_end) {
			struct dep dep = d->deps[f->next++];
			uint8_t s = d->state[dep.id];

			if (dep.declare) {
				/* a record's own tag is declared from its opening brace on */
				if (!(s & (S_DECLARED | S_DEFINED)) && dep.id != f->id)
					ret = write_fwd(d, dep.id);
			} else if (s & S_ON_STACK) {
				const struct btf_type *a = bel_btf_type(d->btf, dep.id);
				const struct btf_type *b = bel_btf_type(d->btf, f->id);

				if (dep.id == f->id)
					ret = bel_errf(d->err, ELOOP, "%s '%s' [%u] must be written before "
						       "itself: a cycle C cannot write", c_kind_word(a),
						       d->n->name[dep.id], dep.id);
				else
					ret = bel_errf(d->err, ELOOP,
						       "%s '%s' [%u] and %s '%s' [%u] each need the other "
						       "written first: a cycle C cannot write without a pointer",
						       c_kind_word(a), d->n->name[dep.id], dep.id,
						       c_kind_word(b), bel_btf_type_name(d->btf, b), f->id);
			} else if (!(s & S_DEFINED)) {
				ret = push_frame(d, dep.id, false);
			}
			continue;
		}
		d->cur = f->id;
		if (!f->pseudo) {
			ret = write_def(d, f->id);
			d->state[f->id] = (d->state[f->id] & ~S_ON_STACK) | S_DEFINED;
		}
		d->ndeps = f->dep_begin;
		d->nframes--;
	}
	while (d->nframes)
		d->state[d->frames[--d->nframes].id] &= ~S_ON_STACK;
	d->ndeps = 0;
	return ret;
}

/* An anonymous enum alone: `enum { ... };`. */
static int write_enum_alone(struct dumper *d, uint32_t id)
{
	int ret;

	d->cur = id;
	ret = c_enum_body(d, id, 0);
	if (ret)
		return ret;
	c_put(d, ";\n\n");
	return c_check_out(d);
}

int c_dump_root(struct dumper *d, uint32_t id, uint32_t depth)
{
	const struct btf_type *t = bel_btf_type(d->btf, id), *ct;
	uint32_t c = c_canon(d->n, id), i;
	int ret = 0;

	if (!id)
		return 0;
	if (!t)
		return bel_errf(d->err, EINVAL, "root type [%u]: only %u types exist", id,
				d->n->ntypes);
	if (depth > 2)
		return bel_errf(d->err, ELOOP, "root type [%u]: a DATASEC or VAR within a VAR", id);
	ct = bel_btf_type(d->btf, c);
	d->cur = id;
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return define(d, c, !c_named(d, c));
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (!btf_vlen(ct))
			return 0;
		if (c_named(d, c))
			return define(d, c, false);
		return d->state[c] & S_ENUM_WRITTEN ? 0 : write_enum_alone(d, c);
	case BTF_KIND_TYPEDEF:
		if (!c_named(d, id))
			return c_fail(d, EINVAL, "a typedef without a name");
		return define(d, id, false);
	case BTF_KIND_FWD:
		if (!c_named(d, c))
			return c_fail(d, EINVAL, "a FWD without a name");
		return d->state[c] & (S_DECLARED | S_DEFINED) ? 0 : write_fwd(d, c);
	case BTF_KIND_VAR:
	case BTF_KIND_FUNC:
		return c_dump_root(d, t->type, depth + 1);
	case BTF_KIND_DATASEC:
		for (i = 0; i < btf_vlen(t) && !ret; i++)
			ret = c_dump_root(d, btf_secinfos(t)[i].type, depth + 1);
		return ret;
	case BTF_KIND_DECL_TAG:
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
		return 0;
	default:
		return define(d, id, true);
	}
}

/* Anonymous enums that a struct member or a typedef uses, through qualifiers, arrays and
 * pointers: written in full there, not alone. */
static void mark_inline_enums(struct dumper *d)
{
	uint32_t id, i, depth;

	for (id = 1; id < d->n->ntypes; id++) {
		const struct btf_type *t = bel_btf_type(d->btf, id);
		uint32_t kind = btf_kind(t), n = kind == BTF_KIND_TYPEDEF ? 1 : 0;

		if (kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION)
			n = btf_vlen(t);
		for (i = 0; i < n; i++) {
			uint32_t u = kind == BTF_KIND_TYPEDEF ? t->type : btf_members(t)[i].type;

			for (depth = 0; depth < BEL_BTF_C_MAX_NEST; depth++) {
				const struct btf_type *ut = bel_btf_type(d->btf, u);

				if (!ut)
					break;
				if (c_is_qual(btf_kind(ut)) || btf_kind(ut) == BTF_KIND_PTR)
					u = ut->type;
				else if (btf_kind(ut) == BTF_KIND_ARRAY)
					u = btf_array(ut)->type;
				else
					break;
			}
			if (u && u < d->n->ntypes && !c_named(d, u)) {
				const struct btf_type *ut = bel_btf_type(d->btf, u);

				if ((btf_kind(ut) == BTF_KIND_ENUM || btf_kind(ut) == BTF_KIND_ENUM64) &&
				    btf_vlen(ut))
					d->state[u] |= S_ENUM_INLINE;
			}
		}
	}
}

int c_dump_all(struct dumper *d)
{
	uint32_t id;
	int ret = 0;

	mark_inline_enums(d);
	for (id = 1; id < d->n->ntypes && !ret; id++) {
		const struct btf_type *t = bel_btf_type(d->btf, id);

		switch (btf_kind(t)) {
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			if (c_named(d, id))
				ret = define(d, id, false);
			break;
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			if (!btf_vlen(t))
				break;
			if (c_named(d, id))
				ret = define(d, id, false);
			else if (!(d->state[id] & (S_ENUM_INLINE | S_ENUM_WRITTEN)))
				ret = write_enum_alone(d, id);
			break;
		case BTF_KIND_TYPEDEF:
			ret = c_dump_root(d, id, 0);
			break;
		case BTF_KIND_FWD:
			if (c_canon(d->n, id) == id)
				ret = c_dump_root(d, id, 0);
			break;
		default:
			break;
		}
	}
	/* anonymous enums whose users were never written (they are used only in prototypes) */
	for (id = 1; id < d->n->ntypes && !ret; id++)
		if ((d->state[id] & (S_ENUM_INLINE | S_ENUM_WRITTEN)) == S_ENUM_INLINE)
			ret = write_enum_alone(d, id);
	return ret;
}

