/* SPDX-License-Identifier: MIT */
/*
 * bel-bench-restart: what a restart costs an agent, bel beside libbpf, in one process.
 *
 *   bel-bench-restart OBJECT CHANGED_OBJECT [-r ROUNDS] [-t THREADS]
 *
 * OBJECT is an agent-sized object (../shared/bench's `large`: 200 programs); CHANGED_OBJECT the
 * same with one program's code changed. Per round, in a pin root of its own, timed wall-clock:
 *   libbpf      bpf_object__open_file + bpf_object__load: what a libbpf agent does at every
 *               start (it reloads everything; close not timed)
 *   bel cold    open + bel_object_adopt (nothing pinned: a plain load) + bel_object_pin
 *   bel restart open + adopt + pin of the same object onto the tree just pinned
 *   bel upgrade open + adopt + pin of CHANGED_OBJECT onto that tree (one program reloaded)
 * and the tree is unpinned after each round. The order of libbpf and bel cold alternates.
 * Medians, and restart and upgrade as fractions of bel's cold load and of libbpf's load.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bel/bel.h"

#define MAX_ROUNDS 51

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
	double c[MAX_ROUNDS];

	memcpy(c, v, (size_t)n * sizeof(*v));
	qsort(c, (size_t)n, sizeof(*c), cmp_double);
	return n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static double libbpf_load(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	double t0, t;

	if (!obj) {
		fprintf(stderr, "libbpf: cannot open %s\n", path);
		exit(1);
	}
	t0 = now_ms();
	if (bpf_object__load(obj)) {
		fprintf(stderr, "libbpf: cannot load %s\n", path);
		exit(1);
	}
	t = now_ms() - t0;
	bpf_object__close(obj);
	return t;
}

/* open + adopt + pin; the report of the adoption in *rep. */
static double bel_start(const char *path, const char *root, unsigned int threads,
			struct bel_adopt_report *rep)
{
	struct bel_open_opts oo = {.sz = sizeof(oo), .name = "agent"};
	struct bel_load_opts lo = {.sz = sizeof(lo), .threads = threads};
	struct bel_adopt_opts ao = {.sz = sizeof(ao), .load = &lo};
	struct bel_object *obj;
	double t0 = now_ms(), t;

	memset(rep, 0, sizeof(*rep));
	rep->sz = sizeof(*rep);
	if (bel_object_open_file(path, &oo, &obj) || bel_object_adopt(obj, root, &ao, rep) ||
	    bel_object_pin(obj, root)) {
		fprintf(stderr, "bel: %s\n", obj ? bel_object_last_error(obj) : bel_thread_error());
		exit(1);
	}
	t = now_ms() - t0;
	bel_object_close(obj);
	return t;
}

int main(int argc, char **argv)
{
	double lib[MAX_ROUNDS], cold[MAX_ROUNDS], restart[MAX_ROUNDS], upgrade[MAX_ROUNDS];
	struct bel_adopt_report rep;
	unsigned int threads = 1, reused = 0, reloaded = 0;
	char root[256], tree[300], err[512];
	int rounds = 7, c, r;

	while ((c = getopt(argc, argv, "r:t:")) != -1) {
		if (c == 'r')
			rounds = atoi(optarg);
		else if (c == 't')
			threads = (unsigned int)atoi(optarg);
		else
			return 2;
	}
	if (optind != argc - 2 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: bel-bench-restart OBJECT CHANGED_OBJECT [-r ROUNDS (1..%d)] "
			"[-t THREADS]\n", MAX_ROUNDS);
		return 2;
	}
	libbpf_set_print(silent);
	snprintf(root, sizeof(root), "/sys/fs/bpf/bel-bench-restart-%d", (int)getpid());
	snprintf(tree, sizeof(tree), "%s/agent", root);
	/* warm up both: probes, page cache */
	libbpf_load(argv[optind]);
	bel_start(argv[optind], root, threads, &rep);
	bel_unpin(tree, err, sizeof(err));
	for (r = 0; r < rounds; r++) {
		if (r % 2) {
			cold[r] = bel_start(argv[optind], root, threads, &rep);
			lib[r] = libbpf_load(argv[optind]);
		} else {
			lib[r] = libbpf_load(argv[optind]);
			cold[r] = bel_start(argv[optind], root, threads, &rep);
		}
		restart[r] = bel_start(argv[optind], root, threads, &rep);
		reused = rep.progs_reused;
		upgrade[r] = bel_start(argv[optind + 1], root, threads, &rep);
		reloaded = rep.progs_loaded;
		if (bel_unpin(tree, err, sizeof(err))) {
			fprintf(stderr, "unpin: %s\n", err);
			return 1;
		}
		fprintf(stderr, "round %d: libbpf %.1f ms, bel cold %.1f, restart %.2f, upgrade %.2f\n",
			r + 1, lib[r], cold[r], restart[r], upgrade[r]);
	}
	rmdir(root);
	printf("| start of the agent (%d rounds, %u load thread%s) | median ms | / bel cold | / libbpf load |\n",
	       rounds, threads, threads == 1 ? "" : "s");
	printf("|---|---|---|---|\n");
	printf("| libbpf: open + load (everything, every start) | %.1f | | 1.000 |\n", median(lib, rounds));
	printf("| bel cold: open + load + pin | %.1f | 1.000 | %.3f |\n", median(cold, rounds),
	       median(cold, rounds) / median(lib, rounds));
	printf("| bel restart, unchanged (%u programs reused) | %.2f | %.3f | %.3f |\n", reused,
	       median(restart, rounds), median(restart, rounds) / median(cold, rounds),
	       median(restart, rounds) / median(lib, rounds));
	printf("| bel upgrade, one program changed (%u loaded) | %.2f | %.3f | %.3f |\n", reloaded,
	       median(upgrade, rounds), median(upgrade, rounds) / median(cold, rounds),
	       median(upgrade, rounds) / median(lib, rounds));
	return 0;
}
