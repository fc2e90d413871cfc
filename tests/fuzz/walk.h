/* SPDX-License-Identifier: MIT */
#ifndef BEL_TESTS_FUZZ_WALK_H
#define BEL_TESTS_FUZZ_WALK_H

#include "btf/btf.h"
#include "btf/ext.h"
#include "fuzz.h"

/* Every type of a parsed blob through the lookup functions, with their promises checked. */
void fuzz_walk_btf(const struct bel_btf *btf);
/* Every section and record of a parsed .BTF.ext. */
void fuzz_walk_ext(const struct bel_btf_ext *ext);

#endif
