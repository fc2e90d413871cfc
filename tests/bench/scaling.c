/* SPDX-License-Identifier: MIT */
/*
 * bel-scaling: how open and CO-RE cost grow with what an object holds (tests/bench/scaling.sh
 * runs it; README.md, "Threat model", quotes it).
 *
 *   open     objects of 10k, 40k and 80k legacy maps, BTF maps, programs, and programs each
 *            using a map of their own (tests/objgen.c), written to a temporary directory:
 *            bel_object_open_file + bel_object_close in this process, and `bel inspect` as a
 *            process of its own; medians, and the time per item, which stays flat when the
 *            total is linear.
 *   core     one relocation on each adversarial type graph of objgen.h (the graph's BTF is its
 *            own target, as with `bel inspect --core --btf` on it): time, steps, outcome.
 *   corpus   every CO-RE relocation of the objects in a directory (the corpus) against the
 *            running kernel's BTF, each timed alone: the distribution of time and steps.
 *
 * usage: bel-scaling [--bel PATH_TO_CLI] [--corpus DIR] [--rounds N] [--quick] [--instructions]
 * (--instructions: also count what `bel inspect` executes, under valgrind: machine-independent)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bel/bel.h"
#include "btf/btf.h"
#include "btf/core.h"
#include "common/limits.h"
#include "objgen.h"
#include "reloc/spec.h"

extern char **environ;

static int rounds = 3;
static bool count_instructions;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* User-space CPU time: what bel computes, without the kernel's page faults and I/O (which a
 * busy virtual machine makes noisy, and which are linear in the memory touched anyway). */
static double user_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return tv_s(ru.ru_utime);
}

struct timing {
	double wall, user;
};

/* ---- open -------------------------------------------------------------------------------- */

static struct timing time_open(const char *path)
{
	double wall[16], user[16];
	int r;

	for (r = 0; r < rounds; r++) {
		struct bel_object *obj;
		double t0 = now_s(), u0 = user_s();

		if (bel_object_open_file(path, NULL, &obj)) {
			fprintf(stderr, "bel-scaling: %s: %s\n", path, bel_thread_error());
			exit(1);
		}
		bel_object_close(obj);
		wall[r] = now_s() - t0;
		user[r] = user_s() - u0;
	}
	return (struct timing){median(wall, rounds), median(user, rounds)};
}

/* `bel inspect PATH` with its output thrown away, as its own process. */
static struct timing time_inspect(const char *bel, const char *path)
{
	char *argv[] = {(char *)bel, "inspect", (char *)path, NULL};
	posix_spawn_file_actions_t fa;
	double wall[16], user[16];
	int r, status;

	if (!bel)
		return (struct timing){-1, -1};
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	for (r = 0; r < rounds; r++) {
		double t0 = now_s();
		struct rusage ru;
		pid_t pid;

		if (posix_spawn(&pid, bel, &fa, NULL, argv, environ) ||
		    wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "bel-scaling: %s inspect %s failed\n", bel, path);
			exit(1);
		}
		wall[r] = now_s() - t0;
		user[r] = tv_s(ru.ru_utime);
	}
	posix_spawn_file_actions_destroy(&fa);
	return (struct timing){median(wall, rounds), median(user, rounds)};
}

/* Instructions `bel inspect PATH` executes, counted by valgrind (callgrind): independent of the
 * machine and of its load. -1 when valgrind cannot be run. */
static double inspect_instructions(const char *bel, const char *path, const char *dir)
{
	char log[4096], line[512], *argv[] = {"valgrind", "--tool=callgrind",
		"--callgrind-out-file=/dev/null", (char *)bel, "inspect", (char *)path, NULL};
	posix_spawn_file_actions_t fa;
	double count = -1;
	int status;
	pid_t pid;
	FILE *f;

	snprintf(log, sizeof(log), "%s/callgrind.log", dir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (posix_spawnp(&pid, "valgrind", &fa, NULL, argv, environ) ||
	    waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		count = -1;
	else if ((f = fopen(log, "re"))) {
		while (fgets(line, sizeof(line), f)) {
			char *p = strstr(line, "Collected : ");

			if (p)
				count = strtod(p + 12, NULL);
		}
		fclose(f);
	}
	posix_spawn_file_actions_destroy(&fa);
	unlink(log);
	return count;
}

static void bench_open(const char *bel, const char *dir, bool quick)
{
	static const struct {
		const char *what;
		bool progs, maps, btf;
	} kinds[] = {
		{"legacy maps", false, true, false},
		{"BTF maps", false, true, true},
		{"programs", true, false, false},
		{"programs, each with its own legacy map", true, true, false},
	};
	static const uint32_t sizes[] = {10000, 40000, 80000};
	size_t k, i;

	printf("### Open: time per item stays flat\n\n");
	printf("Medians of %d runs. `open`: bel_object_open_file + bel_object_close in one process; "
	       "`inspect`: `bel inspect OBJ > /dev/null` as a process of its own. Wall time, and "
	       "user-space CPU time (what bel computes; wall time adds the kernel's page faults for "
	       "the memory bel touches, which a busy virtual machine makes slow and noisy).\n\n",
	       rounds);
	if (count_instructions)
		printf("Last columns: instructions `bel inspect` executes (valgrind --tool=callgrind), "
		       "which do not depend on the machine or its load.\n\n");
	printf("| object | items | file | open: wall | per item | open: user | per item | "
	       "`bel inspect`: wall | per item | `bel inspect`: user | per item |%s\n",
	       count_instructions ? " `bel inspect`: instructions | per item |" : "");
	printf("|---|---|---|---|---|---|---|---|---|---|---|%s\n",
	       count_instructions ? "---|---|" : "");
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			/* a DATASEC counts its variables in 16 bits: .maps holds 65535 at most */
			uint32_t n = kinds[k].btf && sizes[i] > 65535 ? 65535 : sizes[i];
			char path[4096];
			size_t size;
			void *img;
			struct timing open_t, insp_t;

			if (quick)
				n /= 10;
			img = og_scaling_object(kinds[k].progs ? n : 1, kinds[k].maps ? n : 0,
						kinds[k].btf, &size);
			snprintf(path, sizeof(path), "%s/scale-%zu-%u.bpf.o", dir, k, n);
			if (og_write_file(path, img, size)) {
				fprintf(stderr, "bel-scaling: cannot write %s\n", path);
				exit(1);
			}
			free(img);
			open_t = time_open(path);
			insp_t = time_inspect(bel, path);
			printf("| %s | %u | %.1f MiB | %.1f ms | %.2f µs | %.1f ms | %.2f µs | ",
			       kinds[k].what, n, (double)size / (1 << 20), open_t.wall * 1e3,
			       open_t.wall * 1e6 / n, open_t.user * 1e3, open_t.user * 1e6 / n);
			if (insp_t.wall >= 0)
				printf("%.1f ms | %.2f µs | %.1f ms | %.2f µs |", insp_t.wall * 1e3,
				       insp_t.wall * 1e6 / n, insp_t.user * 1e3, insp_t.user * 1e6 / n);
			else
				printf("- | - | - | - |");
			if (count_instructions) {
				double ins = bel ? inspect_instructions(bel, path, dir) : -1;

				if (ins >= 0)
					printf(" %.1fM | %.0f |", ins / 1e6, ins / n);
				else
					printf(" - | - |");
			}
			printf("\n");
			fflush(stdout);
			unlink(path);
		}
	}
	printf("\n");
}

/* ---- CO-RE on adversarial graphs ------------------------------------------------------- */

static void bench_core_graphs(void)
{
	static const struct {
		enum og_core_graph g;
		uint32_t width, depth;
	} cases[] = {
		{OG_CORE_REPEATED_NAMES, 8, 30},
		{OG_CORE_REPEATED_NAMES, 64, 30},
		{OG_CORE_ANON_MEMBERS, 8, 30},
		{OG_CORE_DEEP_NESTING, 0, 20000},
		{OG_CORE_WIDE_UNION, 1000, 0},
		{OG_CORE_WIDE_UNION, 65535, 0},
		{OG_CORE_WIDE_ENUM, 65535, 0},
		{OG_CORE_MANY_CANDIDATES, 1000, 0},
		{OG_CORE_MANY_CANDIDATES, 65535, 0},
		{OG_CORE_PROTO_FANOUT, 8, 10},
		{OG_CORE_MEMBER_DAG, 8, 30},
	};
	size_t c;

	printf("### CO-RE: one relocation on an adversarial type graph\n\n");
	printf("The graph's BTF is its own target (indexed by name, as kernel BTF is). Bound: "
	       "%u steps per relocation (`BEL_CORE_MAX_STEPS`). Median of %d runs.\n\n",
	       BEL_CORE_MAX_STEPS, rounds);
	printf("| graph | width | depth | BTF | outcome | steps | candidates | time |\n");
	printf("|---|---|---|---|---|---|---|---|\n");
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct og_btf b;
		struct og_core_relo r;
		struct bel_btf *btf;
		struct bel_core_target target;
		struct bel_core_relo relo;
		struct bel_core_result res;
		struct bel_err err = {0};
		double t[16];
		size_t size;
		void *blob;
		int ret = 0, i;

		og_btf_init(&b);
		r = og_core_graph(&b, cases[c].g, cases[c].width, cases[c].depth);
		blob = og_btf_blob(&b, &size);
		og_btf_free(&b);
		if (bel_btf_parse(blob, size, NULL, true, &btf, &err) ||
		    bel_btf_index_names(btf, &err)) {
			fprintf(stderr, "bel-scaling: graph %s: %s\n", og_core_graph_name(cases[c].g),
				err.msg);
			exit(1);
		}
		free(blob);
		target = (struct bel_core_target){.btf = btf, .name = "self"};
		relo = (struct bel_core_relo){.type_id = r.type_id, .access_str_off = r.access_off,
					      .kind = r.kind};
		for (i = 0; i < rounds; i++) {
			double t0 = now_s();

			bel_err_clear(&err);
			ret = bel_core_resolve(btf, &relo, &target, 1, &res, &err);
			t[i] = now_s() - t0;
		}
		printf("| %s | %u | %u | %.0f KiB | %s%s | %llu | %u | %.2f ms |\n",
		       og_core_graph_name(cases[c].g), cases[c].width, cases[c].depth,
		       (double)size / 1024,
		       ret == 0 ? "resolved" : ret == -E2BIG && strstr(err.msg, "steps") ?
		       "refused: too much work" : "refused: ", ret == 0 || ret == -E2BIG ? "" :
		       strerror(-ret), (unsigned long long)res.steps, res.candidates,
		       median(t, rounds) * 1e3);
		fflush(stdout);
		bel_btf_free(btf);
	}
	printf("\n");
}

/* ---- CO-RE on the corpus ------------------------------------------------------------------- */

static const struct bel_btf *kernel_btf(void)
{
	static struct bel_btf *btf;
	struct bel_err err = {0};
	size_t size = 0;
	FILE *f;
	void *raw;

	if (btf)
		return btf;
	f = fopen("/sys/kernel/btf/vmlinux", "re");
	if (!f)
		return NULL;
	raw = malloc(64u << 20);
	if (raw)
		size = fread(raw, 1, 64u << 20, f);
	fclose(f);
	/* kept for the process: the parsed BTF points into it */
	if (!raw || bel_btf_parse_kernel(raw, size, NULL, &btf, &err)) {
		fprintf(stderr, "bel-scaling: kernel BTF: %s\n", err.msg);
		return NULL;
	}
	return btf;
}

struct relo_time {
	double t;
	uint64_t steps;
};

static int cmp_relo_time(const void *a, const void *b)
{
	const struct relo_time *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

static void bench_core_corpus(const char *dir)
{
	const struct bel_btf *vmlinux = kernel_btf();
	struct relo_time *times = NULL;
	size_t ntimes = 0, cap = 0, nobjs = 0, nfail = 0;
	uint64_t max_steps = 0, sum_steps = 0;
	char max_what[512] = "";
	struct dirent *de;
	DIR *d;

	if (!vmlinux || !(d = opendir(dir))) {
		printf("(corpus: no kernel BTF or no directory %s)\n\n", dir);
		return;
	}
	while ((de = readdir(d))) {
		char path[4096];
		struct bel_spec *spec;
		struct bel_err err = {0};
		struct bel_core_target target = {.btf = vmlinux, .name = "vmlinux"};
		size_t len = strlen(de->d_name), size;
		void *img;
		uint32_t p, r;

		if (len < 2 || strcmp(de->d_name + len - 2, ".o"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		img = og_read_file(path, &size);
		if (!img || bel_spec_build(img, size, true, de->d_name, &spec, &err)) {
			free(img);
			continue;
		}
		free(img);
		nobjs++;
		for (p = 0; p < spec->nprogs; p++) {
			const struct bel_prog_def *prog = &spec->progs[p];

			for (r = 0; r < prog->core_relo_cnt; r++) {
				struct bel_core_relo relo;
				struct bel_core_result res;
				double t0;
				int ret;

				memcpy(&relo, prog->core_relos + (size_t)r * prog->core_relo_rec_size,
				       sizeof(relo));
				t0 = now_s();
				ret = bel_core_resolve(spec->btf, &relo, &target, 1, &res, &err);
				if (ntimes == cap) {
					cap = cap ? cap * 2 : 1024;
					times = realloc(times, cap * sizeof(*times));
					if (!times)
						exit(1);
				}
				times[ntimes].t = now_s() - t0;
				times[ntimes].steps = res.steps;
				ntimes++;
				nfail += ret != 0;
				sum_steps += res.steps;
				if (res.steps > max_steps) {
					max_steps = res.steps;
					snprintf(max_what, sizeof(max_what), "%s: prog %s: %s %s",
						 de->d_name, prog->name, bel_core_kind_name(relo.kind),
						 res.what);
				}
			}
		}
		bel_spec_free(spec);
	}
	closedir(d);
	printf("### CO-RE: every relocation of the corpus against this kernel\n\n");
	if (!ntimes) {
		printf("(no CO-RE relocations in %s)\n\n", dir);
		free(times);
		return;
	}
	qsort(times, ntimes, sizeof(*times), cmp_relo_time);
	printf("%zu objects opened, %zu relocations (%zu of them errors: missing candidates and "
	       "the like, as with libbpf). Each relocation resolved and timed on its own.\n\n",
	       nobjs, ntimes, nfail);
	printf("| relocations | median | p99 | max | steps: mean | steps: max | bound |\n");
	printf("|---|---|---|---|---|---|---|\n");
	printf("| %zu | %.1f µs | %.1f µs | %.1f µs | %.0f | %llu | %u |\n\n", ntimes,
	       times[ntimes / 2].t * 1e6, times[ntimes * 99 / 100].t * 1e6,
	       times[ntimes - 1].t * 1e6, (double)sum_steps / ntimes,
	       (unsigned long long)max_steps, BEL_CORE_MAX_STEPS);
	printf("Most steps: %s.\n\n", max_what);
	free(times);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"bel", required_argument, NULL, 'b'},
		{"corpus", required_argument, NULL, 'c'},
		{"rounds", required_argument, NULL, 'r'},
		{"quick", no_argument, NULL, 'q'},
		{"instructions", no_argument, NULL, 'i'},
		{NULL, 0, NULL, 0},
	};
	const char *bel = NULL, *corpus = NULL;
	char dir[] = "/tmp/bel-scaling-XXXXXX";
	bool quick = false;
	int c;

	while ((c = getopt_long(argc, argv, "b:c:r:qi", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': bel = optarg; break;
		case 'c': corpus = optarg; break;
		case 'r': rounds = atoi(optarg); break;
		case 'q': quick = true; break;
		case 'i': count_instructions = true; break;
		default:
			fprintf(stderr, "usage: bel-scaling [--bel CLI] [--corpus DIR] [--rounds N] "
				"[--quick] [--instructions]\n");
			return 2;
		}
	}
	if (rounds < 1 || rounds > 15)
		rounds = 3;
	if (!mkdtemp(dir)) {
		perror("bel-scaling: mkdtemp");
		return 1;
	}
	bench_open(bel, dir, quick);
	bench_core_graphs();
	if (corpus)
		bench_core_corpus(corpus);
	rmdir(dir);
	return 0;
}
