/* SPDX-License-Identifier: MIT */
/*
 * bel: load BPF ELF objects (as built by `clang -O2 -g -target bpf` for libbpf) into the kernel
 * without libbpf.
 *
 * An object is opened once: bel parses it, relocates every program and computes each program's
 * map table. That parsed form is immutable. Loading works on separate state, so programs can be
 * loaded all at once, one by one, or from several threads; a map is created the first time a
 * loaded program needs it and released when the last program using it is unloaded.
 *
 * Conventions: functions that can fail return 0 (or an fd) on success and a negative errno on
 * failure; the message explaining the failure names the object, program or map and the cause,
 * is passed to the message callback and kept as the object's last error. Nothing here aborts
 * or exits; a failed call releases every fd and pin it made.
 */
#ifndef BEL_H
#define BEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bel_object;
struct bel_program;
struct bel_map;

enum bel_msg_level {
	BEL_MSG_ERROR,
	BEL_MSG_WARN,
	BEL_MSG_INFO,
	BEL_MSG_DEBUG,
};

/* Receives every message of an object; may be called from any thread that loads. */
typedef void (*bel_msg_fn)(enum bel_msg_level level, const char *msg, void *ctx);

struct bel_open_opts {
	size_t sz;              /* sizeof(struct bel_open_opts), for forward compatibility */
	const char *name;       /* object name; default: the file name up to its first '.' */
	bel_msg_fn msg;         /* default: none (read bel_object_last_error) */
	void *msg_ctx;
	bool keep_maps;         /* keep maps for the object's lifetime instead of releasing
				   a map when no loaded program uses it */
	const char *pin_root;   /* where maps with pinning = LIBBPF_PIN_BY_NAME (or iproute2's
				   PIN_GLOBAL_NS) are shared: default /sys/fs/bpf, as libbpf */
	const char *btf_path;   /* CO-RE target BTF file instead of the running kernel's
				   /sys/kernel/btf/vmlinux (tests; kernels without BTF) */
};

/* Open and parse an object. On failure *obj is NULL and the message is passed to opts->msg
 * (if any); bel_thread_error() returns it too. */
int bel_object_open_file(const char *path, const struct bel_open_opts *opts,
			 struct bel_object **obj);
int bel_object_open_mem(const void *buf, size_t size, const struct bel_open_opts *opts,
			struct bel_object **obj);
/* The message of the last failed call in this thread that has no object to record it on:
 * opening an object, ring and perf buffer readers, maps opened by fd or path. */
const char *bel_thread_error(void);

/* Unload everything that is loaded and free the object. Pins stay in place. */
void bel_object_close(struct bel_object *obj);

const char *bel_object_name(const struct bel_object *obj);
/* The last error recorded on this object (empty if none). Valid until the next call. */
const char *bel_object_last_error(const struct bel_object *obj);
const char *bel_object_license(const struct bel_object *obj);
/* Raw object BTF as it will be given to the kernel (after fix-up), or NULL. */
const void *bel_object_btf(const struct bel_object *obj, uint32_t *size);
/* Number of types in the object BTF (0 if none). */
uint32_t bel_object_btf_type_count(const struct bel_object *obj);
/* fd of the object BTF in the kernel, loaded on first need; negative if none. */
int bel_object_btf_fd(const struct bel_object *obj);

struct bel_load_opts {
	size_t sz;              /* sizeof(struct bel_load_opts) */
	unsigned int threads;   /* 0 or 1: load in the calling thread */
	bool keep_going;        /* load what loads; otherwise all-or-nothing */
	uint32_t log_level;     /* verifier log level to capture (0: only on failure) */
};

/* Load every program of the object (and the maps they need). Without keep_going, a failure
 * unloads what this call loaded and returns the first error; with it, every program is
 * tried and the return value is the first error (0 if all loaded): see each program's status. */
int bel_object_load(struct bel_object *obj, const struct bel_load_opts *opts);
/* Unload every program; maps are released as their last user goes. */
void bel_object_unload(struct bel_object *obj);

unsigned int bel_object_program_count(const struct bel_object *obj);
struct bel_program *bel_object_program(const struct bel_object *obj, unsigned int i);
struct bel_program *bel_object_find_program(const struct bel_object *obj, const char *name);
unsigned int bel_object_map_count(const struct bel_object *obj);
struct bel_map *bel_object_map(const struct bel_object *obj, unsigned int i);
struct bel_map *bel_object_find_map(const struct bel_object *obj, const char *name);

/* Programs. */
const char *bel_program_name(const struct bel_program *prog);
const char *bel_program_section(const struct bel_program *prog);
uint32_t bel_program_type(const struct bel_program *prog);             /* BPF_PROG_TYPE_* */
uint32_t bel_program_expected_attach_type(const struct bel_program *prog);
uint32_t bel_program_flags(const struct bel_program *prog);            /* BPF_F_* load flags */
/* Final instructions (struct bpf_insn from <linux/bpf.h>), map fds not yet filled in. */
const void *bel_program_insns(const struct bel_program *prog, unsigned int *count);
/* Number of .BTF.ext func_info and line_info records the program carries. */
void bel_program_btf_ext_counts(const struct bel_program *prog, uint32_t *func_info,
				uint32_t *line_info);
/* The map table: the maps the program's final instructions refer to, its subprograms' included. */
unsigned int bel_program_map_count(const struct bel_program *prog);
struct bel_map *bel_program_map(const struct bel_program *prog, unsigned int i);
/* Set the program type (and expected attach type) where the section name does not say it, as
 * loaders with their own conventions do (qemu's "tun_rss_steering" is a socket filter). Only
 * before the program's first load (-EBUSY after). */
int bel_program_set_type(struct bel_program *prog, uint32_t prog_type, uint32_t expected_attach_type);
/* Load one program and the maps in its map table; bind the object's metadata maps. */
int bel_program_load(struct bel_program *prog);
int bel_program_unload(struct bel_program *prog);
int bel_program_fd(const struct bel_program *prog);                   /* -1 if not loaded */
/* Status of the last load: 0, or the negative errno it failed with. */
int bel_program_status(const struct bel_program *prog);
/* Message of the last failed load ("" after a successful one). This and the log below are the
 * program's own buffers: read them when no other thread is loading the same program. */
const char *bel_program_error(const struct bel_program *prog);
/* Verifier log of the last failed load (or of the last load when log_level was set). */
const char *bel_program_log(const struct bel_program *prog);

/* Attaching through BPF links. The section says how (kprobe/F, tracepoint/C/N, raw_tp/N,
 * fentry/F, lsm/H, iter/T, cgroup_skb/ingress, xdp, tcx/ingress, ...); opts give what it cannot:
 * the interface for xdp/tcx, the cgroup for cgroup programs, or another target. */
struct bel_attach_opts {
	size_t sz;
	const char *target;     /* overrides the section's target (function, "cat/name", ...) */
	const char *cgroup;     /* cgroup v2 directory; default: the root of the v2 hierarchy
				   (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid systems) */
	const char *ifname;     /* interface for xdp and tcx programs */
};
/* Attach a loaded program; returns the link fd (owned by the program) or -errno. Links are
 * closed when the program is unloaded; a pinned link keeps the program attached after that. */
int bel_program_attach(struct bel_program *prog, const struct bel_attach_opts *opts);
/* Whether the section (with opts) says enough to attach. */
bool bel_program_attachable(const struct bel_program *prog, const struct bel_attach_opts *opts);
int bel_program_detach(struct bel_program *prog);           /* close its links */
unsigned int bel_program_link_count(const struct bel_program *prog);
int bel_program_link_fd(const struct bel_program *prog, unsigned int i);

struct bel_program_info {
	uint32_t id;
	char tag[17];             /* hex */
	uint32_t verified_insns;
	uint32_t xlated_len, jited_len;
	uint32_t nr_map_ids;
	uint64_t load_ns;         /* wall time of the PROG_LOAD that succeeded, in bel */
};
int bel_program_info(const struct bel_program *prog, struct bel_program_info *info);

/* Maps. */
const char *bel_map_name(const struct bel_map *map);      /* variable or section name */
const char *bel_map_kernel_name(const struct bel_map *map);
uint32_t bel_map_type(const struct bel_map *map);
uint32_t bel_map_key_size(const struct bel_map *map);
uint32_t bel_map_value_size(const struct bel_map *map);
uint32_t bel_map_max_entries(const struct bel_map *map);
uint32_t bel_map_flags(const struct bel_map *map);
/* The section of a global data map (".rodata", ".data.custom", ...), else NULL. */
const char *bel_map_data_section(const struct bel_map *map);
bool bel_map_has_metadata(const struct bel_map *map);
int bel_map_fd(const struct bel_map *map);                  /* -1 if not created */
/*
 * Use an existing map (another object's, another loader's) instead of creating one. Must come
 * before a program that uses the map is loaded. The map is checked first: type, key and value
 * size, max_entries, flags, and for global data the variable layout; a mismatch is refused
 * with a message naming both sides. bel_map_reuse_fd dups fd; the caller keeps its own.
 */
int bel_map_reuse_fd(struct bel_map *map, int fd);
int bel_map_reuse_pinned(struct bel_map *map, const char *path);
/* Where pinning by name put this map (NULL if not pinned by name). */
const char *bel_map_pin_path(const struct bel_map *map);
uint32_t bel_map_id(const struct bel_map *map);             /* 0 if not created */

/* CO-RE and externs, resolved against the target (the running kernel, or opts.btf_path for
 * CO-RE) without loading: what `bel inspect --core` shows. */
struct bel_core_report {
	unsigned int insn;            /* in the program's final instructions */
	const char *kind;             /* "byte_off", "field_exists", "type_size", ... */
	char what[256];               /* the local type path: "struct task_struct.pid (access 0:12)" */
	bool poisoned;                /* the instruction becomes an invalid call */
	uint64_t local_value, target_value;
	unsigned int candidates, matched;
	uint32_t target_type_id;
};
/* *out is malloc'd (free it); count 0 when the program has no CO-RE relocation. */
int bel_program_core_report(const struct bel_program *prog, struct bel_core_report **out,
			    unsigned int *count);

struct bel_extern_info {
	const char *name;
	const char *kind;             /* "kconfig", "ksym" or "kfunc" */
	bool weak, typeless, resolved;
	uint64_t value;               /* kconfig value (first 8 bytes), BTF id or address */
	char string[64];              /* a kconfig string */
	char error[256];              /* why it did not resolve */
};
unsigned int bel_object_extern_count(const struct bel_object *obj);
int bel_object_extern(struct bel_object *obj, unsigned int i, struct bel_extern_info *info);

/*
 * Pins: root/<object>/{maps,programs}/<name>, '.' in names escaped as '_' (bpffs refuses dots).
 * The tree is built under a temporary name and renamed into place, so readers never see half
 * of it; on failure nothing is left. Pins what is loaded now.
 */
int bel_object_pin(struct bel_object *obj, const char *root);
/* Remove a tree made by bel_object_pin (path is root/<object>). */
int bel_unpin(const char *path, char *errbuf, size_t errbuf_size);
/* The name a map or program gets on bpffs. */
void bel_pin_name(const char *name, char *out, size_t out_size);

/*
 * Events: readers for BPF_MAP_TYPE_RINGBUF and BPF_MAP_TYPE_PERF_EVENT_ARRAY maps. Failures are
 * reported through bel_thread_error(). A reader is used from one thread at a time.
 */
struct bel_ringbuf;
/* One record. Return 0 to go on; anything else stops the poll/consume that called it (the
 * record counts as consumed). data points into the ring and is valid during the call only. */
typedef int (*bel_ringbuf_fn)(void *ctx, const void *data, size_t size);
int bel_ringbuf_new(struct bel_ringbuf **out);
/* Add a ring buffer map (by fd; the reader keeps its own mapping, the caller keeps the fd). */
int bel_ringbuf_add(struct bel_ringbuf *rb, int map_fd, bel_ringbuf_fn fn, void *ctx);
/* Wait up to timeout_ms (-1: forever) for records, then consume what every ring holds. Returns
 * the number of records handed to callbacks, a callback's return value if it was negative, or
 * -errno. Records already there are read without waiting. A call reads each ring up to where
 * its producer is, at most twice its size; records not yet committed and those the producer
 * discarded are not handed over. */
int bel_ringbuf_poll(struct bel_ringbuf *rb, int timeout_ms);
int bel_ringbuf_consume(struct bel_ringbuf *rb);        /* the same, without waiting */
int bel_ringbuf_epoll_fd(const struct bel_ringbuf *rb); /* to wait in the caller's own loop */
void bel_ringbuf_free(struct bel_ringbuf *rb);

struct bel_perfbuf;
struct bel_perfbuf_opts {
	size_t sz;
	size_t pages_per_cpu;   /* data pages per CPU ring, a power of two (default 64) */
	/* one sample; return 0 to go on, anything else stops (the sample counts as consumed).
	 * size is the kernel's raw size: what the program sent, padded to 4 bytes short of a
	 * multiple of 8. data is valid during the call only. */
	int (*sample)(void *ctx, int cpu, const void *data, uint32_t size);
	/* samples the kernel dropped because that CPU's ring was full */
	void (*lost)(void *ctx, int cpu, uint64_t count);
	void *ctx;
};
/* Open a perf event (PERF_COUNT_SW_BPF_OUTPUT) and its ring on every online CPU and put each in
 * the map's slot for that CPU (CPUs past max_entries are left out). free() empties the slots. */
int bel_perfbuf_new(int map_fd, const struct bel_perfbuf_opts *opts, struct bel_perfbuf **out);
/* As for ring buffers; the count is of samples and lost-sample reports handed to callbacks.
 * poll reads the rings that woke it, consume every ring. */
int bel_perfbuf_poll(struct bel_perfbuf *pb, int timeout_ms);
int bel_perfbuf_consume(struct bel_perfbuf *pb);
int bel_perfbuf_epoll_fd(const struct bel_perfbuf *pb);
void bel_perfbuf_free(struct bel_perfbuf *pb);

#ifdef __cplusplus
}
#endif

#endif
