/* SPDX-License-Identifier: MIT */
/*
 * BTF to C: the writer. Each named type is written once, after what it needs: a type used by
 * value (a member, an array element) must be defined first; a struct or union named only
 * through a pointer needs nothing, since naming it declares it, except inside a function
 * prototype, whose parameters have a scope of their own: there it is declared first
 * (`struct foo;`). Typedef names must be defined before any use. The order comes from a depth-
 * first walk with an explicit stack; a type met again while it waits on the stack is a cycle
 * without a pointer, which C cannot write.
 */
#include "c_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/opts.h"

/* per type id */
#define S_DECLARED 0x1      /* `struct foo;` written */
#define S_DEFINED 0x2       /* its definition written */
#define S_ON_STACK 0x4      /* waiting for what it needs */
#define S_ENUM_WRITTEN 0x8  /* anonymous enum written in full */
#define S_ENUM_INLINE 0x10  /* anonymous enum a member or typedef writes in full */

/* how a type is used where the walk meets it */
#define W_COMPLETE 0x1      /* by value: must be defined */
#define W_PROTO 0x2         /* in a function prototype's parameters */
#define W_THROUGH 0x4       /* behind a typedef used by value: only what it needs complete */

/* where a declaration is written */
#define CTX_PROTO 0x1       /* a prototype's parameters: no enum written in full here */

struct dep {
	uint32_t id;
	bool declare;           /* a forward declaration is enough */
};

struct frame {
	uint32_t id, dep_begin, dep_end, next;
	bool pseudo;            /* a root that is not a named type: its needs only */
};

struct dumper {
	struct bel_btf_c_names *n;
	const struct bel_btf *btf;
	struct bel_strbuf *out;
	size_t start, limit;    /* out->len was start; may grow by limit */
	struct bel_err *err;
	unsigned int indent;    /* spaces per level; 0: a tab */
	uint8_t *state;
	uint32_t *stamp;        /* per id: the frame serial that last walked its body */
	uint32_t serial;
	struct dep *deps;
	uint32_t ndeps, capdeps;
	struct frame *frames;
	uint32_t nframes, capframes;
	uint32_t cur;           /* the type being written, for messages */
	bool no_quals;          /* const, volatile and restrict left out (user-space copies) */
	uint32_t records;       /* struct and union bodies written */
	struct c_strmap *scopes; /* member names, one map per nested record scope */
	uint32_t nscopes, capscopes;
	struct c_pool pool;
};

/* ---- messages --------------------------------------------------------------------------- */

static int fail(struct dumper *d, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct dumper *d, int errnum, const char *fmt, ...)
{
	const struct btf_type *t = bel_btf_type(d->btf, d->cur);
	char msg[BEL_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!t)
		return bel_errf(d->err, errnum, "%s", msg);
	return bel_errf(d->err, errnum, "%s '%s' [%u]: %s", c_kind_word(t),
			bel_btf_type_name(d->btf, t), d->cur, msg);
}

static int bad_ref(struct dumper *d, uint32_t id)
{
	return fail(d, EINVAL, "refers to type [%u], but only %u types exist", id, d->n->ntypes);
}

static int too_deep(struct dumper *d)
{
	return fail(d, ELOOP, "types nest deeper than %u (a cycle?)", BEL_BTF_C_MAX_NEST);
}

static int not_c_type(struct dumper *d, uint32_t id, const struct btf_type *t)
{
	return fail(d, EINVAL, "uses type [%u] %s, which is not a C type", id,
		    bel_btf_kind_name(btf_kind(t)));
}

static int check_out(struct dumper *d)
{
	if (d->out->oom)
		return bel_errf(d->err, ENOMEM, "out of memory writing C declarations");
	if (d->out->len - d->start > d->limit)
		return fail(d, E2BIG, "the C text would pass %zu bytes", d->limit);
	return 0;
}

/* ---- text --------------------------------------------------------------------------------- */

static char last_char(const struct dumper *d)
{
	return d->out->len > d->start ? d->out->buf[d->out->len - 1] : '\n';
}

static bool word_end(char c)
{
	return c == '_' || c == '}' || c == ')' || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static void put(struct dumper *d, const char *s)
{
	bel_strbuf_puts(d->out, s);
}

/* A word, spaced from the word before it. */
static void word(struct dumper *d, const char *s)
{
	if (word_end(last_char(d)))
		bel_strbuf_putc(d->out, ' ');
	bel_strbuf_puts(d->out, s);
}

/* '*' or a grouping '(' after a type: "int *p", "int (*p)[4]", "int **p". */
static void punct(struct dumper *d, char c)
{
	if (word_end(last_char(d)))
		bel_strbuf_putc(d->out, ' ');
	bel_strbuf_putc(d->out, c);
}

static void indent(struct dumper *d, uint32_t lvl)
{
	static const char spaces[] = "                                ";
	uint32_t i;

	for (i = 0; i < lvl; i++) {
		if (d->indent)
			bel_strbuf_append(d->out, spaces, d->indent);
		else
			bel_strbuf_putc(d->out, '\t');
	}
}

/* ---- names -------------------------------------------------------------------------------- */

static int scope_push(struct dumper *d)
{
	if (d->nscopes == d->capscopes) {
		uint32_t cap = d->capscopes ? d->capscopes * 2 : 8;
		struct c_strmap *grown = realloc(d->scopes, cap * sizeof(*grown));

		if (!grown)
			return bel_errf(d->err, ENOMEM, "out of memory writing C declarations");
		memset(grown + d->capscopes, 0, (cap - d->capscopes) * sizeof(*grown));
		d->scopes = grown;
		d->capscopes = cap;
	}
	d->scopes[d->nscopes].gen++;
	d->scopes[d->nscopes].count = 0;
	d->nscopes++;
	return 0;
}

static void scope_pop(struct dumper *d)
{
	d->nscopes--;
}

/* A member's name, unique in its record; "__anon<index>" for one without a name. The scope
 * keeps the pointer: a name made here lives in the pool. */
static const char *member_name(struct dumper *d, const char *raw, uint32_t index)
{
	const char *s;

	if (*raw) {
		s = c_sanitize(raw, &d->pool);
	} else {
		char synth[24];

		snprintf(synth, sizeof(synth), "__anon%u", index);
		s = c_sanitize(synth, &d->pool);
		s = s == synth ? c_pool_strdup(&d->pool, synth) : s;
	}
	return s ? c_unique(&d->scopes[d->nscopes - 1], s, &d->pool) : NULL;
}

static bool named(const struct dumper *d, uint32_t id)
{
	return d->n->name[id] != NULL;
}

/* ---- declarations: C's inside-out declarators, written left of the name then right ---------- */

#define Q_CONST 0x1
#define Q_VOLATILE 0x2
#define Q_RESTRICT 0x4

static int left(struct dumper *d, uint32_t id, unsigned int quals, uint32_t lvl, unsigned int ctx,
		uint32_t depth);
static int right(struct dumper *d, uint32_t id, uint32_t lvl, unsigned int ctx, uint32_t depth);
static int record_body(struct dumper *d, uint32_t id, uint32_t lvl, unsigned int ctx,
		       uint32_t depth);
static int enum_body(struct dumper *d, uint32_t id, uint32_t lvl);

static int decl(struct dumper *d, uint32_t id, const char *name, uint32_t lvl, unsigned int ctx,
		uint32_t depth)
{
	int ret = left(d, id, 0, lvl, ctx, depth);

	if (!ret && name && *name)
		word(d, name);
	return ret ? ret : right(d, id, lvl, ctx, depth);
}

static bool is_qual(uint32_t kind)
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
		if (!is_qual(btf_kind(t)))
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
		word(d, "const");
	if (quals & Q_VOLATILE)
		word(d, "volatile");
	if (quals & Q_RESTRICT)
		word(d, "restrict");
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
		word(d, s);
		return 0;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_FWD:
		if (named(d, c)) {
			word(d, c_kind_word(ct));
			word(d, d->n->name[c]);
			return 0;
		}
		if (btf_kind(t) == BTF_KIND_FWD)
			return fail(d, EINVAL, "uses type [%u], a FWD without a name", id);
		/* anonymous: written here, its members a namespace of their own */
		ret = scope_push(d);
		if (ret)
			return ret;
		ret = record_body(d, c, lvl, ctx, depth + 1);
		scope_pop(d);
		return ret;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (named(d, c) && btf_vlen(ct)) {
			word(d, "enum");
			word(d, d->n->name[c]);
			return 0;
		}
		if (btf_vlen(ct) && !(ctx & CTX_PROTO) && !(d->state[c] & S_ENUM_WRITTEN))
			return enum_body(d, c, lvl);
		/* written elsewhere, or has no values: the integer type it is */
		ret = c_enum_layout(d->n, c, d->err);
		if (ret)
			return ret;
		word(d, c_int_type(d->n->info[c].size, d->n->info[c].flags & C_ENUM_SIGNED));
		return 0;
	case BTF_KIND_TYPEDEF:
		if (!named(d, id))
			return fail(d, EINVAL, "uses type [%u], a typedef without a name", id);
		word(d, d->n->name[id]);
		return 0;
	default:
		return not_c_type(d, id, t);
	}
}

static int left(struct dumper *d, uint32_t id, unsigned int quals, uint32_t lvl, unsigned int ctx,
		uint32_t depth)
{
	const struct btf_type *t;
	uint32_t k;
	int ret;

	if (depth >= BEL_BTF_C_MAX_NEST)
		return too_deep(d);
	if (!id) {
		quals_words(d, quals & ~Q_RESTRICT);
		word(d, "void");
		return 0;
	}
	t = bel_btf_type(d->btf, id);
	if (!t)
		return bad_ref(d, id);
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
			punct(d, '(');
		punct(d, '*');
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
		put(d, "void");
	for (i = 0; i < vlen && !ret; i++) {
		uint32_t p = btf_params(t)[i].type;

		if (i)
			put(d, ", ");
		if (!p && i == vlen - 1)
			put(d, "...");
		else if (!p)
			ret = fail(d, EINVAL, "a prototype whose parameter %u is void", i);
		else
			ret = decl(d, p, NULL, lvl, ctx | CTX_PROTO, depth + 1);
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
	return too_deep(d);
}

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
		indent(d, lvl);
		bel_strbuf_printf(d->out, "long: %u;\n", (unsigned int)w);
		from += w;
		ret = check_out(d);
		if (ret)
			return ret;
	}
	return 0;
}

/* The record a member without a name stands for, written in place (C11 anonymous members, and
 * a named struct's members for one that is not anonymous), or 0. */
static uint32_t anon_member_record(const struct dumper *d, uint32_t id)
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

static int members(struct dumper *d, uint32_t id, uint32_t lvl, unsigned int ctx, uint32_t depth)
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
		indent(d, lvl);
		raw = raw ? raw : "";
		rec = !*raw && !bits ? anon_member_record(d, m->type) : 0;
		if (rec) {
			/* an anonymous member's names are its record's */
			ret = record_body(d, rec, lvl, ctx, depth + 1);
		} else if (!*raw && bits) {
			ret = decl(d, m->type, NULL, lvl, ctx, depth + 1);
		} else {
			name = member_name(d, raw, i);
			if (!name)
				return bel_errf(d->err, ENOMEM, "out of memory writing C declarations");
			ret = decl(d, m->type, name, lvl, ctx, depth + 1);
		}
		if (bits)
			bel_strbuf_printf(d->out, ": %u", bits);
		put(d, ";\n");
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
		indent(d, lvl);
		if (t->size <= 8) {
			bel_strbuf_printf(d->out, "long: %u;\n", t->size * 8);
		} else {
			put(d, "struct {\n");
			ret = pad(d, 0, (uint64_t)t->size * 8, lvl + 1);
			indent(d, lvl);
			put(d, "};\n");
		}
	}
	return ret;
}

/* "struct [name] { members }" with the attribute it needs; the caller opened the scope. */
static int record_body(struct dumper *d, uint32_t id, uint32_t lvl, unsigned int ctx,
		       uint32_t depth)
{
	const struct btf_type *t = bel_btf_type(d->btf, id);
	int ret;

	d->records++;
	if (depth >= BEL_BTF_C_MAX_NEST)
		return too_deep(d);
	ret = c_layout(d->n, id, d->err);
	if (!ret)
		ret = check_out(d);
	if (ret)
		return ret;
	word(d, btf_kind(t) == BTF_KIND_UNION ? "union" : "struct");
	put(d, " {\n");
	ret = members(d, id, lvl + 1, ctx, depth);
	if (ret)
		return ret;
	indent(d, lvl);
	bel_strbuf_putc(d->out, '}');
	if (d->n->info[id].flags & C_PACKED)
		put(d, " __attribute__((packed))");
	return 0;
}

static void enum_value(struct dumper *d, const struct btf_type *t, uint32_t i, uint32_t size)
{
	int64_t v = c_enum_value(t, i, size, btf_kflag(t));

	if (btf_kflag(t)) {
		if (v == INT64_MIN) /* its magnitude is no long long literal */
			put(d, "(-9223372036854775807LL - 1)");
		else
			bel_strbuf_printf(d->out, "%lld", (long long)v);
	} else {
		bel_strbuf_printf(d->out, "%llu%s", (unsigned long long)v,
				  (uint64_t)v > INT64_MAX ? "ULL" : "");
	}
}

/* "enum [name] { values }" with the mode that gives it its BTF size. */
static int enum_body(struct dumper *d, uint32_t id, uint32_t lvl)
{
	const struct btf_type *t = bel_btf_type(d->btf, id);
	static const char *const modes[] = {[1] = "QI", [2] = "HI", [4] = "SI", [8] = "DI"};
	const struct c_info *info = &d->n->info[id];
	uint32_t i;
	int ret = c_enum_layout(d->n, id, d->err);

	if (!ret)
		ret = check_out(d);
	if (ret)
		return ret;
	d->state[id] |= S_ENUM_WRITTEN;
	word(d, "enum");
	if (named(d, id))
		word(d, d->n->name[id]);
	put(d, " {\n");
	for (i = 0; i < btf_vlen(t); i++) {
		const char *raw = bel_btf_str(d->btf, btf_enumerator_name_off(t, i));

		indent(d, lvl + 1);
		put(d, c_enumerator_name(d->n, id, i, raw ? raw : ""));
		put(d, " = ");
		enum_value(d, t, i, info->size);
		put(d, ",\n");
	}
	indent(d, lvl);
	bel_strbuf_putc(d->out, '}');
	if (info->flags & C_ENUM_MODE)
		bel_strbuf_printf(d->out, " __attribute__((mode(%s)))", modes[info->size]);
	return 0;
}

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
		return too_deep(d);
	if (d->stamp[id] == d->serial)
		return 0;
	d->stamp[id] = d->serial;
	for (i = 0; i < btf_vlen(t) && !ret; i++) {
		const struct btf_member *m = &btf_members(t)[i];
		const char *raw = bel_btf_str(d->btf, m->name_off);
		uint32_t rec = (!raw || !*raw) ? anon_member_record(d, m->type) : 0;

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
		return too_deep(d);
	if (!id)
		return 0;
	t = bel_btf_type(d->btf, id);
	if (!t)
		return bad_ref(d, id);
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
		if (named(d, c)) {
			if (how & W_COMPLETE)
				return add_dep(d, c, false);
			return how & W_PROTO ? add_dep(d, c, true) : 0;
		}
		/* an anonymous record behind a typedef is the typedef's to write */
		return how & W_THROUGH ? 0 : walk_body(d, c, how & W_PROTO, depth + 1);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return named(d, c) && btf_vlen(bel_btf_type(d->btf, c)) ? add_dep(d, c, false) : 0;
	case BTF_KIND_FWD:
		if (c != id)
			return walk(d, c, how, depth + 1);
		if (!named(d, id))
			return fail(d, EINVAL, "uses type [%u], a FWD without a name", id);
		if (how & W_COMPLETE)
			return fail(d, EINVAL, "uses %s '%s' [%u] by value, but it is only declared",
				    c_kind_word(t), d->n->name[id], id);
		return how & W_PROTO ? add_dep(d, id, true) : 0;
	case BTF_KIND_TYPEDEF:
		if (!named(d, id))
			return fail(d, EINVAL, "uses type [%u], a typedef without a name", id);
		ret = add_dep(d, id, false);
		/* used by value: what the typedef stands for must be complete too */
		if (!ret && (how & W_COMPLETE))
			ret = walk(d, t->type, how | W_THROUGH, depth + 1);
		return ret;
	default:
		return not_c_type(d, id, t);
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

	word(d, c_kind_word(t));
	word(d, d->n->name[id]);
	put(d, ";\n\n");
	d->state[id] |= S_DECLARED;
	return check_out(d);
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
			ret = scope_push(d);
		if (ret)
			return ret;
		word(d, btf_kind(t) == BTF_KIND_UNION ? "union" : "struct");
		word(d, d->n->name[id]);
		put(d, " {\n");
		ret = members(d, id, 1, 0, 1);
		scope_pop(d);
		if (ret)
			return ret;
		bel_strbuf_putc(d->out, '}');
		if (d->n->info[id].flags & C_PACKED)
			put(d, " __attribute__((packed))");
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		ret = enum_body(d, id, 0);
		if (ret)
			return ret;
		break;
	case BTF_KIND_TYPEDEF:
		put(d, "typedef ");
		ret = decl(d, t->type, d->n->name[id], 0, 0, 0);
		if (ret)
			return ret;
		break;
	default:
		return 0;
	}
	put(d, ";\n\n");
	return check_out(d);
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
	ret = enum_body(d, id, 0);
	if (ret)
		return ret;
	put(d, ";\n\n");
	return check_out(d);
}

static int dump_root(struct dumper *d, uint32_t id, uint32_t depth)
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
		return define(d, c, !named(d, c));
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (!btf_vlen(ct))
			return 0;
		if (named(d, c))
			return define(d, c, false);
		return d->state[c] & S_ENUM_WRITTEN ? 0 : write_enum_alone(d, c);
	case BTF_KIND_TYPEDEF:
		if (!named(d, id))
			return fail(d, EINVAL, "a typedef without a name");
		return define(d, id, false);
	case BTF_KIND_FWD:
		if (!named(d, c))
			return fail(d, EINVAL, "a FWD without a name");
		return d->state[c] & (S_DECLARED | S_DEFINED) ? 0 : write_fwd(d, c);
	case BTF_KIND_VAR:
	case BTF_KIND_FUNC:
		return dump_root(d, t->type, depth + 1);
	case BTF_KIND_DATASEC:
		for (i = 0; i < btf_vlen(t) && !ret; i++)
			ret = dump_root(d, btf_secinfos(t)[i].type, depth + 1);
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
				if (is_qual(btf_kind(ut)) || btf_kind(ut) == BTF_KIND_PTR)
					u = ut->type;
				else if (btf_kind(ut) == BTF_KIND_ARRAY)
					u = btf_array(ut)->type;
				else
					break;
			}
			if (u && u < d->n->ntypes && !named(d, u)) {
				const struct btf_type *ut = bel_btf_type(d->btf, u);

				if ((btf_kind(ut) == BTF_KIND_ENUM || btf_kind(ut) == BTF_KIND_ENUM64) &&
				    btf_vlen(ut))
					d->state[u] |= S_ENUM_INLINE;
			}
		}
	}
}

static int dump_all(struct dumper *d)
{
	uint32_t id;
	int ret = 0;

	mark_inline_enums(d);
	for (id = 1; id < d->n->ntypes && !ret; id++) {
		const struct btf_type *t = bel_btf_type(d->btf, id);

		switch (btf_kind(t)) {
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			if (named(d, id))
				ret = define(d, id, false);
			break;
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			if (!btf_vlen(t))
				break;
			if (named(d, id))
				ret = define(d, id, false);
			else if (!(d->state[id] & (S_ENUM_INLINE | S_ENUM_WRITTEN)))
				ret = write_enum_alone(d, id);
			break;
		case BTF_KIND_TYPEDEF:
			ret = dump_root(d, id, 0);
			break;
		case BTF_KIND_FWD:
			if (c_canon(d->n, id) == id)
				ret = dump_root(d, id, 0);
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

/* ---- entry points ------------------------------------------------------------------------- */

static bool guard_ok(const char *s)
{
	struct c_pool pool = {0};
	bool ok = *s && c_sanitize(s, &pool) == s && !c_is_reserved(s);

	c_pool_free(&pool);
	return ok;
}

static void dumper_free(struct dumper *d)
{
	uint32_t i;

	free(d->state);
	free(d->stamp);
	free(d->deps);
	free(d->frames);
	for (i = 0; i < d->capscopes; i++)
		c_strmap_free(&d->scopes[i]);
	free(d->scopes);
	c_pool_free(&d->pool);
}

static int dumper_init(struct dumper *d, struct bel_btf_c_names *n, bool walks,
		       struct bel_strbuf *out, struct bel_err *err)
{
	uint32_t size;

	memset(d, 0, sizeof(*d));
	d->n = n;
	d->btf = n->btf;
	d->out = out;
	d->start = out->len;
	bel_btf_raw(n->btf, &size);
	d->limit = BEL_BTF_C_MAX_TEXT(size);
	d->err = err;
	d->state = calloc(n->ntypes, 1);
	d->stamp = walks ? calloc(n->ntypes, sizeof(*d->stamp)) : NULL;
	if (!d->state || (walks && !d->stamp)) {
		dumper_free(d);
		return bel_errf(err, ENOMEM, "out of memory writing C declarations");
	}
	return 0;
}

#define PAI_IF "#if !defined(BPF_NO_PRESERVE_ACCESS_INDEX) && defined(__clang__) && defined(__bpf__)\n"

int bel_btf_dump_c(const struct bel_btf *btf, const uint32_t *roots, uint32_t nroots,
		   const struct bel_btf_c_opts *opts, struct bel_strbuf *out, struct bel_err *err)
{
	const char *guard = BEL_OPT(opts, header_guard, NULL);
	bool pai = BEL_OPT(opts, preserve_access_index, false);
	struct bel_btf_c_names *n;
	size_t pai_at = 0, pai_len = 0;
	struct dumper d;
	uint32_t i;
	int ret;

	ret = bel_opts_check(opts, sizeof(*opts), "bel_btf_c_opts", err);
	if (ret)
		return ret;
	if (guard && !guard_ok(guard))
		return bel_errf(err, EINVAL, "bel_btf_c_opts: header guard '%s' is not a C identifier",
				guard);
	if (BEL_OPT(opts, indent, 0) > 16)
		return bel_errf(err, EINVAL, "bel_btf_c_opts: indent %u is more than 16",
				BEL_OPT(opts, indent, 0));
	ret = bel_btf_c_names_new(btf, &n, err);
	if (ret)
		return ret;
	ret = dumper_init(&d, n, true, out, err);
	if (ret) {
		bel_btf_c_names_free(n);
		return ret;
	}
	d.indent = BEL_OPT(opts, indent, 0);
	if (guard)
		bel_strbuf_printf(out, "#ifndef %s\n#define %s\n\n", guard, guard);
	if (pai) {
		pai_at = out->len;
		put(&d, PAI_IF "#pragma clang attribute push (__attribute__((preserve_access_index)), "
			"apply_to = record)\n#endif\n\n");
		pai_len = out->len - pai_at;
	}
	if (roots)
		for (i = 0, ret = 0; i < nroots && !ret; i++)
			ret = dump_root(&d, roots[i], 0);
	else
		ret = dump_all(&d);
	/* clang warns of a push that applied to no record */
	if (!ret && pai && !d.records && !out->oom) {
		memmove(out->buf + pai_at, out->buf + pai_at + pai_len, out->len - pai_at - pai_len + 1);
		out->len -= pai_len;
	} else if (!ret && pai) {
		put(&d, PAI_IF "#pragma clang attribute pop\n#endif\n\n");
	}
	if (!ret && guard)
		bel_strbuf_printf(out, "#endif /* %s */\n", guard);
	if (!ret && out->oom)
		ret = bel_errf(err, ENOMEM, "out of memory writing C declarations");
	if (ret)
		bel_strbuf_truncate(out, d.start);
	dumper_free(&d);
	bel_btf_c_names_free(n);
	return ret;
}

static int decl_named(struct bel_btf_c_names *n, uint32_t type_id, const char *name,
		      bool no_quals, struct bel_strbuf *out, struct bel_err *err)
{
	struct dumper d;
	int ret;

	if (name && *name && !guard_ok(name))
		return bel_errf(err, EINVAL, "'%s' is not a C identifier", name);
	ret = dumper_init(&d, n, false, out, err);
	if (ret)
		return ret;
	d.no_quals = no_quals;
	d.cur = type_id;
	ret = scope_push(&d);
	if (!ret)
		ret = decl(&d, type_id, name, 0, 0, 0);
	if (!ret)
		ret = check_out(&d);
	if (ret)
		bel_strbuf_truncate(out, d.start);
	dumper_free(&d);
	return ret;
}

int bel_btf_c_decl_named(struct bel_btf_c_names *n, uint32_t type_id, const char *name,
			 struct bel_strbuf *out, struct bel_err *err)
{
	return decl_named(n, type_id, name, false, out, err);
}

int bel_btf_c_decl_unqualified(struct bel_btf_c_names *n, uint32_t type_id, const char *name,
			       struct bel_strbuf *out, struct bel_err *err)
{
	return decl_named(n, type_id, name, true, out, err);
}

int bel_btf_c_decl(const struct bel_btf *btf, uint32_t type_id, const char *name,
		   struct bel_strbuf *out, struct bel_err *err)
{
	struct bel_btf_c_names *n;
	int ret = bel_btf_c_names_new(btf, &n, err);

	if (ret)
		return ret;
	ret = bel_btf_c_decl_named(n, type_id, name, out, err);
	bel_btf_c_names_free(n);
	return ret;
}
