/* SPDX-License-Identifier: MIT */
/*
 * A program built the way a user of the installed library builds one: only <bel/bel.h>, linked
 * against libbel (shared or static) as pkg-config says. It opens an object (no kernel needed)
 * and prints its programs and global variables. Used in the tree (suite unit) and by
 * tests/dist/install.sh against an installed copy.
 */
#include <stdio.h>
#include <string.h>

#include <bel/bel.h>

int main(int argc, char **argv)
{
	struct bel_open_opts opts = {.sz = sizeof(opts)};
	struct bel_object *obj;
	unsigned int i;
	char header[32];

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJ\n", argv[0]);
		return 2;
	}
	/* the header this was built with and the library it runs with agree */
	snprintf(header, sizeof(header), "%d.%d.%d", BEL_VERSION_MAJOR, BEL_VERSION_MINOR,
		 BEL_VERSION_PATCH);
	if (strcmp(header, bel_version())) {
		fprintf(stderr, "header %s, library %s\n", header, bel_version());
		return 1;
	}
	if (bel_object_open_file(argv[1], &opts, &obj)) {
		fprintf(stderr, "%s\n", bel_thread_error());
		return 1;
	}
	printf("bel %s: object %s: %u programs, %u maps\n", bel_version(), bel_object_name(obj),
	       bel_object_program_count(obj), bel_object_map_count(obj));
	for (i = 0; i < bel_object_program_count(obj); i++) {
		const struct bel_program *p = bel_object_program(obj, i);

		printf("prog %s %s\n", bel_program_name(p), bel_program_section(p));
	}
	for (i = 0; i < bel_object_var_count(obj); i++) {
		struct bel_var_info v = {.sz = sizeof(v)};

		if (bel_object_var(obj, i, &v) == 0)
			printf("var %s %s %u\n", v.section, v.name, v.size);
	}
	i = bel_object_program_count(obj);
	bel_object_close(obj);
	return i ? 0 : 1;
}
