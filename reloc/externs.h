/* SPDX-License-Identifier: MIT */
/*
 * Externs: `extern ... __kconfig` variables (SEC(".kconfig"): CONFIG_*, LINUX_KERNEL_VERSION,
 * LINUX_HAS_*), `extern ... __ksym` variables (typed: resolved through kernel BTF; typeless:
 * through kallsyms) and kfuncs (`extern ... __ksym` functions that programs call). Collected and
 * laid out at open (pure); their values come from the running kernel at prepare time.
 */
#ifndef BEL_RELOC_EXTERNS_H
#define BEL_RELOC_EXTERNS_H

#include "spec.h"

enum bel_kcfg_type {
	BEL_KCFG_UNKNOWN,
	BEL_KCFG_BOOL,       /* bool: y/n */
	BEL_KCFG_TRISTATE,   /* enum libbpf_tristate: y/m/n -> 1/2/0 */
	BEL_KCFG_CHAR,       /* char: the letter itself */
	BEL_KCFG_INT,        /* integers of 1, 2, 4, 8 bytes */
	BEL_KCFG_CHAR_ARR,   /* char[N]: a "string" */
};

enum bel_extern_kind {
	BEL_EXTERN_KCONFIG,
	BEL_EXTERN_KSYM_VAR,   /* typed (btf_type_id != 0) or typeless */
	BEL_EXTERN_KFUNC,
};

struct bel_extern {
	char *name;
	enum bel_extern_kind kind;
	bool weak;
	uint32_t btf_id;        /* the VAR or FUNC in the object BTF */
	uint32_t btf_type_id;   /* a variable's type (0: typeless ksym) */
	/* .kconfig */
	enum bel_kcfg_type kcfg_type;
	uint32_t kcfg_size, kcfg_align, kcfg_off;
	bool kcfg_signed;
};

/* Collect externs from the symbol table and BTF, lay out .kconfig, add its map to the spec,
 * and make the object BTF loadable (extern FUNCs static, .ksyms no longer a DATASEC of
 * externs). Runs before programs are relocated. */
int bel_spec_collect_externs(struct bel_spec *spec, struct bel_err *err);
int bel_spec_find_extern(const struct bel_spec *spec, const char *name);
/* Where a typed ksym or kfunc found in a kernel module's BTF lives: the module's BTF object fd
 * (0: vmlinux) and, for a kfunc call, its index in the fd_array given to PROG_LOAD. */
struct bel_extern_module {
	int32_t btf_fd;
	int16_t fd_slot;
};
/* Patch insns (a copy of prog->insns) where they take a kernel symbol: values[i] is extern i's
 * kernel BTF id (typed ksyms, kfuncs) or address (typeless ksyms); 0 for a weak one the kernel
 * lacks. modules[i] (modules may be NULL: all vmlinux) says which BTF an id is from. */
void bel_externs_patch(const struct bel_spec *spec, const struct bel_prog_def *prog,
		       const uint64_t *values, const struct bel_extern_module *modules,
		       struct bpf_insn *insns);

#endif
