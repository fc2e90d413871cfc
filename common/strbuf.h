/* SPDX-License-Identifier: MIT */
/*
 * A growing text buffer. Always NUL-terminated once anything was appended. An append that
 * cannot allocate returns -ENOMEM and sets `oom`, after which every append fails the same way,
 * so a writer may append a run of pieces and check once.
 */
#ifndef BEL_COMMON_STRBUF_H
#define BEL_COMMON_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct bel_strbuf {
	char *buf;      /* NULL until the first append */
	size_t len;     /* bytes of text, not counting the NUL */
	size_t cap;
	bool oom;
};

#define BEL_STRBUF_INIT {0}

int bel_strbuf_append(struct bel_strbuf *sb, const char *s, size_t n);
int bel_strbuf_puts(struct bel_strbuf *sb, const char *s);
int bel_strbuf_putc(struct bel_strbuf *sb, char c);
int bel_strbuf_printf(struct bel_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Drop everything after the first len bytes (len <= sb->len). */
void bel_strbuf_truncate(struct bel_strbuf *sb, size_t len);
/* The text, now the caller's to free (never NULL unless out of memory: an empty buffer gives
 * ""); the buffer is left empty. *len gets its length when len is not NULL. */
char *bel_strbuf_take(struct bel_strbuf *sb, size_t *len);
void bel_strbuf_free(struct bel_strbuf *sb);

#endif
