/* SPDX-License-Identifier: MIT */
/* C identifiers made from the names in an object (program, map, variable names), for the
 * headers bel generates. */
#ifndef BEL_CLI_C_NAMES_H
#define BEL_CLI_C_NAMES_H

#include <stdint.h>

#include "common/name_map.h"

/*
 * A set of C names. Each name asked for again gets the next free numeric suffix, found from the
 * last one given for it: n names cost n lookups, however many share a base (an object can make
 * thousands of names that differ only in bytes C cannot spell). Zeroed, a set is empty.
 */
struct cli_c_names {
	struct bel_name_map index;  /* name -> its slot in next; names are the caller's */
	uint32_t *next;             /* per name: the suffix to try next for it */
	uint32_t n, cap;
};

void cli_c_names_free(struct cli_c_names *set);
/* name as a C identifier, unique in set (NULL: the skeleton's own name) and not `avoid`
 * (c_names.c says how); NULL when out of memory. Caller frees. */
char *cli_c_identifier(const char *name, struct cli_c_names *set, const char *avoid);

#endif
