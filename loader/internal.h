/* SPDX-License-Identifier: MIT */
/*
 * Loader state, kept apart from the spec (reloc/spec.h): the spec says what the object is and
 * is never written after open; the structs here say what is loaded now.
 *
 * Locking, outermost first: program lock -> map lock (outer map before the maps in its slots)
 * -> object publish lock. prog->fd and map->fd are written only with the publish lock held,
 * so prog-array slots can be linked from either side (program loaded first or map created
 * first) without missing one another.
 */
#ifndef BEL_LOADER_INTERNAL_H
#define BEL_LOADER_INTERNAL_H

#include <pthread.h>
#include <stddef.h>

#include "bel.h"
#include "btf/btf.h"
#include "common/err.h"
#include "common/opts.h"
#include "reloc/spec.h"
#include "syscall/bpf.h"
#include "syscall/probe.h"

struct bel_map {
	struct bel_object *obj;
	const struct bel_map_def *def;
	pthread_mutex_t lock;
	int fd;
	unsigned int users;       /* loaded programs and outer maps that hold it */
	int reuse_fd;             /* an outside map to use instead of creating one, or -1 */
	char *pin_path;           /* where pin-by-name put it */
	bool pin_created;         /* this object created that pin (undone if the load fails) */
	uint32_t *held;           /* maps this map-in-map's slots hold */
	uint32_t nheld;
};

struct bel_program {
	struct bel_object *obj;
	const struct bel_prog_def *def;
	pthread_mutex_t lock;
	int fd;
	int status;
	char error[BEL_ERR_MSG_MAX]; /* message of the last failed load */
	char *log;
	uint64_t load_ns;
	uint32_t *held;           /* maps acquired for it: its map table, then metadata maps */
	uint32_t nheld;
	int *links;               /* link fds made by bel_program_attach */
	uint32_t nlinks;
};

struct bel_object {
	struct bel_spec *spec;
	void *mapping;                /* the object file, mapped for the spec to point into */
	size_t mapping_size;
	struct bel_map *maps;
	struct bel_program *progs;
	bel_msg_fn msg;
	void *msg_ctx;
	bool keep_maps;
	uint32_t log_level;
	char pin_root[4096];          /* for maps pinned by name */
	pthread_mutex_t lock;         /* btf_fd, last error */
	pthread_mutex_t publish_lock; /* see above */
	int btf_fd;
	bool btf_tried;
	char *target_btf_path;        /* CO-RE target BTF file given at open, or NULL */
	struct bel_btf *target_btf;   /* parsed from it on first need */
	struct bel_err target_btf_err;
	bool externs_done;            /* extern values resolved (under lock) */
	struct bel_err externs_err;
	uint8_t *kconfig_data;        /* contents of the .kconfig map */
	uint64_t *ksym_values;        /* per extern: BTF id or kallsyms address */
	struct bel_err *ksym_errs;    /* per extern: why it did not resolve (code 0: it did) */
	struct bel_err kconfig_err;   /* why .kconfig could not be filled */
	struct bel_err last;
	char last_copy[BEL_ERR_MSG_MAX];
};

/* Record an error where a call with no object keeps it (bel_thread_error). Returns err->code. */
int bel_thread_fail(struct bel_err *err);

/* Record an error as the object's last and pass it to the message callback. Returns err->code. */
int bel_obj_fail(struct bel_object *obj, struct bel_err *err);
void bel_obj_msg(struct bel_object *obj, enum bel_msg_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The object BTF's fd, loading it on first use; negative when the object has none or the
 * kernel refused it (a warning says why, and loading goes on without BTF). */
int bel_obj_btf_fd(struct bel_object *obj);

int bel_map_acquire(struct bel_map *map, struct bel_err *err);
/* Drop a user; with undo, a pin this object made for the map goes too when it was the last. */
void bel_map_release(struct bel_map *map, bool undo);
/* A new map for the definition: created, initialised, map-in-map slots filled; not published. */
int bel_map_create_fresh(struct bel_map *map, struct bel_err *err);
void bel_map_drop_fresh(struct bel_map *map, int fd);
uint32_t bel_map_effective_max_entries(const struct bel_map_def *def);
int bel_map_check_compat(const struct bel_map *map, int fd, const char *where, struct bel_err *err);
int bel_map_open_pinned_by_name(struct bel_map *map, bool *existing, struct bel_err *err);
/* Unload; with undo, pins made for its maps by this object go too (a failed load's rollback). */
int bel_program_unload_undo(struct bel_program *prog, bool undo);
void bel_program_close_links(struct bel_program *prog);
/* Fill the slots of live prog arrays that name prog (publish lock held). */
void bel_link_prog_slots(struct bel_object *obj, struct bel_program *prog, bool remove);

int bel_obj_resolve_externs(struct bel_object *obj, struct bel_err *err);
int bel_prog_apply_externs(struct bel_program *prog, struct bel_err *err);
/* The prepare step: CO-RE for this program, once (prog->lock held). */
int bel_prog_prepare(struct bel_program *prog, struct bel_err *err);
struct bel_core_target;
/* The CO-RE targets of the object: fills targets[0]; returns their number or -errno. */
int bel_obj_targets(struct bel_object *obj, struct bel_core_target *targets, struct bel_err *err);
/* A whole file into memory; NULL with errno set. */
void *bel_read_file(const char *path, size_t *size);

/* vmlinux BTF, mapped once per process; NULL with err set when unavailable. */
const struct bel_btf *bel_kernel_btf(struct bel_err *err);

uint64_t bel_now_ns(void);

#endif
