/* SPDX-License-Identifier: MIT */
/* bel gen skeleton: what it knows of the object while it writes the header (gen_skeleton.c),
 * and the header's calls (gen_skeleton_calls.c). */
#ifndef BEL_CLI_GEN_SKELETON_H
#define BEL_CLI_GEN_SKELETON_H

#include "bel/bel.h"
#include "btf/c_dump.h"
#include "common/strbuf.h"

/* One global data section with a struct: its map and its variables. */
struct section {
	struct bel_map *map;
	unsigned int map_index;
	char *field;            /* "rodata", "bss", "data_custom" */
	unsigned int first, count; /* of the object's variables (bel_object_var), by offset */
};

struct skel {
	struct bel_object *obj;
	struct bel_btf *btf;
	struct bel_btf_c_names *names;
	const char *name;       /* the skeleton's C name */
	const char *obj_name;   /* the object's name, as bel names its maps */
	char **progs, **maps;   /* C names, by index */
	struct section *secs;
	unsigned int nsecs;
	struct bel_strbuf out;
};

/* The types of the global variables, then one struct per section (gen_skeleton_data.c). */
int cli_skel_put_sections(struct skel *sk, struct bel_err *err);

/* The header's inline functions: open, load, attach and destroy the whole object or one
 * program, and the section pointers' move to the live maps. */
void cli_skel_put_calls(struct skel *sk);

#endif
