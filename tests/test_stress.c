/* SPDX-License-Identifier: MIT */
/*
 * Concurrency: several threads load and unload programs of the same objects at once, for a
 * bounded time, while others load whole objects on threads of their own. Built and run under
 * ThreadSanitizer by scripts/test.sh (build-tsan), where any report fails the run. At the
 * end every program is unloaded, every map released, and every fd given back.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bel/bel.h"
#include "testutil.h"

#define THREADS 4
#define SECONDS 3
#define MAX_ROUNDS 4000

/* programs with maps of every kind, with subprograms, with externs (each program prepares its
 * own copy of its instructions while others do theirs), and with global data worked from user
 * space while its programs come and go */
#define NOBJS 4
static struct bel_object *objs[NOBJS];
static const char *const names[NOBJS] = {"maps", "subprogs", "externs", "runtime"};

struct worker {
	unsigned int seed;
	long loads, unloads, whole;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Variables and elements of maps that programs of other threads create and release. */
static void runtime_calls(struct bel_object *obj, unsigned int *seed)
{
	struct bel_map *m = bel_object_find_map(obj, rand_r(seed) % 2 ? "by_byte" : ".bss");
	uint64_t v = 0;
	uint32_t k = 1;
	int32_t bias = (int32_t)(rand_r(seed) % 100);

	bel_object_get_var(obj, "packets", &v, sizeof(v));
	bel_object_set_var(obj, "data_bias", &bias, sizeof(bias));
	if (bel_map_hold(m) == 0) {
		if (bel_map_key_size(m) == sizeof(k))
			bel_map_update_elem(m, &k, sizeof(k), &v, sizeof(v), 0);
		if (bel_map_value_size(m) >= 16)
			bel_map_mmap(m, NULL) ? bel_map_unhold(m) : (void)0;
		bel_map_unhold(m);
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	double end = now() + SECONDS;
	int round;

	for (round = 0; round < MAX_ROUNDS && now() < end; round++) {
		struct bel_object *obj = objs[rand_r(&w->seed) % NOBJS];
		unsigned int n = bel_object_program_count(obj);
		struct bel_program *p = bel_object_program(obj, rand_r(&w->seed) % n);
		struct bel_program_info info = {.sz = sizeof(info)};
		int r = rand_r(&w->seed) % 16;

		if (r == 0) {
			struct bel_load_opts o = {.sz = sizeof(o), .threads = 2, .keep_going = true};

			bel_object_load(obj, &o); /* whole object, two more threads */
			w->whole++;
		} else if (r < 9) {
			if (bel_program_load(p) == 0)
				w->loads++;
			bel_program_info(p, &info);
		} else {
			bel_program_unload(p);
			w->unloads++;
		}
		/* readers, concurrently with writers */
		bel_map_fd(bel_object_map(obj, rand_r(&w->seed) % bel_object_map_count(obj)));
		bel_program_fd(p);
		if (obj == objs[3])
			runtime_calls(obj, &w->seed);
	}
	return NULL;
}

START_TEST(test_concurrent_load_unload)
{
	struct worker workers[THREADS];
	pthread_t threads[THREADS];
	long loads = 0, unloads = 0, whole = 0;
	int fds_before, i;
	unsigned int m;

	if (!kernel_ready())
		return;
	fds_before = count_fds();
	for (i = 0; i < NOBJS; i++) {
		struct bel_open_opts o = {.sz = sizeof(o)};

		ck_assert_int_eq(bel_object_open_file(fixture_path(names[i]), &o, &objs[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		workers[i] = (struct worker){.seed = (unsigned int)i * 7919u + 1};
		ck_assert_int_eq(pthread_create(&threads[i], NULL, work, &workers[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(threads[i], NULL);
		loads += workers[i].loads;
		unloads += workers[i].unloads;
		whole += workers[i].whole;
	}
	for (i = 0; i < NOBJS; i++) {
		bel_object_unload(objs[i]);
		for (m = 0; m < bel_object_map_count(objs[i]); m++)
			ck_assert_msg(bel_map_fd(bel_object_map(objs[i], m)) < 0, "%s: map %s still open",
				      names[i], bel_map_name(bel_object_map(objs[i], m)));
		bel_object_close(objs[i]);
	}
	ck_assert_int_eq(count_fds(), fds_before);
	printf("stress: %d threads, %d s: %ld program loads, %ld unloads, %ld whole-object loads\n",
	       THREADS, SECONDS, loads, unloads, whole);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stress");
	TCase *tc = tcase_create("threads");
	SRunner *sr;

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_concurrent_load_unload);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* no fork: ThreadSanitizer watches this process */
	srunner_set_fork_status(sr, CK_NOFORK);
	return run_srunner(sr);
}
