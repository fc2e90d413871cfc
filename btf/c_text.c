/* SPDX-License-Identifier: MIT */
/*
 * BTF to C, the writer's text: messages that name the type being written, words and
 * punctuation spaced as C wants them, indentation, and the member-name scopes of nested
 * records.
 */
#include "c_writer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- messages --------------------------------------------------------------------------- */

int c_fail(struct dumper *d, int errnum, const char *fmt, ...)
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

int c_bad_ref(struct dumper *d, uint32_t id)
{
	return c_fail(d, EINVAL, "refers to type [%u], but only %u types exist", id, d->n->ntypes);
}

int c_too_deep(struct dumper *d)
{
	return c_fail(d, ELOOP, "types nest deeper than %u (a cycle?)", BEL_BTF_C_MAX_NEST);
}

int c_not_c_type(struct dumper *d, uint32_t id, const struct btf_type *t)
{
	return c_fail(d, EINVAL, "uses type [%u] %s, which is not a C type", id,
		      bel_btf_kind_name(btf_kind(t)));
}

int c_check_out(struct dumper *d)
{
	if (d->out->oom)
		return bel_errf(d->err, ENOMEM, "out of memory writing C declarations");
	if (d->out->len - d->start > d->limit)
		return c_fail(d, E2BIG, "the C text would pass %zu bytes", d->limit);
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

void c_put(struct dumper *d, const char *s)
{
	bel_strbuf_puts(d->out, s);
}

/* A word, spaced from the word before it. */
void c_word(struct dumper *d, const char *s)
{
	if (word_end(last_char(d)))
		bel_strbuf_putc(d->out, ' ');
	bel_strbuf_puts(d->out, s);
}

/* '*' or a grouping '(' after a type: "int *p", "int (*p)[4]", "int **p". */
void c_punct(struct dumper *d, char c)
{
	if (word_end(last_char(d)))
		bel_strbuf_putc(d->out, ' ');
	bel_strbuf_putc(d->out, c);
}

void c_indent(struct dumper *d, uint32_t lvl)
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

int c_scope_push(struct dumper *d)
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

void c_scope_pop(struct dumper *d)
{
	d->nscopes--;
}

/* A member's name, unique in its record; "__anon<index>" for one without a name. The scope
 * keeps the pointer: a name made here lives in the pool. */
const char *c_member_name(struct dumper *d, const char *raw, uint32_t index)
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

bool c_named(const struct dumper *d, uint32_t id)
{
	return d->n->name[id] != NULL;
}

