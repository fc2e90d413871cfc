/* SPDX-License-Identifier: MIT */
/* How CO-RE relocations and externs resolve against the target, without loading anything. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "reloc/core.h"
#include "reloc/externs.h"

int bel_program_core_report(const struct bel_program *prog, struct bel_core_report **out,
			    unsigned int *count)
{
	struct bel_object *obj = prog->obj;
	struct bel_core_target targets[1];
	struct bel_core_applied *applied = NULL;
	struct bel_core_report *rep;
	struct bel_err err = {0};
	uint32_t i;
	int n, ret;

	*out = NULL;
	*count = 0;
	if (!prog->def->core_relo_cnt)
		return 0;
	n = bel_obj_targets(obj, targets, &err);
	if (n < 0)
		goto fail;
	ret = bel_prog_core_resolve(obj->spec, prog->def, targets, n, &applied, &err);
	if (ret)
		goto fail;
	rep = calloc(prog->def->core_relo_cnt, sizeof(*rep));
	if (!rep) {
		free(applied);
		bel_errf(&err, ENOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < prog->def->core_relo_cnt; i++) {
		const struct bel_core_applied *a = &applied[i];

		rep[i].insn = a->insn;
		rep[i].kind = bel_core_kind_name(a->relo.kind);
		snprintf(rep[i].what, sizeof(rep[i].what), "%s", a->res.what);
		rep[i].poisoned = a->res.poison || a->res.fail_memsz_adjust;
		rep[i].local_value = a->res.orig_val;
		rep[i].target_value = a->res.new_val;
		rep[i].candidates = a->res.candidates;
		rep[i].matched = a->res.matched;
		rep[i].target_type_id = a->res.target_type_id;
	}
	free(applied);
	*out = rep;
	*count = prog->def->core_relo_cnt;
	return 0;
fail:
	bel_err_prefix(&err, "object '%s': prog '%s' (%s)", obj->spec->obj_name, prog->def->name,
		       prog->def->sec_name);
	return bel_obj_fail(obj, &err);
}

unsigned int bel_object_extern_count(const struct bel_object *obj)
{
	return obj->spec->nexterns;
}

int bel_object_extern(struct bel_object *obj, unsigned int i, struct bel_extern_info *info)
{
	static const char *const kinds[] = {"kconfig", "ksym", "kfunc"};
	const struct bel_extern *ext;
	struct bel_err err = {0};

	if (i >= obj->spec->nexterns)
		return -ENOENT;
	ext = &obj->spec->externs[i];
	memset(info, 0, sizeof(*info));
	info->name = ext->name;
	info->kind = kinds[ext->kind];
	info->weak = ext->weak;
	info->typeless = ext->kind == BEL_EXTERN_KSYM_VAR && !ext->btf_type_id;
	if (bel_obj_resolve_externs(obj, &err)) {
		snprintf(info->error, sizeof(info->error), "%s", err.msg);
		return 0;
	}
	if (ext->kind == BEL_EXTERN_KCONFIG ? obj->kconfig_err.code : obj->ksym_errs[i].code) {
		snprintf(info->error, sizeof(info->error), "%s",
			 ext->kind == BEL_EXTERN_KCONFIG ? obj->kconfig_err.msg : obj->ksym_errs[i].msg);
		return 0;
	}
	info->resolved = true;
	if (ext->kind == BEL_EXTERN_KCONFIG && obj->kconfig_data) {
		memcpy(&info->value, obj->kconfig_data + ext->kcfg_off,
		       ext->kcfg_size < 8 ? ext->kcfg_size : 8);
		if (ext->kcfg_type == BEL_KCFG_CHAR_ARR)
			snprintf(info->string, sizeof(info->string), "%.*s", (int)ext->kcfg_size,
				 (const char *)obj->kconfig_data + ext->kcfg_off);
	} else if (obj->ksym_values) {
		info->value = obj->ksym_values[i];
	}
	return 0;
}
