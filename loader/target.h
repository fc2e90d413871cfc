/* SPDX-License-Identifier: MIT */
/*
 * What the running kernel offers one object, learnt on first need and kept for the object's
 * life: the object's BTF as the kernel took it, the CO-RE target BTF, and the externs' values
 * (.kconfig, __ksym variables, kfuncs). A cache that failed keeps its error, so later calls
 * report it again instead of trying anew. What is the same for every object (vmlinux and module
 * BTF, feature probes, kallsyms) is process-wide: kernel_btf.c, module_btf.c, syscall/probe.c,
 * ksyms.c.
 */
#ifndef BEL_LOADER_TARGET_H
#define BEL_LOADER_TARGET_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

struct bel_btf;
struct bel_core_target;
struct bel_extern_module;
struct bel_object;

struct ldr_target {
	pthread_mutex_t lock;         /* everything below */
	int obj_btf_fd;               /* the object BTF loaded into the kernel, or -1 */
	bool obj_btf_tried;
	char *btf_path;               /* CO-RE target BTF file given at open, or NULL: vmlinux */
	struct bel_btf *btf;          /* parsed from it on first need */
	struct bel_err btf_err;
	bool externs_done;            /* extern values resolved */
	struct bel_err externs_err;
	uint8_t *kconfig_data;        /* contents of the .kconfig map */
	struct bel_err kconfig_err;   /* why .kconfig could not be filled */
	uint64_t *ksym_values;        /* per extern: BTF id or kallsyms address */
	struct bel_extern_module *ksym_modules; /* per extern: the module's BTF (fd 0: vmlinux) */
	int *ksym_fd_array;           /* fd_array for PROG_LOAD: module BTF fds from [1], or NULL */
	uint32_t ksym_fd_array_cnt;
	struct bel_err *ksym_errs;    /* per extern: why it did not resolve (code 0: it did) */
};

/* btf_path: a CO-RE target BTF file (the open option), or NULL. -ENOMEM on failure. */
int ldr_target_init(struct ldr_target *t, const char *btf_path);
void ldr_target_free(struct ldr_target *t);

/* The object BTF's fd, loading it on first use; negative when the object has none or the
 * kernel refused it (a warning says why, and loading goes on without BTF). */
int ldr_obj_btf_fd(struct bel_object *obj);
/* The CO-RE targets of the object: fills targets[0]; returns their number or -errno. */
int ldr_obj_targets(struct bel_object *obj, struct bel_core_target *targets, struct bel_err *err);
/* The externs' values, resolved once (externs.c); fails only when out of memory: an extern
 * that did not resolve fails the programs using it (ldr_prog_check_externs). */
int ldr_obj_resolve_externs(struct bel_object *obj, struct bel_err *err);

#endif
