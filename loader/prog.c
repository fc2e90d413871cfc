/* SPDX-License-Identifier: MIT */
/*
 * Loading and unloading one program: its maps, the verifier and its log, metadata binding; and
 * what may be set on a program before it loads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs_safe.h"
#include "internal.h"
#include "reloc/prog_tag.h"

/*
 * Verifier logs. A failing load is run again once with a log, in a buffer of LOG_BUF_SIZE: the
 * kernel (6.4 and later) keeps the log's tail there, where the error is. Older kernels keep the
 * head, so on those a log that did not fit gets one more run with LOG_OLD_KERNEL_SIZE. A log the
 * caller asked for (log_level) must fit whole, or the load fails with ENOSPC: that one grows up to
 * LOG_ASKED_MAX. Whatever the run, a program keeps at most the last BEL_LOG_KEEP bytes.
 */
#define LOG_BUF_SIZE (1u << 20)
#define LOG_OLD_KERNEL_SIZE (16u << 20)
#define LOG_ASKED_MAX (256u << 20)
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
	ldr_maps_release(prog->obj, &prog->acquired, &prog->nacquired, undo);
}

/* The map table first, then every metadata map the program does not already use. */
static int acquire_maps(struct bel_program *prog, struct bel_err *err)
{
	const struct bel_spec *spec = prog->obj->spec;
	const struct bel_prog_def *def = prog->def;
	uint32_t i;
	int ret;

	prog->acquired = calloc((size_t)def->nmaps + spec->nmeta_maps + 1, sizeof(*prog->acquired));
	if (!prog->acquired)
		return bel_errf(err, ENOMEM, "out of memory");
	for (i = 0; i < def->nmaps; i++) {
		ret = ldr_map_acquire(&prog->obj->maps[def->maps[i]], err);
		if (ret)
			return ret;
		prog->acquired[prog->nacquired++] = def->maps[i];
	}
	for (i = 0; i < spec->nmeta_maps; i++) {
		if (in_table(def, spec->meta_maps[i]))
			continue;
		ret = ldr_map_acquire(&prog->obj->maps[spec->meta_maps[i]], err);
		if (ret)
			return ret;
		prog->acquired[prog->nacquired++] = spec->meta_maps[i];
	}
	return 0;
}

/* The function a freplace (or fentry/fexit on BPF) program attaches to, in the BTF of the target
 * program. */
static int find_prog_btf_func(int prog_fd, const char *name, uint32_t *id, struct bel_err *err)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	struct bel_btf *btf;
	int ret;

	memset(&info, 0, sizeof(info));
	ret = bel_sys_obj_get_info_by_fd(prog_fd, &info, &len);
	if (ret)
		return bel_errf(err, -ret, "target program fd %d: %s", prog_fd, strerror(-ret));
	if (!info.btf_id)
		return bel_errf(err, EINVAL, "target program '%s' (id %u) has no BTF to find '%s' in",
				info.name, info.id, name);
	ret = ldr_kernel_btf_by_id(info.btf_id, &btf, err);
	if (ret)
		return bel_err_prefix(err, "target program '%s' (id %u)", info.name, info.id);
	ret = bel_btf_find(btf, name, BTF_KIND_FUNC);
	bel_btf_free(btf);
	if (ret < 0)
		return bel_errf(err, ESRCH, "target program '%s' (id %u) has no function '%s'",
				info.name, info.id, name);
	*id = (uint32_t)ret;
	return 0;
}

/* The target in kernel BTF: vmlinux, else a module's (then *obj_fd is its BTF object). */
static int find_attach_btf_id(const struct bel_program *prog, uint32_t *id, uint32_t *obj_fd,
			      struct bel_err *err)
{
	const struct bel_prog_def *def = prog->def;
	const char *target = prog->cfg.attach_func ?: def->attach_target;
	const struct bel_btf *vmlinux;
	char name[256];
	uint32_t kind, module;
	int ret, fd;

	if (!target)
		return bel_errf(err, EINVAL, "section '%s' names no attach target (set one with "
				"bel_program_set_attach_target)", def->sec_name);
	if (prog->cfg.attach_prog_fd >= 0)
		return find_prog_btf_func(prog->cfg.attach_prog_fd, target, id, err);
	vmlinux = ldr_kernel_btf(err);
	if (!vmlinux)
		return err->code;
	snprintf(name, sizeof(name), "%s%s", def->btf_target_prefix ? def->btf_target_prefix : "",
		 target);
	kind = prog->cfg.expected_attach_type == BPF_TRACE_RAW_TP ? BTF_KIND_TYPEDEF : BTF_KIND_FUNC;
	ret = bel_btf_find(vmlinux, name, kind);
	if (ret > 0) {
		*id = (uint32_t)ret;
		return 0;
	}
	if (ldr_module_btf_find(name, kind, &module, id)) /* ESRCH, as libbpf says it */
		return bel_errf(err, ESRCH, "attach target '%s' (%s) not found in kernel BTF (vmlinux "
				"and %u modules)", name, bel_btf_kind_name(kind), ldr_module_btf_count());
	fd = ldr_module_btf_fd(module, err);
	if (fd < 0)
		return bel_err_prefix(err, "attach target '%s'", name);
	*obj_fd = (uint32_t)fd;
	return 0;
}

/* The last few non-empty lines of a verifier log, joined with " | ". */
static void log_tail(const char *log, char *out, size_t size)
{
	const char *start = ldr_log_tail(log, LOG_TAIL_LINES);
	size_t n = 0;

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

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int timed_load(struct bel_program *prog, struct bel_prog_load_args *args)
{
	uint64_t t0 = now_ns();
	int fd = bel_sys_prog_load(args);

	prog->load_ns = now_ns() - t0;
	return fd;
}

/* Keep the last BEL_LOG_KEEP bytes of a log, from a line start; frees buf. */
static char *log_keep_tail(char *buf)
{
	size_t len = strlen(buf);
	const char *start;
	char *tail;

	if (len <= BEL_LOG_KEEP)
		return buf;
	start = buf + len - BEL_LOG_KEEP;
	if (strchr(start, '\n') && strchr(start, '\n')[1])
		start = strchr(start, '\n') + 1;
	tail = strdup(start);
	free(buf);
	return tail;
}

/* One run with a log of `size` bytes at `level`; the log goes to prog->log. */
static int load_logged(struct bel_program *prog, struct bel_prog_load_args *args, uint32_t size,
		       uint32_t level)
{
	/* zeroed: memory checkers cannot see the kernel write the log */
	char *buf = calloc(1, size);
	int fd;

	if (!buf)
		return -ENOMEM;
	args->log_buf = buf;
	args->log_size = size;
	args->log_level = level;
	fd = timed_load(prog, args);
	args->log_buf = NULL;
	args->log_size = 0;
	args->log_level = 0;
	free(prog->log);
	prog->log = log_keep_tail(buf);
	return fd;
}

/*
 * PROG_LOAD without a log (verification is faster without one); after a failure, once more with
 * one to tell why. The errno reported is the first run's: a truncated log makes the kernel say
 * ENOSPC instead.
 */
static int load_with_log(struct bel_program *prog, struct bel_prog_load_args *args)
{
	uint32_t level = prog->cfg.log_level ?: __atomic_load_n(&prog->obj->log_level, __ATOMIC_RELAXED);
	uint32_t size = LOG_BUF_SIZE;
	int fd, first;

	free(prog->log);
	prog->log = NULL;
	prog->log_head_only = false;
	if (level) {
		/* asked for: the log must fit, or the kernel fails the load */
		for (;;) {
			fd = load_logged(prog, args, size, level);
			if (fd != -ENOSPC || size >= LOG_ASKED_MAX)
				return fd;
			size = args->log_true_size > size ? args->log_true_size + 1 : size * 4;
			if (size > LOG_ASKED_MAX)
				size = LOG_ASKED_MAX;
		}
	}
	first = timed_load(prog, args);
	if (first >= 0 || first == -ENOMEM || first == -EPERM)
		return first;
	fd = load_logged(prog, args, size, 1);
	/* a kernel before 6.4 kept the head of a log that did not fit */
	if (fd == -ENOSPC && !args->log_true_size) {
		fd = load_logged(prog, args, LOG_OLD_KERNEL_SIZE, 1);
		prog->log_head_only = fd == -ENOSPC;
	}
	/* loaded this time (the first failure was transient): that is the fd to keep */
	return fd >= 0 ? fd : first;
}

static int bind_metadata(struct bel_program *prog, int fd, struct bel_err *err)
{
	const struct bel_spec *spec = prog->obj->spec;
	uint32_t i;

	for (i = 0; i < prog->nacquired; i++) {
		const struct bel_map *map = &prog->obj->maps[prog->acquired[i]];
		int ret;

		if (in_table(prog->def, prog->acquired[i]))
			continue;
		if (!bel_kernel_features()->prog_bind_map) {
			ldr_obj_msg(prog->obj, BEL_MSG_WARN, "prog '%s': kernel lacks BPF_PROG_BIND_MAP; "
				    "metadata in '%s' is not bound", prog->def->name, map->def->name);
			return 0;
		}
		ret = bel_sys_prog_bind_map(fd, map->fd);
		if (ret)
			return bel_errf(err, -ret, "binding metadata map '%s' failed: %s",
					spec->maps[prog->acquired[i]].name, strerror(-ret));
	}
	return 0;
}

static int do_load(struct bel_program *prog, struct bel_err *err)
{
	const struct bel_prog_def *def = prog->def;
	const struct ldr_prog_config *cfg = &prog->cfg;
	struct bel_object *obj = prog->obj;
	struct bel_prog_load_args args = {0};
	struct bpf_insn *insns = NULL;
	char tail[512];
	uint32_t i;
	int fd, btf_fd, ret;

	if (!cfg->type_known)
		return bel_errf(err, EINVAL, "unknown section name; cannot tell the program type (set "
				"it with bel_program_set_type)");
	if (cfg->prog_type == BPF_PROG_TYPE_EXT && cfg->attach_prog_fd < 0)
		return bel_errf(err, EINVAL, "a freplace program needs the program it replaces: "
				"bel_program_set_attach_target(prog, target_fd, \"function\")");
	ret = ldr_prog_prepare(prog, err);
	if (ret)
		return ret;
	args.prog_type = cfg->prog_type;
	args.expected_attach_type = cfg->expected_attach_type;
	args.prog_flags = cfg->prog_flags;
	args.kern_version = obj->spec->kern_version;
	args.license = obj->spec->license;
	args.name = bel_kernel_features()->prog_name ? def->name : NULL;
	if (cfg->prog_type == BPF_PROG_TYPE_STRUCT_OPS) {
		/* loaded against the kernel struct and the member its map puts it in */
		ret = ldr_struct_ops_prog_target(prog, &args.attach_btf_id, &args.expected_attach_type,
						 err);
		if (ret)
			return ret;
		/* what bel_program_expected_attach_type reports, as libbpf does */
		prog->cfg.expected_attach_type = args.expected_attach_type;
	}
	if (cfg->needs_attach_btf) {
		ret = find_attach_btf_id(prog, &args.attach_btf_id, &args.attach_btf_obj_fd, err);
		if (ret)
			return ret;
		if (cfg->attach_prog_fd >= 0)
			args.attach_prog_fd = (uint32_t)cfg->attach_prog_fd;
	}
	btf_fd = ldr_obj_btf_fd(obj);
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
	memcpy(insns, ldr_prog_insns(prog), (size_t)def->insn_cnt * sizeof(*insns));
	for (i = 0; i < def->nmap_refs; i++)
		insns[def->map_refs[i].insn].imm = obj->maps[def->map_refs[i].map].fd;
	args.insns = insns;
	args.insn_cnt = def->insn_cnt;
	args.fd_array = obj->target.ksym_fd_array; /* module BTF objects of kfunc calls, if any */

	fd = load_with_log(prog, &args);
	free(insns);
	if (fd < 0) {
		log_tail(prog->log ? prog->log : "", tail, sizeof(tail));
		/* the verifier ran into its own limits: the program may be right, but too
		 * complex for it to prove so (processed instructions, branch depth, states) */
		if (*tail && (strstr(tail, "is too large") || strstr(tail, "too complex")))
			ret = bel_errf(err, -fd, "too complex for the verifier (%s): it gave up at its "
				       "limit of %s: %s", strerror(-fd), strstr(tail, "jumps") ?
				       "pending branches" : "1,000,000 processed instructions", tail);
		else if (prog->log_head_only && fd == -E2BIG)
			/* E2BIG is the verifier's own limit; its verdict is past the head kept */
			ret = bel_errf(err, -fd, "too complex for the verifier (%s): it gave up at its "
				       "limit (this kernel kept only the first %u MiB of the log, which "
				       "is too large for the verdict to fit; it ends: %s)", strerror(-fd),
				       LOG_OLD_KERNEL_SIZE >> 20, tail);
		else if (*tail)
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
	ldr_link_prog_slots(obj, prog, false);
	pthread_mutex_unlock(&obj->publish_lock);
	return 0;
fail:
	release_maps(prog, true);
	return ret;
}

void ldr_prog_config_init(struct bel_program *prog)
{
	const struct bel_prog_def *def = prog->def;

	prog->cfg.prog_type = def->prog_type;
	prog->cfg.expected_attach_type = def->expected_attach_type;
	prog->cfg.prog_flags = def->prog_flags;
	prog->cfg.type_known = def->type_known;
	prog->cfg.needs_attach_btf = def->needs_attach_btf;
	prog->cfg.attach_kind = def->attach_kind;
	prog->cfg.autoload = !def->optional;
	prog->cfg.attach_prog_fd = -1;
}

void ldr_prog_config_free(struct bel_program *prog)
{
	free(prog->cfg.attach_func);
	prog->cfg.attach_func = NULL;
	if (prog->cfg.attach_prog_fd >= 0)
		close(prog->cfg.attach_prog_fd);
	prog->cfg.attach_prog_fd = -1;
}

/* Configuration is refused while the program is loaded: it would not apply to what runs. */
static int config_begin(struct bel_program *prog, const char *what, struct bel_err *err)
{
	pthread_mutex_lock(&prog->lock);
	if (prog->fd < 0)
		return 0;
	pthread_mutex_unlock(&prog->lock);
	return bel_errf(err, EBUSY, "%s: the program is loaded; unload it first", what);
}

static int config_failed(struct bel_program *prog, struct bel_err *err)
{
	bel_err_prefix(err, "object '%s': prog '%s' (%s)", prog->obj->spec->obj_name, prog->def->name,
		       prog->def->sec_name);
	return ldr_obj_fail(prog->obj, err);
}

int bel_program_set_type(struct bel_program *prog, uint32_t prog_type, uint32_t expected_attach_type)
{
	struct bel_err err = {0};

	if (config_begin(prog, "setting the type", &err))
		return config_failed(prog, &err);
	prog->cfg.prog_type = prog_type;
	prog->cfg.expected_attach_type = expected_attach_type;
	prog->cfg.type_known = true;
	prog->cfg.needs_attach_btf = false;
	prog->cfg.attach_kind = BEL_ATTACH_NONE;
	pthread_mutex_unlock(&prog->lock);
	return 0;
}

int bel_program_set_flags(struct bel_program *prog, uint32_t flags)
{
	struct bel_err err = {0};

	if (config_begin(prog, "setting load flags", &err))
		return config_failed(prog, &err);
	prog->cfg.prog_flags = flags;
	pthread_mutex_unlock(&prog->lock);
	return 0;
}

int bel_program_set_log_level(struct bel_program *prog, uint32_t level)
{
	struct bel_err err = {0};

	if (config_begin(prog, "setting the log level", &err))
		return config_failed(prog, &err);
	prog->cfg.log_level = level;
	pthread_mutex_unlock(&prog->lock);
	return 0;
}

int bel_program_set_autoload(struct bel_program *prog, bool autoload)
{
	struct bel_err err = {0};

	if (config_begin(prog, "setting autoload", &err))
		return config_failed(prog, &err);
	prog->cfg.autoload = autoload;
	pthread_mutex_unlock(&prog->lock);
	return 0;
}

bool bel_program_autoload(const struct bel_program *prog)
{
	return prog->cfg.autoload;
}

int bel_program_set_attach_target(struct bel_program *prog, int target_prog_fd,
				  const char *func_name)
{
	struct bel_err err = {0};
	char *name = NULL;
	int fd = -1;

	if (func_name && (!*func_name || strlen(func_name) >= 256)) {
		bel_errf(&err, EINVAL, "attach target '%.64s': not a function name", func_name);
		return config_failed(prog, &err);
	}
	if (!func_name && !prog->def->attach_target && !prog->cfg.attach_func) {
		bel_errf(&err, EINVAL, "no function to attach to: the section names none");
		return config_failed(prog, &err);
	}
	if (func_name && !(name = strdup(func_name))) {
		bel_errf(&err, ENOMEM, "out of memory");
		return config_failed(prog, &err);
	}
	/* the kernel answers a map's or link's info into a program's struct as well: a wrong fd
	 * would only show at load, as a target "without BTF" */
	if (target_prog_fd > 0 && ldr_fd_kind(target_prog_fd) != BEL_FD_PROG &&
	    ldr_fd_kind(target_prog_fd) != BEL_FD_UNKNOWN) {
		bel_errf(&err, EINVAL, "target program fd %d is %s, not a program", target_prog_fd,
			 ldr_fd_kind_name(ldr_fd_kind(target_prog_fd)));
		free(name);
		return config_failed(prog, &err);
	}
	if (target_prog_fd > 0 && (fd = fcntl(target_prog_fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		bel_errf(&err, errno, "target program fd %d: %s", target_prog_fd, strerror(errno));
		free(name);
		return config_failed(prog, &err);
	}
	if (config_begin(prog, "setting the attach target", &err)) {
		free(name);
		if (fd >= 0)
			close(fd);
		return config_failed(prog, &err);
	}
	if (name) {
		free(prog->cfg.attach_func);
		prog->cfg.attach_func = name;
	}
	if (prog->cfg.attach_prog_fd >= 0)
		close(prog->cfg.attach_prog_fd);
	prog->cfg.attach_prog_fd = fd;
	/* freplace attaches where the load said, like fentry */
	if (prog->cfg.prog_type == BPF_PROG_TYPE_EXT) {
		prog->cfg.needs_attach_btf = fd >= 0;
		prog->cfg.attach_kind = fd >= 0 ? BEL_ATTACH_TRACING : BEL_ATTACH_NONE;
	}
	pthread_mutex_unlock(&prog->lock);
	return 0;
}

int bel_program_set_attach_target_pinned(struct bel_program *prog, const char *path,
					 const char *func_name)
{
	struct bel_err err = {0};
	enum ldr_fd_kind kind;
	int fd, ret;

	fd = path ? bel_sys_obj_get(path, 0) : -EINVAL;
	if (fd < 0) {
		bel_errf(&err, -fd, "target program %s: %s", path ? path : "(null)", strerror(-fd));
		return config_failed(prog, &err);
	}
	kind = ldr_fd_kind(fd);
	if (kind != BEL_FD_PROG) {
		close(fd);
		bel_errf(&err, EINVAL, "target program %s is %s, not a program", path,
			 ldr_fd_kind_name(kind));
		return config_failed(prog, &err);
	}
	ret = bel_program_set_attach_target(prog, fd, func_name);
	close(fd);
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
		free(prog->error);
		prog->error = ret ? strdup(err.msg) : NULL;
	}
	pthread_mutex_unlock(&prog->lock);
	return ret ? ldr_obj_fail(prog->obj, &err) : 0;
}

int ldr_prog_adopt(struct bel_program *prog, int fd, struct bel_err *err)
{
	struct bel_object *obj = prog->obj;
	int dup_fd, ret;

	pthread_mutex_lock(&prog->lock);
	if (prog->fd >= 0) {
		pthread_mutex_unlock(&prog->lock);
		return bel_errf(err, EBUSY, "already loaded");
	}
	ret = acquire_maps(prog, err);
	dup_fd = ret ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (!ret && dup_fd < 0)
		ret = bel_errf(err, errno, "cannot keep the pinned program: %s", strerror(errno));
	if (ret) {
		release_maps(prog, true);
		pthread_mutex_unlock(&prog->lock);
		return ret;
	}
	prog->load_ns = 0;
	__atomic_store_n(&prog->status, 0, __ATOMIC_RELAXED);
	free(prog->error);
	prog->error = NULL;
	pthread_mutex_lock(&obj->publish_lock);
	__atomic_store_n(&prog->fd, dup_fd, __ATOMIC_RELEASE);
	ldr_link_prog_slots(obj, prog, false);
	pthread_mutex_unlock(&obj->publish_lock);
	pthread_mutex_unlock(&prog->lock);
	return 0;
}

int bel_program_unload(struct bel_program *prog)
{
	return ldr_program_unload_undo(prog, false);
}

int ldr_program_unload_undo(struct bel_program *prog, bool undo)
{
	struct bel_object *obj = prog->obj;
	int fd;

	pthread_mutex_lock(&prog->lock);
	fd = prog->fd;
	if (fd >= 0) {
		pthread_mutex_lock(&obj->publish_lock);
		ldr_link_prog_slots(obj, prog, true);
		__atomic_store_n(&prog->fd, -1, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&obj->publish_lock);
		ldr_program_close_links(prog);
		close(fd);
		release_maps(prog, undo);
	}
	pthread_mutex_unlock(&prog->lock);
	return 0;
}

int bel_program_info(const struct bel_program *prog, struct bel_program_info *out)
{
	struct bel_program *p = (struct bel_program *)prog; /* the lock is ours, not the caller's */
	struct bel_program_info res = {0};
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), i;
	struct bel_err err = {0};
	int n = bel_out_size(out, sizeof(res), "bel_program_info", &err), ret;

	if (n < 0) {
		bel_err_prefix(&err, "object '%s': prog '%s'", p->obj->spec->obj_name, p->def->name);
		return ldr_obj_fail(p->obj, &err);
	}
	/* what the caller's struct holds of ours is zeroed, as before a load */
	res.sz = (size_t)n;
	memcpy(out, &res, (size_t)n);
	/* under the program's lock: no unload can close the fd while the kernel is asked */
	pthread_mutex_lock(&p->lock);
	if (p->fd < 0) {
		pthread_mutex_unlock(&p->lock);
		return -ENOENT;
	}
	memset(&info, 0, sizeof(info));
	ret = bel_sys_obj_get_info_by_fd(p->fd, &info, &len);
	res.load_ns = p->load_ns;
	pthread_mutex_unlock(&p->lock);
	if (ret)
		return ret;
	res.id = info.id;
	for (i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(res.tag + 2 * i, 3, "%02x", info.tag[i]);
	res.verified_insns = info.verified_insns;
	res.xlated_len = info.xlated_prog_len;
	res.jited_len = info.jited_prog_len;
	res.nr_map_ids = info.nr_map_ids;
	memcpy(out, &res, (size_t)n);
	return 0;
}

/* Which digest the running kernel tags programs with: learnt once, from a program of two
 * instructions; -1 when neither matches (a kernel bel does not know: tags are then unknown). */
static int tag_digest = -2;
static pthread_once_t tag_digest_once = PTHREAD_ONCE_INIT;

static void probe_tag_digest(void)
{
	static const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	struct bel_prog_load_args args = {.prog_type = BPF_PROG_TYPE_SOCKET_FILTER, .insns = insns,
					  .insn_cnt = 2, .license = "GPL"};
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	uint8_t tag[BPF_TAG_SIZE];
	int fd = bel_sys_prog_load(&args);

	tag_digest = -1;
	memset(&info, 0, sizeof(info));
	if (fd < 0)
		return;
	if (!bel_sys_obj_get_info_by_fd(fd, &info, &len)) {
		if (!bel_prog_tag(insns, 2, BEL_TAG_SHA256, tag) && !memcmp(tag, info.tag, sizeof(tag)))
			tag_digest = BEL_TAG_SHA256;
		else if (!bel_prog_tag(insns, 2, BEL_TAG_SHA1, tag) && !memcmp(tag, info.tag, sizeof(tag)))
			tag_digest = BEL_TAG_SHA1;
	}
	close(fd);
}

int ldr_kernel_tag_digest(void)
{
	pthread_once(&tag_digest_once, probe_tag_digest);
	return tag_digest;
}

int bel_program_tag(struct bel_program *prog, char tag[2 * BPF_TAG_SIZE + 1])
{
	uint8_t raw[BPF_TAG_SIZE];
	struct bel_err err = {0};
	int ret, i;

	tag[0] = '\0';
	if (ldr_kernel_tag_digest() < 0) {
		bel_errf(&err, ENOTSUP, "cannot tell how this kernel computes program tags");
		return config_failed(prog, &err);
	}
	pthread_mutex_lock(&prog->lock);
	ret = ldr_prog_prepare(prog, &err);
	if (!ret && bel_prog_tag(ldr_prog_insns(prog), prog->def->insn_cnt,
				 (enum bel_tag_digest)ldr_kernel_tag_digest(), raw))
		ret = bel_errf(&err, ENOMEM, "out of memory");
	pthread_mutex_unlock(&prog->lock);
	if (ret)
		return config_failed(prog, &err);
	for (i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(tag + 2 * i, 3, "%02x", raw[i]);
	return 0;
}
