/* SPDX-License-Identifier: MIT */
/*
 * The prepare step: what depends on the target kernel is resolved once per program, before
 * its first load, into the program's own copy of its instructions: extern values and CO-RE
 * against the running kernel's BTF (or a BTF file given at open). The spec is not touched.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "reloc/core.h"
#include "reloc/externs.h"

/* Whether a relocation found no candidate in vmlinux (a type only a module has). */
static bool core_wants_modules(const struct bel_program *prog,
			       const struct bel_core_target *vmlinux)
{
	struct bel_core_applied *applied = NULL;
	struct bel_err ignored = {0};
	bool want = false;
	uint32_t i;

	if (bel_prog_core_resolve(prog->obj->spec, prog->def, vmlinux, 1, &applied, &ignored))
		return false; /* the full run below reports it */
	for (i = 0; i < prog->def->core_relo_cnt && !want; i++)
		want = applied[i].relo.kind != BEL_CORE_TYPE_ID_LOCAL && !applied[i].res.candidates;
	free(applied);
	return want;
}

/*
 * The running kernel's targets: vmlinux, and, only when a relocation found nothing there, every
 * loaded module's BTF after it (candidates are taken from modules only where vmlinux has none).
 * *targets is malloc'd.
 */
static int core_targets(struct bel_program *prog, struct bel_core_target **targets,
			struct bel_err *err)
{
	struct bel_core_target *t = malloc(sizeof(*t));
	uint32_t i, n;
	int ret;

	if (!t)
		return bel_errf(err, ENOMEM, "out of memory");
	ret = ldr_obj_targets(prog->obj, t, err);
	if (ret < 0 || prog->obj->target.btf_path || !core_wants_modules(prog, t)) {
		*targets = t;
		return ret;
	}
	n = ldr_module_btf_count();
	*targets = realloc(t, (n + 1) * sizeof(*t));
	if (!*targets) {
		free(t);
		return bel_errf(err, ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++)
		(*targets)[i + 1].btf = ldr_module_btf(i, &(*targets)[i + 1].name);
	return (int)n + 1;
}

int ldr_prog_prepare(struct bel_program *prog, struct bel_err *err)
{
	const struct bel_prog_def *def = prog->def;
	struct bel_core_target *targets = NULL;
	size_t size = (size_t)def->insn_cnt * sizeof(*def->insns);
	struct bpf_insn *insns;
	int n;

	if (def->open_error) /* found at open: nothing of it can load */
		return bel_errf(err, -def->open_errno, "%s", def->open_error);
	if (prog->prepared)
		return 0;
	/* externs first: the .kconfig map's contents must be known before a program creates it */
	n = ldr_prog_check_externs(prog, err);
	if (n)
		return n;
	/* nothing to patch: the spec's instructions are the program's (no second copy) */
	if (!def->extern_ref_cnt && !def->core_relo_cnt) {
		prog->prepared = true;
		return 0;
	}
	insns = malloc(size ? size : 1);
	if (!insns)
		return bel_errf(err, ENOMEM, "out of memory");
	memcpy(insns, def->insns, size);
	if (def->extern_ref_cnt)
		bel_externs_patch(prog->obj->spec, def, prog->obj->target.ksym_values,
				  prog->obj->target.ksym_modules, insns);
	if (def->core_relo_cnt) {
		n = core_targets(prog, &targets, err);
		if (n < 0) {
			free(targets);
			free(insns);
			return bel_err_prefix(err, "%u CO-RE relocations need a target BTF",
					      def->core_relo_cnt);
		}
		n = bel_core_apply(prog->obj->spec, def, targets, n, insns, err);
		free(targets);
		if (n) {
			free(insns);
			return n;
		}
	}
	prog->insns = insns;
	prog->prepared = true;
	return 0;
}
