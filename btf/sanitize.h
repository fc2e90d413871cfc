/* SPDX-License-Identifier: MIT */
/*
 * Older kernels refuse BTF kinds and flags they do not know. Rewrite what the running kernel
 * lacks into what it takes, record for record in place (each replacement has the same size),
 * so type ids stay valid: FLOAT -> empty struct of the same size, DECL_TAG -> 1-byte int,
 * TYPE_TAG -> const, ENUM64 -> union (needs an int), VAR -> int and DATASEC -> struct (no
 * global data in BTF before 5.2), global FUNC -> static (before 5.6). Pure.
 */
#ifndef BEL_BTF_SANITIZE_H
#define BEL_BTF_SANITIZE_H

#include "btf.h"

enum bel_btf_feature {
	BEL_BTF_HAS_DATASEC = 1 << 0,     /* VAR, DATASEC (5.2) */
	BEL_BTF_HAS_FUNC_GLOBAL = 1 << 1, /* FUNC linkage global (5.6) */
	BEL_BTF_HAS_FLOAT = 1 << 2,       /* 5.13 */
	BEL_BTF_HAS_DECL_TAG = 1 << 3,    /* 5.16 */
	BEL_BTF_HAS_TYPE_TAG = 1 << 4,    /* 5.17 */
	BEL_BTF_HAS_ENUM64 = 1 << 5,      /* 6.0 */
	BEL_BTF_HAS_ALL = (1 << 6) - 1,
};

/* Rewrite btf (owned, writable) for a kernel with these features; returns the number of
 * types rewritten, or -errno (an ENUM64 to rewrite, but no 32-bit int to use). */
int bel_btf_sanitize(struct bel_btf *btf, unsigned int features, struct bel_err *err);

#endif
