/* SPDX-License-Identifier: MIT */
/*
 * What the CLI prints comes partly from the object and the command line (names, sections,
 * messages quoting them), so it is escaped on the way out: text never carries a control
 * character to the terminal, JSON is always valid UTF-8.
 */
#ifndef BEL_CLI_TEXT_H
#define BEL_CLI_TEXT_H

#include <stdio.h>

#include "common/strbuf.h"

/*
 * s for a terminal, as a malloc'd string (NULL when out of memory): '\n', '\t', '\r' and '\'
 * become "\n", "\t", "\r" and "\\"; other control characters (C0, DEL, and C1 in UTF-8) and
 * bytes that are not UTF-8 become "\xNN", one per byte. Everything else passes unchanged.
 */
char *cli_text_escape(const char *s);

/* s as a JSON string, quotes included: valid UTF-8 passes, each invalid byte becomes U+FFFD,
 * '"' and '\' are escaped, control characters are written as \n, \t, \r, \b, \f or \u00XX. */
void cli_json_string(FILE *f, const char *s);

/*
 * Generated C (bel gen skeleton) quotes names and paths that come from an object or a command
 * line; these are the only ways such text goes into it, so none can end the literal or comment
 * it is in, splice a line or form a trigraph. Both append to sb.
 *
 * cli_c_string: the inside of a string literal, meaning the same bytes: printable ASCII passes
 * except '"', '\' and '?' (written \", \\ and \?); every other byte becomes a three-digit
 * octal escape, which no character after it can extend.
 * cli_c_comment: text inside a comment, for a reader: printable ASCII passes except '*', '\'
 * and '?', which, as every other byte, become "\xNN", so no "*" "/" can close the comment.
 */
void cli_c_string(struct bel_strbuf *sb, const char *s);
void cli_c_comment(struct bel_strbuf *sb, const char *s);

#endif
