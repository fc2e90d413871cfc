/* SPDX-License-Identifier: MIT */
#include "strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for `more` bytes plus the NUL. */
static int reserve(struct bel_strbuf *sb, size_t more)
{
	size_t want, cap;
	char *grown;

	if (sb->oom)
		return -ENOMEM;
	if (more >= SIZE_MAX / 2 - sb->len) {
		sb->oom = true;
		return -ENOMEM;
	}
	want = sb->len + more + 1;
	if (want <= sb->cap)
		return 0;
	cap = sb->cap ? sb->cap : 256;
	while (cap < want)
		cap *= 2;
	grown = realloc(sb->buf, cap);
	if (!grown) {
		sb->oom = true;
		return -ENOMEM;
	}
	sb->buf = grown;
	sb->cap = cap;
	return 0;
}

int bel_strbuf_append(struct bel_strbuf *sb, const char *s, size_t n)
{
	if (reserve(sb, n))
		return -ENOMEM;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return 0;
}

int bel_strbuf_puts(struct bel_strbuf *sb, const char *s)
{
	return bel_strbuf_append(sb, s, strlen(s));
}

int bel_strbuf_putc(struct bel_strbuf *sb, char c)
{
	return bel_strbuf_append(sb, &c, 1);
}

int bel_strbuf_printf(struct bel_strbuf *sb, const char *fmt, ...)
{
	char small[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->oom = true;
		return -ENOMEM;
	}
	if ((size_t)n < sizeof(small))
		return bel_strbuf_append(sb, small, (size_t)n);
	if (reserve(sb, (size_t)n))
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
	return 0;
}

void bel_strbuf_truncate(struct bel_strbuf *sb, size_t len)
{
	if (len < sb->len) {
		sb->len = len;
		sb->buf[len] = '\0';
	}
}

char *bel_strbuf_take(struct bel_strbuf *sb, size_t *len)
{
	char *s;

	if (sb->oom) {
		bel_strbuf_free(sb);
		return NULL;
	}
	s = sb->buf ? sb->buf : strdup("");
	if (len)
		*len = s ? sb->len : 0;
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return s;
}

void bel_strbuf_free(struct bel_strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	sb->oom = false;
}
