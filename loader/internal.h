/* SPDX-License-Identifier: MIT */
/*
 * Loader state, kept apart from the spec (reloc/spec.h): the spec says what the object is and
 * is never written after open; the structs here say what is loaded now.
 *
 * Locking, outermost first: program lock -> map lock (outer map before the maps in its slots)
 * -> object publish lock. prog->fd and map->fd are written only with the publish lock held,
 * so prog-array slots can be linked from either side (program loaded first or map created
 * first) without missing one another. The object's lock and its target's (target.h) are taken
 * last, around their own state only.
 */
#ifndef BEL_LOADER_INTERNAL_H
#define BEL_LOADER_INTERNAL_H

#include <pthread.h>
#include <stddef.h>

#include "bel/bel.h"
#include "btf/btf.h"
#include "common/err.h"
#include "common/opts.h"
#include "reloc/spec.h"
#include "syscall/bpf.h"
#include "syscall/probe.h"
#include "target.h"

/* A map as BPF_MAP_CREATE will see it: the spec's definition, as adjusted before creation. */
struct ldr_map_shape {
	uint32_t type, key_size, value_size, max_entries, map_flags, numa_node;
	uint64_t map_extra;
};

struct bel_map {
	struct bel_object *obj;       /* NULL for a map opened by fd or path (bel_map_open_fd) */
	const struct bel_map_def *def;
	struct ldr_map_shape shape;   /* set up from def at open; the user may change it until
					 the map is created */
	const struct bel_map_def *inner_def; /* a map-in-map's inner template (names, BTF ids) */
	struct ldr_map_shape inner;   /* ... and its shape */
	bool autocreate;
	uint8_t *data;                /* global data: the object's copy of the initial value, made
					 on the first write to it (else def->init or zeros) */
	pthread_mutex_t lock;
	int fd;
	unsigned int users;           /* acquired by loaded programs, outer maps, whole-object
					 loads, registration and the user's holds */
	unsigned int holds;           /* of the users, the user's: bel_map_hold, bel_map_mmap */
	bool object_user;             /* one of the users is a whole-object load (load.c) */
	bool st_attached;             /* struct_ops: registered (that is one of the users) */
	int st_link_fd;               /* ... through this link, or -1 (by the map update) */
	bool st_kept;                 /* ... by the update, and the map pinned: closing the
					 object leaves it registered (as a pinned link would) */
	void *mmaped;                 /* the live map, mapped on first need while it exists */
	size_t mmap_size;
	int reuse_fd;                 /* an outside map to use instead of creating one, or -1 */
	char *pin_path;               /* where pin-by-name put it */
	bool pin_created;             /* this object created that pin (undone if the load fails) */
	uint32_t *slot_maps;          /* maps this map-in-map's initial slots hold */
	uint32_t nslot_maps;
	struct bel_map_def *own_def;  /* a map opened by fd: its definition, from the kernel */
};

/*
 * What a load of a program uses where the spec only proposes: the type the section name implies
 * can be overridden, the attach target moved, flags and log level set. Set before a load (under
 * the program's lock), read by it.
 */
struct ldr_prog_config {
	uint32_t prog_type, expected_attach_type, prog_flags, log_level;
	bool type_known;
	bool needs_attach_btf;
	bool autoload;            /* bel_object_load loads it */
	enum bel_attach_kind attach_kind;
	char *attach_func;        /* instead of the section's target (fentry, freplace, tp_btf, ...) */
	int attach_prog_fd;       /* a BPF program to attach to (freplace, fentry on BPF), or -1 */
};

struct bel_program {
	struct bel_object *obj;
	const struct bel_prog_def *def;
	struct ldr_prog_config cfg;
	/* the spec's instructions as patched for this kernel (CO-RE, externs): made by the first
	 * load (prepare step, under lock), kept for later loads; map fds are filled per load.
	 * NULL once prepared when there was nothing to patch: then the spec's are the program's. */
	struct bpf_insn *insns;
	bool prepared;
	pthread_mutex_t lock;
	int fd;
	int status;
	char *error;              /* message of the last failed load; NULL after a success */
	char *log;
	bool log_head_only; /* a kernel before 6.4 kept only the head of a log too long */
	uint64_t load_ns;
	uint32_t *acquired;       /* maps acquired for it: its map table, then metadata maps */
	uint32_t nacquired;
	int *links;               /* link fds made by bel_program_attach */
	uint32_t nlinks, links_cap;
	struct ldr_attachment *attachments; /* what it attached without a link (attach.h) */
	struct ldr_usdt_link *usdt; /* its USDT attachments (loader/uprobe.h) */
	uint32_t nusdt;
};

struct bel_object {
	struct bel_spec *spec;
	struct bel_map *maps;
	struct bel_program *progs;
	bel_msg_fn msg;
	void *msg_ctx;
	bool keep_maps;
	bool ignore_pinning;          /* maps pinned by name made privately (open option) */
	uint32_t log_level;
	char pin_root[4096];          /* for maps pinned by name */
	pthread_mutex_t lock;         /* last error, usdt_ids */
	pthread_mutex_t publish_lock; /* see above */
	struct ldr_target target;     /* what the running kernel offers it (target.h) */
	struct bel_err last;
	char last_copy[BEL_ERR_MSG_MAX];
	struct ldr_adoption *adoption; /* an adopted pinned tree waiting for bel_object_pin */
	struct ldr_usdt_ids *usdt_ids; /* made by the first USDT attach (under lock) */
};

/* Record an error where a call with no object keeps it (bel_thread_error). Returns err->code. */
int ldr_thread_fail(struct bel_err *err);

/* Record an error as the object's last and pass it to the message callback. Returns err->code. */
int ldr_obj_fail(struct bel_object *obj, struct bel_err *err);
void ldr_obj_msg(struct bel_object *obj, enum bel_msg_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Set up a map's state from its definition (at open); free what it owns (at close). */
void ldr_map_state_init(struct bel_map *map);
void ldr_map_state_free(struct bel_map *map);
/* Drop the mapping of the live map, if any (map->lock held, or the map going away). */
void ldr_map_unmap(struct bel_map *map);
/* What BPF_MAP_CREATE gets for the map (or its inner template): the configured shape with the
 * values bel derives (perf event arrays sized to the CPUs, ring buffers to a power-of-two page
 * multiple, BPF_F_MMAPABLE dropped where the kernel lacks it). */
void ldr_map_kernel_shape(const struct bel_map *map, bool inner, struct ldr_map_shape *out);
/* Record a map's error on its object, or in the thread for a map opened by fd. */
int ldr_map_fail(const struct bel_map *map, struct bel_err *err);
int ldr_map_acquire(struct bel_map *map, struct bel_err *err);
/* Drop a user; with undo, a pin this object made for the map goes too when it was the last. */
void ldr_map_release(struct bel_map *map, bool undo);
/* Release each of a list of the object's maps (indices into obj->maps), then free the list. */
void ldr_maps_release(struct bel_object *obj, uint32_t **maps, uint32_t *n, bool undo);
/* A new map for the definition: created, initialised, map-in-map slots filled; not published. */
int ldr_map_create_fresh(struct bel_map *map, struct bel_err *err);
void ldr_map_drop_fresh(struct bel_map *map, int fd);
/* Whether the map at fd fits map's definition (0, or the field that differs); *id: its id
 * (id may be NULL). */
int ldr_map_check_compat(const struct bel_map *map, int fd, const char *where, uint32_t *id,
			 struct bel_err *err);
/* Migration: whether a map type's entries can be copied, and the copy from old_fd. */
bool ldr_map_copyable(uint32_t type);
int ldr_map_copy_entries(const struct bel_map *map, int old_fd, uint64_t *copied, uint64_t *lost,
			 struct bel_err *err);
/* Use fd (owned from here on, closed on failure) for the map once checked; before creation. */
int ldr_map_set_reuse(struct bel_map *map, int fd, const char *where, struct bel_err *err);
/* The same for an fd the caller has just checked with ldr_map_check_compat. */
int ldr_map_set_reuse_checked(struct bel_map *map, int fd, struct bel_err *err);
int ldr_map_open_pinned_by_name(struct bel_map *map, bool *existing, struct bel_err *err);
/* The digest the running kernel computes program tags with (enum bel_tag_digest), or -1 when
 * bel cannot tell. Probed once per process. */
int ldr_kernel_tag_digest(void);
/* The configuration a program starts with: what its section says. */
void ldr_prog_config_init(struct bel_program *prog);
void ldr_prog_config_free(struct bel_program *prog);
/* Record a program's error on its object, prefixed with the program's name. */
int ldr_prog_fail(struct bel_program *prog, struct bel_err *err);
/* PROG_LOAD with the verifier log kept in prog->log (verifier_log.c): without a log first,
 * then again with one when that fails; and the error that says why a load failed. */
int ldr_prog_load_logged(struct bel_program *prog, struct bel_prog_load_args *args);
int ldr_prog_load_failure(struct bel_program *prog, int fd, struct bel_err *err);
/* Unload; with undo, pins made for its maps by this object go too (a failed load's rollback). */
int ldr_program_unload_undo(struct bel_program *prog, bool undo);
void ldr_program_close_links(struct bel_program *prog);
/* Record a link fd (owned from here on) as one of the program's (prog->lock held). */
int ldr_prog_keep_link(struct bel_program *prog, int link);
/* The old tree an adoption at root read (NULL: none, or nothing was pinned there), and the
 * locked root fd; the adoption ends with the pin's exchange (or the object's close). */
struct ldr_pin_tree;
struct ldr_pin_tree *ldr_obj_adopted_tree(struct bel_object *obj, const char *root, int *root_fd);
bool ldr_obj_adopting(const struct bel_object *obj, const char *root);
void ldr_obj_adoption_free(struct bel_object *obj);
/* A pinned program taken as this program's load (no PROG_LOAD): its maps acquired, the fd
 * duplicated and published. prog->lock not held. */
int ldr_prog_adopt(struct bel_program *prog, int fd, struct bel_err *err);
/* Fill the slots of live prog arrays that name prog (publish lock held). */
void ldr_link_prog_slots(struct bel_object *obj, struct bel_program *prog, bool remove);

/* struct_ops (struct_ops.c): the map, with the kernel's value type; a program's attach BTF id
 * and member index; unregistering what is attached (map->lock held). */
int ldr_struct_ops_create(struct bel_map *map, const struct ldr_map_shape *shape,
			  struct bel_err *err);
/* The shape the kernel gives a struct_ops map (part of ldr_map_kernel_shape): its value is the
 * kernel's wrapper type. */
void ldr_struct_ops_kernel_shape(const struct bel_map *map, struct ldr_map_shape *out);
int ldr_struct_ops_prog_target(const struct bel_program *prog, uint32_t *btf_id,
			       uint32_t *member, struct bel_err *err);
void ldr_struct_ops_unregister(struct bel_map *map);
/* bel_object_pin pinned the maps: registrations made by the update stay after close. */
void ldr_struct_ops_keep_pinned(struct bel_object *obj);

/* Whether every extern the program uses resolved (else the error of the first that did not). */
int ldr_prog_check_externs(struct bel_program *prog, struct bel_err *err);
/* The program's instructions for a load (after ldr_prog_prepare): patched, or the spec's. */
static inline const struct bpf_insn *ldr_prog_insns(const struct bel_program *prog)
{
	return prog->insns ? prog->insns : prog->def->insns;
}
/* The prepare step, once per program (prog->lock held): prog->insns from the spec's, with
 * externs and CO-RE applied for the target kernel. */
int ldr_prog_prepare(struct bel_program *prog, struct bel_err *err);
/* Remove a pin tree this process made and did not publish (a failed pin), by fds. */
void ldr_tree_discard(int parent_fd, const char *name);
/* Reading files (read_file.c). A whole file into memory; NULL with errno set. */
void *ldr_read_file(const char *path, size_t *size);
/* The first size bytes of the file open at fd into memory; NULL when it has fewer. */
void *ldr_read_fd(int fd, size_t size);
/* A number and a newline from a sysfs or tracefs file (by path, or open at fd). */
int ldr_read_uint_file(const char *path, uint64_t *out);
int ldr_read_uint_fd(int fd, uint64_t *out);
/* The regular file open at fd (path names it in messages), at most max bytes, into a malloc'd
 * copy of its size; refused when fd is not a regular file, is empty or larger, or changed
 * while being read. */
int ldr_read_regular_fd(int fd, const char *path, uint64_t max, void **image, size_t *size,
			struct bel_err *err);
/* The same for a BPF object: sections bel never parses (DWARF) are left zeroed instead of
 * read, and .BTF and .BTF.ext are read into buffers of their own (apart; NULL when the image
 * has them), for bel_spec_build_apart. */
int ldr_read_object_fd(int fd, const char *path, void **image, size_t *size,
		       struct bel_spec_apart *apart, struct bel_err *err);

/* Bytes of a value buffer for the map's element calls: per-CPU maps hold one 8-byte-aligned
 * value per possible CPU. */
size_t ldr_map_value_buffer_size(const struct bel_map *map);

/* A BTF object the kernel holds (a map's or program's), read and parsed into *out. */
int ldr_kernel_btf_by_id(uint32_t id, struct bel_btf **out, struct bel_err *err);
/* vmlinux BTF, mapped once per process; NULL with err set when unavailable. */
const struct bel_btf *ldr_kernel_btf(struct bel_err *err);
/* Loaded kernel modules' BTF (module_btf.c), split on vmlinux: read and indexed on the first
 * call, once per process. find looks at each module's own types (-ENOENT: none has it); fd is
 * the module's BTF object, kept open for the process. */
uint32_t ldr_module_btf_count(void);
const struct bel_btf *ldr_module_btf(uint32_t i, const char **name);
int ldr_module_btf_find(const char *name, uint32_t kind, uint32_t *module, uint32_t *id);
int ldr_module_btf_fd(uint32_t i, struct bel_err *err);

/* Where the last `lines` non-empty lines of a kernel log (a verifier's) start: the error. */
const char *ldr_log_tail(const char *log, unsigned int lines);

/* "__x64_sys_", "__arm64_sys_", ... as the running kernel names its syscall entry points, or
 * "sys_" on kernels without syscall wrappers; looked up once per process (ksyms.c). */
const char *ldr_syscall_prefix(void);
/* A symbol's address in /proc/kallsyms; 0 when it is not there (or addresses are hidden). */
uint64_t ldr_kallsyms_address(const char *name);


#endif
