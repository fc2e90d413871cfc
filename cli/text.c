/* SPDX-License-Identifier: MIT */
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The code point at s and its length in bytes (1 to 4), or 0 when s does not start with
 * well-formed UTF-8 (overlong forms, surrogates and values past U+10FFFF included). */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
	size_t len, i;
	uint32_t v, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, v = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, v = s[0] & 0x0f, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, v = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) /* a NUL stops here too */
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

static int is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

char *cli_text_escape(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), n = 0;
	char *out;

	/* at most four bytes out ("\xNN") for every byte in */
	if (len > (SIZE_MAX - 1) / 4)
		return NULL;
	out = malloc(len * 4 + 1);
	if (!out)
		return NULL;
	while (*p) {
		uint32_t cp = 0;
		size_t step = utf8_next(p, &cp), i;

		if (step && !is_control(cp) && cp != '\\') {
			memcpy(out + n, p, step);
			n += step;
		} else if (step && (cp == '\n' || cp == '\t' || cp == '\r' || cp == '\\')) {
			out[n++] = '\\';
			out[n++] = cp == '\n' ? 'n' : cp == '\t' ? 't' : cp == '\r' ? 'r' : '\\';
		} else {
			static const char hex[] = "0123456789abcdef";

			if (!step)
				step = 1;
			for (i = 0; i < step; i++) {
				out[n++] = '\\';
				out[n++] = 'x';
				out[n++] = hex[p[i] >> 4];
				out[n++] = hex[p[i] & 15];
			}
		}
		p += step;
	}
	out[n] = '\0';
	return out;
}

void cli_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', f);
	while (*p) {
		uint32_t cp = 0;
		size_t step = utf8_next(p, &cp);

		if (!step) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		if (cp == '"' || cp == '\\')
			fprintf(f, "\\%c", (char)cp);
		else if (cp == '\n')
			fputs("\\n", f);
		else if (cp == '\t')
			fputs("\\t", f);
		else if (cp == '\r')
			fputs("\\r", f);
		else if (cp == '\b')
			fputs("\\b", f);
		else if (cp == '\f')
			fputs("\\f", f);
		else if (is_control(cp))
			fprintf(f, "\\u%04x", (unsigned int)cp);
		else
			fwrite(p, 1, step, f);
		p += step;
	}
	fputc('"', f);
}

static int printable_ascii(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

void cli_c_string(struct bel_strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p == '"' || *p == '\\' || *p == '?') {
			bel_strbuf_putc(sb, '\\');
			bel_strbuf_putc(sb, (char)*p);
		} else if (printable_ascii(*p)) {
			bel_strbuf_putc(sb, (char)*p);
		} else {
			bel_strbuf_printf(sb, "\\%03o", *p);
		}
	}
}

void cli_c_comment(struct bel_strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (printable_ascii(*p) && *p != '*' && *p != '\\' && *p != '?')
			bel_strbuf_putc(sb, (char)*p);
		else
			bel_strbuf_printf(sb, "\\x%02x", *p);
	}
}
