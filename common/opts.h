/* SPDX-License-Identifier: MIT */
/*
 * Options structs start with `size_t sz`, the size of the struct the caller was built with. A
 * field is read only when that struct holds it (else the fallback), so callers built against an
 * older header keep working; bytes past what this version knows must be zero.
 */
#ifndef BEL_COMMON_OPTS_H
#define BEL_COMMON_OPTS_H

#include <stddef.h>

#include "common/err.h"

#define BEL_OPT(opts, field, fallback)                                                          \
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field)   \
		 ? (opts)->field : (fallback))
int bel_opts_check(const void *opts, size_t known_size, const char *what, struct bel_err *err);

/*
 * Structs bel fills for the caller start with `size_t sz` too, set by the caller: how many bytes
 * bel may write there (its sz, at most known_size), or -EINVAL with a message when out is NULL
 * or its sz cannot even hold sz. The filler builds a whole struct, sets its sz to that many and
 * copies that many bytes.
 */
int bel_out_size(const void *out, size_t known_size, const char *what, struct bel_err *err);

#endif
