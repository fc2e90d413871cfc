/* SPDX-License-Identifier: MIT */
/*
 * The corpus: every BPF object ../shared/corpus/fetch-corpus.sh extracts from Debian packages
 * (libbpf-tools, libxdp, xdp-tools, ir-keytable, qemu, cilium/ebpf's test objects: about 120
 * objects nobody on the team wrote), loaded by bel and by libbpf and compared (diff_core.c).
 *
 * Per object, in a forked child with a timeout (a loader may crash or hang on such objects):
 *   1. whole object: libbpf open+load, bel open+load (all-or-nothing); when both load, every
 *      program is compared from the kernel's view: tag, xlated instructions, map set, bpftool
 *      metadata, program info;
 *   2. one program at a time: bel loads the object with keep_going, libbpf loads each program
 *      alone (the other programs' autoload off); every program both load is compared too.
 * Both loaders pin maps by name under a private root, /sys/fs/bpf/bel-corpus-PID/{libbpf,bel},
 * emptied after each object and removed at the end (and on SIGTERM/SIGINT).
 *
 * Verdicts (one Check test per object, after a table of all of them):
 *   - libbpf loads the object whole: bel must load it whole, with no difference per program.
 *   - libbpf fails: bel's result is reported, not judged (legacy `maps` sections that libbpf
 *     1.x refuses load with bel; programs needing an attach target set at run time, program
 *     types or fields this kernel lacks fail with both). A big-endian object bel loads fails.
 *   - every program libbpf loads alone must load with bel's keep_going load (so bel's count N
 *     is at least libbpf's count K).
 *   - bel crashing or hanging fails; libbpf crashing or hanging is reported (bel still runs).
 * With BEL_CORPUS_ALLOW_UNSUPPORTED=1 (or --allow-unsupported) a refusal of bel's that says
 * "not supported yet" (CO-RE, externs/kfuncs, struct_ops) counts as a known gap, not a failure.
 *
 * The corpus is BEL_CORPUS_DIR, default <build>/tests/corpus, fetched with fetch-corpus.sh
 * when it holds no SOURCES.tsv (BEL_CORPUS_REFETCH=1: always). Without a corpus or a usable
 * kernel the test skips, or fails under CI=true. Objects given as arguments are used instead
 * of the corpus. BEL_CORPUS_FETCH: the script that makes the corpus instead of fetch-corpus.sh;
 * BEL_CORPUS_OPTIONAL=1: a corpus that may be missing, skipped even under CI=true (the
 * real-world corpus of tests/realworld/collect.sh). BEL_CORPUS_TIMEOUT: seconds per child
 * (default 120). -v or
 * BEL_CORPUS_VERBOSE=1: every program of every object in the table.
 */
#include <bpf/libbpf.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "diff_core.h"
#include "testutil.h"

#ifndef BEL_CORPUS_FETCH_SCRIPT
#error "BEL_CORPUS_FETCH_SCRIPT must be defined by the build"
#endif
#ifndef BEL_CORPUS_BUILD_DIR
#error "BEL_CORPUS_BUILD_DIR must be defined by the build"
#endif

#define MAX_CRASHES 4

enum verdict {
	V_PASS,   /* as required */
	V_REPORT, /* not judged (libbpf fails), reported */
	V_GAP,    /* bel refuses as "not supported yet", allowed by BEL_CORPUS_ALLOW_UNSUPPORTED */
	V_FAIL,
};

static const char *const verdict_names[] = {"ok", "report", "GAP", "FAIL"};

/* The whole-object outcome, for the summary. */
enum category {
	C_SAME,            /* both load whole, no difference */
	C_DIFFER,          /* both load whole, the kernel's views differ */
	C_BEL_UNSUPPORTED, /* libbpf loads whole, bel refuses: not supported yet */
	C_BEL_FAILS,       /* libbpf loads whole, bel fails otherwise */
	C_BOTH_FAIL,       /* libbpf fails, bel fails */
	C_BE_BOTH_FAIL,    /* ... a big-endian object */
	C_BEL_ONLY,        /* libbpf fails, bel loads whole */
	C_BEL_CRASH,       /* bel crashed or hung */
	C_LIBBPF_CRASH,    /* libbpf crashed or hung (bel not), reported */
	C_BE_BEL_LOADS,    /* a big-endian object bel loads: wrong */
	C_EXPLAINED,       /* would fail, but BEL_CORPUS_KNOWN explains it: reported */
	C_COUNT
};

static const char *const category_names[C_COUNT] = {
	[C_SAME] = "libbpf and bel load whole, same tags, maps, metadata per program",
	[C_DIFFER] = "libbpf and bel load whole, but programs differ (FAIL)",
	[C_BEL_UNSUPPORTED] = "libbpf loads whole, bel refuses: \"not supported yet\"",
	[C_BEL_FAILS] = "libbpf loads whole, bel fails for another reason (FAIL)",
	[C_BOTH_FAIL] = "libbpf fails, bel fails too (reported)",
	[C_BE_BOTH_FAIL] = "big-endian: libbpf and bel refuse (reported)",
	[C_BEL_ONLY] = "libbpf fails, bel loads whole (reported)",
	[C_BEL_CRASH] = "bel crashed or hung (FAIL)",
	[C_LIBBPF_CRASH] = "libbpf crashed or hung (reported)",
	[C_BE_BEL_LOADS] = "big-endian, bel loads it (FAIL)",
	[C_EXPLAINED] = "differ as BEL_CORPUS_KNOWN explains (reported)",
};

/* keep_going against libbpf's alone loads, for the summary. */
enum kg_category {
	K_ALL,          /* every program libbpf loads alone loads with bel keep_going */
	K_UNSUPPORTED,  /* some do not, all because bel says "not supported yet" */
	K_MISSING,      /* some do not, for other reasons (FAIL) */
	K_UNKNOWN,      /* a step crashed or hung */
	K_COUNT
};

static const char *const kg_names[K_COUNT] = {
	[K_ALL] = "N >= K: every program libbpf loads alone loads with bel keep_going",
	[K_UNSUPPORTED] = "N < K, bel's refusals all \"not supported yet\"",
	[K_MISSING] = "N < K for another reason (FAIL)",
	[K_UNKNOWN] = "unknown: a loader crashed or hung",
};

struct crash {
	unsigned int step;  /* DC_STEP_* */
	int stage;          /* enum dc_stage */
	int sig;            /* 0: timed out */
};

struct object_rec {
	char *path;
	char name[256];
	bool big_endian;
	enum verdict verdict;
	enum category cat;
	enum kg_category kcat;
	unsigned int nprogs, n_kg, k_alone, kg_differs;
	char *why;          /* for the Check failure message */
	bool ran;
};

static struct object_rec *objs;
static unsigned int nobjs;
static bool allow_unsupported, verbose;
static int name_width = 6;
static const char *unavailable; /* why the corpus cannot be used */
static bool kernel_ok;
static char kernel_why[256];
static char pin_root[128], pin_libbpf[160], pin_bel[160];
static volatile pid_t current_child;
static struct dc_result *shared; /* MAP_SHARED with the children */

/* ---- setup -------------------------------------------------------------------------------- */

static bool env_true(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") && strcmp(v, "false") && strcmp(v, "no");
}

static void remove_pin_root(void)
{
	if (pin_root[0]) {
		remove_tree(pin_root);
		pin_root[0] = '\0';
	}
}

static void on_signal(int sig)
{
	pid_t child = current_child;

	if (child > 0)
		kill(-child, SIGKILL);
	remove_pin_root();
	signal(sig, SIG_DFL);
	raise(sig);
}

static bool check_kernel(void)
{
	const char *why = kernel_missing();

	if (!why)
		return true;
	snprintf(kernel_why, sizeof(kernel_why), "%s", why);
	return false;
}

static bool make_pin_root(void)
{
	snprintf(pin_root, sizeof(pin_root), "/sys/fs/bpf/bel-corpus-%d", (int)getpid());
	snprintf(pin_libbpf, sizeof(pin_libbpf), "%s/libbpf", pin_root);
	snprintf(pin_bel, sizeof(pin_bel), "%s/bel", pin_root);
	remove_tree(pin_root);
	if (mkdir(pin_root, 0700) || mkdir(pin_libbpf, 0700) || mkdir(pin_bel, 0700)) {
		snprintf(kernel_why, sizeof(kernel_why), "cannot make %s: %s", pin_root,
			 strerror(errno));
		remove_pin_root();
		return false;
	}
	atexit(remove_pin_root);
	return true;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int filter_objects(const struct dirent *de)
{
	return de->d_name[0] != '.' && has_suffix(de->d_name, ".bpf.o");
}

static void add_object(const char *path)
{
	struct object_rec *o;
	const char *base = strrchr(path, '/');
	unsigned char ident[6];
	int fd;

	objs = realloc(objs, (nobjs + 1) * sizeof(*objs));
	if (!objs)
		abort();
	o = &objs[nobjs++];
	memset(o, 0, sizeof(*o));
	o->path = strdup(path);
	base = base ? base + 1 : path;
	snprintf(o->name, sizeof(o->name), "%s", base);
	if (has_suffix(o->name, ".bpf.o"))
		o->name[strlen(o->name) - strlen(".bpf.o")] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, ident, sizeof(ident)) == (ssize_t)sizeof(ident))
			o->big_endian = ident[5] == 2; /* EI_DATA == ELFDATA2MSB */
		close(fd);
	}
}

/* The corpus directory's objects, fetched first when needed; sets `unavailable` if none. */
static void find_corpus(void)
{
	static char why[1024];
	const char *dir = getenv("BEL_CORPUS_DIR");
	const char *script = getenv("BEL_CORPUS_FETCH");
	char path[4096], cmd[8192], log[4096];
	struct dirent **list;
	struct stat st;
	int n, i, ret;

	dir = dir && *dir ? dir : BEL_CORPUS_BUILD_DIR;
	script = script && *script ? script : BEL_CORPUS_FETCH_SCRIPT;
	snprintf(path, sizeof(path), "%s/SOURCES.tsv", dir);
	if (stat(path, &st) || env_true("BEL_CORPUS_REFETCH")) {
		if (access(script, X_OK)) {
			snprintf(why, sizeof(why), "no corpus in %s, and %s is not there to fetch it",
				 dir, script);
			unavailable = why;
			return;
		}
		if (geteuid() != 0) {
			snprintf(why, sizeof(why), "no corpus in %s, and fetching it needs root", dir);
			unavailable = why;
			return;
		}
		snprintf(log, sizeof(log), "%s.log", dir);
		printf("corpus: fetching with %s into %s (log: %s)\n", script, dir, log);
		fflush(stdout);
		snprintf(cmd, sizeof(cmd), "'%s' '%s' >'%s' 2>&1", script, dir, log);
		ret = system(cmd);
		ret = ret == -1 ? -1 : WIFEXITED(ret) ? WEXITSTATUS(ret) : 128 + WTERMSIG(ret);
		if (ret != 0) {
			snprintf(cmd, sizeof(cmd), "tail -n 5 '%s'", log);
			printf("corpus: fetch-corpus.sh failed (status %d); its last lines:\n", ret);
			fflush(stdout);
			if (system(cmd) < 0)
				perror("system");
			snprintf(why, sizeof(why), "fetch-corpus.sh failed (status %d, log %s)", ret,
				 log);
			unavailable = why;
			return;
		}
	}
	n = scandir(dir, &list, filter_objects, alphasort);
	if (n <= 0) {
		snprintf(why, sizeof(why), "no *.bpf.o in %s", dir);
		unavailable = why;
		if (n == 0)
			free(list);
		return;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		add_object(path);
		free(list[i]);
	}
	free(list);
	printf("corpus: %u objects in %s\n", nobjs, dir);
}

/* ---- one object ----------------------------------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * dc_run in a child, in its own process group (bpftool with it) so a hang can be killed.
 * Returns 0 when it finished, else fills *c.
 */
static int run_child(const char *path, const struct dc_opts *opts, int timeout, struct crash *c)
{
	double deadline = now() + timeout;
	pid_t pid;
	int status = 0;

	memset(shared, 0, sizeof(*shared));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		dc_run(path, opts, shared);
		_exit(0);
	}
	setpgid(pid, pid);
	current_child = pid;
	for (;;) {
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid)
			break;
		if (got < 0 && errno != EINTR) {
			perror("waitpid");
			exit(2);
		}
		if (now() > deadline) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			current_child = 0;
			c->step = shared->step;
			c->stage = shared->stage;
			c->sig = 0;
			kill(-pid, SIGKILL); /* what was left of the group */
			return -1;
		}
		usleep(2000);
	}
	current_child = 0;
	kill(-pid, SIGKILL); /* a bpftool the child left behind, if any */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	c->step = shared->step;
	c->stage = shared->stage;
	c->sig = WIFSIGNALED(status) ? WTERMSIG(status) : -WEXITSTATUS(status);
	if (!c->sig)
		c->sig = -255;
	return -1;
}

static const char *step_name(unsigned int step)
{
	switch (step) {
	case DC_STEP_LIBBPF: return "libbpf whole-object load";
	case DC_STEP_BEL: return "bel whole-object load";
	case DC_STEP_ALONE: return "libbpf one-program loads";
	case DC_STEP_KEEP_GOING: return "bel keep_going load";
	default: return "setup";
	}
}

static const char *stage_name(int stage)
{
	switch (stage) {
	case DC_IN_LIBBPF: return "libbpf";
	case DC_IN_BEL: return "bel";
	case DC_IN_COMPARE: return "the comparison (test code, bpftool)";
	default: return "the test";
	}
}

static void crash_str(const struct crash *c, char *out, size_t size)
{
	if (c->sig > 0)
		snprintf(out, size, "%s (%s) in %s", strsignal(c->sig), c->sig == SIGSEGV ?
			 "SIGSEGV" : c->sig == SIGABRT ? "SIGABRT" : "signal",
			 stage_name(c->stage));
	else if (c->sig == 0)
		snprintf(out, size, "timed out in %s", stage_name(c->stage));
	else
		snprintf(out, size, "exited with status %d in %s (a sanitizer's report on stderr?)",
			 -c->sig, stage_name(c->stage));
}

static bool unsupported(const char *msg)
{
	return msg && strstr(msg, "not supported yet");
}

static const char *unsupported_kind(const char *msg)
{
	if (strstr(msg, "CO-RE"))
		return "CO-RE";
	if (strstr(msg, "kfunc"))
		return "kfunc";
	if (strstr(msg, "extern"))
		return "extern";
	if (strstr(msg, "struct_ops"))
		return "struct_ops";
	return "unsupported";
}

static const char *errname(int err)
{
	/* libbpf's own codes (enum libbpf_errno) */
	static const char *const libbpf_codes[] = {
		"LIBELF", "FORMAT", "KVERSION", "ENDIAN", "INTERNAL", "RELOC", "LOAD", "VERIFY",
		"PROG2BIG", "KVER", "PROGTYPE", "WRNGPID", "INVSEQ", "NLPARSE",
	};
	static char buf[32];
	const char *n = err < 0 ? strerrorname_np(-err) : NULL;

	if (n)
		return n;
	if (-err >= 4000 && -err < 4000 + (int)(sizeof(libbpf_codes) / sizeof(libbpf_codes[0]))) {
		snprintf(buf, sizeof(buf), "libbpf:%s", libbpf_codes[-err - 4000]);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%d", err);
	return buf;
}

/* "ok", "refused (CO-RE)", "load: EACCES", ... */
static void load_str(const struct dc_load *l, bool is_bel, char *out, size_t size)
{
	if (l->status == DC_NOT_RUN)
		snprintf(out, size, "-");
	else if (!l->status)
		snprintf(out, size, "ok");
	else if (is_bel && unsupported(l->note))
		snprintf(out, size, "refused (%s)", unsupported_kind(l->note));
	else
		snprintf(out, size, "%s: %s", l->open_failed ? "open" : "load", errname(l->status));
}

/* A program's bel keep_going status and message; the object's when it did not open. */
static int kg_status(const struct dc_result *r, const struct dc_prog *p, const char **msg)
{
	if (p->bel_keep_going == DC_NOT_RUN && r->bel_keep_going != DC_NOT_RUN &&
	    r->bel_keep_going_open_failed) {
		*msg = r->bel_keep_going_msg;
		return r->bel_keep_going;
	}
	*msg = p->bel_keep_going_msg;
	return p->bel_keep_going;
}

static void status_str(int status, const char *msg, char *out, size_t size)
{
	if (status == DC_NOT_RUN)
		snprintf(out, size, "not run");
	else if (!status)
		snprintf(out, size, "ok");
	else
		snprintf(out, size, "%s: %s", errname(status), msg);
}

struct text {
	char *buf;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3)))
static void addf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = t->cap - t->len;

		va_start(ap, fmt);
		n = vsnprintf(t->buf ? t->buf + t->len : NULL, t->buf ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (t->buf && (size_t)n < room) {
			t->len += (size_t)n;
			return;
		}
		t->cap = (t->cap + (size_t)n + 1) * 2;
		t->buf = realloc(t->buf, t->cap);
		if (!t->buf)
			abort();
	}
}

/* Indent every line of a multi-line message. */
static void add_block(struct text *t, const char *indent, const char *msg)
{
	const char *p = msg;

	while (*p) {
		size_t n = strcspn(p, "\n");

		if (n)
			addf(t, "%s%.*s\n", indent, (int)n, p);
		p += n;
		if (*p == '\n')
			p++;
	}
}

/*
 * Differences explained (BEL_CORPUS_KNOWN: a file of "object<TAB>why" lines, '#' comments):
 * an object listed there that would fail is reported with the reason instead. Read once.
 */
static const char *known_difference(const char *name)
{
	static char *text;
	static bool read_done;
	const char *path = getenv("BEL_CORPUS_KNOWN");
	static char reason[512];
	const char *line;
	size_t n = strlen(name), size;

	if (!read_done) {
		read_done = true;
		text = path && *path ? read_file(path, &size) : NULL;
		if (text) {
			char *grown = realloc(text, size + 1);

			text = grown ? grown : (free(text), NULL);
			if (text)
				text[size] = '\0';
		}
	}
	for (line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (line[0] == '#' || strncmp(line, name, n) || line[n] != '\t')
			continue;
		snprintf(reason, sizeof(reason), "%.*s", (int)strcspn(line + n + 1, "\n"), line + n + 1);
		return reason;
	}
	return NULL;
}

static void run_object(struct object_rec *o, int timeout)
{
	const struct dc_result *r = shared;
	struct dc_opts opts = {
		.label = o->name,
		.libbpf_pin_root = pin_libbpf,
		.bel_pin_root = pin_bel,
		.steps = DC_STEP_LIBBPF | DC_STEP_BEL | DC_STEP_ALONE | DC_STEP_KEEP_GOING,
	};
	struct crash crashes[MAX_CRASHES];
	unsigned int ncrash = 0, i, crashed_steps = 0;
	struct text why = {0}, detail = {0}, missing = {0};
	const char *first_unsupported = NULL, *first_other = NULL;
	char lstr[64], bstr[64], cstr[256], a[DC_ERR_MAX + 64], b[DC_ERR_MAX + 64];
	bool libbpf_whole, bel_whole, bel_crashed = false, show_progs;
	const char *gap_kind = NULL;

	/* a step that crashes or hangs is dropped and the rest run again */
	while (run_child(o->path, &opts, timeout, &crashes[ncrash])) {
		struct crash *c = &crashes[ncrash++];

		crashed_steps |= c->step;
		crash_str(c, cstr, sizeof(cstr));
		addf(&detail, "    %s: %s\n", step_name(c->step), cstr);
		/* bel's calls, and this test's own code, must not crash or hang */
		if (c->stage != DC_IN_LIBBPF) {
			bel_crashed = true;
			addf(&why, "%s: %s; ", step_name(c->step), cstr);
		}
		opts.steps &= ~c->step;
		if (!c->step || ncrash == MAX_CRASHES || !opts.steps) {
			memset(shared, 0, sizeof(*shared));
			shared->libbpf.status = shared->bel.status = DC_NOT_RUN;
			shared->bel_keep_going = DC_NOT_RUN;
			break;
		}
	}
	o->ran = true;
	o->nprogs = r->nprogs;

	/* whole object */
	libbpf_whole = r->libbpf.status == 0;
	bel_whole = r->bel.status == 0;
	load_str(&r->libbpf, false, lstr, sizeof(lstr));
	load_str(&r->bel, true, bstr, sizeof(bstr));
	if (crashed_steps & DC_STEP_LIBBPF)
		snprintf(lstr, sizeof(lstr), "CRASH/HANG");
	if (crashed_steps & DC_STEP_BEL)
		snprintf(bstr, sizeof(bstr), "CRASH/HANG");

	if (bel_crashed) {
		o->cat = C_BEL_CRASH;
		o->verdict = V_FAIL;
	} else if (o->big_endian && (bel_whole || r->bel_keep_going == 0)) {
		o->cat = C_BE_BEL_LOADS;
		o->verdict = V_FAIL;
		addf(&why, "bel loads a big-endian object; ");
	} else if (crashed_steps & DC_STEP_LIBBPF) {
		o->cat = C_LIBBPF_CRASH;
		o->verdict = V_REPORT;
	} else if (libbpf_whole && bel_whole && !r->diff.n) {
		o->cat = C_SAME;
		o->verdict = V_PASS;
	} else if (libbpf_whole && bel_whole) {
		o->cat = C_DIFFER;
		o->verdict = V_FAIL;
		addf(&why, "%u differences: %s; ", r->diff.n, r->diff.msg);
	} else if (libbpf_whole && unsupported(r->bel.note)) {
		o->cat = C_BEL_UNSUPPORTED;
		o->verdict = allow_unsupported ? V_GAP : V_FAIL;
		gap_kind = unsupported_kind(r->bel.note);
		if (!allow_unsupported)
			addf(&why, "libbpf loads it, bel refuses: %s; ", r->bel.msg);
	} else if (libbpf_whole) {
		o->cat = C_BEL_FAILS;
		o->verdict = V_FAIL;
		addf(&why, "libbpf loads it, bel fails: %s; ", r->bel.msg);
	} else if (bel_whole) {
		o->cat = C_BEL_ONLY;
		o->verdict = V_REPORT;
	} else {
		o->cat = o->big_endian ? C_BE_BOTH_FAIL : C_BOTH_FAIL;
		o->verdict = V_REPORT;
	}
	if (libbpf_whole != bel_whole || (!libbpf_whole && !bel_whole)) {
		if (r->libbpf.status && r->libbpf.status != DC_NOT_RUN)
			addf(&detail, "    libbpf: %s\n", r->libbpf.msg);
		if (r->bel.status && r->bel.status != DC_NOT_RUN)
			addf(&detail, "    bel: %s\n", r->bel.msg);
	}
	if (r->diff.n) {
		addf(&detail, "    whole-object differences:\n");
		add_block(&detail, "      ", r->diff.msg);
	}

	/* one program at a time */
	o->kcat = K_ALL;
	show_progs = verbose;
	for (i = 0; i < r->nprogs; i++) {
		const struct dc_prog *p = &r->progs[i];
		const char *bel_msg;
		int kg = kg_status(r, p, &bel_msg);

		if (kg == 0)
			o->n_kg++;
		if (p->libbpf_alone == 0)
			o->k_alone++;
		if (p->kg_differs)
			o->kg_differs++;
		if ((p->libbpf_alone == 0) != (kg == 0) || p->kg_differs)
			show_progs = true;
		if (p->libbpf_alone != 0 || kg == 0)
			continue;
		/* libbpf loads it alone, bel keep_going does not */
		addf(&missing, "%s'%s'", missing.len ? ", " : "", p->name);
		if (unsupported(bel_msg)) {
			if (!gap_kind)
				gap_kind = unsupported_kind(bel_msg);
			if (o->kcat == K_ALL)
				o->kcat = K_UNSUPPORTED;
			if (!first_unsupported)
				first_unsupported = bel_msg;
		} else {
			o->kcat = K_MISSING;
			if (!first_other)
				first_other = bel_msg[0] ? bel_msg : "(no message)";
		}
	}
	if (missing.len && (o->kcat == K_MISSING || !allow_unsupported))
		addf(&why, "programs that load alone with libbpf but not with bel keep_going: %s "
		     "(%u of %u load with bel, %u alone with libbpf): %s; ", missing.buf, o->n_kg,
		     r->nprogs, o->k_alone, first_other ? first_other : first_unsupported);
	free(missing.buf);
	if (crashed_steps & (DC_STEP_ALONE | DC_STEP_KEEP_GOING))
		o->kcat = K_UNKNOWN;
	if (o->kcat == K_MISSING || (o->kcat == K_UNSUPPORTED && !allow_unsupported))
		o->verdict = V_FAIL;
	else if (o->kcat == K_UNSUPPORTED && (o->verdict == V_PASS || o->verdict == V_REPORT))
		o->verdict = V_GAP;
	if (r->truncated)
		addf(&detail, "    more than %u programs: the rest not compared\n", DC_MAX_PROGS);
	if (show_progs) {
		for (i = 0; i < r->nprogs; i++) {
			const struct dc_prog *p = &r->progs[i];
			const char *bel_msg;
			int kg = kg_status(r, p, &bel_msg);

			if (!verbose && (p->libbpf_alone == 0) == (kg == 0) && !p->kg_differs)
				continue;
			status_str(p->libbpf_alone, p->libbpf_alone_msg, a, sizeof(a));
			status_str(kg, bel_msg, b, sizeof(b));
			addf(&detail, "    prog %s (%s): libbpf alone: %.300s; bel keep_going: "
			     "%.300s%s\n", p->name, p->section, a, b,
			     p->kg_differs ? "; kernel views DIFFER (below)" : "");
		}
	}
	if (r->kg_diff.n) {
		addf(&detail, "    alone vs keep_going differences:\n");
		add_block(&detail, "      ", r->kg_diff.msg);
	}
	if (r->bel_warn_len && (r->diff.n || r->kg_diff.n || verbose)) {
		addf(&detail, "    bel's warnings (first line of each):\n");
		add_block(&detail, "      ", r->bel_warn);
	}

	if (o->verdict == V_FAIL && !bel_crashed && known_difference(o->name)) {
		/* a difference the README's table explains: reported, with the reason */
		addf(&detail, "    explained: %s\n", known_difference(o->name));
		o->verdict = V_REPORT;
		o->cat = C_EXPLAINED;
	}
	if (o->verdict == V_FAIL)
		o->why = why.buf ? why.buf : strdup("(no reason recorded)");
	else
		free(why.buf);
	if (o->verdict == V_GAP && gap_kind)
		snprintf(cstr, sizeof(cstr), "GAP (%s)", gap_kind);
	else
		snprintf(cstr, sizeof(cstr), "%s", verdict_names[o->verdict]);
	printf("%-*s %5u  %-20.20s %-20.20s %3u/%-3u %3u/%-3u  %s\n", name_width, o->name,
	       o->nprogs, lstr, bstr, o->n_kg, o->nprogs, o->k_alone, o->nprogs, cstr);
	if (detail.buf)
		fputs(detail.buf, stdout);
	fflush(stdout);
	free(detail.buf);
}

static void run_all(void)
{
	const char *t = getenv("BEL_CORPUS_TIMEOUT");
	int timeout = t && atoi(t) > 0 ? atoi(t) : 120;
	unsigned int cats[C_COUNT] = {0}, kcats[K_COUNT] = {0}, verdicts[4] = {0};
	unsigned int i, progs = 0, n_kg = 0, k_alone = 0, kg_differs = 0;
	double start = now();

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	if (shared == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGHUP, on_signal);
	dc_init();
	printf("\ncorpus: bel vs libbpf %s; pins under %s; %s; timeout %d s per object\n",
	       libbpf_version_string(), pin_root,
	       allow_unsupported ? "BEL_CORPUS_ALLOW_UNSUPPORTED: \"not supported yet\" is a gap" :
				   "\"not supported yet\" fails", timeout);
	printf("columns: libbpf and bel whole-object load; keep_going: bel N/M programs, libbpf "
	       "alone K/M\n\n");
	for (i = 0; i < nobjs; i++)
		if ((int)strlen(objs[i].name) > name_width)
			name_width = (int)strlen(objs[i].name);
	printf("%-*s %5s  %-20s %-20s %-7s %-7s  %s\n", name_width, "object", "progs", "libbpf",
	       "bel", "bel kg", "alone", "verdict");
	for (i = 0; i < nobjs; i++) {
		run_object(&objs[i], timeout);
		cats[objs[i].cat]++;
		kcats[objs[i].kcat]++;
		verdicts[objs[i].verdict]++;
		progs += objs[i].nprogs;
		n_kg += objs[i].n_kg;
		k_alone += objs[i].k_alone;
		kg_differs += objs[i].kg_differs;
	}
	remove_pin_root();
	munmap(shared, sizeof(*shared));
	shared = NULL;

	printf("\nsummary: %u objects, %u programs, %.0f s\n", nobjs, progs, now() - start);
	printf("whole object:\n");
	for (i = 0; i < C_COUNT; i++)
		if (cats[i])
			printf("  %4u  %s\n", cats[i], category_names[i]);
	printf("one program at a time: bel keep_going loads %u programs, libbpf alone %u\n",
	       n_kg, k_alone);
	for (i = 0; i < K_COUNT; i++)
		if (kcats[i])
			printf("  %4u  %s\n", kcats[i], kg_names[i]);
	if (kg_differs)
		printf("  %4u  programs loaded by both one at a time whose kernel views differ "
		       "(reported)\n", kg_differs);
	printf("verdicts: %u ok, %u reported, %u known gaps, %u FAIL\n", verdicts[V_PASS],
	       verdicts[V_REPORT], verdicts[V_GAP], verdicts[V_FAIL]);
	fflush(stdout);
}

/* ---- Check ------------------------------------------------------------------------------- */

START_TEST(test_corpus_ready)
{
	const char *ci = getenv("CI");
	bool under_ci = ci && !strcmp(ci, "true");

	if (!kernel_ok) {
		if (under_ci)
			ck_abort_msg("corpus test cannot run under CI=true: %s", kernel_why);
		printf("SKIP: corpus: %s\n", kernel_why);
		return;
	}
	if (unavailable) {
		/* a corpus made only of material that may not be on this machine */
		if (under_ci && !env_true("BEL_CORPUS_OPTIONAL"))
			ck_abort_msg("corpus unavailable under CI=true: %s", unavailable);
		printf("SKIP: corpus: %s\n", unavailable);
	}
}
END_TEST

START_TEST(test_corpus_object)
{
	const struct object_rec *o = &objs[_i];

	ck_assert_msg(o->verdict != V_FAIL, "%s: %s", o->name, o->why ? o->why : "");
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("corpus");
	TCase *tc = tcase_create("objects");
	SRunner *sr;
	int i;

	allow_unsupported = env_true("BEL_CORPUS_ALLOW_UNSUPPORTED");
	verbose = env_true("BEL_CORPUS_VERBOSE");
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--allow-unsupported"))
			allow_unsupported = true;
		else if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (argv[i][0] == '-') {
			fprintf(stderr, "usage: %s [--allow-unsupported] [-v] [OBJECT...]\n",
				argv[0]);
			return 2;
		} else
			add_object(argv[i]);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	kernel_ok = check_kernel();
	if (kernel_ok && !nobjs)
		find_corpus();
	if (kernel_ok && nobjs && !make_pin_root())
		kernel_ok = false;
	if (kernel_ok && nobjs)
		run_all();

	tcase_add_test(tc, test_corpus_ready);
	if (kernel_ok && nobjs)
		tcase_add_loop_test(tc, test_corpus_object, 0, (int)nobjs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	return run_srunner(sr);
}
