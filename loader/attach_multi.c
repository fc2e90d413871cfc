/* SPDX-License-Identifier: MIT */
/*
 * kprobe_multi links: one link on many kernel functions, named by a glob in the section
 * ("kprobe.multi/tcp_*") or given by name or address in the options. A glob is matched against
 * the functions ftrace can trace (tracefs available_filter_functions), else against the text
 * symbols of /proc/kallsyms.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "attach.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif
/* The kernel takes at most this many functions in one link (MAX_KPROBE_MULTI_CNT). */
#define MAX_FUNCS (1u << 20)
/* Longest symbol name the kernel has (KSYM_NAME_LEN). */
#define MAX_SYM 512

struct names {
	char **v;
	uint32_t n, cap;
};

static void names_free(struct names *s)
{
	uint32_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int names_add(struct names *s, const char *name, size_t len, struct bel_err *err)
{
	if (s->n == MAX_FUNCS)
		return bel_errf(err, E2BIG, "the pattern matches more than %u functions, the most "
				"one link takes", MAX_FUNCS);
	if (s->n == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 64;
		char **grown = realloc(s->v, cap * sizeof(*grown));

		if (!grown)
			return bel_errf(err, ENOMEM, "out of memory");
		s->v = grown;
		s->cap = cap;
	}
	s->v[s->n] = strndup(name, len);
	if (!s->v[s->n])
		return bel_errf(err, ENOMEM, "out of memory");
	s->n++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* available_filter_functions under a tracefs root, checked to be tracefs. */
static FILE *open_filter_functions(void)
{
	static const char *const roots[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
	char path[64];
	struct statfs sfs;
	size_t i;
	FILE *f;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/available_filter_functions", roots[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!fstatfs(fileno(f), &sfs) && sfs.f_type == TRACEFS_MAGIC)
			return f;
		fclose(f);
	}
	return NULL;
}

/*
 * Every function that matches, each once. Lines are "name" or, for a module's function,
 * "name [module]" (kallsyms: "address type name [module]"): module functions are left out,
 * since kernels before 6.3 resolve kprobe_multi names in vmlinux only.
 */
static int expand(const char *pattern, struct names *out, struct bel_err *err)
{
	FILE *f = open_filter_functions();
	bool kallsyms = !f;
	char *line = NULL, name[MAX_SYM];
	size_t cap = 0;
	uint32_t i, kept;
	ssize_t len;
	int ret = 0;

	if (kallsyms && !(f = fopen("/proc/kallsyms", "re")))
		return bel_errf(err, ENOENT, "cannot list kernel functions: neither tracefs "
				"available_filter_functions nor /proc/kallsyms can be read");
	while (!ret && (len = getline(&line, &cap, f)) > 0) {
		const char *p = line;
		char type = 'T';
		size_t n;

		if (kallsyms) {
			/* "ffffffff81000000 T name" */
			p = strchr(line, ' ');
			if (!p || !p[1] || p[2] != ' ')
				continue;
			type = p[1];
			p += 3;
		}
		n = strcspn(p, " \t\n");
		if (p[n] == ' ' || p[n] == '\t' || n == 0 || n >= sizeof(name) ||
		    (type != 't' && type != 'T'))
			continue;
		memcpy(name, p, n);
		name[n] = '\0';
		/* ftrace's stand-in for a record it dropped is no function */
		if (!strncmp(name, "__ftrace_invalid_address__", 26))
			continue;
		if (!fnmatch(pattern, name, 0))
			ret = names_add(out, name, n, err);
	}
	free(line);
	fclose(f);
	if (ret)
		return ret;
	if (!out->n)
		return bel_errf(err, ENOENT, "no kernel function matches '%s'", pattern);
	qsort(out->v, out->n, sizeof(*out->v), by_name);
	for (i = 1, kept = 1; i < out->n; i++) {
		if (!strcmp(out->v[kept - 1], out->v[i]))
			free(out->v[i]);
		else
			out->v[kept++] = out->v[i];
	}
	out->n = kept;
	return 0;
}

int ldr_attach_kprobe_multi(const struct bel_program *prog, int prog_fd,
			    const struct bel_attach_opts *o, const char *pattern,
			    struct ldr_attach_made *made, struct bel_err *err)
{
	struct bel_link_create_args args = {.prog_fd = prog_fd, .attach_type = BPF_TRACE_KPROBE_MULTI};
	struct names found = {0};
	const char *one[1];
	int link;

	(void)made;
	if (!bel_link_features()->kprobe_multi)
		return bel_errf(err, ENOTSUP, "this kernel has no kprobe_multi links (Linux 5.18 "
				"built with CONFIG_FPROBE)");
	if (prog->cfg.attach_kind == BEL_ATTACH_KRETPROBE_MULTI)
		args.kprobe_multi.flags = BPF_F_KPROBE_MULTI_RETURN;
	args.kprobe_multi.cnt = BEL_OPT(o, cnt, 0);
	args.kprobe_multi.syms = BEL_OPT(o, syms, NULL);
	args.kprobe_multi.addrs = BEL_OPT(o, addrs, NULL);
	args.kprobe_multi.cookies = BEL_OPT(o, cookies, NULL);
	if (args.kprobe_multi.cnt) {
		if (!args.kprobe_multi.syms == !args.kprobe_multi.addrs)
			return bel_errf(err, EINVAL, "cnt functions need either syms or addrs");
		pattern = "(given)";
	} else if (!pattern) {
		return bel_errf(err, EINVAL, "names no functions (kprobe.multi/PATTERN, a target, or "
				"syms/addrs)");
	} else if (args.kprobe_multi.cookies) {
		return bel_errf(err, EINVAL, "cookies go with syms or addrs, one per function");
	} else if (!strpbrk(pattern, "*?[")) {
		one[0] = pattern;
		args.kprobe_multi.syms = one;
		args.kprobe_multi.cnt = 1;
	} else {
		if (expand(pattern, &found, err))
			return bel_err_prefix(err, "kprobe.multi '%s'", pattern);
		args.kprobe_multi.syms = (const char *const *)found.v;
		args.kprobe_multi.cnt = found.n;
	}
	link = bel_sys_link_create_ext(&args);
	if (link < 0)
		bel_errf(err, -link, "kprobe_multi link on %u function%s ('%s'%s%s) failed: %s",
			 args.kprobe_multi.cnt, args.kprobe_multi.cnt == 1 ? "" : "s", pattern,
			 found.n ? ", first " : "", found.n ? found.v[0] : "", strerror(-link));
	names_free(&found);
	return link;
}
