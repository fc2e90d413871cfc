/* SPDX-License-Identifier: MIT */
/*
 * Loading and unloading one program: its maps, its attach target in kernel BTF, PROG_LOAD,
 * metadata binding, publishing its fd. Its configuration is prog_config.c's; the verifier log,
 * verifier_log.c's; what the kernel says of it once loaded, prog_info.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

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

/* What PROG_LOAD gets besides the instructions: the configured type and flags, the attach
 * target, the object BTF with the program's func and line info. */
static int load_args(struct bel_program *prog, struct bel_prog_load_args *args,
		     struct bel_err *err)
{
	const struct bel_prog_def *def = prog->def;
	const struct ldr_prog_config *cfg = &prog->cfg;
	struct bel_object *obj = prog->obj;
	int btf_fd, ret;

	args->prog_type = cfg->prog_type;
	args->expected_attach_type = cfg->expected_attach_type;
	args->prog_flags = cfg->prog_flags;
	args->kern_version = obj->spec->kern_version;
	args->license = obj->spec->license;
	args->name = bel_kernel_features()->prog_name ? def->name : NULL;
	if (cfg->prog_type == BPF_PROG_TYPE_STRUCT_OPS) {
		/* loaded against the kernel struct and the member its map puts it in */
		ret = ldr_struct_ops_prog_target(prog, &args->attach_btf_id,
						 &args->expected_attach_type, err);
		if (ret)
			return ret;
		/* what bel_program_expected_attach_type reports, as libbpf does */
		prog->cfg.expected_attach_type = args->expected_attach_type;
	}
	if (cfg->needs_attach_btf) {
		ret = find_attach_btf_id(prog, &args->attach_btf_id, &args->attach_btf_obj_fd, err);
		if (ret)
			return ret;
		if (cfg->attach_prog_fd >= 0)
			args->attach_prog_fd = (uint32_t)cfg->attach_prog_fd;
	}
	btf_fd = ldr_obj_btf_fd(obj);
	if (btf_fd >= 0) {
		args->prog_btf_fd = (uint32_t)btf_fd;
		args->func_info = def->func_info;
		args->func_info_cnt = def->func_info_cnt;
		args->func_info_rec_size = def->func_info_rec_size;
		/* renumbered for this load, freed after it (do_load) */
		if (bel_prog_line_info(def, (uint8_t **)&args->line_info))
			return bel_errf(err, ENOMEM, "out of memory");
		args->line_info_cnt = def->line_info_cnt;
		args->line_info_rec_size = def->line_info_rec_size;
	}
	return 0;
}

/* The program's instructions with the fds of the maps it was given (acquired already). */
static struct bpf_insn *insns_with_map_fds(const struct bel_program *prog, struct bel_err *err)
{
	const struct bel_prog_def *def = prog->def;
	struct bpf_insn *insns = malloc((size_t)def->insn_cnt * sizeof(*insns));
	uint32_t i;

	if (!insns) {
		bel_errf(err, ENOMEM, "out of memory");
		return NULL;
	}
	memcpy(insns, ldr_prog_insns(prog), (size_t)def->insn_cnt * sizeof(*insns));
	for (i = 0; i < def->nmap_refs; i++)
		insns[def->map_refs[i].insn].imm = prog->obj->maps[def->map_refs[i].map].fd;
	return insns;
}

/* prog->fd set (or cleared, fd -1) and prog-array slots that name it linked: see internal.h. */
static void publish_fd(struct bel_program *prog, int fd)
{
	struct bel_object *obj = prog->obj;

	pthread_mutex_lock(&obj->publish_lock);
	if (fd < 0)
		ldr_link_prog_slots(obj, prog, true);
	__atomic_store_n(&prog->fd, fd, __ATOMIC_RELEASE);
	if (fd >= 0)
		ldr_link_prog_slots(obj, prog, false);
	pthread_mutex_unlock(&obj->publish_lock);
}

static int do_load(struct bel_program *prog, struct bel_err *err)
{
	const struct ldr_prog_config *cfg = &prog->cfg;
	struct bel_prog_load_args args = {0};
	struct bpf_insn *insns;
	int fd, ret;

	if (!cfg->type_known)
		return bel_errf(err, EINVAL, "unknown section name; cannot tell the program type (set "
				"it with bel_program_set_type)");
	if (cfg->prog_type == BPF_PROG_TYPE_EXT && cfg->attach_prog_fd < 0)
		return bel_errf(err, EINVAL, "a freplace program needs the program it replaces: "
				"bel_program_set_attach_target(prog, target_fd, \"function\")");
	ret = ldr_prog_prepare(prog, err);
	if (!ret)
		ret = load_args(prog, &args, err);
	if (ret) {
		free((void *)args.line_info);
		return ret;
	}
	ret = acquire_maps(prog, err);
	if (ret)
		goto fail;
	insns = insns_with_map_fds(prog, err);
	if (!insns) {
		ret = err->code;
		goto fail;
	}
	args.insns = insns;
	args.insn_cnt = prog->def->insn_cnt;
	args.fd_array = prog->obj->target.ksym_fd_array; /* module BTF objects of kfuncs, if any */
	fd = ldr_prog_load_logged(prog, &args);
	free(insns);
	free((void *)args.line_info);
	args.line_info = NULL;
	if (fd < 0) {
		ret = ldr_prog_load_failure(prog, fd, err);
		goto fail;
	}
	ret = bind_metadata(prog, fd, err);
	if (ret) {
		close(fd);
		goto fail;
	}
	publish_fd(prog, fd);
	return 0;
fail:
	free((void *)args.line_info);
	release_maps(prog, true);
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
	publish_fd(prog, dup_fd);
	pthread_mutex_unlock(&prog->lock);
	return 0;
}

int bel_program_unload(struct bel_program *prog)
{
	return ldr_program_unload_undo(prog, false);
}

int ldr_program_unload_undo(struct bel_program *prog, bool undo)
{
	int fd;

	pthread_mutex_lock(&prog->lock);
	fd = prog->fd;
	if (fd >= 0) {
		publish_fd(prog, -1);
		ldr_program_close_links(prog);
		close(fd);
		release_maps(prog, undo);
	}
	pthread_mutex_unlock(&prog->lock);
	return 0;
}

