/* SPDX-License-Identifier: MIT */
/*
 * A command's result, written once and rendered as text or as JSON.
 *
 * A command walks what it reports and calls these; each call gives both renderings: a JSON key
 * (NULL: not in JSON) and a text format (NULL: not in text) with one conversion for the value.
 * Text: a record is a line (a record whose text is not NULL starts a new one; one whose text is
 * NULL continues its parent's), list items are separated by a space. JSON: records are objects,
 * lists arrays, the whole result one object on one line (the caller opens and closes it).
 * Strings are escaped on the way out (text.h): names in them come from objects.
 */
#ifndef BEL_CLI_OUT_H
#define BEL_CLI_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct cli_out;

/* A writer to f (freed with free()). */
struct cli_out *cli_out_new(FILE *f, bool json);
bool cli_out_json(const struct cli_out *o);
/* Close every record and list still open inside the top level. */
void cli_out_close_all(struct cli_out *o);

void cli_out_begin(struct cli_out *o, const char *key, const char *text);
void cli_out_end(struct cli_out *o);
void cli_out_list(struct cli_out *o, const char *key, const char *text);
void cli_out_list_end(struct cli_out *o, const char *text);

/* value NULL: JSON null, nothing in text */
void cli_out_str(struct cli_out *o, const char *key, const char *text, const char *value);
void cli_out_uint(struct cli_out *o, const char *key, const char *text, uint64_t value);
void cli_out_int(struct cli_out *o, const char *key, const char *text, int64_t value);
/* text is printed only when value is true */
void cli_out_bool(struct cli_out *o, const char *key, const char *text, bool value);
/* JSON: the value with three decimals */
void cli_out_double(struct cli_out *o, const char *key, const char *text, double value);
/* Text only, as printf; escaped as a whole. */
void cli_out_text(struct cli_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
