/* SPDX-License-Identifier: MIT */
/*
 * The only place in bel that calls bpf(2). One thin, typed function per command: each zeroes
 * exactly the prefix of union bpf_attr that it uses, passes that size to the kernel, and returns
 * an fd or 0 on success and -errno on failure. No policy lives here: retries, logs and fallbacks
 * belong to the loader.
 */
#ifndef BEL_SYSCALL_BPF_H
#define BEL_SYSCALL_BPF_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/uapi.h"

struct bel_map_create_args {
	uint32_t map_type, key_size, value_size, max_entries, map_flags;
	uint32_t inner_map_fd, numa_node, map_ifindex;
	uint32_t btf_fd, btf_key_type_id, btf_value_type_id, btf_vmlinux_value_type_id;
	uint64_t map_extra;
	const char *name; /* truncated to BPF_OBJ_NAME_LEN - 1; NULL for none */
};

struct bel_prog_load_args {
	uint32_t prog_type, expected_attach_type, prog_flags, kern_version;
	const struct bpf_insn *insns;
	uint32_t insn_cnt;
	const char *license;
	const char *name;                 /* truncated like map names; NULL for none */
	uint32_t prog_btf_fd;
	const void *func_info;
	uint32_t func_info_rec_size, func_info_cnt;
	const void *line_info;
	uint32_t line_info_rec_size, line_info_cnt;
	uint32_t attach_btf_id, attach_btf_obj_fd, attach_prog_fd;
	const int *fd_array;
	char *log_buf;
	uint32_t log_size, log_level;
	uint32_t log_true_size;           /* out: bytes the full log needs (kernel >= 6.4), else 0 */
};

int bel_sys_map_create(const struct bel_map_create_args *args);
int bel_sys_map_update_elem(int map_fd, const void *key, const void *value, uint64_t flags);
int bel_sys_map_lookup_elem(int map_fd, const void *key, void *value, uint64_t flags);
int bel_sys_map_lookup_and_delete_elem(int map_fd, const void *key, void *value, uint64_t flags);
int bel_sys_map_get_next_key(int map_fd, const void *key, void *next_key);
/* BPF_MAP_{LOOKUP,LOOKUP_AND_DELETE,UPDATE,DELETE}_BATCH; *count in: elements, out: done. */
int bel_sys_map_batch(int cmd, int map_fd, void *in_batch, void *out_batch, void *keys,
		      void *values, uint32_t *count, uint64_t elem_flags, uint64_t flags);
int bel_sys_map_delete_elem(int map_fd, const void *key);
int bel_sys_map_freeze(int map_fd);
int bel_sys_prog_load(struct bel_prog_load_args *args);
int bel_sys_btf_load(const void *btf, uint32_t size, char *log_buf, uint32_t log_size,
		     uint32_t log_level);
int bel_sys_obj_pin(int fd, const char *path);
int bel_sys_obj_get(const char *path, uint32_t file_flags);
/* The same relative to a directory fd (BPF_F_PATH_FD, Linux 6.5; -EINVAL before). */
int bel_sys_obj_pin_at(int fd, int dir_fd, const char *name);
int bel_sys_obj_get_at(int dir_fd, const char *name, uint32_t file_flags);
int bel_sys_prog_bind_map(int prog_fd, int map_fd);
int bel_sys_obj_get_info_by_fd(int fd, void *info, uint32_t *info_len);
int bel_sys_prog_get_fd_by_id(uint32_t id);
int bel_sys_map_get_fd_by_id(uint32_t id);
int bel_sys_btf_get_fd_by_id(uint32_t id);
int bel_sys_prog_get_next_id(uint32_t start_id, uint32_t *next_id);
struct bel_test_run_args {
	const void *data_in, *ctx_in;
	void *data_out, *ctx_out;
	uint32_t data_size_in, data_size_out;   /* out: the bytes written */
	uint32_t ctx_size_in, ctx_size_out;     /* out: the bytes written */
	uint32_t repeat, flags, cpu, batch_size;
	uint32_t retval, duration;              /* out */
};
int bel_sys_prog_test_run(int prog_fd, struct bel_test_run_args *args);
int bel_sys_raw_tracepoint_open(const char *name, int prog_fd);
int bel_sys_link_create(int prog_fd, int target_fd, uint32_t attach_type, uint32_t flags);
/* Move a link to new_prog_fd; with old_prog_fd >= 0, only if it still runs that program. */
int bel_sys_link_update(int link_fd, int new_prog_fd, int old_prog_fd);

/* BPF_LINK_CREATE with the part of the attr that depends on the attach type. */
struct bel_link_create_args {
	int prog_fd, target_fd;          /* target_fd: cgroup, netns, ifindex, perf event, ... */
	uint32_t attach_type, flags;
	uint64_t perf_cookie;            /* BPF_PERF_EVENT */
	struct {                         /* BPF_TRACE_KPROBE_MULTI: syms or addrs, cnt of them */
		uint32_t flags, cnt;
		const char *const *syms;
		const uint64_t *addrs, *cookies;
	} kprobe_multi;
	struct {                         /* BEL_BPF_NETFILTER (Linux 6.4) */
		uint32_t pf, hooknum;
		int32_t priority;
		uint32_t flags;
	} netfilter;	struct {                         /* BEL_BPF_TRACE_UPROBE_MULTI (Linux 6.6): cnt offsets in
					    the file at path; ref_ctr_offsets, cookies: NULL or cnt */
		const char *path;
		const uint64_t *offsets, *ref_ctr_offsets, *cookies;
		uint32_t cnt, flags, pid;
	} uprobe_multi;
};
int bel_sys_link_create_ext(const struct bel_link_create_args *args);
/* BPF_PROG_ATTACH / BPF_PROG_DETACH: attachments that are not links (sockmap programs). */
int bel_sys_prog_attach(int prog_fd, int target_fd, uint32_t attach_type, uint32_t flags);
int bel_sys_prog_detach(int prog_fd, int target_fd, uint32_t attach_type);
int bel_sys_btf_get_next_id(uint32_t start_id, uint32_t *next_id);

#endif
