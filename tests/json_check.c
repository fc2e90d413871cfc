/* SPDX-License-Identifier: MIT */
/*
 * json_check [KEY] < FILE: whether FILE is one JSON value (RFC 8259: strict grammar, valid UTF-8,
 * no raw control characters in strings), with nothing but whitespace after it. With KEY, prints
 * the text of that member of the top-level object. Exit 0 when valid, 1 (and why) when not.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (64u << 20)
#define MAX_DEPTH 64

struct parser {
	const unsigned char *s;
	size_t len, pos;
	const char *why;
	const char *key;        /* the top-level member to print */
	int depth;
};

static bool fail(struct parser *p, const char *why)
{
	if (!p->why)
		p->why = why;
	return false;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]))
		p->pos++;
}

static bool literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n))
		return fail(p, "bad literal");
	p->pos += n;
	return true;
}

/* One UTF-8 sequence at pos (well-formed: no overlongs, surrogates or values past U+10FFFF). */
static bool utf8(struct parser *p)
{
	const unsigned char *c = p->s + p->pos;
	size_t n, i, left = p->len - p->pos;
	uint32_t v, min;

	if (c[0] < 0x80) {
		p->pos++;
		return true;
	}
	if ((c[0] & 0xe0) == 0xc0)
		n = 2, v = c[0] & 0x1f, min = 0x80;
	else if ((c[0] & 0xf0) == 0xe0)
		n = 3, v = c[0] & 0x0f, min = 0x800;
	else if ((c[0] & 0xf8) == 0xf0)
		n = 4, v = c[0] & 0x07, min = 0x10000;
	else
		return fail(p, "invalid UTF-8");
	if (left < n)
		return fail(p, "truncated UTF-8");
	for (i = 1; i < n; i++) {
		if ((c[i] & 0xc0) != 0x80)
			return fail(p, "invalid UTF-8");
		v = v << 6 | (c[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return fail(p, "invalid UTF-8");
	p->pos += n;
	return true;
}

static bool string(struct parser *p)
{
	p->pos++; /* the quote */
	while (p->pos < p->len) {
		unsigned char c = p->s[p->pos];

		if (c == '"') {
			p->pos++;
			return true;
		}
		if (c < 0x20)
			return fail(p, "raw control character in a string");
		if (c == '\\') {
			if (++p->pos >= p->len)
				break;
			c = p->s[p->pos];
			if (c == 'u') {
				size_t i;

				for (i = 1; i <= 4; i++)
					if (p->pos + i >= p->len || !strchr("0123456789abcdefABCDEF",
									    p->s[p->pos + i]) || !p->s[p->pos + i])
						return fail(p, "bad \\u escape");
				p->pos += 5;
			} else if (strchr("\"\\/bfnrt", c) && c) {
				p->pos++;
			} else {
				return fail(p, "bad escape");
			}
			continue;
		}
		if (!utf8(p))
			return false;
	}
	return fail(p, "unterminated string");
}

static bool digits(struct parser *p)
{
	size_t start = p->pos;

	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
		p->pos++;
	return p->pos > start || fail(p, "bad number");
}

static bool number(struct parser *p)
{
	if (p->s[p->pos] == '-')
		p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '0')
		p->pos++;
	else if (!digits(p))
		return false;
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		if (!digits(p))
			return false;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (!digits(p))
			return false;
	}
	return true;
}

static bool value(struct parser *p);

/* An object or an array; at the top level, KEY's value is printed. */
static bool container(struct parser *p, bool object)
{
	bool top = p->depth == 0;
	char close = object ? '}' : ']';

	if (++p->depth > MAX_DEPTH)
		return fail(p, "nested too deep");
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		p->depth--;
		return true;
	}
	for (;;) {
		bool print = false;
		size_t start;

		skip_ws(p);
		if (object) {
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return fail(p, "object member without a string key");
			start = p->pos;
			if (!string(p))
				return false;
			print = top && p->key && p->pos - start == strlen(p->key) + 2 &&
				!memcmp(p->s + start + 1, p->key, strlen(p->key));
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':')
				return fail(p, "':' missing");
			p->pos++;
			skip_ws(p);
		}
		start = p->pos;
		if (!value(p))
			return false;
		if (print)
			printf("%.*s\n", (int)(p->pos - start), (const char *)p->s + start);
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			p->depth--;
			return true;
		}
		return fail(p, object ? "',' or '}' missing" : "',' or ']' missing");
	}
}

static bool value(struct parser *p)
{
	skip_ws(p);
	if (p->pos >= p->len)
		return fail(p, "value missing");
	switch (p->s[p->pos]) {
	case '{': return container(p, true);
	case '[': return container(p, false);
	case '"': return string(p);
	case 't': return literal(p, "true");
	case 'f': return literal(p, "false");
	case 'n': return literal(p, "null");
	default:
		if (p->s[p->pos] == '-' || (p->s[p->pos] >= '0' && p->s[p->pos] <= '9'))
			return number(p);
		return fail(p, "not a JSON value");
	}
}

int main(int argc, char **argv)
{
	static unsigned char buf[MAX_INPUT];
	struct parser p = {.s = buf, .key = argc > 1 ? argv[1] : NULL};

	p.len = fread(buf, 1, sizeof(buf), stdin);
	if (p.len == sizeof(buf)) {
		fprintf(stderr, "json_check: input larger than %u bytes\n", MAX_INPUT);
		return 1;
	}
	if (value(&p)) {
		skip_ws(&p);
		if (p.pos == p.len)
			return 0;
		fail(&p, "more after the value");
	}
	fprintf(stderr, "json_check: not JSON: %s at byte %zu\n", p.why, p.pos);
	return 1;
}
