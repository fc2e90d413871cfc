/* SPDX-License-Identifier: MIT */
/*
 * One thin wrapper per bpf() command, each zeroing exactly the attr fields up to the last it
 * sets (attr_end) so a kernel that does not know a later field never sees one. One file of
 * some length on purpose: the wrappers are alike and are read side by side with the kernel's
 * union bpf_attr; some have no caller in the library (tests use them).
 */
#include "bpf.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define attr_end(field) (offsetof(union bpf_attr, field) + sizeof(((union bpf_attr *)0)->field))

static inline uint64_t ptr_u64(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static int sys_bpf(int cmd, union bpf_attr *attr, size_t size)
{
	long ret;

	/* The kernel may return EAGAIN from PROG_LOAD when a signal interrupted verification. */
	do {
		ret = syscall(__NR_bpf, cmd, attr, (unsigned int)size);
	} while (ret < 0 && errno == EAGAIN && cmd == BPF_PROG_LOAD);
	return ret < 0 ? -errno : (int)ret;
}

static void copy_obj_name(char dst[BPF_OBJ_NAME_LEN], const char *name)
{
	if (!name)
		return;
	strncpy(dst, name, BPF_OBJ_NAME_LEN - 1);
	dst[BPF_OBJ_NAME_LEN - 1] = '\0';
}

int bel_sys_map_create(const struct bel_map_create_args *a)
{
	union bpf_attr attr;
	size_t size = attr_end(map_extra);

	memset(&attr, 0, size);
	attr.map_type = a->map_type;
	attr.key_size = a->key_size;
	attr.value_size = a->value_size;
	attr.max_entries = a->max_entries;
	attr.map_flags = a->map_flags;
	attr.inner_map_fd = a->inner_map_fd;
	attr.numa_node = a->numa_node;
	copy_obj_name(attr.map_name, a->name);
	attr.map_ifindex = a->map_ifindex;
	attr.btf_fd = a->btf_fd;
	attr.btf_key_type_id = a->btf_key_type_id;
	attr.btf_value_type_id = a->btf_value_type_id;
	attr.btf_vmlinux_value_type_id = a->btf_vmlinux_value_type_id;
	attr.map_extra = a->map_extra;
	return sys_bpf(BPF_MAP_CREATE, &attr, size);
}

/* The element commands share one attr layout: map, key, value, flags. */
static int map_elem(int cmd, int map_fd, const void *key, const void *value, uint64_t flags)
{
	union bpf_attr attr;
	size_t size = attr_end(flags);

	memset(&attr, 0, size);
	attr.map_fd = map_fd;
	attr.key = ptr_u64(key);
	attr.value = ptr_u64(value);
	attr.flags = flags;
	return sys_bpf(cmd, &attr, size);
}

int bel_sys_map_update_elem(int map_fd, const void *key, const void *value, uint64_t flags)
{
	return map_elem(BPF_MAP_UPDATE_ELEM, map_fd, key, value, flags);
}

int bel_sys_map_lookup_elem(int map_fd, const void *key, void *value, uint64_t flags)
{
	return map_elem(BPF_MAP_LOOKUP_ELEM, map_fd, key, value, flags);
}

int bel_sys_map_lookup_and_delete_elem(int map_fd, const void *key, void *value, uint64_t flags)
{
	return map_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, map_fd, key, value, flags);
}

int bel_sys_map_get_next_key(int map_fd, const void *key, void *next_key)
{
	union bpf_attr attr;
	size_t size = attr_end(next_key);

	memset(&attr, 0, size);
	attr.map_fd = map_fd;
	attr.key = ptr_u64(key);
	attr.next_key = ptr_u64(next_key);
	return sys_bpf(BPF_MAP_GET_NEXT_KEY, &attr, size);
}

int bel_sys_map_batch(int cmd, int map_fd, void *in_batch, void *out_batch, void *keys,
		      void *values, uint32_t *count, uint64_t elem_flags, uint64_t flags)
{
	union bpf_attr attr;
	size_t size = attr_end(batch.flags);
	int ret;

	memset(&attr, 0, size);
	attr.batch.map_fd = map_fd;
	attr.batch.in_batch = ptr_u64(in_batch);
	attr.batch.out_batch = ptr_u64(out_batch);
	attr.batch.keys = ptr_u64(keys);
	attr.batch.values = ptr_u64(values);
	attr.batch.count = *count;
	attr.batch.elem_flags = elem_flags;
	attr.batch.flags = flags;
	ret = sys_bpf(cmd, &attr, size);
	/* the kernel says how many it did, also when it fails part way (or ENOENT at the end) */
	*count = attr.batch.count;
	return ret;
}

int bel_sys_map_delete_elem(int map_fd, const void *key)
{
	union bpf_attr attr;
	size_t size = attr_end(key);

	memset(&attr, 0, size);
	attr.map_fd = map_fd;
	attr.key = ptr_u64(key);
	return sys_bpf(BPF_MAP_DELETE_ELEM, &attr, size);
}

int bel_sys_map_freeze(int map_fd)
{
	union bpf_attr attr;
	size_t size = attr_end(map_fd);

	memset(&attr, 0, size);
	attr.map_fd = map_fd;
	return sys_bpf(BPF_MAP_FREEZE, &attr, size);
}

/*
 * log_true_size follows core_relo_rec_size in union bpf_attr since Linux 6.4. The uapi headers
 * we build against predate it, so it is addressed by offset; older kernels accept the larger
 * size as long as the extra bytes are zero.
 */
#define PROG_LOAD_LOG_TRUE_SIZE_OFF attr_end(core_relo_rec_size)

int bel_sys_prog_load(struct bel_prog_load_args *a)
{
	union bpf_attr attr;
	size_t size = PROG_LOAD_LOG_TRUE_SIZE_OFF + sizeof(uint32_t);
	uint32_t true_size;
	int ret;

	_Static_assert(PROG_LOAD_LOG_TRUE_SIZE_OFF + sizeof(uint32_t) <= sizeof(attr),
		       "union bpf_attr too small for log_true_size");
	memset(&attr, 0, size);
	attr.prog_type = a->prog_type;
	attr.expected_attach_type = a->expected_attach_type;
	attr.prog_flags = a->prog_flags;
	attr.kern_version = a->kern_version;
	attr.insns = ptr_u64(a->insns);
	attr.insn_cnt = a->insn_cnt;
	attr.license = ptr_u64(a->license);
	copy_obj_name(attr.prog_name, a->name);
	attr.prog_btf_fd = a->prog_btf_fd;
	if (a->func_info_cnt) {
		attr.func_info = ptr_u64(a->func_info);
		attr.func_info_rec_size = a->func_info_rec_size;
		attr.func_info_cnt = a->func_info_cnt;
	}
	if (a->line_info_cnt) {
		attr.line_info = ptr_u64(a->line_info);
		attr.line_info_rec_size = a->line_info_rec_size;
		attr.line_info_cnt = a->line_info_cnt;
	}
	attr.attach_btf_id = a->attach_btf_id;
	if (a->attach_prog_fd)
		attr.attach_prog_fd = a->attach_prog_fd;
	else
		attr.attach_btf_obj_fd = a->attach_btf_obj_fd;
	attr.fd_array = ptr_u64(a->fd_array);
	if (a->log_buf && a->log_size) {
		attr.log_buf = ptr_u64(a->log_buf);
		attr.log_size = a->log_size;
		attr.log_level = a->log_level;
		a->log_buf[0] = '\0';
	}
	ret = sys_bpf(BPF_PROG_LOAD, &attr, size);
	memcpy(&true_size, (char *)&attr + PROG_LOAD_LOG_TRUE_SIZE_OFF, sizeof(true_size));
	a->log_true_size = true_size;
	return ret;
}

int bel_sys_btf_load(const void *btf, uint32_t btf_size, char *log_buf, uint32_t log_size,
		     uint32_t log_level)
{
	union bpf_attr attr;
	size_t size = attr_end(btf_log_level);

	memset(&attr, 0, size);
	attr.btf = ptr_u64(btf);
	attr.btf_size = btf_size;
	if (log_buf && log_size) {
		attr.btf_log_buf = ptr_u64(log_buf);
		attr.btf_log_size = log_size;
		attr.btf_log_level = log_level;
		log_buf[0] = '\0';
	}
	return sys_bpf(BPF_BTF_LOAD, &attr, size);
}

int bel_sys_obj_pin(int fd, const char *path)
{
	union bpf_attr attr;
	size_t size = attr_end(file_flags);

	memset(&attr, 0, size);
	attr.pathname = ptr_u64(path);
	attr.bpf_fd = fd;
	return sys_bpf(BPF_OBJ_PIN, &attr, size);
}

int bel_sys_obj_get(const char *path, uint32_t file_flags)
{
	union bpf_attr attr;
	size_t size = attr_end(file_flags);

	memset(&attr, 0, size);
	attr.pathname = ptr_u64(path);
	attr.file_flags = file_flags;
	return sys_bpf(BPF_OBJ_GET, &attr, size);
}

/* path_fd follows file_flags in the BPF_OBJ_* part of the attr (Linux 6.5). */
#define PATH_FD_OFFSET (offsetof(union bpf_attr, file_flags) + sizeof(uint32_t))

static int obj_at(int cmd, int fd, int dir_fd, const char *name, uint32_t file_flags)
{
	union bpf_attr attr;
	size_t size = PATH_FD_OFFSET + sizeof(int32_t);
	int32_t path_fd = dir_fd;

	memset(&attr, 0, size);
	attr.pathname = ptr_u64(name);
	attr.bpf_fd = (uint32_t)fd;
	attr.file_flags = file_flags | BEL_BPF_F_PATH_FD;
	memcpy((char *)&attr + PATH_FD_OFFSET, &path_fd, sizeof(path_fd));
	return sys_bpf(cmd, &attr, size);
}

int bel_sys_obj_pin_at(int fd, int dir_fd, const char *name)
{
	return obj_at(BPF_OBJ_PIN, fd, dir_fd, name, 0);
}

int bel_sys_obj_get_at(int dir_fd, const char *name, uint32_t file_flags)
{
	return obj_at(BPF_OBJ_GET, 0, dir_fd, name, file_flags);
}

int bel_sys_prog_bind_map(int prog_fd, int map_fd)
{
	union bpf_attr attr;
	size_t size = attr_end(prog_bind_map.flags);

	memset(&attr, 0, size);
	attr.prog_bind_map.prog_fd = prog_fd;
	attr.prog_bind_map.map_fd = map_fd;
	return sys_bpf(BPF_PROG_BIND_MAP, &attr, size);
}

int bel_sys_obj_get_info_by_fd(int fd, void *info, uint32_t *info_len)
{
	union bpf_attr attr;
	size_t size = attr_end(info);
	int ret;

	memset(&attr, 0, size);
	attr.info.bpf_fd = fd;
	attr.info.info_len = *info_len;
	attr.info.info = ptr_u64(info);
	ret = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, size);
	if (ret == 0)
		*info_len = attr.info.info_len;
	return ret;
}

static int get_fd_by_id(int cmd, uint32_t id)
{
	union bpf_attr attr;
	size_t size = attr_end(open_flags);

	memset(&attr, 0, size);
	attr.prog_id = id; /* prog_id, map_id and btf_id share this slot */
	return sys_bpf(cmd, &attr, size);
}

int bel_sys_prog_get_fd_by_id(uint32_t id)
{
	return get_fd_by_id(BPF_PROG_GET_FD_BY_ID, id);
}

int bel_sys_map_get_fd_by_id(uint32_t id)
{
	return get_fd_by_id(BPF_MAP_GET_FD_BY_ID, id);
}

int bel_sys_btf_get_fd_by_id(uint32_t id)
{
	return get_fd_by_id(BPF_BTF_GET_FD_BY_ID, id);
}

static int get_next_id(int cmd, uint32_t start_id, uint32_t *next_id)
{
	union bpf_attr attr;
	size_t size = attr_end(open_flags);
	int ret;

	memset(&attr, 0, size);
	attr.start_id = start_id;
	ret = sys_bpf(cmd, &attr, size);
	if (ret == 0)
		*next_id = attr.next_id;
	return ret;
}

int bel_sys_prog_get_next_id(uint32_t start_id, uint32_t *next_id)
{
	return get_next_id(BPF_PROG_GET_NEXT_ID, start_id, next_id);
}

int bel_sys_btf_get_next_id(uint32_t start_id, uint32_t *next_id)
{
	return get_next_id(BPF_BTF_GET_NEXT_ID, start_id, next_id);
}

int bel_sys_prog_test_run(int prog_fd, struct bel_test_run_args *a)
{
	union bpf_attr attr;
	size_t size = attr_end(test.batch_size);
	int ret;

	memset(&attr, 0, size);
	attr.test.prog_fd = prog_fd;
	attr.test.data_in = ptr_u64(a->data_in);
	attr.test.data_size_in = a->data_size_in;
	attr.test.data_out = ptr_u64(a->data_out);
	attr.test.data_size_out = a->data_size_out;
	attr.test.ctx_in = ptr_u64(a->ctx_in);
	attr.test.ctx_size_in = a->ctx_size_in;
	attr.test.ctx_out = ptr_u64(a->ctx_out);
	attr.test.ctx_size_out = a->ctx_size_out;
	attr.test.repeat = a->repeat;
	attr.test.flags = a->flags;
	attr.test.cpu = a->cpu;
	attr.test.batch_size = a->batch_size;
	ret = sys_bpf(BPF_PROG_TEST_RUN, &attr, size);
	a->data_size_out = attr.test.data_size_out;
	a->ctx_size_out = attr.test.ctx_size_out;
	a->retval = attr.test.retval;
	a->duration = attr.test.duration;
	return ret;
}

int bel_sys_raw_tracepoint_open(const char *name, int prog_fd)
{
	union bpf_attr attr;
	size_t size = attr_end(raw_tracepoint.prog_fd);

	memset(&attr, 0, size);
	attr.raw_tracepoint.name = ptr_u64(name);
	attr.raw_tracepoint.prog_fd = prog_fd;
	return sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &attr, size);
}

int bel_sys_link_create(int prog_fd, int target_fd, uint32_t attach_type, uint32_t flags)
{
	union bpf_attr attr;
	size_t size = attr_end(link_create.flags);

	memset(&attr, 0, size);
	attr.link_create.prog_fd = prog_fd;
	attr.link_create.target_fd = target_fd;
	attr.link_create.attach_type = attach_type;
	attr.link_create.flags = flags;
	return sys_bpf(BPF_LINK_CREATE, &attr, size);
}

int bel_sys_link_update(int link_fd, int new_prog_fd, int old_prog_fd)
{
	union bpf_attr attr;
	size_t size = attr_end(link_update.old_prog_fd);

	memset(&attr, 0, size);
	attr.link_update.link_fd = (uint32_t)link_fd;
	attr.link_update.new_prog_fd = (uint32_t)new_prog_fd;
	if (old_prog_fd >= 0) {
		attr.link_update.flags = BPF_F_REPLACE;
		attr.link_update.old_prog_fd = (uint32_t)old_prog_fd;
	}
	return sys_bpf(BPF_LINK_UPDATE, &attr, size);
}

/*
 * The netfilter (Linux 6.4) and uprobe_multi (6.6) parts of link_create share the union that
 * kprobe_multi starts, so they are written at that offset: the headers bel builds against
 * predate them. uprobe_multi is the longest: path, offsets, ref_ctr_offsets, cookies (u64 each),
 * then cnt, flags, pid (u32 each).
 */
#define LINK_CREATE_UNION_OFF offsetof(union bpf_attr, link_create.kprobe_multi.flags)
#define UPROBE_MULTI_SIZE (4 * sizeof(uint64_t) + 3 * sizeof(uint32_t))

int bel_sys_link_create_ext(const struct bel_link_create_args *a)
{
	union bpf_attr attr;
	size_t size = attr_end(link_create.kprobe_multi.cookies);
	uint32_t nf[4];
	int32_t prio = a->netfilter.priority;
	uint64_t um_ptrs[4];
	uint32_t um_words[3];

	_Static_assert(LINK_CREATE_UNION_OFF + sizeof(nf) <= attr_end(link_create.kprobe_multi.cookies),
		       "netfilter fields past the attr size");
	_Static_assert(LINK_CREATE_UNION_OFF + UPROBE_MULTI_SIZE <= sizeof(attr),
		       "uprobe_multi fields past the attr");
	if (a->attach_type == BEL_BPF_TRACE_UPROBE_MULTI)
		size = LINK_CREATE_UNION_OFF + UPROBE_MULTI_SIZE;
	memset(&attr, 0, size);
	attr.link_create.prog_fd = (uint32_t)a->prog_fd;
	attr.link_create.target_fd = (uint32_t)a->target_fd;
	attr.link_create.attach_type = a->attach_type;
	attr.link_create.flags = a->flags;
	if (a->attach_type == BPF_PERF_EVENT) {
		attr.link_create.perf_event.bpf_cookie = a->perf_cookie;
	} else if (a->attach_type == BPF_TRACE_KPROBE_MULTI) {
		attr.link_create.kprobe_multi.flags = a->kprobe_multi.flags;
		attr.link_create.kprobe_multi.cnt = a->kprobe_multi.cnt;
		attr.link_create.kprobe_multi.syms = ptr_u64(a->kprobe_multi.syms);
		attr.link_create.kprobe_multi.addrs = ptr_u64(a->kprobe_multi.addrs);
		attr.link_create.kprobe_multi.cookies = ptr_u64(a->kprobe_multi.cookies);
	} else if (a->attach_type == BEL_BPF_NETFILTER) {
		nf[0] = a->netfilter.pf;
		nf[1] = a->netfilter.hooknum;
		memcpy(&nf[2], &prio, sizeof(prio));
		nf[3] = a->netfilter.flags;
		memcpy((char *)&attr + LINK_CREATE_UNION_OFF, nf, sizeof(nf));
	} else if (a->attach_type == BEL_BPF_TRACE_UPROBE_MULTI) {
		um_ptrs[0] = ptr_u64(a->uprobe_multi.path);
		um_ptrs[1] = ptr_u64(a->uprobe_multi.offsets);
		um_ptrs[2] = ptr_u64(a->uprobe_multi.ref_ctr_offsets);
		um_ptrs[3] = ptr_u64(a->uprobe_multi.cookies);
		um_words[0] = a->uprobe_multi.cnt;
		um_words[1] = a->uprobe_multi.flags;
		um_words[2] = a->uprobe_multi.pid;
		memcpy((char *)&attr + LINK_CREATE_UNION_OFF, um_ptrs, sizeof(um_ptrs));
		memcpy((char *)&attr + LINK_CREATE_UNION_OFF + sizeof(um_ptrs), um_words,
		       sizeof(um_words));
	}
	return sys_bpf(BPF_LINK_CREATE, &attr, size);
}

static int prog_attach_cmd(int cmd, int prog_fd, int target_fd, uint32_t attach_type,
			   uint32_t flags)
{
	union bpf_attr attr;
	size_t size = attr_end(replace_bpf_fd);

	memset(&attr, 0, size);
	attr.target_fd = (uint32_t)target_fd;
	attr.attach_bpf_fd = (uint32_t)prog_fd;
	attr.attach_type = attach_type;
	attr.attach_flags = flags;
	return sys_bpf(cmd, &attr, size);
}

int bel_sys_prog_attach(int prog_fd, int target_fd, uint32_t attach_type, uint32_t flags)
{
	return prog_attach_cmd(BPF_PROG_ATTACH, prog_fd, target_fd, attach_type, flags);
}

int bel_sys_prog_detach(int prog_fd, int target_fd, uint32_t attach_type)
{
	return prog_attach_cmd(BPF_PROG_DETACH, prog_fd, target_fd, attach_type, 0);
}
