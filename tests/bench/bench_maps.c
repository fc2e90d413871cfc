/* SPDX-License-Identifier: MIT */
/*
 * bel-bench-maps: element calls per second, bel beside libbpf on the same maps in one process.
 *
 * The maps are created once (runtime.bpf.o's hash `by_byte` and array `plain_array`, held by
 * bel). Each round times N calls of each kind through libbpf (bpf_map_lookup_elem, ...) on the
 * map's fd and through bel (bel_map_lookup_elem, ...) on the same map, the first of the two
 * alternating between rounds. Medians over the rounds, and the bel/libbpf ratio of the medians
 * with the range of the per-round ratios. Output: a markdown table on stdout.
 *
 *   bel-bench-maps OBJECT [-n CALLS] [-r ROUNDS]
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>

#include "bel/bel.h"

#define MAX_ROUNDS 101

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
	double copy[MAX_ROUNDS];

	memcpy(copy, v, (size_t)n * sizeof(*v));
	qsort(copy, (size_t)n, sizeof(*copy), cmp_double);
	return n % 2 ? copy[n / 2] : (copy[n / 2 - 1] + copy[n / 2]) / 2;
}

enum op { LOOKUP_HASH, UPDATE_HASH, LOOKUP_ARRAY, NOPS };
static const char *const op_names[NOPS] = {"hash lookup", "hash update", "array lookup"};

/* calls per second of one op through one loader */
static double run(bool bel, enum op op, const struct bel_map *hash, const struct bel_map *array,
		  long n)
{
	int hfd = bel_map_fd(hash), afd = bel_map_fd(array);
	uint64_t value = 0;
	double t0 = now_s();
	uint32_t key;
	long i;
	int ret = 0;

	for (i = 0; i < n; i++) {
		key = (uint32_t)(i & 511);
		switch (op) {
		case LOOKUP_HASH:
			ret = bel ? bel_map_lookup_elem(hash, &key, sizeof(key), &value, sizeof(value), 0)
				  : bpf_map_lookup_elem(hfd, &key, &value);
			break;
		case UPDATE_HASH:
			value = (uint64_t)i;
			ret = bel ? bel_map_update_elem(hash, &key, sizeof(key), &value, sizeof(value), 0)
				  : bpf_map_update_elem(hfd, &key, &value, 0);
			break;
		case LOOKUP_ARRAY:
			key &= 15;
			ret = bel ? bel_map_lookup_elem(array, &key, sizeof(key), &value, sizeof(value), 0)
				  : bpf_map_lookup_elem(afd, &key, &value);
			break;
		default:
			break;
		}
		if (ret) {
			fprintf(stderr, "%s %s: %d\n", bel ? "bel" : "libbpf", op_names[op], ret);
			exit(1);
		}
	}
	return (double)n / (now_s() - t0);
}

int main(int argc, char **argv)
{
	struct bel_open_opts opts = {.sz = sizeof(opts)};
	double libbpf_rate[NOPS][MAX_ROUNDS], bel_rate[NOPS][MAX_ROUNDS], ratio[MAX_ROUNDS];
	long calls = 200000;
	int rounds = 11, c, r, o;
	struct bel_object *obj;
	struct bel_map *hash, *array;
	uint32_t key;
	uint64_t value = 1;

	while ((c = getopt(argc, argv, "n:r:")) != -1) {
		if (c == 'n')
			calls = atol(optarg);
		else if (c == 'r')
			rounds = atoi(optarg);
		else
			return 2;
	}
	if (optind != argc - 1 || calls <= 0 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: bel-bench-maps OBJECT [-n CALLS] [-r ROUNDS (1..%d)]\n", MAX_ROUNDS);
		return 2;
	}
	if (bel_object_open_file(argv[optind], &opts, &obj)) {
		fprintf(stderr, "%s\n", bel_thread_error());
		return 1;
	}
	hash = bel_object_find_map(obj, "by_byte");
	array = bel_object_find_map(obj, "plain_array");
	if (!hash || !array || bel_map_hold(hash) || bel_map_hold(array)) {
		fprintf(stderr, "needs runtime.bpf.o's by_byte and plain_array: %s\n",
			bel_object_last_error(obj));
		return 1;
	}
	for (key = 0; key < 512; key++)
		bel_map_update_elem(hash, &key, sizeof(key), &value, sizeof(value), 0);
	run(true, LOOKUP_HASH, hash, array, calls / 10); /* warm up */
	run(false, LOOKUP_HASH, hash, array, calls / 10);
	for (r = 0; r < rounds; r++)
		for (o = 0; o < NOPS; o++) {
			if (r % 2) {
				bel_rate[o][r] = run(true, (enum op)o, hash, array, calls);
				libbpf_rate[o][r] = run(false, (enum op)o, hash, array, calls);
			} else {
				libbpf_rate[o][r] = run(false, (enum op)o, hash, array, calls);
				bel_rate[o][r] = run(true, (enum op)o, hash, array, calls);
			}
		}
	printf("| element call (%ld calls x %d rounds) | libbpf calls/s | bel calls/s | bel/libbpf [per-round range] |\n",
	       calls, rounds);
	printf("|---|---|---|---|\n");
	for (o = 0; o < NOPS; o++) {
		double lo = 1e9, hi = 0;

		for (r = 0; r < rounds; r++) {
			ratio[r] = bel_rate[o][r] / libbpf_rate[o][r];
			lo = ratio[r] < lo ? ratio[r] : lo;
			hi = ratio[r] > hi ? ratio[r] : hi;
		}
		printf("| %s | %.0f | %.0f | %.3f [%.3f, %.3f] |\n", op_names[o],
		       median(libbpf_rate[o], rounds), median(bel_rate[o], rounds),
		       median(bel_rate[o], rounds) / median(libbpf_rate[o], rounds), lo, hi);
	}
	bel_object_close(obj);
	return 0;
}
