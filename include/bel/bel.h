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
 *
 * Structs: options structs and the structs bel fills for the caller start with `size_t sz`,
 * which the caller sets to sizeof the struct it was built with. bel reads only the options that
 * fit in sz (newer fields it does not know must be zero) and fills only what fits, so a program
 * built against an older header keeps working with a newer library and the reverse.
 *
 * One header, however long: it is the whole public API, each call documented where declared.
 */
#ifndef BEL_H
#define BEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What libbel exports: every function declared here, and nothing else (the library is built with
 * -fvisibility=hidden and a version script whose node is BEL_0.2), so internal changes cannot
 * break a program linked against it.
 */
#ifndef BEL_API
#if defined(__GNUC__) && __GNUC__ >= 4
#define BEL_API __attribute__((visibility("default")))
#else
#define BEL_API
#endif
#endif

/* This header's version; bel_version() gives the library's ("0.2.0"). */
#define BEL_VERSION_MAJOR 0
#define BEL_VERSION_MINOR 2
#define BEL_VERSION_PATCH 0
BEL_API const char *bel_version(void);

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
	bool ignore_pinning;    /* maps pinned by name are made for this object alone: no pin
				   is reused and none is made (a trial load leaves bpffs as it was) */
};

/* Open and parse an object. On failure *obj is NULL and the message is passed to opts->msg
 * (if any); bel_thread_error() returns it too. */
BEL_API int bel_object_open_file(const char *path, const struct bel_open_opts *opts,
				 struct bel_object **obj);
BEL_API int bel_object_open_mem(const void *buf, size_t size, const struct bel_open_opts *opts,
				struct bel_object **obj);
/* The message of the last failed call in this thread that has no object to record it on:
 * opening an object, ring and perf buffer readers, maps opened by fd or path. */
BEL_API const char *bel_thread_error(void);

/* Unload everything that is loaded and free the object. Pins stay in place. */
BEL_API void bel_object_close(struct bel_object *obj);

BEL_API const char *bel_object_name(const struct bel_object *obj);
/* The last error recorded on this object (empty if none). Valid until the next call. */
BEL_API const char *bel_object_last_error(const struct bel_object *obj);
BEL_API const char *bel_object_license(const struct bel_object *obj);
/* Raw object BTF as it will be given to the kernel (after fix-up), or NULL. */
BEL_API const void *bel_object_btf(const struct bel_object *obj, uint32_t *size);
/* Number of types in the object BTF (0 if none). */
BEL_API uint32_t bel_object_btf_type_count(const struct bel_object *obj);
/* fd of the object BTF in the kernel, loaded on first need; negative if none. */
BEL_API int bel_object_btf_fd(const struct bel_object *obj);

struct bel_load_opts {
	size_t sz;              /* sizeof(struct bel_load_opts) */
	unsigned int threads;   /* 0 or 1: load in the calling thread */
	bool keep_going;        /* load what loads; otherwise all-or-nothing */
	uint32_t log_level;     /* verifier log level to capture (0: only on failure) */
};

/* Load every program of the object whose autoload is set (and the maps they need). Without keep_going, a failure
 * unloads what this call loaded and returns the first error; with it, every program is
 * tried and the return value is the first error (0 if all loaded): see each program's status. */
BEL_API int bel_object_load(struct bel_object *obj, const struct bel_load_opts *opts);
/* Unload every program; maps are released as their last user goes. */
BEL_API void bel_object_unload(struct bel_object *obj);

BEL_API unsigned int bel_object_program_count(const struct bel_object *obj);
BEL_API struct bel_program *bel_object_program(const struct bel_object *obj, unsigned int i);
BEL_API struct bel_program *bel_object_find_program(const struct bel_object *obj, const char *name);
BEL_API unsigned int bel_object_map_count(const struct bel_object *obj);
BEL_API struct bel_map *bel_object_map(const struct bel_object *obj, unsigned int i);
BEL_API struct bel_map *bel_object_find_map(const struct bel_object *obj, const char *name);

/* Programs. */
BEL_API struct bel_object *bel_program_object(const struct bel_program *prog);
BEL_API const char *bel_program_name(const struct bel_program *prog);
BEL_API const char *bel_program_section(const struct bel_program *prog);
BEL_API uint32_t bel_program_type(const struct bel_program *prog);             /* BPF_PROG_TYPE_* */
BEL_API uint32_t bel_program_expected_attach_type(const struct bel_program *prog);
BEL_API uint32_t bel_program_flags(const struct bel_program *prog); /* BPF_F_* load flags */
/* The program's instructions after relocation (struct bpf_insn from <linux/bpf.h>), as parsed:
 * subprograms appended, map references marked, fds not filled in, CO-RE and externs not applied
 * (those are applied to the program's own copy when it loads). Never changes after open. */
BEL_API const void *bel_program_insns(const struct bel_program *prog, unsigned int *count);
/* Number of .BTF.ext func_info and line_info records the program carries. */
BEL_API void bel_program_btf_ext_counts(const struct bel_program *prog, uint32_t *func_info,
					uint32_t *line_info);
/* The map table: the maps the program's final instructions refer to, its subprograms' included. */
BEL_API unsigned int bel_program_map_count(const struct bel_program *prog);
BEL_API struct bel_map *bel_program_map(const struct bel_program *prog, unsigned int i);
/*
 * Before a load. Each of these is refused with -EBUSY while the program is loaded and applies to
 * its next load.
 *
 * The program type (and expected attach type) where the section name does not say it, as
 * loaders with their own conventions do (qemu's "tun_rss_steering" is a socket filter).
 */
BEL_API int bel_program_set_type(struct bel_program *prog, uint32_t prog_type,
				 uint32_t expected_attach_type);
/* BPF_F_* load flags (replacing those the section implies, e.g. BPF_F_SLEEPABLE for ".s"). */
BEL_API int bel_program_set_flags(struct bel_program *prog, uint32_t flags);
/* Verifier log level for every load of this program (the log is then kept on success too). */
BEL_API int bel_program_set_log_level(struct bel_program *prog, uint32_t level);
/* Whether bel_object_load loads it (default true); bel_program_load always does. */
BEL_API int bel_program_set_autoload(struct bel_program *prog, bool autoload);
BEL_API bool bel_program_autoload(const struct bel_program *prog);
/*
 * Where a fentry/fexit/fmod_ret, lsm, tp_btf or freplace program attaches, instead of what its
 * section names: func_name (NULL: keep the section's) in the kernel when target_prog_fd <= 0, or
 * in the BPF program target_prog_fd (a freplace program's target; fentry/fexit on a BPF
 * program). The fd is duplicated.
 */
BEL_API int bel_program_set_attach_target(struct bel_program *prog, int target_prog_fd,
					  const char *func_name);
/* The same, the target program given by its pin on bpffs (opened, checked to be a
 * program, and kept as a duplicate fd as above). */
BEL_API int bel_program_set_attach_target_pinned(struct bel_program *prog, const char *path,
						 const char *func_name);
/* Load one program and the maps in its map table; bind the object's metadata maps. */
BEL_API int bel_program_load(struct bel_program *prog);
BEL_API int bel_program_unload(struct bel_program *prog);
BEL_API int bel_program_fd(const struct bel_program *prog);                   /* -1 if not loaded */
/* Status of the last load: 0, or the negative errno it failed with. */
BEL_API int bel_program_status(const struct bel_program *prog);
/* Message of the last failed load ("" after a successful one). This and the log below are the
 * program's own buffers: read them when no other thread is loading the same program. */
BEL_API const char *bel_program_error(const struct bel_program *prog);
/* Verifier log of the last failed load (or of the last load when a log level was set): its
 * last BEL_LOG_KEEP bytes, where the verifier says why. A failing load runs the verifier twice
 * (once more with a log), three times on kernels before 6.4 when the log is long. */
#define BEL_LOG_KEEP (64u << 10)
BEL_API const char *bel_program_log(const struct bel_program *prog);

/* Attaching through BPF links. The section says how (kprobe/F, tracepoint/C/N, raw_tp/N,
 * fentry/F, lsm/H, iter/T, cgroup_skb/ingress, xdp, tcx/ingress, ...); opts give what it cannot:
 * the interface for xdp/tcx, the cgroup for cgroup programs, or another target. */
struct bel_attach_opts {
	size_t sz;
	const char *target;     /* overrides the section's target (function, "cat/name", ...) */
	const char *cgroup;     /* cgroup v2 directory; default: the root of the v2 hierarchy
				   (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid systems) */
	const char *ifname;     /* interface for xdp, tcx, tc and classifier programs */

	/* The other attach kinds (fds: 0 means none given). */
	int cgroup_fd;          /* cgroup programs: a cgroup v2 directory fd instead of a path */
	/* perf_event: a sampling event on every online CPU (perf_event_open(2)'s type and config;
	 * zero is PERF_TYPE_HARDWARE/PERF_COUNT_HW_CPU_CYCLES), every sample_period events or
	 * sample_freq times a second (exactly one of the two) */
	uint32_t perf_type;
	uint64_t perf_config, sample_period, sample_freq;
	/* kprobe.multi, kretprobe.multi: functions by name (syms) or address (addrs), cnt of
	 * them, instead of the section's glob (or target); cookies: cnt values or NULL */
	const char *const *syms;
	const uint64_t *addrs, *cookies;
	uint32_t cnt;
	/* xdp: XDP_FLAGS_SKB_MODE, _DRV_MODE or _HW_MODE attach through netlink instead of a
	 * link; xdp_replace_fd (> 0) replaces that program atomically (XDP_FLAGS_REPLACE) */
	uint32_t xdp_flags;
	int xdp_replace_fd;
	/* tc, classifier, tcx/tc ingress/egress: a direct-action cls_bpf filter on a clsact
	 * qdisc (made if missing) where the kernel has no tcx (before 6.6), or when tc_classic,
	 * a priority, a handle or tc_replace is given. 0: the kernel picks priority and handle.
	 * tc_replace replaces the filter at tc_priority and tc_handle (both needed). */
	bool tc_classic;
	bool tc_egress;         /* "tc" and "classifier" sections: egress (default ingress) */
	bool tc_replace;
	uint16_t tc_priority;
	uint32_t tc_handle;
	int map_fd;             /* sk_skb/stream_*, sk_msg: the sockmap or sockhash */
	int netns_fd;           /* sk_lookup, flow_dissector: default the calling thread's */
	/* netfilter (Linux 6.4): NFPROTO_IPV4 or _IPV6, an NF_INET_* hook, a priority */
	uint32_t nf_pf, nf_hooknum, nf_flags;
	int32_t nf_priority;
	/* attachments that are not links (classic tc, netlink XDP, sockmap programs) stay when the
	 * program is detached or unloaded: bel forgets them */
	bool keep_attached;
	/*
	 * uprobe/uretprobe (sections "uprobe/BINARY:FUNC[+OFF]", "uretprobe/...", ".s" for
	 * sleepable) and USDT ("usdt/BINARY:PROVIDER:NAME", for <bpf/usdt.bpf.h>); a bare "uprobe"
	 * or "usdt" section takes all of it from here. Each field set replaces that part of the
	 * section's target. BINARY is a path, or a bare name: "lib*.so*" is looked up like the
	 * dynamic loader (LD_LIBRARY_PATH, /etc/ld.so.cache, then the standard directories),
	 * anything else in PATH.
	 */
	const char *binary;     /* the executable or shared library */
	const char *func;       /* uprobe: "name", "name@VERSION" or "name@@VERSION" */
	uint64_t func_offset;   /* uprobe: bytes after func; without a function, a file offset */
	int pid;                /* uprobe, usdt: only this process (> 0); 0: every process */
	bool retprobe;          /* uprobe: on return (as a "uretprobe" section) */
	uint64_t cookie;        /* uprobe: what bpf_get_attach_cookie() returns; usdt: what
				   bpf_usdt_cookie() returns (the BPF cookie holds the spec id) */
	uint64_t ref_ctr_offset; /* uprobe: file offset of a semaphore the kernel counts attached
				   probes in (USDT-style; 0: none) */
	const char *usdt_provider, *usdt_name; /* usdt */
};
/*
 * Attach a loaded program; returns the link fd (owned by the program) or -errno. Links are
 * closed when the program is unloaded; a pinned link keeps the program attached after that.
 *
 * A perf_event program gets one link per online CPU, and a USDT probe one uprobe link per
 * probe site: the call returns one of them (the first CPU's, the last site's) and
 * bel_program_link_fd lists them all; detaching a USDT program releases its spec ids.
 * Classic tc filters, XDP set through netlink and sockmap programs (BPF_PROG_ATTACH) are not
 * links: the call returns 0 for them, the program keeps them (bel_program_attachment_count)
 * and removes them when it is detached or unloaded (a filter or XDP program someone has
 * replaced since is left alone). They cannot be pinned: bel_object_pin pins links only;
 * keep_attached leaves them attached after bel is gone.
 */
BEL_API int bel_program_attach(struct bel_program *prog, const struct bel_attach_opts *opts);
/* Whether the section (with opts) says enough to attach. */
BEL_API bool bel_program_attachable(const struct bel_program *prog,
				    const struct bel_attach_opts *opts);
BEL_API int bel_program_detach(struct bel_program *prog);  /* close its links, remove the rest */
BEL_API unsigned int bel_program_link_count(const struct bel_program *prog);
BEL_API int bel_program_link_fd(const struct bel_program *prog, unsigned int i);
BEL_API unsigned int bel_program_attachment_count(const struct bel_program *prog);

struct bel_program_info {
	size_t sz;                /* set by the caller: sizeof(struct bel_program_info) */
	uint32_t id;
	char tag[17];             /* hex */
	uint32_t verified_insns;
	uint32_t xlated_len, jited_len;
	uint32_t nr_map_ids;
	uint64_t load_ns;         /* wall time of the PROG_LOAD that succeeded, in bel */
};
BEL_API int bel_program_info(const struct bel_program *prog, struct bel_program_info *info);
/* The tag the kernel will give the program (hex, as bel_program_info's), computed here from the
 * instructions as they would load now (CO-RE and externs applied): equal tags, same program. */
BEL_API int bel_program_tag(struct bel_program *prog, char tag[17]);

/* Running a loaded program on the caller's input (BPF_PROG_TEST_RUN): what test rigs use. The
 * opts are read and the results written back (as far as opts->sz reaches). */
struct bel_test_run_opts {
	size_t sz;
	const void *data_in;      /* a packet for networking programs */
	uint32_t data_size_in;
	void *data_out;
	uint32_t data_size_out;   /* in: the buffer's size; out: the bytes written */
	const void *ctx_in;       /* the context (struct __sk_buff, xdp_md, tracing args, ...) */
	uint32_t ctx_size_in;
	void *ctx_out;
	uint32_t ctx_size_out;    /* in: the buffer's size; out: the bytes written */
	uint32_t repeat;          /* runs (0 and 1: one) */
	uint32_t flags;           /* BPF_F_TEST_RUN_ON_CPU, BPF_F_TEST_XDP_LIVE_FRAMES */
	uint32_t cpu;
	uint32_t batch_size;
	uint32_t retval;          /* out: the program's return value */
	uint32_t duration_ns;     /* out: the kernel's average time per run */
};
BEL_API int bel_program_test_run(struct bel_program *prog, struct bel_test_run_opts *opts);

/*
 * Maps. A map exists (has an fd) while a loaded program, an outer map or the user holds it; it is
 * created by the first of those and, unless opts.keep_maps, released with the last. Element
 * calls and mappings need it to exist: hold it (bel_map_hold) to keep it while programs come and
 * go. Accessors give the map as it will be (or was) created.
 */
/* The map's object; NULL for a map opened by fd or path. */
BEL_API struct bel_object *bel_map_object(const struct bel_map *map);
BEL_API const char *bel_map_name(const struct bel_map *map);      /* variable or section name */
BEL_API const char *bel_map_kernel_name(const struct bel_map *map);
BEL_API uint32_t bel_map_type(const struct bel_map *map);
BEL_API uint32_t bel_map_key_size(const struct bel_map *map);
BEL_API uint32_t bel_map_value_size(const struct bel_map *map);
BEL_API uint32_t bel_map_max_entries(const struct bel_map *map);
BEL_API uint32_t bel_map_flags(const struct bel_map *map);
/* The section of a global data map (".rodata", ".data.custom", ...), else NULL. */
BEL_API const char *bel_map_data_section(const struct bel_map *map);
BEL_API bool bel_map_has_metadata(const struct bel_map *map);
BEL_API int bel_map_fd(const struct bel_map *map);                  /* -1 if not created */

/*
 * Before the map is created (-EBUSY while it exists; a released map takes the new settings when
 * it is created again). Sizes the kernel would refuse are refused here with a message: a ring
 * buffer's size must be a power-of-two multiple of the page size; global data keeps its
 * section's size; maps of fds keep 4-byte values.
 */
BEL_API int bel_map_set_max_entries(struct bel_map *map, uint32_t max_entries);
BEL_API int bel_map_set_value_size(struct bel_map *map, uint32_t size);
BEL_API int bel_map_set_flags(struct bel_map *map, uint32_t flags);
BEL_API int bel_map_set_numa_node(struct bel_map *map, uint32_t node);   /* adds BPF_F_NUMA_NODE */
/* The template of a map-in-map's inner maps: the shape of another map of the object. */
BEL_API int bel_map_set_inner_map(struct bel_map *map, const struct bel_map *inner);
/* Off: the map is not created; a program that uses it fails to load, naming the map, unless
 * the map is given from outside (bel_map_reuse_fd/_pinned). */
BEL_API int bel_map_set_autocreate(struct bel_map *map, bool create);
BEL_API bool bel_map_autocreate(const struct bel_map *map);

/*
 * Global data. The object keeps a copy of each section's initial value, which the map is
 * created with. bel_map_initial_value gives that copy (writable; value_size bytes, then zeros up
 * to a multiple of 16 that the map never sees, so a struct laid over the section fits) and
 * bel_map_set_initial_value replaces it, both for maps not yet created.
 */
BEL_API void *bel_map_initial_value(struct bel_map *map, size_t *size);
BEL_API int bel_map_set_initial_value(struct bel_map *map, const void *data, size_t size);

enum bel_var_kind {
	BEL_VAR_INT, BEL_VAR_BOOL, BEL_VAR_CHAR, BEL_VAR_ENUM, BEL_VAR_FLOAT, BEL_VAR_POINTER,
	BEL_VAR_CHAR_ARRAY,           /* char[N] */
	BEL_VAR_OTHER,                /* structs, unions, other arrays */
};
struct bel_var_info {
	size_t sz;                    /* set by the caller: sizeof(struct bel_var_info) */
	const char *name;
	const char *section;          /* ".rodata", ".bss", ".data.custom", ... */
	struct bel_map *map;          /* the section's map */
	uint32_t offset, size;        /* in the section */
	uint32_t btf_type_id;         /* its type in the object BTF */
	enum bel_var_kind kind;       /* its type, typedefs and qualifiers looked through */
	bool is_signed;               /* of an INT, CHAR or ENUM */
	bool read_only;               /* in a read-only section (frozen once created) */
	bool global;                  /* false for static and hidden variables */
};
/* Global variables of .data, .rodata, .bss and their custom sections, by section then offset. */
BEL_API unsigned int bel_object_var_count(const struct bel_object *obj);
BEL_API int bel_object_var(const struct bel_object *obj, unsigned int i, struct bel_var_info *info);
/* A variable's index, or -ENOENT. */
BEL_API int bel_object_find_var(const struct bel_object *obj, const char *name);
/*
 * Set or read a variable by name; size must be its size (-EINVAL and a message naming both
 * otherwise). Before its map exists, a set changes the initial value; after, it writes the live
 * map too, except in a frozen (read-only) section, where it is refused with -EBUSY. A map to be
 * reused (bel_map_reuse_fd/_pinned) is never initialised, so a set before load is refused with
 * -EBUSY too. A get reads the live map when there is one.
 */
BEL_API int bel_object_set_var(struct bel_object *obj, const char *name, const void *value,
			       size_t size);
BEL_API int bel_object_get_var(struct bel_object *obj, const char *name, void *value, size_t size);

/*
 * Holds: a held map exists (bel_map_hold creates it if needed) and is not released when its
 * last program unloads. bel_map_mmap maps a live array created BPF_F_MMAPABLE (global data with
 * a non-static variable is) and holds the map: the pointer is valid until the matching
 * bel_map_unhold (read-only mapping for frozen sections: do not write through it).
 */
BEL_API int bel_map_hold(struct bel_map *map);
BEL_API void bel_map_unhold(struct bel_map *map);
BEL_API void *bel_map_mmap(struct bel_map *map, size_t *size);

/*
 * Elements of a live map. key_sz and value_sz must be the map's sizes (checked: -EINVAL and a
 * message otherwise); per-CPU maps take and return bel_possible_cpus() values, each rounded up
 * to 8 bytes. The kernel's answers come back as -errno with no message: -ENOENT (no such key),
 * -EEXIST (BPF_NOEXIST), -E2BIG (full). flags: BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK.
 */
BEL_API int bel_possible_cpus(void);
BEL_API int bel_map_lookup_elem(const struct bel_map *map, const void *key, size_t key_sz,
				void *value, size_t value_sz, uint64_t flags);
BEL_API int bel_map_update_elem(const struct bel_map *map, const void *key, size_t key_sz,
				const void *value, size_t value_sz, uint64_t flags);
BEL_API int bel_map_delete_elem(const struct bel_map *map, const void *key, size_t key_sz);
BEL_API int bel_map_lookup_and_delete_elem(const struct bel_map *map, const void *key,
					   size_t key_sz, void *value, size_t value_sz,
					   uint64_t flags);
/* key NULL: the first key. -ENOENT after the last. */
BEL_API int bel_map_get_next_key(const struct bel_map *map, const void *key, void *next_key,
				 size_t key_sz);
/* Every key (and its value, with with_values; NULL otherwise) in turn; keys deleted while the
 * walk goes on are skipped. fn returns 0 to go on, anything else to stop. Returns the number of
 * elements handed to fn, fn's value if it was negative, or -errno. */
typedef int (*bel_map_elem_fn)(const void *key, const void *value, void *ctx);
BEL_API int bel_map_foreach(const struct bel_map *map, bool with_values, bel_map_elem_fn fn,
			    void *ctx);

/* The batch commands: *count in: elements in keys/values; out: elements done. in_batch NULL
 * starts a walk; out_batch (at least key_size bytes, and 4) continues it. -ENOENT with *count
 * set: the walk has ended with these. */
struct bel_map_batch_opts {
	size_t sz;
	uint64_t elem_flags;      /* BPF_F_LOCK */
	uint64_t flags;
};
BEL_API int bel_map_lookup_batch(const struct bel_map *map, void *in_batch, void *out_batch,
				 void *keys, void *values, uint32_t *count,
				 const struct bel_map_batch_opts *opts);
BEL_API int bel_map_lookup_and_delete_batch(const struct bel_map *map, void *in_batch,
					    void *out_batch, void *keys, void *values,
					    uint32_t *count, const struct bel_map_batch_opts *opts);
BEL_API int bel_map_update_batch(const struct bel_map *map, const void *keys, const void *values,
				 uint32_t *count, const struct bel_map_batch_opts *opts);
BEL_API int bel_map_delete_batch(const struct bel_map *map, const void *keys, uint32_t *count,
				 const struct bel_map_batch_opts *opts);

/* A map of no object (another loader's, a pin), for the element calls, bel_map_mmap and the
 * accessors: the fd is duplicated (the caller keeps its own). Failures: bel_thread_error(). */
BEL_API int bel_map_open_fd(int fd, struct bel_map **map);
BEL_API int bel_map_open_pinned(const char *path, struct bel_map **map);
BEL_API void bel_map_close(struct bel_map *map);    /* only maps opened so; no-op for an object's */

/*
 * Use an existing map (another object's, another loader's) instead of creating one. Must come
 * before a program that uses the map is loaded. The map is checked first: type, key and value
 * size, max_entries, flags, and for global data the variable layout; a mismatch is refused
 * with a message naming both sides. bel_map_reuse_fd dups fd; the caller keeps its own.
 */
BEL_API int bel_map_reuse_fd(struct bel_map *map, int fd);
BEL_API int bel_map_reuse_pinned(struct bel_map *map, const char *path);
/*
 * struct_ops maps (a variable in SEC(".struct_ops") or SEC(".struct_ops.link"), e.g. a TCP
 * congestion control): attaching writes the value the kernel takes (the object's members by
 * name, each function pointer the fd of its program, which must be loaded) and registers it,
 * through a BPF link for .struct_ops.link maps (the link fd is returned, owned by the map) or
 * by the update itself (0 is returned: .struct_ops maps, and kernels before 6.4). The map is
 * held while attached. Detaching, unloading the object or closing it unregisters. The object's
 * members can be changed before attaching through bel_map_initial_value (the struct's bytes,
 * e.g. its name).
 */
BEL_API int bel_map_attach_struct_ops(struct bel_map *map);
BEL_API int bel_map_detach_struct_ops(struct bel_map *map);
BEL_API int bel_map_struct_ops_link_fd(const struct bel_map *map);   /* -1: none */
/* Where pinning by name put this map (NULL if not pinned by name). */
BEL_API const char *bel_map_pin_path(const struct bel_map *map);
BEL_API uint32_t bel_map_id(const struct bel_map *map);             /* 0 if not created */

/* CO-RE and externs, resolved against the target (the running kernel, or opts.btf_path for
 * CO-RE) without loading: what `bel inspect --core` shows. */
struct bel_core_report {
	size_t sz;                    /* set by the caller in out[0]: the array's element size */
	unsigned int insn;            /* in the program's final instructions */
	const char *kind;             /* "byte_off", "field_exists", "type_size", ... */
	char what[256];               /* the local type path: "struct task_struct.pid (access 0:12)" */
	bool poisoned;                /* the instruction becomes an invalid call */
	uint64_t local_value, target_value;
	unsigned int candidates, matched;
	uint32_t target_type_id;
};
/* The program's CO-RE relocations in order, into the caller's array out[0..max): out[0].sz is
 * the size of each element (sizeof(struct bel_core_report) as the caller knows it); bel sets each
 * element's sz and fills what fits. Returns how many relocations the program has (0 if none; more
 * than max: only max filled), or -errno. With max 0, out may be NULL: a count. */
BEL_API int bel_program_core_report(const struct bel_program *prog, struct bel_core_report *out,
				    unsigned int max);

struct bel_extern_info {
	size_t sz;                    /* set by the caller: sizeof(struct bel_extern_info) */
	const char *name;
	const char *kind;             /* "kconfig", "ksym" or "kfunc" */
	bool weak, typeless, resolved;
	uint64_t value;               /* kconfig value (first 8 bytes), BTF id or address */
	char string[64];              /* a kconfig string */
	char error[256];              /* why it did not resolve */
};
BEL_API unsigned int bel_object_extern_count(const struct bel_object *obj);
BEL_API int bel_object_extern(struct bel_object *obj, unsigned int i, struct bel_extern_info *info);

/*
 * Pins: root/<object>/{maps,programs,links}/<name>, '.' in names escaped as '_' (bpffs refuses
 * dots); a program's second and later links are "<name>_1", "<name>_2", ... The tree is built
 * under a temporary name and renamed into place (never over anything), so readers never see
 * half of it; on failure nothing is left. Pins what is loaded now. root must be on bpffs; when
 * it does not exist it is made, with its missing parents, provided the deepest part of it that
 * exists is on bpffs.
 *
 * Names that become paths (the object's name here, map and program names, maps pinned by name
 * under bel_open_opts.pin_root, tracepoint categories and names) follow one rule, checked
 * before any path is built: one path component (not empty, not "." or "..", no '/'), no
 * control character (below 0x20, or 0x7f), and at most 255 bytes (NAME_MAX) with any suffix
 * bel adds ("_1" for links). A name that breaks it is refused with a message naming the
 * object, the map or program, and the rule.
 */
BEL_API int bel_object_pin(struct bel_object *obj, const char *root);
/* Whether every name bel_object_pin could need (the object's, each map's and program's,
 * escaped names distinct) follows the rule above, so a caller can refuse before loading. */
BEL_API int bel_object_pin_check(struct bel_object *obj);
/*
 * Restart and upgrade: take what an earlier load pinned at root/<object> instead of loading it
 * again. Before any load of the object. A pinned map is taken when it fits the object's
 * definition (and, for a frozen section, holds the same values); its contents are kept. A
 * pinned program is taken without loading it when its kernel tag is the tag of what bel would
 * load now (bel_program_tag) and it uses exactly the maps now taken; every other program is
 * loaded (opts->load: threads, keep_going). A pinned link follows its program: kept, moved to
 * the changed program with BPF_LINK_UPDATE (only if it still runs the old one), or, for link
 * kinds that cannot be moved, made anew before the old one goes (they overlap; counted in
 * links_replaced) when the section says where. With nothing pinned there, a plain load.
 *
 * Nothing changes on bpffs until bel_object_pin(obj, root), which builds the new tree and
 * exchanges it with the old one in one rename (the old tree, with the links of programs that
 * are gone, then goes). The pin root is locked from here to that exchange (or the object's
 * close): two loaders adopting the same tree take turns. On failure nothing is loaded and the
 * old tree and its links are as they were.
 */
struct bel_adopt_opts {
	size_t sz;
	const struct bel_load_opts *load; /* for the programs that must be loaded */
	bool migrate;             /* a pinned map of another shape: a new map, the old one's
				     entries copied (hash, LRU, array and their per-CPU kinds) */
};
struct bel_adopt_report {
	size_t sz;                /* set by the caller */
	unsigned int progs_reused, progs_loaded, progs_dropped;
	unsigned int maps_reused, maps_created, maps_migrated, maps_dropped;
	unsigned int links_kept, links_updated, links_replaced, links_lost, links_dropped;
	uint64_t entries_copied, entries_lost; /* migrated maps: entries that did not fit */
};
BEL_API int bel_object_adopt(struct bel_object *obj, const char *root,
			     const struct bel_adopt_opts *opts, struct bel_adopt_report *report);
/*
 * What a pinned tree (path: root/<object>) holds, and with obj (or NULL), how each pin compares
 * with what obj would load: the judgement bel_object_adopt acts on, made without taking
 * anything. Read once into a result, whose items are copied out one by one (into a struct whose
 * sz the caller sets). Failures go to obj's last error, or bel_thread_error() without obj.
 */
enum bel_pinned_kind { BEL_PINNED_MAP, BEL_PINNED_PROGRAM, BEL_PINNED_LINK };
enum bel_pinned_state {
	BEL_PINNED_LISTED,        /* no object to compare with */
	BEL_PINNED_SAME,          /* what the object would load: adopt takes it as it is */
	BEL_PINNED_CHANGED,       /* the object has it otherwise (why): adopt replaces or refuses it */
	BEL_PINNED_MISSING,       /* the object has it, the tree does not */
	BEL_PINNED_EXTRA,         /* the tree has it, the object does not: adopt drops it */
};
struct bel_pinned {
	size_t sz;
	enum bel_pinned_kind kind;
	enum bel_pinned_state state;
	char name[256];           /* its name in the tree */
	uint32_t id;              /* the kernel's id; 0 for a missing one */
	uint32_t type;            /* BPF_MAP_TYPE_*, BPF_PROG_TYPE_* or BPF_LINK_TYPE_* */
	char tag[17];             /* programs: the kernel's tag */
	uint32_t key_size, value_size, max_entries, flags; /* maps */
	uint32_t prog_id;         /* links: the program they run */
	char why[256];            /* what differs, for a changed one */
};
struct bel_pin_status;
BEL_API int bel_pin_status_read(const char *path, struct bel_object *obj,
				struct bel_pin_status **status);
BEL_API unsigned int bel_pin_status_count(const struct bel_pin_status *status);
BEL_API int bel_pin_status_item(const struct bel_pin_status *status, unsigned int i,
				struct bel_pinned *item);
BEL_API void bel_pin_status_free(struct bel_pin_status *status);

/*
 * Remove a tree made by bel_object_pin (path is root/<object>), all or nothing. The tree is
 * read first without following symbolic links or entering other mounts, and must be what bel
 * makes: on bpffs, only maps/, programs/ and links/ directories holding only pins of that kind
 * with names that follow the rule; anything else is refused and nothing is removed. If a
 * removal fails, what was removed is pinned again and the tree keeps its name. Paths of
 * PATH_MAX bytes or more are refused. The message is also kept for bel_thread_error().
 */
BEL_API int bel_unpin(const char *path, char *errbuf, size_t errbuf_size);
/* The name a map or program gets on bpffs ('.' and '/' become '_'). */
BEL_API void bel_pin_name(const char *name, char *out, size_t out_size);

/*
 * Events: readers for BPF_MAP_TYPE_RINGBUF and BPF_MAP_TYPE_PERF_EVENT_ARRAY maps. Failures are
 * reported through bel_thread_error(). A reader is used from one thread at a time.
 */
struct bel_ringbuf;
/* One record. Return 0 to go on; anything else stops the poll/consume that called it (the
 * record counts as consumed). data points into the ring and is valid during the call only. */
typedef int (*bel_ringbuf_fn)(void *ctx, const void *data, size_t size);
BEL_API int bel_ringbuf_new(struct bel_ringbuf **out);
/* Add a ring buffer map (by fd; the reader keeps its own mapping, the caller keeps the fd). */
BEL_API int bel_ringbuf_add(struct bel_ringbuf *rb, int map_fd, bel_ringbuf_fn fn, void *ctx);
/* Wait up to timeout_ms (-1: forever) for records, then consume what every ring holds. Returns
 * the number of records handed to callbacks, a callback's return value if it was negative, or
 * -errno. Records already there are read without waiting. A call reads each ring up to where
 * its producer is, at most twice its size; records not yet committed and those the producer
 * discarded are not handed over. */
BEL_API int bel_ringbuf_poll(struct bel_ringbuf *rb, int timeout_ms);
BEL_API int bel_ringbuf_consume(struct bel_ringbuf *rb);        /* the same, without waiting */
/* An fd to wait on in the caller's own loop. */
BEL_API int bel_ringbuf_epoll_fd(const struct bel_ringbuf *rb);
BEL_API void bel_ringbuf_free(struct bel_ringbuf *rb);

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
BEL_API int bel_perfbuf_new(int map_fd, const struct bel_perfbuf_opts *opts,
			    struct bel_perfbuf **out);
/* As for ring buffers; the count is of samples and lost-sample reports handed to callbacks.
 * poll reads the rings that woke it, consume every ring. */
BEL_API int bel_perfbuf_poll(struct bel_perfbuf *pb, int timeout_ms);
BEL_API int bel_perfbuf_consume(struct bel_perfbuf *pb);
BEL_API int bel_perfbuf_epoll_fd(const struct bel_perfbuf *pb);
BEL_API void bel_perfbuf_free(struct bel_perfbuf *pb);

#ifdef __cplusplus
}
#endif

#endif
