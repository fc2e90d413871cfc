/* SPDX-License-Identifier: MIT */
/* Loading and unloading one program: its maps, the verifier and its log, metadata binding. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define LOG_START_SIZE (64u << 10)
#define LOG_MAX_SIZE (512u << 20)
#define LOG_TAIL_LINES 6

/* The map table is sorted (reloc/progs.c): searched, not scanned. */
static bool in_table(const struct bel_prog_def *def, uint32_t map)
{
	uint32_t lo = 0, hi = def->nmaps;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (def->maps[mid] < map)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < def->nmaps && def->maps[lo] == map;
}

static void release_maps(struct bel_program *prog, bool undo)
{
	uint32_t i;

	for (i = 0; i < prog->nheld; i++)
		bel_map_release(&prog->obj->maps[prog->held[i]], undo);
	free(prog->held);
	prog->held = NULL;
	prog->nheld = 0;
}

/* The map table first, then every metadata map the program does not already use. */
static int acquire_maps(struct bel_program *prog, struct bel_err *err)
{
	const struct bel_spec *spec = prog->obj->spec;
	const struct bel_prog_def *def = prog->def;
	uint32_t i;
	int ret;

	prog->held = calloc((size_t)def->nmaps + spec->nmeta_maps + 1, sizeof(*prog->held));
	if (!prog->held)
		return bel_errf(err, ENOMEM, "out of memory");
	for (i = 0; i < def->nmaps; i++) {
		ret = bel_map_acquire(&prog->obj->maps[def->maps[i]], err);
		if (ret)
			return ret;
		prog->held[prog->nheld++] = def->maps[i];
	}
	for (i = 0; i < spec->nmeta_maps; i++) {
		if (in_table(def, spec->meta_maps[i]))
			continue;
		ret = bel_map_acquire(&prog->obj->maps[spec->meta_maps[i]], err);
		if (ret)
			return ret;
		prog->held[prog->nheld++] = spec->meta_maps[i];
	}
	return 0;
}

static int find_attach_btf_id(const struct bel_prog_def *def, uint32_t *id, struct bel_err *err)
{
	const struct bel_btf *vmlinux;
	char name[256];
	uint32_t kind;
	int ret;

	if (!def->attach_target)
		return bel_errf(err, EINVAL, "section '%s' names no attach target", def->sec_name);
	vmlinux = bel_kernel_btf(err);
	if (!vmlinux)
		return err->code;
	snprintf(name, sizeof(name), "%s%s", def->btf_target_prefix ? def->btf_target_prefix : "",
		 def->attach_target);
	kind = def->expected_attach_type == BPF_TRACE_RAW_TP ? BTF_KIND_TYPEDEF : BTF_KIND_FUNC;
	ret = bel_btf_find(vmlinux, name, kind);
	if (ret < 0) /* ESRCH, as libbpf says it */
		return bel_errf(err, ESRCH, "attach target '%s' (%s) not found in kernel BTF", name,
				bel_btf_kind_name(kind));
	*id = (uint32_t)ret;
	return 0;
}

/* The last few non-empty lines of a verifier log, joined with " | ". */
static void log_tail(const char *log, char *out, size_t size)
{
	const char *end = log + strlen(log), *start = end;
	int lines = 0;
	size_t n = 0;

	while (start > log && lines < LOG_TAIL_LINES) {
		start--;
		if (*start == '\n' && start + 1 < end && start[1] != '\n')
			lines++;
	}
	if (*start == '\n')
		start++;
	out[0] = '\0';
	for (; *start && n + 4 < size; start++) {
		if (*start == '\n') {
			if (start[1] && n)
				n += (size_t)snprintf(out + n, size - n, " | ");
			continue;
		}
		out[n++] = *start;
		out[n] = '\0';
	}
}

/*
 * PROG_LOAD, first without a log (verification is faster without one). On failure, load again
 * with a log, growing the buffer until the log fits, to tell why.
 */
static int load_with_log(struct bel_program *prog, struct bel_prog_load_args *args)
{
	uint32_t size = LOG_START_SIZE;
	uint32_t level = __atomic_load_n(&prog->obj->log_level, __ATOMIC_RELAXED);
	uint64_t t0;
	char *buf;
	int fd;

	free(prog->log);
	prog->log = NULL;
	if (!level) {
		t0 = bel_now_ns();
		fd = bel_sys_prog_load(args);
		prog->load_ns = bel_now_ns() - t0;
		if (fd >= 0 || fd == -ENOMEM || fd == -EPERM || fd == -E2BIG)
			return fd;
	}
	for (;;) {
		/* zeroed: memory checkers cannot see the kernel write the log */
		buf = calloc(1, size);
		if (!buf)
			return -ENOMEM;
		args->log_buf = buf;
		args->log_size = size;
		args->log_level = level ? level : 1;
		t0 = bel_now_ns();
		fd = bel_sys_prog_load(args);
		prog->load_ns = bel_now_ns() - t0;
		args->log_buf = NULL;
		args->log_size = 0;
		/* ENOSPC: the log did not fit (the program may be fine). Grow and retry. */
		if ((fd == -ENOSPC || args->log_true_size > size) && size < LOG_MAX_SIZE) {
			uint32_t want = args->log_true_size > size ? args->log_true_size + 1 : size * 4;

			free(buf);
			size = want > LOG_MAX_SIZE ? LOG_MAX_SIZE : want;
			continue;
		}
		prog->log = buf;
		return fd;
	}
}

static int bind_metadata(struct bel_program *prog, int fd, struct bel_err *err)
{
	const struct bel_spec *spec = prog->obj->spec;
	uint32_t i;

	for (i = 0; i < prog->nheld; i++) {
		const struct bel_map *map = &prog->obj->maps[prog->held[i]];
		int ret;

		if (in_table(prog->def, prog->held[i]))
			continue;
		if (!bel_kernel_features()->prog_bind_map) {
			bel_obj_msg(prog->obj, BEL_MSG_WARN, "prog '%s': kernel lacks BPF_PROG_BIND_MAP; "
				    "metadata in '%s' is not bound", prog->def->name, map->def->name);
			return 0;
		}
		ret = bel_sys_prog_bind_map(fd, map->fd);
		if (ret)
			return bel_errf(err, -ret, "binding metadata map '%s' failed: %s",
					spec->maps[prog->held[i]].name, strerror(-ret));
	}
	return 0;
}

static int do_load(struct bel_program *prog, struct bel_err *err)
{
	const struct bel_prog_def *def = prog->def;
	struct bel_object *obj = prog->obj;
	struct bel_prog_load_args args = {0};
	struct bpf_insn *insns = NULL;
	char tail[512];
	uint32_t i;
	int fd, btf_fd, ret;

	if (!def->type_known)
		return bel_errf(err, EINVAL, "unknown section name; cannot tell the program type");
	if (def->attach_kind == BEL_ATTACH_STRUCT_OPS)
		return bel_errf(err, ENOTSUP, "struct_ops programs are not supported yet");
	if (def->prog_type == BPF_PROG_TYPE_EXT)
		return bel_errf(err, EINVAL, "freplace programs need a target program to replace, and "
				"bel cannot be given one yet");
	ret = bel_prog_prepare(prog, err);
	if (ret)
		return ret;
	args.prog_type = def->prog_type;
	args.expected_attach_type = def->expected_attach_type;
	args.prog_flags = def->prog_flags;
	args.kern_version = obj->spec->kern_version;
	args.license = obj->spec->license;
	args.name = bel_kernel_features()->prog_name ? def->name : NULL;
	if (def->needs_attach_btf) {
		ret = find_attach_btf_id(def, &args.attach_btf_id, err);
		if (ret)
			return ret;
	}
	btf_fd = bel_obj_btf_fd(obj);
	if (btf_fd >= 0) {
		args.prog_btf_fd = (uint32_t)btf_fd;
		args.func_info = def->func_info;
		args.func_info_cnt = def->func_info_cnt;
		args.func_info_rec_size = def->func_info_rec_size;
		args.line_info = def->line_info;
		args.line_info_cnt = def->line_info_cnt;
		args.line_info_rec_size = def->line_info_rec_size;
	}
	ret = acquire_maps(prog, err);
	if (ret)
		goto fail;
	insns = malloc((size_t)def->insn_cnt * sizeof(*insns));
	if (!insns) {
		ret = bel_errf(err, ENOMEM, "out of memory");
		goto fail;
	}
	memcpy(insns, def->insns, (size_t)def->insn_cnt * sizeof(*insns));
	for (i = 0; i < def->nmap_refs; i++)
		insns[def->map_refs[i].insn].imm = obj->maps[def->map_refs[i].map].fd;
	args.insns = insns;
	args.insn_cnt = def->insn_cnt;

	fd = load_with_log(prog, &args);
	free(insns);
	if (fd < 0) {
		log_tail(prog->log ? prog->log : "", tail, sizeof(tail));
		if (*tail)
			ret = bel_errf(err, -fd, "verifier rejected (%s): %s", strerror(-fd), tail);
		else
			/* No log: the kernel refused before verifying (capabilities, lockdown,
			 * memlock, an attach target it will not trace, ...). */
			ret = bel_errf(err, -fd, "BPF_PROG_LOAD failed before verification: %s%s",
				       strerror(-fd), fd == -EPERM ? " (missing capability, or kernel "
				       "lockdown refusing this program type?)" : "");
		goto fail;
	}
	ret = bind_metadata(prog, fd, err);
	if (ret) {
		close(fd);
		goto fail;
	}
	pthread_mutex_lock(&obj->publish_lock);
	__atomic_store_n(&prog->fd, fd, __ATOMIC_RELEASE);
	bel_link_prog_slots(obj, prog, false);
	pthread_mutex_unlock(&obj->publish_lock);
	return 0;
fail:
	release_maps(prog, true);
	return ret;
}

int bel_program_set_type(struct bel_program *prog, uint32_t prog_type, uint32_t expected_attach_type)
{
	struct bel_prog_def *def = (struct bel_prog_def *)prog->def; /* before first load only */
	int ret = 0;

	pthread_mutex_lock(&prog->lock);
	if (prog->fd >= 0 || def->core_applied || def->externs_applied) {
		ret = -EBUSY;
	} else {
		def->prog_type = prog_type;
		def->expected_attach_type = expected_attach_type;
		def->type_known = true;
		def->needs_attach_btf = false;
		def->attach_kind = BEL_ATTACH_NONE;
	}
	pthread_mutex_unlock(&prog->lock);
	return ret;
}

int bel_program_load(struct bel_program *prog)
{
	struct bel_err err = {0};
	int ret = 0;

	pthread_mutex_lock(&prog->lock);
	if (prog->fd < 0) {
		ret = do_load(prog, &err);
		__atomic_store_n(&prog->status, ret, __ATOMIC_RELAXED);
		if (ret) {
			bel_err_prefix(&err, "prog '%s' (%s)", prog->def->name, prog->def->sec_name);
			bel_err_prefix(&err, "object '%s'", prog->obj->spec->obj_name);
		}
		memcpy(prog->error, err.msg, sizeof(prog->error));
	}
	pthread_mutex_unlock(&prog->lock);
	return ret ? bel_obj_fail(prog->obj, &err) : 0;
}

int bel_program_unload(struct bel_program *prog)
{
	return bel_program_unload_undo(prog, false);
}

int bel_program_unload_undo(struct bel_program *prog, bool undo)
{
	struct bel_object *obj = prog->obj;
	int fd;

	pthread_mutex_lock(&prog->lock);
	fd = prog->fd;
	if (fd >= 0) {
		pthread_mutex_lock(&obj->publish_lock);
		bel_link_prog_slots(obj, prog, true);
		__atomic_store_n(&prog->fd, -1, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&obj->publish_lock);
		bel_program_close_links(prog);
		close(fd);
		release_maps(prog, undo);
	}
	pthread_mutex_unlock(&prog->lock);
	return 0;
}

int bel_program_info(const struct bel_program *prog, struct bel_program_info *out)
{
	struct bel_program *p = (struct bel_program *)prog; /* the lock is ours, not the caller's */
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), i;
	int ret;

	memset(out, 0, sizeof(*out));
	/* under the program's lock: no unload can close the fd while the kernel is asked */
	pthread_mutex_lock(&p->lock);
	if (p->fd < 0) {
		pthread_mutex_unlock(&p->lock);
		return -ENOENT;
	}
	memset(&info, 0, sizeof(info));
	ret = bel_sys_obj_get_info_by_fd(p->fd, &info, &len);
	out->load_ns = p->load_ns;
	pthread_mutex_unlock(&p->lock);
	if (ret)
		return ret;
	out->id = info.id;
	for (i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(out->tag + 2 * i, 3, "%02x", info.tag[i]);
	out->verified_insns = info.verified_insns;
	out->xlated_len = info.xlated_prog_len;
	out->jited_len = info.jited_prog_len;
	out->nr_map_ids = info.nr_map_ids;
	return 0;
}
