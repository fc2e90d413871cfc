/* SPDX-License-Identifier: MIT */
/*
 * bel-bench: bel and libbpf 1.1 side by side, in one process, on the same objects.
 *
 * Per object, interleaved (the order of the loaders rotates from round to round):
 *   open        bpf_object__open_file + close   vs  bel_object_open_file + close
 *   load        bpf_object__load                vs  bel_object_load, 1 thread and 2 threads
 *               (each run opens, loads and closes everything; only the load call is timed)
 *   CPU spin    the same busy loop on 1 thread and split over 2 threads, after every round of
 *               loads: the speedup the machine offered while the parallel figures were taken
 * Then, each in a fresh process (the bench re-executes itself): peak RSS (VmHWM) of open+load.
 * Sizes of stripped files are given with -z.
 *
 * Time spent inside bpf(2) is measured by defining syscall() here: bel (linked statically) and
 * libbpf (a shared library; this executable exports the symbol) both issue bpf commands through
 * libc's syscall(), so both end up here and the real one is called through dlsym(RTLD_NEXT).
 *
 * Output: progress on stderr, a markdown table on stdout.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bel/bel.h"

/* ---------------------------------------------------------------------------------------- */
/* clocks                                                                                      */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double ms_since(uint64_t t0)
{
	return (double)(mono_ns() - t0) / 1e6;
}

struct cpu_times {
	double user_ms, sys_ms;
};

static struct cpu_times proc_cpu(void)
{
	struct rusage ru;
	struct cpu_times c;

	getrusage(RUSAGE_SELF, &ru);
	c.user_ms = (double)ru.ru_utime.tv_sec * 1e3 + (double)ru.ru_utime.tv_usec / 1e3;
	c.sys_ms = (double)ru.ru_stime.tv_sec * 1e3 + (double)ru.ru_stime.tv_usec / 1e3;
	return c;
}

static void sleep_ms(double ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1e3);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1e3) * 1e6);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---------------------------------------------------------------------------------------- */
/* time inside bpf(2)                                                                          */

typedef long (*syscall_fn)(long, ...);
static syscall_fn libc_syscall;
static int bpf_acct_on;              /* atomic */
static uint64_t bpf_acct_ns;         /* atomic; summed over threads */
static uint64_t bpf_acct_calls;      /* atomic */
static uint64_t bpf_acct_cmd_ns[64]; /* atomic; by command, for where kernel time goes */

static syscall_fn real_syscall(void)
{
	syscall_fn fn = __atomic_load_n(&libc_syscall, __ATOMIC_ACQUIRE);

	if (!fn) {
		fn = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
		__atomic_store_n(&libc_syscall, fn, __ATOMIC_RELEASE);
	}
	return fn;
}

long syscall(long nr, ...)
{
	long a[6], ret;
	uint64_t t0;
	va_list ap;
	int i, saved;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr != __NR_bpf || !__atomic_load_n(&bpf_acct_on, __ATOMIC_RELAXED))
		return real_syscall()(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	t0 = mono_ns();
	ret = real_syscall()(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	saved = errno;
	t0 = mono_ns() - t0;
	__atomic_fetch_add(&bpf_acct_ns, t0, __ATOMIC_RELAXED);
	__atomic_fetch_add(&bpf_acct_calls, 1, __ATOMIC_RELAXED);
	if ((unsigned long)a[0] < 64)
		__atomic_fetch_add(&bpf_acct_cmd_ns[a[0]], t0, __ATOMIC_RELAXED);
	errno = saved;
	return ret;
}

static void bpf_acct_start(void)
{
	__atomic_store_n(&bpf_acct_ns, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&bpf_acct_calls, 0, __ATOMIC_RELAXED);
	for (int c = 0; c < 64; c++)
		__atomic_store_n(&bpf_acct_cmd_ns[c], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&bpf_acct_on, 1, __ATOMIC_SEQ_CST);
}

static double bpf_acct_stop(void)
{
	__atomic_store_n(&bpf_acct_on, 0, __ATOMIC_SEQ_CST);
	return (double)__atomic_load_n(&bpf_acct_ns, __ATOMIC_RELAXED) / 1e6;
}

/* Time inside bpf(2) with this command since bpf_acct_start, in ms. */
static double bpf_acct_cmd_ms(int cmd)
{
	return (double)__atomic_load_n(&bpf_acct_cmd_ns[cmd], __ATOMIC_RELAXED) / 1e6;
}

/* ---------------------------------------------------------------------------------------- */
/* the loaders                                                                                 */

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

enum variant { V_LIBBPF, V_BEL1, V_BEL2, NV };
static const char *const variant_name[NV] = {"libbpf", "bel 1 thread", "bel 2 threads"};

struct run {
	double open_ms, load_ms, close_ms;
	double user_ms, sys_ms;       /* process CPU during the load call (all threads) */
	double bpf_ms;                /* inside bpf(2) during the load call, summed over threads */
	double prog_load_ms, map_create_ms; /* of it, in BPF_PROG_LOAD and BPF_MAP_CREATE */
	int err;
};

/*
 * Objects that pin maps by name (xdp-tools' and others in the corpus) would pin into
 * /sys/fs/bpf and leave the pins there, and the next run would reuse those maps instead of
 * creating them. Both loaders get a private pin root instead, emptied after every run.
 */
static char pin_root[PATH_MAX];

static void clear_pins(void)
{
	struct dirent *de;
	char path[PATH_MAX * 2];
	DIR *d;

	if (!pin_root[0] || !(d = opendir(pin_root)))
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_root, de->d_name);
		unlink(path);
	}
	closedir(d);
}

static void remove_pin_root(void)
{
	if (pin_root[0] && getenv("BEL_BENCH_PIN_ROOT_OWNER") &&
	    atoi(getenv("BEL_BENCH_PIN_ROOT_OWNER")) == (int)getpid()) {
		clear_pins();
		rmdir(pin_root);
	}
}

static void make_pin_root(void)
{
	const char *inherited = getenv("BEL_BENCH_PIN_ROOT");
	char pid[32];

	if (inherited) { /* a re-executed child measuring RSS */
		snprintf(pin_root, sizeof(pin_root), "%s", inherited);
		return;
	}
	snprintf(pin_root, sizeof(pin_root), "/sys/fs/bpf/bel-bench-XXXXXX");
	if (!mkdtemp(pin_root)) {
		pin_root[0] = '\0';
		return;
	}
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("BEL_BENCH_PIN_ROOT", pin_root, 1);
	setenv("BEL_BENCH_PIN_ROOT_OWNER", pid, 1);
	atexit(remove_pin_root);
}

static int run_libbpf(const char *path, bool load, struct run *r)
{
	LIBBPF_OPTS(bpf_object_open_opts, lopts, .pin_root_path = pin_root[0] ? pin_root : NULL);
	struct bpf_object *obj;
	struct cpu_times c0, c1;
	uint64_t t;

	memset(r, 0, sizeof(*r));
	t = mono_ns();
	obj = bpf_object__open_file(path, &lopts);
	r->open_ms = ms_since(t);
	if (!obj)
		return r->err = errno ? -errno : -EINVAL;
	if (load) {
		c0 = proc_cpu();
		bpf_acct_start();
		t = mono_ns();
		r->err = bpf_object__load(obj);
		r->load_ms = ms_since(t);
		r->bpf_ms = bpf_acct_stop();
		r->prog_load_ms = bpf_acct_cmd_ms(BPF_PROG_LOAD);
		r->map_create_ms = bpf_acct_cmd_ms(BPF_MAP_CREATE);
		c1 = proc_cpu();
		r->user_ms = c1.user_ms - c0.user_ms;
		r->sys_ms = c1.sys_ms - c0.sys_ms;
	}
	t = mono_ns();
	bpf_object__close(obj);
	r->close_ms = ms_since(t);
	clear_pins();
	return r->err;
}

/* What a keep_going load of bel says about an object that bel cannot load whole. */
struct bel_partial {
	unsigned int progs, loaded;
	uint64_t insns, verified_insns;   /* over all programs; over the loaded ones */
	char first_error[300];
};

static int run_bel(const char *path, unsigned int threads, bool load, bool keep_going,
		   struct run *r, struct bel_partial *partial)
{
	struct bel_open_opts oo = {.sz = sizeof(oo), .pin_root = pin_root[0] ? pin_root : NULL};
	struct bel_load_opts lo = {.sz = sizeof(lo), .threads = threads, .keep_going = keep_going};
	struct bel_object *obj = NULL;
	struct cpu_times c0, c1;
	uint64_t t;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	t = mono_ns();
	r->err = bel_object_open_file(path, &oo, &obj);
	r->open_ms = ms_since(t);
	if (r->err) {
		if (partial)
			snprintf(partial->first_error, sizeof(partial->first_error), "open: %s",
				 bel_thread_error());
		return r->err;
	}
	if (load) {
		c0 = proc_cpu();
		bpf_acct_start();
		t = mono_ns();
		r->err = bel_object_load(obj, &lo);
		r->load_ms = ms_since(t);
		r->bpf_ms = bpf_acct_stop();
		r->prog_load_ms = bpf_acct_cmd_ms(BPF_PROG_LOAD);
		r->map_create_ms = bpf_acct_cmd_ms(BPF_MAP_CREATE);
		c1 = proc_cpu();
		r->user_ms = c1.user_ms - c0.user_ms;
		r->sys_ms = c1.sys_ms - c0.sys_ms;
	}
	if (partial) {
		partial->progs = bel_object_program_count(obj);
		partial->loaded = 0;
		partial->insns = partial->verified_insns = 0;
		partial->first_error[0] = '\0';
		for (i = 0; i < partial->progs; i++) {
			struct bel_program *p = bel_object_program(obj, i);
			struct bel_program_info info = {.sz = sizeof(info)};
			unsigned int cnt = 0;

			bel_program_insns(p, &cnt);
			partial->insns += cnt;
			if (!bel_program_info(p, &info))
				partial->verified_insns += info.verified_insns;
			if (bel_program_fd(p) >= 0)
				partial->loaded++;
			else if (!partial->first_error[0] && bel_program_status(p))
				snprintf(partial->first_error, sizeof(partial->first_error), "%s",
					 bel_program_error(p));
		}
		if (!partial->first_error[0] && r->err)
			snprintf(partial->first_error, sizeof(partial->first_error), "%s",
				 bel_object_last_error(obj));
	}
	t = mono_ns();
	bel_object_close(obj);
	r->close_ms = ms_since(t);
	clear_pins();
	return r->err;
}

static int run_variant(enum variant v, const char *path, bool load, struct run *r)
{
	switch (v) {
	case V_LIBBPF:
		return run_libbpf(path, load, r);
	case V_BEL1:
		return run_bel(path, 1, load, false, r, NULL);
	default:
		return run_bel(path, 2, load, false, r, NULL);
	}
}

/* ---------------------------------------------------------------------------------------- */
/* CPU-spin calibration                                                                       */

static uint64_t spin_sink; /* atomic */

struct spin_arg {
	uint64_t iters;
};

static void *spin_worker(void *p)
{
	const struct spin_arg *a = p;
	uint64_t x = 0x9e3779b97f4a7c15ull, i;

	for (i = 0; i < a->iters; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	__atomic_fetch_add(&spin_sink, x, __ATOMIC_RELAXED);
	return NULL;
}

/* Wall ms of `total` iterations split over `threads` threads (the caller is one of them). */
static double spin_ms(uint64_t total, unsigned int threads)
{
	pthread_t tid[16];
	struct spin_arg a = {total / threads};
	unsigned int i, started = 1;
	uint64_t t = mono_ns();

	for (i = 1; i < threads && i < 16; i++)
		if (!pthread_create(&tid[i], NULL, spin_worker, &a))
			started++;
	spin_worker(&a);
	for (i = 1; i < started; i++)
		pthread_join(tid[i], NULL);
	return ms_since(t);
}

static uint64_t spin_iters; /* total iterations: ~spin_target_ms on one thread */

static void spin_calibrate(double target_ms)
{
	uint64_t n = 1u << 20;
	double ms;

	for (;;) {
		ms = spin_ms(n, 1);
		if (ms > 5 || n > (1ull << 40))
			break;
		n *= 4;
	}
	spin_iters = (uint64_t)((double)n * target_ms / ms);
	spin_iters &= ~1ull;
}

/* ---------------------------------------------------------------------------------------- */
/* statistics                                                                                  */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
	double *t, m;

	if (n <= 0)
		return -1;
	t = malloc((size_t)n * sizeof(*t));
	if (!t)
		abort();
	memcpy(t, v, (size_t)n * sizeof(*t));
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	m = n & 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	free(t);
	return m;
}

static double vmin(const double *v, int n)
{
	double m = v[0];

	for (int i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double vmax(const double *v, int n)
{
	double m = v[0];

	for (int i = 1; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

/* ---------------------------------------------------------------------------------------- */
/* the table                                                                                   */

#define MAX_ROWS 256
static char *rows[MAX_ROWS];
static int nrows;
static char *notes[64];
static int nnotes;

__attribute__((format(printf, 1, 2))) static void row(const char *fmt, ...)
{
	va_list ap;

	if (nrows >= MAX_ROWS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&rows[nrows], fmt, ap) >= 0)
		nrows++;
	va_end(ap);
}

__attribute__((format(printf, 1, 2))) static void note(const char *fmt, ...)
{
	va_list ap;

	if (nnotes >= 64)
		return;
	va_start(ap, fmt);
	if (vasprintf(&notes[nnotes], fmt, ap) >= 0)
		nnotes++;
	va_end(ap);
}

/* A time with a sensible number of digits. Returns a static buffer from a small ring. */
static const char *fms(double ms)
{
	static char ring[16][32];
	static int next;
	char *b = ring[next++ % 16];

	if (ms < 0)
		snprintf(b, 32, "n/a");
	else if (ms < 1)
		snprintf(b, 32, "%.3f ms", ms);
	else if (ms < 10)
		snprintf(b, 32, "%.2f ms", ms);
	else if (ms < 100)
		snprintf(b, 32, "%.1f ms", ms);
	else
		snprintf(b, 32, "%.0f ms", ms);
	return b;
}

static const char *fbytes(long long b)
{
	static char ring[8][40];
	static int next;
	char *s = ring[next++ % 8];

	if (b < 0)
		snprintf(s, 40, "n/a");
	else
		snprintf(s, 40, "%.1f KiB", (double)b / 1024);
	return s;
}

/* "0.62 (0.55–0.70)": ratio of the medians, and the range of the per-round ratios. */
static const char *fratio(double bel, double ref, const double *per_round, int n)
{
	static char ring[8][64];
	static int next;
	char *s = ring[next++ % 8];

	if (bel < 0 || ref <= 0)
		snprintf(s, 64, "n/a");
	else if (per_round && n > 1)
		snprintf(s, 64, "%.2f (%.2f–%.2f)", bel / ref, vmin(per_round, n), vmax(per_round, n));
	else
		snprintf(s, 64, "%.2f", bel / ref);
	return s;
}

static const char *target(bool show, bool ok, const char *what)
{
	static char ring[8][64];
	static int next;
	char *s = ring[next++ % 8];

	if (!show)
		return "";
	snprintf(s, 64, "target %s: %s", what, ok ? "**met**" : "**NOT met**");
	return s;
}

/* ---------------------------------------------------------------------------------------- */
/* peak RSS, in a fresh process per measurement                                                */

static const char *self_exe = "/proc/self/exe";

static long vm_hwm_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6)) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/* In the re-executed child: open+load with one loader; print VmHWM in kB and the wall time of
 * open+load, cold (the loader's one-time kernel probes, vmlinux BTF when needed). */
static int rss_child(const char *what, const char *path, unsigned int threads)
{
	struct run r = {0};
	int err = 0;

	libbpf_set_print(libbpf_quiet);
	if (!strcmp(what, "libbpf"))
		err = run_libbpf(path, true, &r);
	else if (!strcmp(what, "bel"))
		err = run_bel(path, threads, true, true, &r, NULL);
	else if (strcmp(what, "none"))
		return 2;
	printf("%ld %d %.6f\n", vm_hwm_kb(), err, r.open_ms + r.load_ms);
	return 0;
}

/* Peak RSS in KiB of a fresh process doing `what`; -1 on failure. *ms: its open+load. */
static long rss_of(const char *what, const char *path, unsigned int threads, double *ms)
{
	char tbuf[16], out[64] = "";
	int pfd[2], status;
	ssize_t n, got = 0;
	pid_t pid;
	long kb = -1;

	if (pipe(pfd))
		return -1;
	snprintf(tbuf, sizeof(tbuf), "%u", threads);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execl(self_exe, self_exe, "--rss-child", what, path ? path : "-", tbuf, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while (got < (ssize_t)sizeof(out) - 1 &&
	       (n = read(pfd[0], out + got, sizeof(out) - 1 - (size_t)got)) > 0)
		got += n;
	close(pfd[0]);
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && !WEXITSTATUS(status)) {
		int err = 0;

		if (sscanf(out, "%ld %d %lf", &kb, &err, ms) != 3 || err)
			*ms = -1;
	}
	return kb;
}

struct fresh {
	long kb;           /* median VmHWM */
	double ms;         /* median open+load, -1 if the load failed */
};

static struct fresh fresh_process(const char *what, const char *path, unsigned int threads,
				  int reps)
{
	double v[9], t[9];
	int i, n = 0, nt = 0;
	struct fresh f;

	for (i = 0; i < reps && i < 9; i++) {
		double ms = -1;
		long kb = rss_of(what, path, threads, &ms);

		if (kb > 0)
			v[n++] = (double)kb;
		if (ms >= 0)
			t[nt++] = ms;
	}
	f.kb = n ? (long)median(v, n) : -1;
	f.ms = nt == reps ? median(t, nt) : -1;
	return f;
}

/* ---------------------------------------------------------------------------------------- */
/* sizes                                                                                       */

static long long stripped_size(const char *path)
{
	char tmp[] = "/tmp/bel-bench-strip.XXXXXX";
	struct stat st;
	long long size = -1;
	int fd = mkstemp(tmp), status;
	pid_t pid;

	if (fd < 0)
		return -1;
	close(fd);
	pid = fork();
	if (!pid) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 2);
		execlp("strip", "strip", "--strip-unneeded", "-o", tmp, path, (char *)NULL);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    !WEXITSTATUS(status) && !stat(tmp, &st))
		size = st.st_size;
	unlink(tmp);
	return size;
}

/* ---------------------------------------------------------------------------------------- */
/* choosing a corpus object that both loaders load                                             */

struct probe_result {
	int bel_err, libbpf_err;
	unsigned int progs, bel_loaded;
	uint64_t insns, verified_insns;
	double libbpf_ms, bel_ms;   /* open+load, cold */
	char why[200];
};

static void probe_object(const char *path, struct probe_result *res)
{
	int pfd[2], status;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->bel_err = res->libbpf_err = -EIO;
	if (pipe(pfd))
		return;
	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		struct probe_result r = {0};
		struct bel_partial part = {0};
		struct run run;
		ssize_t w;

		close(pfd[0]);
		alarm(60);
		r.libbpf_err = run_libbpf(path, true, &run);
		r.libbpf_ms = run.open_ms + run.load_ms;
		r.bel_err = run_bel(path, 1, true, true, &run, &part);
		r.bel_ms = run.open_ms + run.load_ms;
		r.progs = part.progs;
		r.insns = part.insns;
		r.verified_insns = part.verified_insns;
		r.bel_loaded = part.loaded;
		snprintf(r.why, sizeof(r.why), "%s", part.first_error);
		w = write(pfd[1], &r, sizeof(r));
		_exit(w == (ssize_t)sizeof(r) ? 0 : 1);
	}
	close(pfd[1]);
	if (read(pfd[0], res, sizeof(*res)) != (ssize_t)sizeof(*res)) {
		memset(res, 0, sizeof(*res));
		res->bel_err = res->libbpf_err = -EIO;
		snprintf(res->why, sizeof(res->why), "probe process died");
	}
	close(pfd[0]);
	waitpid(pid, &status, 0);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Among the .bpf.o files in dir, the objects both loaders load whole: pick[0] the one with the
 * most programs (then the most instructions), pick[1] the one with the most verifier work (the
 * kernel's verified_insns), NULL where none; *why tells what was found.
 */
static void pick_corpus(const char *dir, const char *tsv, char *pick[2], char *why,
			size_t why_size)
{
	FILE *list = tsv ? fopen(tsv, "w") : NULL;
	struct dirent *de;
	char **names = NULL, path[PATH_MAX];
	size_t n = 0, cap = 0, i;
	unsigned int best_progs = 0, n_bel = 0, n_libbpf = 0, n_both = 0, n_core = 0;
	uint64_t best_insns = 0, heavy = 0;
	DIR *d = opendir(dir);

	pick[0] = pick[1] = NULL;
	if (!d) {
		snprintf(why, why_size, "no corpus directory %s", dir);
		if (list)
			fclose(list);
		return;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 7 || strcmp(de->d_name + len - 6, ".bpf.o"))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	fprintf(stderr, "bel-bench: probing %zu corpus objects with both loaders...\n", n);
	if (list)
		fprintf(list, "object\tprograms\tinsns\tlibbpf\tlibbpf_cold_ms\tbel\tbel_loaded\t"
			"verified_insns\tbel_cold_ms\tbel_first_error\n");
	for (i = 0; i < n; i++) {
		struct probe_result r;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		probe_object(path, &r);
		if (list)
			fprintf(list, "%s\t%u\t%llu\t%s\t%.3f\t%s\t%u\t%llu\t%.3f\t%s\n", names[i],
				r.progs, (unsigned long long)r.insns, r.libbpf_err ? "fail" : "ok",
				r.libbpf_ms, r.bel_err ? "fail" : "ok", r.bel_loaded,
				(unsigned long long)r.verified_insns, r.bel_ms, r.why);
		n_bel += !r.bel_err;
		n_libbpf += !r.libbpf_err;
		if (r.bel_err && strstr(r.why, "CO-RE"))
			n_core++;
		if (r.bel_err || r.libbpf_err)
			continue;
		n_both++;
		if (r.progs > best_progs || (r.progs == best_progs && r.insns > best_insns)) {
			free(pick[0]);
			pick[0] = strdup(path);
			best_progs = r.progs;
			best_insns = r.insns;
		}
		if (r.verified_insns > heavy) {
			free(pick[1]);
			pick[1] = strdup(path);
			heavy = r.verified_insns;
		}
	}
	snprintf(why, why_size,
		 "%zu corpus objects: libbpf loads %u whole, bel %u (%u refused for CO-RE), both %u",
		 n, n_libbpf, n_bel, n_core, n_both);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (list)
		fclose(list);
	if (pick[0] && pick[1] && !strcmp(pick[0], pick[1])) {
		free(pick[1]);
		pick[1] = NULL;
	}
}

/* ---------------------------------------------------------------------------------------- */
/* one object                                                                                  */

struct bench_obj {
	const char *label;
	const char *path;
	int rounds;
	bool targets;      /* the targets apply to this object */
	bool open_load;    /* also report open+load */
};

#define QUIET_SPIN 1.8

static int open_rounds = 31;
static double settle_min_ms = 20;
static double spin_target_ms = 60;
static int rss_reps = 3;

static const char *short_err(int err)
{
	static char b[64];

	snprintf(b, sizeof(b), "%s", strerror(err < 0 ? -err : err));
	return b;
}

static void bench_object(const struct bench_obj *o)
{
	struct run r, warm[NV];
	struct bel_partial part;
	bool ok[NV] = {true, true, true};
	int R = o->rounds, i, k, nprogs = 0;
	double *open_ms[2], *open_ratio, *load[NV], *bpf[NV], *user[NV], *sys[NV], *ol[NV];
	double *pl[NV], *mc[NV];   /* of bpf: in PROG_LOAD, in MAP_CREATE */
	double *r1, *r2, *spin1, *spin2, *speed, *spin_speed, *eff, last = 0;
	double med_open[2], med_load[NV], med_ol[NV];
	char bel_na[400] = "";

	fprintf(stderr, "bel-bench: %s (%s): warm-up\n", o->label, o->path);
	/* Warm-up: page cache, the loaders' one-time kernel probes, vmlinux BTF for libbpf. */
	for (k = 0; k < NV; k++) {
		run_variant((enum variant)k, o->path, true, &warm[k]);
		ok[k] = !warm[k].err;
	}
	run_bel(o->path, 1, true, true, &r, &part);
	nprogs = (int)part.progs;
	if (!ok[V_BEL1] || !ok[V_BEL2]) {
		ok[V_BEL1] = ok[V_BEL2] = false;
		snprintf(bel_na, sizeof(bel_na), "bel loads %u of %u programs (keep_going); first "
			 "refusal: %.250s", part.loaded, part.progs, part.first_error);
	}

	for (k = 0; k < 2; k++)
		open_ms[k] = calloc((size_t)open_rounds, sizeof(double));
	open_ratio = calloc((size_t)open_rounds, sizeof(double));
	for (k = 0; k < NV; k++) {
		load[k] = calloc((size_t)R, sizeof(double));
		bpf[k] = calloc((size_t)R, sizeof(double));
		pl[k] = calloc((size_t)R, sizeof(double));
		mc[k] = calloc((size_t)R, sizeof(double));
		user[k] = calloc((size_t)R, sizeof(double));
		sys[k] = calloc((size_t)R, sizeof(double));
		ol[k] = calloc((size_t)R, sizeof(double));
	}
	r1 = calloc((size_t)R, sizeof(double));
	r2 = calloc((size_t)R, sizeof(double));
	spin1 = calloc((size_t)R, sizeof(double));
	spin2 = calloc((size_t)R, sizeof(double));
	speed = calloc((size_t)R, sizeof(double));
	spin_speed = calloc((size_t)R, sizeof(double));
	eff = calloc((size_t)R, sizeof(double));

	/* open: alternate, the first loader changing every round */
	fprintf(stderr, "bel-bench: %s: open x %d\n", o->label, open_rounds);
	for (i = 0; i < open_rounds; i++) {
		for (k = 0; k < 2; k++) {
			int which = (i + k) & 1;

			if (which == 0)
				run_libbpf(o->path, false, &r);
			else
				run_bel(o->path, 1, false, false, &r, NULL);
			open_ms[which][i] = r.open_ms;
		}
		open_ratio[i] = open_ms[1][i] / open_ms[0][i];
	}

	/* load: libbpf, bel 1 thread, bel 2 threads, rotating; then the CPU-spin calibration */
	for (i = 0; i < R; i++) {
		fprintf(stderr, "bel-bench: %s: load round %d/%d\n", o->label, i + 1, R);
		for (k = 0; k < NV; k++) {
			enum variant v = (enum variant)((i + k) % NV);

			if (!ok[v])
				continue;
			/* let the kernel free what the previous run closed (deferred frees) */
			sleep_ms(settle_min_ms > last / 4 ? settle_min_ms : last / 4);
			run_variant(v, o->path, true, &r);
			if (r.err) {
				fprintf(stderr, "bel-bench: %s: %s failed in round %d: %s\n", o->label,
					variant_name[v], i + 1, short_err(r.err));
				ok[v] = false;
				continue;
			}
			load[v][i] = r.load_ms;
			bpf[v][i] = r.bpf_ms;
			pl[v][i] = r.prog_load_ms;
			mc[v][i] = r.map_create_ms;
			user[v][i] = r.user_ms;
			sys[v][i] = r.sys_ms;
			ol[v][i] = r.open_ms + r.load_ms;
			last = r.load_ms;
		}
		sleep_ms(settle_min_ms);
		if (i & 1) {
			spin2[i] = spin_ms(spin_iters, 2);
			spin1[i] = spin_ms(spin_iters, 1);
		} else {
			spin1[i] = spin_ms(spin_iters, 1);
			spin2[i] = spin_ms(spin_iters, 2);
		}
		spin_speed[i] = spin1[i] / spin2[i];
		if (ok[V_LIBBPF] && ok[V_BEL1]) {
			r1[i] = load[V_BEL1][i] / load[V_LIBBPF][i];
			r2[i] = load[V_BEL2][i] / load[V_LIBBPF][i];
		}
		if (ok[V_BEL1] && ok[V_BEL2]) {
			speed[i] = load[V_BEL1][i] / load[V_BEL2][i];
			eff[i] = speed[i] / spin_speed[i];
		}
	}

	for (k = 0; k < 2; k++)
		med_open[k] = median(open_ms[k], open_rounds);
	for (k = 0; k < NV; k++) {
		med_load[k] = ok[k] ? median(load[k], R) : -1;
		med_ol[k] = ok[k] ? median(ol[k], R) : -1;
	}

	/* rows */
	const char *L = o->label;
	char libbpf_na[200] = "";

	if (!ok[V_LIBBPF])
		snprintf(libbpf_na, sizeof(libbpf_na), "libbpf: bpf_object__load failed: %s",
			 short_err(warm[V_LIBBPF].err));
	row("| %s | open (n=%d) | %s | %s | %s | %s |", L, open_rounds, fms(med_open[0]),
	    fms(med_open[1]), fratio(med_open[1], med_open[0], open_ratio, open_rounds),
	    target(o->targets, med_open[1] < med_open[0], "bel < libbpf"));
	row("| %s | load, 1 thread (n=%d) | %s | %s | %s | %s%s%s |", L, R, fms(med_load[V_LIBBPF]),
	    fms(med_load[V_BEL1]),
	    fratio(med_load[V_BEL1], med_load[V_LIBBPF], ok[V_LIBBPF] && ok[V_BEL1] ? r1 : NULL, R),
	    ok[V_BEL1] && ok[V_LIBBPF]
		    ? target(o->targets, med_load[V_BEL1] <= med_load[V_LIBBPF], "≤ 1.00")
		    : "",
	    bel_na, libbpf_na);
	if (ok[V_BEL2] && ok[V_LIBBPF]) {
		double sp = median(spin_speed, R), *q = calloc((size_t)R, sizeof(double));
		char quiet[200], verdict[120] = "";
		int nq = 0;

		/* the rounds in which the machine offered (nearly) two CPUs */
		for (i = 0; i < R; i++)
			if (spin_speed[i] >= QUIET_SPIN)
				q[nq++] = r2[i];
		if (nq)
			snprintf(quiet, sizeof(quiet), "in the %d of %d rounds with CPU spin ≥ %.2fx: "
				 "bel/libbpf %.2f", nq, R, QUIET_SPIN, median(q, nq));
		else
			snprintf(quiet, sizeof(quiet), "no round had CPU spin ≥ %.2fx (machine busy: "
				 "rerun for parallel figures)", QUIET_SPIN);
		if (o->targets)
			snprintf(verdict, sizeof(verdict), "%s (judged on %s); ",
				 nq ? target(true, median(q, nq) <= 0.65, "≤ 0.65")
				    : "target ≤ 0.65: not judged",
				 nq ? "the quiet rounds" : "no quiet round");
		row("| %s | load, 2 threads (libbpf: 1) | %s | %s | %s | %sbel 1→2 threads %.2fx, "
		    "CPU spin 1→2 threads %.2fx (ideal 2.00), bel/spin %.2f; %s |",
		    L, fms(med_load[V_LIBBPF]), fms(med_load[V_BEL2]),
		    fratio(med_load[V_BEL2], med_load[V_LIBBPF], r2, R), verdict, median(speed, R), sp,
		    median(eff, R), quiet);
		free(q);
	} else {
		row("| %s | load, 2 threads (libbpf: 1) | %s | %s | n/a | CPU spin 1→2 threads %.2fx |",
		    L, fms(med_load[V_LIBBPF]), fms(med_load[V_BEL2]), median(spin_speed, R));
	}
	if (o->open_load)
		row("| %s | open+load, 1 thread | %s | %s | %s | |", L, fms(med_ol[V_LIBBPF]),
		    fms(med_ol[V_BEL1]), fratio(med_ol[V_BEL1], med_ol[V_LIBBPF], NULL, 0));
	/* where the load time goes (1 thread) */
	{
		double bl = ok[V_LIBBPF] ? median(bpf[V_LIBBPF], R) : -1;
		double bb = ok[V_BEL1] ? median(bpf[V_BEL1], R) : -1;
		double ol_l = ok[V_LIBBPF] ? med_load[V_LIBBPF] - bl : -1;
		double ol_b = ok[V_BEL1] ? med_load[V_BEL1] - bb : -1;
		char lb[160] = "n/a", bb_s[160] = "n/a";

		/* getrusage is tick-based here: CPU figures only where loads are long enough */
		if (ok[V_LIBBPF])
			snprintf(lb, sizeof(lb), med_load[V_LIBBPF] >= 200 ?
				 "%s in bpf(), PROG_LOAD %s, MAP_CREATE %s (CPU: user %s, sys %s)" :
				 "%s in bpf(), PROG_LOAD %s, MAP_CREATE %s", fms(bl),
				 fms(median(pl[V_LIBBPF], R)), fms(median(mc[V_LIBBPF], R)),
				 fms(median(user[V_LIBBPF], R)), fms(median(sys[V_LIBBPF], R)));
		if (ok[V_BEL1])
			snprintf(bb_s, sizeof(bb_s), med_load[V_BEL1] >= 200 ?
				 "%s in bpf(), PROG_LOAD %s, MAP_CREATE %s (CPU: user %s, sys %s)" :
				 "%s in bpf(), PROG_LOAD %s, MAP_CREATE %s", fms(bb),
				 fms(median(pl[V_BEL1], R)), fms(median(mc[V_BEL1], R)),
				 fms(median(user[V_BEL1], R)), fms(median(sys[V_BEL1], R)));
		row("| %s | load, 1 thread: outside bpf() | %s | %s | %s | libbpf: %s; bel: %s |", L,
		    fms(ol_l), fms(ol_b), fratio(ol_b, ol_l, NULL, 0), lb, bb_s);
	}

	/* peak RSS */
	fprintf(stderr, "bel-bench: %s: peak RSS\n", o->label);
	{
		long base = fresh_process("none", NULL, 1, rss_reps).kb;
		struct fresh fl = fresh_process("libbpf", o->path, 1, rss_reps);
		struct fresh fb = fresh_process("bel", o->path, 1, rss_reps);
		struct fresh fb2 = fresh_process("bel", o->path, 2, rss_reps);
		long l = fl.kb, b = fb.kb, b2 = fb2.kb;

		row("| %s | open+load in a fresh process, 1 thread (n=%d) | %s | %s | %s | cold: "
		    "includes each loader's one-time kernel probes; bel 2 threads %s |", L, rss_reps,
		    fms(fl.ms), fms(ok[V_BEL1] ? fb.ms : -1),
		    fratio(ok[V_BEL1] ? fb.ms : -1, fl.ms, NULL, 0), fms(ok[V_BEL2] ? fb2.ms : -1));

		row("| %s | peak RSS of open+load (VmHWM) | %.1f MiB | %.1f MiB | %s | net of the "
		    "%.1f MiB empty process: libbpf %.1f MiB, bel %.1f MiB (2 threads: %.1f MiB)%s |",
		    L, (double)l / 1024, (double)b / 1024,
		    fratio((double)(b - base), (double)(l - base), NULL, 0), (double)base / 1024,
		    (double)(l - base) / 1024, (double)(b - base) / 1024, (double)(b2 - base) / 1024,
		    ok[V_BEL1] ? "" : "; bel with keep_going");
	}
	if (nprogs)
		note("%s: %s, %d programs", L, o->path, nprogs);

	for (k = 0; k < 2; k++)
		free(open_ms[k]);
	free(open_ratio);
	for (k = 0; k < NV; k++) {
		free(load[k]);
		free(bpf[k]);
		free(pl[k]);
		free(mc[k]);
		free(user[k]);
		free(sys[k]);
		free(ol[k]);
	}
	free(r1);
	free(r2);
	free(spin1);
	free(spin2);
	free(speed);
	free(spin_speed);
	free(eff);
}

/* ---------------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bel-bench [options] -d OBJDIR\n"
		"  -d DIR        small, medium, large and large-full .bpf.o (make-objects.sh DIR)\n"
		"  -c PATH       a corpus object, or a directory of them: the object both loaders\n"
		"                load whole with the most programs is used\n"
		"  -C FILE       write what the corpus probe found (TSV)\n"
		"  -r N          load rounds for large and large-full (default 5)\n"
		"  -R N          load rounds for small, medium and the corpus object (default 21)\n"
		"  -o N          open rounds per object (default 31)\n"
		"  -s MS         minimum settle time between runs (default 20)\n"
		"  -O LIST       objects to run, comma-separated (default small,medium,large,\n"
		"                large-full,corpus)\n"
		"  -z LABEL=BEL,REF  a size row: BEL and REF stripped (strip --strip-unneeded)\n"
		"needs root (BPF); progress goes to stderr, the markdown table to stdout\n");
}

static bool wanted(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	if (!list)
		return true;
	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

int main(int argc, char **argv)
{
	const char *objdir = NULL, *corpus = NULL, *corpus_tsv = NULL, *only = NULL;
	char *sizes[16];
	int nsizes = 0, big_rounds = 5, small_rounds = 21, c, i;
	char path[PATH_MAX], corpus_why[300] = "", *corpus_obj[2] = {NULL, NULL};
	struct utsname un;
	double load0[3], load1[3], spin_start, spin_end;
	uint64_t t_start = mono_ns();

	make_pin_root();
	if (argc == 5 && !strcmp(argv[1], "--rss-child"))
		return rss_child(argv[2], argv[3], (unsigned int)atoi(argv[4]));
	while ((c = getopt(argc, argv, "d:c:C:r:R:o:s:O:z:h")) != -1) {
		switch (c) {
		case 'd': objdir = optarg; break;
		case 'c': corpus = optarg; break;
		case 'C': corpus_tsv = optarg; break;
		case 'r': big_rounds = atoi(optarg); break;
		case 'R': small_rounds = atoi(optarg); break;
		case 'o': open_rounds = atoi(optarg); break;
		case 's': settle_min_ms = atof(optarg); break;
		case 'O': only = optarg; break;
		case 'z':
			if (nsizes < 16)
				sizes[nsizes++] = optarg;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!objdir || big_rounds < 1 || small_rounds < 1 || open_rounds < 1) {
		usage(stderr);
		return 2;
	}
	libbpf_set_print(libbpf_quiet);
	real_syscall();
	uname(&un);
	getloadavg(load0, 3);

	spin_calibrate(spin_target_ms);
	spin_start = spin_ms(spin_iters, 1) / spin_ms(spin_iters, 2);

	if (corpus && wanted(only, "corpus")) {
		struct stat st;

		if (!stat(corpus, &st) && S_ISDIR(st.st_mode)) {
			pick_corpus(corpus, corpus_tsv, corpus_obj, corpus_why, sizeof(corpus_why));
		} else if (!stat(corpus, &st)) {
			corpus_obj[0] = strdup(corpus);
		} else {
			snprintf(corpus_why, sizeof(corpus_why), "no corpus at %s", corpus);
		}
	}

	static const struct {
		const char *name;
		bool big, targets;
	} synth[] = {
		{"small", false, false},
		{"medium", false, false},
		{"large", true, true},
		{"large-full", true, false},
	};
	for (i = 0; i < 4; i++) {
		struct bench_obj o = {.label = synth[i].name, .targets = synth[i].targets};

		if (!wanted(only, synth[i].name))
			continue;
		snprintf(path, sizeof(path), "%s/%s.bpf.o", objdir, synth[i].name);
		if (access(path, R_OK)) {
			row("| %s | (object missing: %s) | n/a | n/a | n/a | |", synth[i].name, path);
			continue;
		}
		o.path = path;
		o.rounds = synth[i].big ? big_rounds : small_rounds;
		bench_object(&o);
	}
	for (i = 0; i < 2; i++) {
		static const char *const why_picked[2] = {"most programs", "most verifier work"};
		const char *base;
		char label[200];

		if (!corpus_obj[i])
			continue;
		base = strrchr(corpus_obj[i], '/');
		base = base ? base + 1 : corpus_obj[i];
		snprintf(label, sizeof(label), "corpus `%.*s`", (int)strcspn(base, "."), base);
		bench_object(&(struct bench_obj){.label = label, .path = corpus_obj[i],
						 .rounds = small_rounds, .open_load = true});
		if (corpus && strcmp(corpus, corpus_obj[i]))
			note("%s: picked for %s among the objects both loaders load whole", label,
			     why_picked[i]);
		free(corpus_obj[i]);
	}
	if (!corpus_obj[0] && corpus && wanted(only, "corpus"))
		row("| corpus | open+load | n/a | n/a | n/a | no object that both load: %s |",
		    corpus_why);
	if (corpus_why[0])
		note("corpus: %s", corpus_why);

	for (i = 0; i < nsizes; i++) {
		char *spec = strdup(sizes[i]), *eq = strchr(spec, '='), *comma;
		long long b, r;

		if (!eq || !(comma = strchr(eq + 1, ','))) {
			fprintf(stderr, "bel-bench: bad -z %s\n", sizes[i]);
			free(spec);
			continue;
		}
		*eq = *comma = '\0';
		b = stripped_size(eq + 1);
		r = stripped_size(comma + 1);
		row("| sizes | %s, stripped | %s | %s | %s | bel: %s; libbpf: %s |", spec, fbytes(r),
		    fbytes(b), fratio((double)b, (double)r, NULL, 0), eq + 1, comma + 1);
		free(spec);
	}

	spin_end = spin_ms(spin_iters, 1) / spin_ms(spin_iters, 2);
	getloadavg(load1, 3);

	printf("## bel vs libbpf %s\n\n", libbpf_version_string());
	printf("Kernel %s, %ld CPUs online; load average %.2f at start, %.2f at end; CPU spin "
	       "1→2 threads %.2fx at start, %.2fx at end (ideal 2.00); %.0f s in all.\n\n",
	       un.release, sysconf(_SC_NPROCESSORS_ONLN), load0[0], load1[0], spin_start, spin_end,
	       (double)(mono_ns() - t_start) / 1e9);
	printf("Medians; ratio = bel / libbpf (ratio of the medians, then the range of the "
	       "per-round ratios); runs interleaved, order rotating per round.\n\n");
	printf("| object | figure | libbpf %s | bel | bel/libbpf | target / note |\n",
	       libbpf_version_string());
	printf("|---|---|---|---|---|---|\n");
	for (i = 0; i < nrows; i++)
		printf("%s\n", rows[i]);
	if (nnotes)
		printf("\n");
	for (i = 0; i < nnotes; i++)
		printf("- %s\n", notes[i]);
	fflush(stdout);
	return 0;
}
