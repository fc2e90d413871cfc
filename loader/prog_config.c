/* SPDX-License-Identifier: MIT */
/*
 * What may be set on a program before it loads (ldr_prog_config): its type, flags, log level,
 * autoload, and the attach target. Each is refused while the program is loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs_safe.h"
#include "internal.h"
#include "syscall/bpf.h"

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

int ldr_prog_fail(struct bel_program *prog, struct bel_err *err)
{
	bel_err_prefix(err, "object '%s': prog '%s' (%s)", prog->obj->spec->obj_name, prog->def->name,
		       prog->def->sec_name);
	return ldr_obj_fail(prog->obj, err);
}

int bel_program_set_type(struct bel_program *prog, uint32_t prog_type, uint32_t expected_attach_type)
{
	struct bel_err err = {0};

	if (config_begin(prog, "setting the type", &err))
		return ldr_prog_fail(prog, &err);
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
		return ldr_prog_fail(prog, &err);
	prog->cfg.prog_flags = flags;
	pthread_mutex_unlock(&prog->lock);
	return 0;
}

int bel_program_set_log_level(struct bel_program *prog, uint32_t level)
{
	struct bel_err err = {0};

	if (config_begin(prog, "setting the log level", &err))
		return ldr_prog_fail(prog, &err);
	prog->cfg.log_level = level;
	pthread_mutex_unlock(&prog->lock);
	return 0;
}

int bel_program_set_autoload(struct bel_program *prog, bool autoload)
{
	struct bel_err err = {0};

	if (config_begin(prog, "setting autoload", &err))
		return ldr_prog_fail(prog, &err);
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
		return ldr_prog_fail(prog, &err);
	}
	if (!func_name && !prog->def->attach_target && !prog->cfg.attach_func) {
		bel_errf(&err, EINVAL, "no function to attach to: the section names none");
		return ldr_prog_fail(prog, &err);
	}
	if (func_name && !(name = strdup(func_name))) {
		bel_errf(&err, ENOMEM, "out of memory");
		return ldr_prog_fail(prog, &err);
	}
	/* the kernel answers a map's or link's info into a program's struct as well: a wrong fd
	 * would only show at load, as a target "without BTF" */
	if (target_prog_fd > 0 && ldr_fd_kind(target_prog_fd) != BEL_FD_PROG &&
	    ldr_fd_kind(target_prog_fd) != BEL_FD_UNKNOWN) {
		bel_errf(&err, EINVAL, "target program fd %d is %s, not a program", target_prog_fd,
			 ldr_fd_kind_name(ldr_fd_kind(target_prog_fd)));
		free(name);
		return ldr_prog_fail(prog, &err);
	}
	if (target_prog_fd > 0 && (fd = fcntl(target_prog_fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		bel_errf(&err, errno, "target program fd %d: %s", target_prog_fd, strerror(errno));
		free(name);
		return ldr_prog_fail(prog, &err);
	}
	if (config_begin(prog, "setting the attach target", &err)) {
		free(name);
		if (fd >= 0)
			close(fd);
		return ldr_prog_fail(prog, &err);
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
		return ldr_prog_fail(prog, &err);
	}
	kind = ldr_fd_kind(fd);
	if (kind != BEL_FD_PROG) {
		close(fd);
		bel_errf(&err, EINVAL, "target program %s is %s, not a program", path,
			 ldr_fd_kind_name(kind));
		return ldr_prog_fail(prog, &err);
	}
	ret = bel_program_set_attach_target(prog, fd, func_name);
	close(fd);
	return ret;
}
