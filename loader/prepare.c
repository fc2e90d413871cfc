/* SPDX-License-Identifier: MIT */
/*
 * The prepare step: what depends on the target kernel is resolved once per program, before
 * its first load: CO-RE against the running kernel's BTF (or a BTF file given at open).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "reloc/core.h"

/* The target BTF: a file given at open, else the running kernel's (shared, indexed once). */
static const struct bel_btf *target_btf(struct bel_object *obj, struct bel_err *err)
{
	const struct bel_btf *btf;

	pthread_mutex_lock(&obj->lock);
	if (obj->target_btf || !obj->target_btf_path) {
		btf = obj->target_btf;
		pthread_mutex_unlock(&obj->lock);
		return btf ? btf : bel_kernel_btf(err);
	}
	if (!obj->target_btf_err.code) {
		size_t size = 0;
		void *raw = bel_read_file(obj->target_btf_path, &size);
		struct bel_btf *parsed = NULL;

		if (!raw)
			bel_errf(&obj->target_btf_err, errno ? errno : EINVAL, "cannot read BTF file %s",
				 obj->target_btf_path);
		else if (!bel_btf_parse(raw, size, NULL, true, &parsed, &obj->target_btf_err) &&
			 !bel_btf_index_names(parsed, &obj->target_btf_err))
			obj->target_btf = parsed;
		else {
			bel_btf_free(parsed);
			bel_err_prefix(&obj->target_btf_err, "target BTF %s", obj->target_btf_path);
		}
		free(raw);
	}
	btf = obj->target_btf;
	if (!btf)
		*err = obj->target_btf_err;
	pthread_mutex_unlock(&obj->lock);
	return btf;
}

int bel_obj_targets(struct bel_object *obj, struct bel_core_target *targets, struct bel_err *err)
{
	const struct bel_btf *btf = target_btf(obj, err);

	if (!btf)
		return err->code;
	targets[0].btf = btf;
	targets[0].name = obj->target_btf_path ? obj->target_btf_path : "vmlinux";
	return 1;
}

int bel_prog_prepare(struct bel_program *prog, struct bel_err *err)
{
	struct bel_prog_def *def = (struct bel_prog_def *)prog->def; /* the one mutation of the spec */
	struct bel_core_target targets[1];
	struct bel_spec one;
	int n;

	/* externs first: the .kconfig map's contents must be known before a program creates it */
	n = bel_prog_apply_externs(prog, err);
	if (n)
		return n;
	if (!def->core_relo_cnt || def->core_applied)
		return 0;
	n = bel_obj_targets(prog->obj, targets, err);
	if (n < 0)
		return bel_err_prefix(err, "%u CO-RE relocations need a target BTF", def->core_relo_cnt);
	/* apply to this program only: a view of the spec holding just it */
	one = *prog->obj->spec;
	one.progs = def;
	one.nprogs = 1;
	return bel_spec_apply_core(&one, targets, n, err);
}
