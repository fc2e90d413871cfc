/* SPDX-License-Identifier: MIT */
/*
 * uprobe_multi links (Linux 6.6): one link on many functions of one binary, named by a glob in
 * the section ("uprobe.multi/libc.so.6:malloc*") or listed by name in the options. The kernel
 * takes file offsets, resolved here by the same reader as single uprobes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syscall/bpf.h"
#include "syscall/probe.h"
#include "uprobe.h"

/* Most functions one link is given: the glob of a hostile binary stays bounded. */
#define MAX_FUNCS (1u << 20)

struct multi_target {
	char binary[PATH_MAX];
	char glob[1024];
};

/* "BINARY:GLOB", then what the options replace. */
static int multi_target(const char *target, const struct bel_attach_opts *o, struct multi_target *t,
			struct bel_err *err)
{
	const char *binary = BEL_OPT(o, binary, NULL), *func = BEL_OPT(o, func, NULL);
	const char *colon = target ? strchr(target, ':') : NULL;

	if (target && (!colon || colon == target))
		return bel_errf(err, EINVAL, "'%s' is not BINARY:PATTERN", target);
	if (target) {
		if ((size_t)(colon - target) >= sizeof(t->binary) || strlen(colon + 1) >= sizeof(t->glob))
			return bel_errf(err, ENAMETOOLONG, "'%.64s...' is too long", target);
		memcpy(t->binary, target, (size_t)(colon - target));
		strcpy(t->glob, colon + 1);
	}
	if (binary && strlen(binary) >= sizeof(t->binary))
		return bel_errf(err, ENAMETOOLONG, "binary of %zu bytes", strlen(binary));
	if (func && strlen(func) >= sizeof(t->glob))
		return bel_errf(err, ENAMETOOLONG, "pattern of %zu bytes", strlen(func));
	if (binary)
		strcpy(t->binary, binary);
	if (func)
		strcpy(t->glob, func);
	if (!t->binary[0])
		return bel_errf(err, EINVAL, "names no binary (uprobe.multi/BINARY:PATTERN, or "
				"bel_attach_opts.binary)");
	return 0;
}

/* The offsets of cnt functions listed by name (each may carry a version). */
static int offsets_by_name(const struct bel_binary *bin, const char *const *syms, uint32_t cnt,
			   uint64_t *offsets, struct bel_err *err)
{
	uint32_t i;

	for (i = 0; i < cnt; i++) {
		struct bel_binary_func f;

		if (!syms[i])
			return bel_errf(err, EINVAL, "syms[%u] is NULL", i);
		if (bel_binary_find_func(bin, syms[i], &f, err))
			return err->code;
		offsets[i] = f.offset;
	}
	return 0;
}

int ldr_attach_uprobe_multi(const struct bel_program *prog, int prog_fd,
			    const struct bel_attach_opts *o, struct bel_err *err)
{
	struct bel_link_create_args args = {.prog_fd = prog_fd,
					    .attach_type = BEL_BPF_TRACE_UPROBE_MULTI};
	const char *const *syms = BEL_OPT(o, syms, NULL);
	const uint64_t *cookies = BEL_OPT(o, cookies, NULL);
	uint64_t cookie = BEL_OPT(o, cookie, 0), *offsets = NULL, *all_cookies = NULL;
	uint32_t cnt = BEL_OPT(o, cnt, 0), i;
	int pid = BEL_OPT(o, pid, 0), link;
	struct multi_target t = {{0}};
	struct ldr_target_binary bin;
	bool ret_probe = !strncmp(prog->def->sec_name, "uretprobe", 9) || BEL_OPT(o, retprobe, false);

	if (!bel_link_features()->uprobe_multi)
		return bel_errf(err, ENOTSUP, "this kernel has no uprobe_multi links (Linux 6.6): "
				"attach a uprobe per function instead");
	if (pid < 0)
		return bel_errf(err, EINVAL, "pid %d: give a process id, or 0 for every process", pid);
	if (BEL_OPT(o, ref_ctr_offset, 0) || BEL_OPT(o, func_offset, 0) || BEL_OPT(o, addrs, NULL))
		return bel_errf(err, EINVAL, "uprobe.multi takes functions by pattern or by name "
				"(syms), without offsets or semaphores");
	if (cnt > MAX_FUNCS || !syms != !cnt || (cookies && !cnt))
		return bel_errf(err, EINVAL, "syms and cnt go together (at most %u), and cookies with "
				"them, one per function", MAX_FUNCS);
	if (multi_target(BEL_OPT(o, target, NULL) ?: prog->def->attach_target, o, &t, err))
		return err->code;
	if (!cnt && !t.glob[0])
		return bel_errf(err, EINVAL, "names no functions in '%s' (uprobe.multi/BINARY:PATTERN, "
				"bel_attach_opts.func or syms)", t.binary);
	if (ldr_target_binary_open(t.binary, &bin, err))
		return bel_err_prefix(err, "uprobe.multi on %s", t.binary);
	if (cnt) {
		offsets = calloc(cnt, sizeof(*offsets));
		link = offsets ? offsets_by_name(bin.bin, syms, cnt, offsets, err)
			       : bel_errf(err, ENOMEM, "out of memory");
	} else {
		link = bel_binary_match_funcs(bin.bin, t.glob, MAX_FUNCS, &offsets, &cnt, err);
	}
	/* one cookie for every function, when given as one */
	if (!link && !cookies && cookie) {
		all_cookies = malloc(cnt * sizeof(*all_cookies));
		if (!all_cookies)
			link = bel_errf(err, ENOMEM, "out of memory");
		for (i = 0; all_cookies && i < cnt; i++)
			all_cookies[i] = cookie;
		cookies = all_cookies;
	}
	if (!link)
		link = ldr_target_binary_check(&bin, err);
	if (!link) {
		args.uprobe_multi.path = bin.path;
		args.uprobe_multi.offsets = offsets;
		args.uprobe_multi.cookies = cookies;
		args.uprobe_multi.cnt = cnt;
		args.uprobe_multi.flags = ret_probe ? BEL_BPF_F_UPROBE_MULTI_RETURN : 0;
		args.uprobe_multi.pid = (uint32_t)pid;
		link = bel_sys_link_create_ext(&args);
		if (link < 0)
			bel_errf(err, -link, "uprobe_multi link on %u function%s failed: %s", cnt,
				 cnt == 1 ? "" : "s", strerror(-link));
	}
	if (link < 0)
		bel_err_prefix(err, "%s on %s:%s", ret_probe ? "uretprobe.multi" : "uprobe.multi",
			       bin.path, t.glob[0] ? t.glob : "(syms)");
	free(offsets);
	free(all_cookies);
	ldr_target_binary_close(&bin);
	return link;
}
