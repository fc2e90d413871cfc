/* SPDX-License-Identifier: MIT */
#include "out.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Deeper than any result bel writes; deeper calls are dropped rather than overflow. */
#define MAX_DEPTH 16

struct level {
	bool list;              /* JSON array / text list (items separated by a space) */
	bool any;               /* something written in it: a comma (JSON) or a space (text) next */
	bool line;              /* text: it started a line of its own */
	bool transparent;       /* JSON: no container (a keyless record in an object) */
};

struct cli_out {
	FILE *f;
	bool json;
	bool line_open;         /* text: the current line has text and no newline yet */
	unsigned int depth;
	struct level lv[MAX_DEPTH];
};

struct cli_out *cli_out_new(FILE *f, bool json)
{
	struct cli_out *o = calloc(1, sizeof(*o));

	if (o) {
		o->f = f;
		o->json = json;
	}
	return o;
}

bool cli_out_json(const struct cli_out *o)
{
	return o->json;
}

static struct level *top(struct cli_out *o)
{
	return o->depth ? &o->lv[o->depth - 1] : NULL;
}

/* Whether a keyed/keyless value goes into the JSON here: items in lists, keyed members in
 * objects. */
static bool json_wants(struct cli_out *o, const char *key)
{
	struct level *l = top(o);

	return o->json && (!l || l->list ? true : key != NULL);
}

/* The comma and the key before a JSON value. */
static void json_lead(struct cli_out *o, const char *key)
{
	unsigned int d = o->depth;
	struct level *l;

	/* a transparent level's members belong to the object around it */
	while (d && o->lv[d - 1].transparent)
		d--;
	l = d ? &o->lv[d - 1] : NULL;
	if (l && l->any)
		fputc(',', o->f);
	if (l)
		l->any = true;
	if (l && !l->list) {
		cli_json_string(o->f, key);
		fputc(':', o->f);
	}
}

/* The space between text list items; the newline before a record of its own line. */
static void text_lead(struct cli_out *o)
{
	struct level *l = top(o);

	if (l && l->list) {
		if (l->any)
			fputc(' ', o->f);
		l->any = true;
	}
}

static void text_print(struct cli_out *o, const char *s)
{
	if (*s) {
		fputs(s, o->f);
		o->line_open = true;
	}
}

static void push(struct cli_out *o, bool list, bool line, bool transparent)
{
	if (o->depth < MAX_DEPTH)
		o->lv[o->depth] = (struct level){.list = list, .line = line, .transparent = transparent};
	o->depth++;
}

void cli_out_begin(struct cli_out *o, const char *key, const char *text)
{
	bool transparent = false;

	if (o->json) {
		struct level *l = top(o);

		transparent = l && !l->list && !l->transparent && !key;
		if (!transparent) {
			json_lead(o, key);
			fputc('{', o->f);
		}
	} else if (text) {
		if (o->line_open)
			fputc('\n', o->f);
		o->line_open = false;
		text_print(o, text);
	} else {
		text_lead(o);
	}
	push(o, false, text != NULL, transparent);
}

void cli_out_end(struct cli_out *o)
{
	struct level l;

	if (!o->depth)
		return;
	l = o->lv[--o->depth < MAX_DEPTH ? o->depth : MAX_DEPTH - 1];
	if (o->json && !l.transparent)
		fputc('}', o->f);
	if (!o->json && l.line && o->line_open) {
		fputc('\n', o->f);
		o->line_open = false;
	}
}

void cli_out_list(struct cli_out *o, const char *key, const char *text)
{
	if (o->json) {
		json_lead(o, key);
		fputc('[', o->f);
	} else if (text) {
		text_lead(o);
		text_print(o, text);
	}
	push(o, true, false, false);
}

void cli_out_list_end(struct cli_out *o, const char *text)
{
	if (!o->depth)
		return;
	o->depth--;
	if (o->json)
		fputc(']', o->f);
	else if (text)
		text_print(o, text);
}

void cli_out_close_all(struct cli_out *o)
{
	while (o->depth > 1) {
		if (o->lv[o->depth - 1].list)
			cli_out_list_end(o, NULL);
		else
			cli_out_end(o);
	}
}

/* Text: fmt with one conversion, already given its value as a string. */
static void text_field(struct cli_out *o, const char *fmt, const char *value)
{
	text_lead(o);
	if (*fmt || *value) {
		fprintf(o->f, fmt, value);
		o->line_open = true;
	}
}

void cli_out_str(struct cli_out *o, const char *key, const char *text, const char *value)
{
	if (json_wants(o, key)) {
		json_lead(o, key);
		if (value)
			cli_json_string(o->f, value);
		else
			fputs("null", o->f);
	} else if (!o->json && text && value) {
		char *e = cli_text_escape(value);

		text_field(o, text, e ? e : "(out of memory)");
		free(e);
	}
}

void cli_out_uint(struct cli_out *o, const char *key, const char *text, uint64_t value)
{
	if (json_wants(o, key)) {
		json_lead(o, key);
		fprintf(o->f, "%llu", (unsigned long long)value);
	} else if (!o->json && text) {
		text_lead(o);
		fprintf(o->f, text, (unsigned long long)value);
		o->line_open = true;
	}
}

void cli_out_int(struct cli_out *o, const char *key, const char *text, int64_t value)
{
	if (json_wants(o, key)) {
		json_lead(o, key);
		fprintf(o->f, "%lld", (long long)value);
	} else if (!o->json && text) {
		text_lead(o);
		fprintf(o->f, text, (long long)value);
		o->line_open = true;
	}
}

void cli_out_bool(struct cli_out *o, const char *key, const char *text, bool value)
{
	if (json_wants(o, key)) {
		json_lead(o, key);
		fputs(value ? "true" : "false", o->f);
	} else if (!o->json && text && value) {
		text_lead(o);
		text_print(o, text);
	}
}

void cli_out_double(struct cli_out *o, const char *key, const char *text, double value)
{
	if (json_wants(o, key)) {
		json_lead(o, key);
		fprintf(o->f, "%.3f", value);
	} else if (!o->json && text) {
		text_lead(o);
		fprintf(o->f, text, value);
		o->line_open = true;
	}
}

void cli_out_text(struct cli_out *o, const char *fmt, ...)
{
	char *msg = NULL, *e;
	va_list ap;
	int n;

	if (o->json)
		return;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	e = cli_text_escape(msg);
	text_field(o, "%s", e ? e : "(out of memory)");
	free(e);
	free(msg);
}
