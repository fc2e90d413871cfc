/* SPDX-License-Identifier: MIT */
/*
 * Names that become paths: pins (the object's directory, its maps, programs and links), maps
 * pinned by name, tracepoint categories and names in tracefs. Each is checked here, by one
 * rule, before bel builds a path from it: the name is one path component (not empty, not "."
 * or "..", no '/'), holds no control character (bytes below 0x20 and 0x7f), and fits in
 * NAME_MAX (255 bytes) with whatever suffix bel appends ("_1" for a program's second link).
 * Pure: no syscalls.
 */
#ifndef BEL_LOADER_PIN_NAMES_H
#define BEL_LOADER_PIN_NAMES_H

#include <stddef.h>

#include "common/err.h"

#define BEL_NAME_MAX 255 /* NAME_MAX */
#define BEL_NAME_RULE "a name that becomes a path must be one path component: not empty, not " \
		      "'.' or '..', no '/', no control characters, at most 255 bytes (NAME_MAX) " \
		      "with any suffix bel adds"

/* 0 if name (plus suffix_len bytes bel appends) may become a path component; else -EINVAL
 * (-ENAMETOOLONG for the length) and err names the rule that failed. */
int ldr_name_check(const char *name, size_t suffix_len, struct bel_err *err);

/* name for a message: control characters and '\' written as \xNN, long names cut to fit out
 * (ending in "..."). Returns out. */
const char *ldr_name_quote(const char *name, char *out, size_t size);

#endif
