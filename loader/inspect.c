/* SPDX-License-Identifier: MIT */
/* How CO-RE relocations and externs resolve against the target, without loading anything. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "reloc/core.h"
#include "reloc/externs.h"

int bel_program_core_report(const struct bel_program *prog, struct bel_core_report *out,
			    unsigned int max)
{
	struct bel_object *obj = prog->obj;
	struct bel_core_target targets[1];
	struct bel_core_applied *applied = NULL;
	struct bel_err err = {0};
	size_t stride = 0;
	uint32_t i;
	int n;

	if (max) {
		/* the caller's element size is the array's stride: an older caller's is smaller */
		n = bel_out_size(out, sizeof(*out), "bel_core_report", &err);
		if (n < 0)
			goto fail;
		stride = out->sz;
	}
	if (prog->def->core_relo_cnt > INT_MAX) {
		bel_errf(&err, E2BIG, "%u CO-RE relocations", prog->def->core_relo_cnt);
		goto fail;
	}
	if (!prog->def->core_relo_cnt)
		return 0;
	n = ldr_obj_targets(obj, targets, &err);
	if (n < 0)
		goto fail;
	if (bel_prog_core_resolve(obj->spec, prog->def, targets, n, &applied, &err))
		goto fail;
	for (i = 0; i < prog->def->core_relo_cnt && i < max; i++) {
		const struct bel_core_applied *a = &applied[i];
		struct bel_core_report rep = {0};

		rep.sz = stride < sizeof(rep) ? stride : sizeof(rep);
		rep.insn = a->insn;
		rep.kind = bel_core_kind_name(a->relo.kind);
		snprintf(rep.what, sizeof(rep.what), "%s", a->res.what);
		rep.poisoned = a->res.poison || a->res.fail_memsz_adjust;
		rep.local_value = a->res.orig_val;
		rep.target_value = a->res.new_val;
		rep.candidates = a->res.candidates;
		rep.matched = a->res.matched;
		rep.target_type_id = a->res.target_type_id;
		memcpy((char *)out + i * stride, &rep, rep.sz);
	}
	free(applied);
	return (int)prog->def->core_relo_cnt;
fail:
	bel_err_prefix(&err, "object '%s': prog '%s' (%s)", obj->spec->obj_name, prog->def->name,
		       prog->def->sec_name);
	return ldr_obj_fail(obj, &err);
}

unsigned int bel_object_extern_count(const struct bel_object *obj)
{
	return obj->spec->nexterns;
}

int bel_object_extern(struct bel_object *obj, unsigned int i, struct bel_extern_info *out)
{
	static const char *const kinds[] = {"kconfig", "ksym", "kfunc"};
	struct bel_extern_info res = {0}, *info = &res;
	const struct bel_extern *ext;
	const struct bel_err *why;
	struct bel_err err = {0};
	int n = bel_out_size(out, sizeof(res), "bel_extern_info", &err);

	if (n < 0) {
		bel_err_prefix(&err, "object '%s'", obj->spec->obj_name);
		return ldr_obj_fail(obj, &err);
	}
	if (i >= obj->spec->nexterns)
		return -ENOENT;
	ext = &obj->spec->externs[i];
	res.sz = (size_t)n;
	info->name = ext->name;
	info->kind = kinds[ext->kind];
	info->weak = ext->weak;
	info->typeless = ext->kind == BEL_EXTERN_KSYM_VAR && !ext->btf_type_id;
	if (ldr_obj_resolve_externs(obj, &err)) {
		snprintf(info->error, sizeof(info->error), "%s", err.msg);
		goto done;
	}
	why = ext->kind == BEL_EXTERN_KCONFIG ? &obj->target.kconfig_err : &obj->target.ksym_errs[i];
	if (why->code) {
		snprintf(info->error, sizeof(info->error), "%s", why->msg);
		goto done;
	}
	info->resolved = true;
	if (ext->kind == BEL_EXTERN_KCONFIG && obj->target.kconfig_data) {
		memcpy(&info->value, obj->target.kconfig_data + ext->kcfg_off,
		       ext->kcfg_size < 8 ? ext->kcfg_size : 8);
		if (ext->kcfg_type == BEL_KCFG_CHAR_ARR)
			snprintf(info->string, sizeof(info->string), "%.*s", (int)ext->kcfg_size,
				 (const char *)obj->target.kconfig_data + ext->kcfg_off);
	} else if (obj->target.ksym_values) {
		info->value = obj->target.ksym_values[i];
	}
done:
	memcpy(out, &res, res.sz);
	return 0;
}
