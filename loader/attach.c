/* SPDX-License-Identifier: MIT */
/*
 * Attaching through BPF links, as the program's section says: a link is an fd that keeps the
 * program attached while it is open or pinned, so a pinned link outlives the loader and
 * unpinning it (with the loader gone) detaches the program.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "attach.h"
#include "common/array.h"
#include "common/num.h"
#include "fs_safe.h"
#include "internal.h"
#include "pin_names.h"
#include "syscall/perf.h"
#include "uprobe.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif

/* events/<category>/<name>/id below a tracefs root, one component at a time, never following
 * a link or leaving tracefs. */
static int read_event_id(const char *root, const char *category, const char *name, uint64_t *id)
{
	const char *const steps[] = {"events", category, name, "id"};
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), next, ret;
	size_t i;

	if (fd < 0)
		return -errno;
	if (!ldr_fd_on_fs(fd, TRACEFS_MAGIC)) {
		close(fd);
		return -ENOENT;
	}
	for (i = 0; i < 4; i++) {
		next = ldr_open_beneath(fd, steps[i], i < 3 ? O_PATH | O_DIRECTORY : O_RDONLY);
		close(fd);
		if (next < 0)
			return next;
		fd = next;
	}
	ret = ldr_read_uint_fd(fd, id);
	close(fd);
	return ret;
}

/* tracefs lives at /sys/kernel/tracing, or under debugfs on older setups. The target is
 * "category/name", each one path component. */
static int tracepoint_id(const char *target, uint64_t *id, struct bel_err *err)
{
	static const char *const roots[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
	char category[BEL_NAME_MAX + 1];
	const char *slash = strchr(target, '/'), *name = slash + 1;
	size_t i;
	int ret;

	if ((size_t)(slash - target) > BEL_NAME_MAX) {
		bel_errf(err, ENAMETOOLONG, "category is %zu bytes long: over NAME_MAX (255)",
			 (size_t)(slash - target));
		return bel_err_prefix(err, "tracepoint '%.64s...'", target);
	}
	memcpy(category, target, (size_t)(slash - target));
	category[slash - target] = '\0';
	ret = ldr_name_check(category, 0, err);
	if (!ret)
		ret = ldr_name_check(name, 0, err);
	if (ret)
		return bel_err_prefix(err, "tracepoint '%s' (category/name)", target);
	for (i = 0; i < 2; i++) {
		ret = read_event_id(roots[i], category, name, id);
		if (!ret)
			return 0;
	}
	return bel_errf(err, ENOENT, "tracepoint '%s' not found in tracefs (is tracefs mounted at "
			"/sys/kernel/tracing?)", target);
}

static int kprobe_pmu(uint32_t *type, int *retprobe_bit, struct bel_err *err)
{
	uint64_t v;
	int bit;
	FILE *f;

	if (ldr_read_uint_file("/sys/bus/event_source/devices/kprobe/type", &v))
		return bel_errf(err, ENOTSUP, "the kernel has no kprobe PMU");
	*type = (uint32_t)v;
	f = fopen("/sys/bus/event_source/devices/kprobe/format/retprobe", "re");
	if (!f || fscanf(f, "config:%d", &bit) != 1)
		bit = 0;
	if (f)
		fclose(f);
	*retprobe_bit = bit;
	return 0;
}

static int link_perf_event(int prog_fd, int perf_fd, struct bel_err *err)
{
	int link = bel_sys_link_create(prog_fd, perf_fd, BPF_PERF_EVENT, 0);

	close(perf_fd); /* the link holds the event */
	if (link < 0)
		return bel_errf(err, -link, "BPF_LINK_CREATE on the perf event failed: %s",
				strerror(-link));
	return link;
}

static int attach_kprobe(const struct bel_program *prog, int prog_fd, const char *target,
			 struct bel_err *err)
{
	bool ret = prog->cfg.attach_kind == BEL_ATTACH_KRETPROBE;
	char func[256], *plus;
	unsigned long long off = 0;
	uint32_t type = 0;
	int bit = 0, fd;

	if (kprobe_pmu(&type, &bit, err))
		return err->code;
	/* ksyscall/NAME means the syscall's entry point, as this kernel names it */
	if (!strncmp(prog->def->sec_name, "ksyscall", 8) ||
	    !strncmp(prog->def->sec_name, "kretsyscall", 11))
		snprintf(func, sizeof(func), "%s%s", ldr_syscall_prefix(), target);
	else
		snprintf(func, sizeof(func), "%s", target);
	plus = strchr(func, '+');
	if (plus) {
		uint64_t v;

		*plus = '\0';
		if (bel_parse_u64(plus + 1, 0, UINT64_MAX, &v))
			return bel_errf(err, EINVAL, "kprobe target '%s': the offset after '+' is not a "
					"number", target);
		off = v;
	}
	fd = bel_sys_perf_kprobe_open(type, func, off, ret ? bit : -1);
	if (fd < 0)
		return bel_errf(err, -fd, "%s on '%s' failed: %s", ret ? "kretprobe" : "kprobe", func,
				strerror(-fd));
	return link_perf_event(prog_fd, fd, err);
}

static int attach_tracepoint(int prog_fd, const char *target, struct bel_err *err)
{
	uint64_t id;
	int fd;

	if (tracepoint_id(target, &id, err))
		return err->code;
	fd = bel_sys_perf_tracepoint_open(id);
	if (fd < 0)
		return bel_errf(err, -fd, "opening tracepoint '%s' failed: %s", target, strerror(-fd));
	return link_perf_event(prog_fd, fd, err);
}

static bool is_cgroup2(const char *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

static int attach_cgroup(const struct bel_program *prog, int prog_fd, const char *cgroup,
			 int cgroup_fd, struct bel_err *err)
{
	/* By default the root of the cgroup v2 hierarchy: /sys/fs/cgroup on a unified system,
	 * /sys/fs/cgroup/unified on a hybrid one. */
	const char *path = cgroup_fd > 0 ? "(given by fd)" : cgroup ? cgroup
				  : is_cgroup2("/sys/fs/cgroup") || !is_cgroup2("/sys/fs/cgroup/unified")
				  ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";
	int cg = cgroup_fd, link;

	if (cg <= 0)
		cg = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0)
		return bel_errf(err, errno, "cannot open cgroup %s: %s", path, strerror(errno));
	/* checked on the fd that is used, not on the path again */
	if (!ldr_fd_on_fs(cg, CGROUP2_SUPER_MAGIC)) {
		if (cg != cgroup_fd)
			close(cg);
		return bel_errf(err, ENOTDIR, "%s is not a cgroup v2 directory", path);
	}
	link = bel_sys_link_create(prog_fd, cg, prog->cfg.expected_attach_type, 0);
	if (cg != cgroup_fd)
		close(cg);
	if (link < 0)
		return bel_errf(err, -link, "BPF_LINK_CREATE on cgroup %s failed: %s", path,
				strerror(-link));
	return link;
}

/* A link fd, or 0 with what was made in made (attach.h), or -errno. */
static int attach_one(struct bel_program *prog, int prog_fd, const struct bel_attach_opts *o,
		      struct ldr_attach_made *made, struct bel_err *err)
{
	const struct bel_prog_def *def = prog->def;
	const char *target = BEL_OPT(o, target, NULL) ?: def->attach_target;
	int link;

	switch (prog->cfg.attach_kind) {
	case BEL_ATTACH_KPROBE:
	case BEL_ATTACH_KRETPROBE:
		if (!target)
			return bel_errf(err, EINVAL, "names no function to probe");
		return attach_kprobe(prog, prog_fd, target, err);
	case BEL_ATTACH_TRACEPOINT:
		if (!target || !strchr(target, '/'))
			return bel_errf(err, EINVAL, "names no tracepoint (category/name)");
		return attach_tracepoint(prog_fd, target, err);
	case BEL_ATTACH_RAW_TP:
		if (!target)
			return bel_errf(err, EINVAL, "names no raw tracepoint");
		link = bel_sys_raw_tracepoint_open(target, prog_fd);
		if (link < 0)
			return bel_errf(err, -link, "raw tracepoint '%s': %s", target, strerror(-link));
		return link;
	case BEL_ATTACH_TRACING:
	case BEL_ATTACH_LSM:
		/* the target was fixed at load time by attach_btf_id */
		link = bel_sys_raw_tracepoint_open(NULL, prog_fd);
		if (link < 0)
			return bel_errf(err, -link, "attach failed: %s", strerror(-link));
		return link;
	case BEL_ATTACH_ITER:
		link = bel_sys_link_create(prog_fd, 0, BPF_TRACE_ITER, 0);
		if (link < 0)
			return bel_errf(err, -link, "iterator link failed: %s", strerror(-link));
		return link;
	case BEL_ATTACH_CGROUP:
		return attach_cgroup(prog, prog_fd, BEL_OPT(o, cgroup, NULL), BEL_OPT(o, cgroup_fd, 0),
				     err);
	case BEL_ATTACH_XDP:
		return ldr_attach_xdp(prog, prog_fd, o, made, err);
	case BEL_ATTACH_TCX:
	case BEL_ATTACH_TC:
		return ldr_attach_tc(prog, prog_fd, o, made, err);
	case BEL_ATTACH_PERF_EVENT:
		return ldr_attach_perf_event(prog, prog_fd, o, made, err);
	case BEL_ATTACH_KPROBE_MULTI:
	case BEL_ATTACH_KRETPROBE_MULTI:
		return ldr_attach_kprobe_multi(prog, prog_fd, o, target, made, err);
	case BEL_ATTACH_UPROBE_MULTI:
		return ldr_attach_uprobe_multi(prog, prog_fd, o, err);
	case BEL_ATTACH_SOCKMAP:
		return ldr_attach_sockmap(prog, prog_fd, o, made, err);
	case BEL_ATTACH_NETNS:
		return ldr_attach_netns(prog, prog_fd, o, err);
	case BEL_ATTACH_NETFILTER:
		return ldr_attach_netfilter(prog_fd, o, err);
	case BEL_ATTACH_UPROBE:
		return ldr_attach_uprobe(prog, prog_fd, o, err);
	case BEL_ATTACH_USDT:
		return ldr_attach_usdt(prog, prog_fd, o, err);
	case BEL_ATTACH_STRUCT_OPS:
		return bel_errf(err, EINVAL, "a struct_ops program runs as a member of its map: "
				"attach the map (bel_map_attach_struct_ops)");
	default:
		return bel_errf(err, ENOTSUP, "its section does not say how to attach it");
	}
}

bool bel_program_attachable(const struct bel_program *prog, const struct bel_attach_opts *opts)
{
	switch (prog->cfg.attach_kind) {
	case BEL_ATTACH_KPROBE: case BEL_ATTACH_KRETPROBE: case BEL_ATTACH_TRACEPOINT:
	case BEL_ATTACH_RAW_TP:
		return prog->def->attach_target || BEL_OPT(opts, target, NULL);
	case BEL_ATTACH_TRACING: case BEL_ATTACH_LSM: case BEL_ATTACH_ITER: case BEL_ATTACH_CGROUP:
	case BEL_ATTACH_NETNS:
		return true;
	case BEL_ATTACH_XDP: case BEL_ATTACH_TCX: case BEL_ATTACH_TC:
		return BEL_OPT(opts, ifname, NULL) != NULL;
	case BEL_ATTACH_PERF_EVENT:
		return BEL_OPT(opts, sample_period, 0) || BEL_OPT(opts, sample_freq, 0);
	case BEL_ATTACH_KPROBE_MULTI: case BEL_ATTACH_KRETPROBE_MULTI:
		return prog->def->attach_target || BEL_OPT(opts, target, NULL) ||
		       BEL_OPT(opts, cnt, 0);
	case BEL_ATTACH_SOCKMAP:
		return BEL_OPT(opts, map_fd, 0) > 0;
	case BEL_ATTACH_NETFILTER:
		return BEL_OPT(opts, nf_pf, 0) != 0;
	case BEL_ATTACH_UPROBE: case BEL_ATTACH_USDT: case BEL_ATTACH_UPROBE_MULTI:
		return prog->def->attach_target || BEL_OPT(opts, target, NULL) ||
		       BEL_OPT(opts, binary, NULL);
	default:
		return false;
	}
}

int bel_program_attach(struct bel_program *prog, const struct bel_attach_opts *opts)
{
	struct ldr_attach_made made = {0};
	struct bel_err err = {0};
	int link;

	if (bel_opts_check(opts, sizeof(*opts), "bel_attach_opts", &err)) {
		link = err.code;
		pthread_mutex_lock(&prog->lock);
		goto fail;
	}
	pthread_mutex_lock(&prog->lock);
	if (prog->fd < 0) {
		link = bel_errf(&err, ENOENT, "not loaded");
		goto fail;
	}
	link = attach_one(prog, prog->fd, opts, &made, &err);
	if (link >= 0 && !made.nlinks && !made.attachment)
		link = ldr_attach_made_link(&made, link, &err); /* a kind that makes one link */
	if (link < 0)
		goto fail;
	/* room for all of them at once, so that what follows cannot fail half way (ldr_attach_usdt
	 * made room for its own) */
	if (made.nlinks && bel_grow(&prog->links, prog->nlinks + made.nlinks - 1, &prog->links_cap,
				    sizeof(*prog->links), 4)) {
		link = bel_errf(&err, ENOMEM, "out of memory");
		goto fail;
	}
	if (made.nlinks) /* none for an attachment (tc classic, XDP by netlink, a sockmap) */
		memcpy(prog->links + prog->nlinks, made.links, made.nlinks * sizeof(*prog->links));
	prog->nlinks += made.nlinks;
	link = made.nlinks ? made.links[0] : 0;
	free(made.links);
	if (made.attachment) {
		made.attachment->next = prog->attachments;
		prog->attachments = made.attachment;
	}
	pthread_mutex_unlock(&prog->lock);
	return link;
fail:
	ldr_attach_made_undo(prog, &made);
	pthread_mutex_unlock(&prog->lock);
	bel_err_prefix(&err, "object '%s': prog '%s' (%s): attach", prog->obj->spec->obj_name,
		       prog->def->name, prog->def->sec_name);
	return ldr_obj_fail(prog->obj, &err);
}

int ldr_prog_keep_link(struct bel_program *prog, int link)
{
	if (bel_grow(&prog->links, prog->nlinks, &prog->links_cap, sizeof(*prog->links), 4))
		return -ENOMEM;
	prog->links[prog->nlinks++] = link;
	return 0;
}

/* Close our link fds and remove the other attachments (prog->lock held, prog->fd still open).
 * Pinned links stay attached. */
void ldr_program_close_links(struct bel_program *prog)
{
	struct ldr_attachment *a;
	uint32_t i;

	ldr_usdt_release(prog);
	for (i = 0; i < prog->nlinks; i++)
		close(prog->links[i]);
	free(prog->links);
	prog->links = NULL;
	prog->nlinks = 0;
	prog->links_cap = 0;
	while ((a = prog->attachments)) {
		prog->attachments = a->next;
		ldr_attachment_remove(prog, a);
	}
}

int bel_program_detach(struct bel_program *prog)
{
	pthread_mutex_lock(&prog->lock);
	ldr_program_close_links(prog);
	pthread_mutex_unlock(&prog->lock);
	return 0;
}

unsigned int bel_program_link_count(const struct bel_program *prog)
{
	return prog->nlinks;
}

int bel_program_link_fd(const struct bel_program *prog, unsigned int i)
{
	return i < prog->nlinks ? prog->links[i] : -1;
}

unsigned int bel_program_attachment_count(const struct bel_program *prog)
{
	const struct ldr_attachment *a;
	unsigned int n = 0;

	for (a = prog->attachments; a; a = a->next)
		n++;
	return n;
}
