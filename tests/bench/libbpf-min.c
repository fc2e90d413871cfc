/* SPDX-License-Identifier: MIT */
/*
 * libbpf-min: the smallest useful loader built on libbpf, linked with libbpf.a, as the size
 * reference for bel's CLI (which links libbel statically). Opens an object, loads it and
 * optionally pins its maps and programs under DIR.
 *
 *   libbpf-min OBJ [DIR]
 */
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	int err;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s OBJ [PIN_DIR]\n", argv[0]);
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "%s: open failed\n", argv[1]);
		return 1;
	}
	err = bpf_object__load(obj);
	if (!err && argc == 3)
		err = bpf_object__pin(obj, argv[2]);
	if (err)
		fprintf(stderr, "%s: %s\n", argv[1], strerror(-err));
	bpf_object__close(obj);
	return err ? 1 : 0;
}
