/* SPDX-License-Identifier: MIT */
/*
 * Loading a whole object: every program, from one thread or from a pool that takes programs
 * off a shared counter (verification time varies too much between programs for static halves
 * to balance). As libbpf does, every map of the object is created (maps only user space uses,
 * objects that only define a map to pin and share), and the load is a user of each map it
 * made or used until the object is unloaded or closed. The workers make the maps first, in
 * the object's order, then load the programs: the kernel verifies the programs measurably
 * faster after a run of map creations than interleaved with them (tests/bench: PROG_LOAD).
 * A struct_ops map comes after the programs it registers; a map that fails here is tried
 * again, and reported, by its first program. Loading programs one by one creates only what
 * they need.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct load_job {
	struct bel_object *obj;
	bool keep_going;
	uint32_t next_map;        /* atomic: next map to make before the programs */
	bool kconfig_ok;          /* .kconfig's values are known: its map can be made */
	uint32_t next;            /* atomic: next program to take */
	bool stop;                /* atomic: a failure ends an all-or-nothing load */
	bool *loaded_here;        /* which programs this call loaded */
	int first_err;            /* of the lowest-numbered failed program */
	uint32_t first_err_prog;
	pthread_mutex_t lock;
};

/* Whether the whole-object load is to acquire map: not yet a user of it, and the map is to
 * exist (autocreate on, or given from outside); before the programs, not a struct_ops map,
 * whose value holds its programs. */
static bool load_wants(struct bel_map *map, bool before_programs)
{
	bool wants;

	pthread_mutex_lock(&map->lock);
	wants = !map->object_user && (map->autocreate || map->reuse_fd >= 0) &&
		!(before_programs && map->shape.type == BPF_MAP_TYPE_STRUCT_OPS);
	pthread_mutex_unlock(&map->lock);
	return wants;
}

/* The load is a user of map, acquired just now: one use between two loads of the object at
 * once. */
static void keep_use(struct bel_map *map)
{
	bool had;

	pthread_mutex_lock(&map->lock);
	had = map->object_user;
	map->object_user = true;
	pthread_mutex_unlock(&map->lock);
	if (had)
		ldr_map_release(map, false);
}

/* Before the programs: a map; a failure is left to the programs that need the map and to
 * acquire_every_map to report. */
static void acquire_map_first(struct load_job *job, uint32_t i)
{
	struct bel_map *map = &job->obj->maps[i];
	struct bel_err err = {0};

	if (!load_wants(map, true) || (!job->kconfig_ok && (int)i == job->obj->spec->kconfig_map))
		return;
	if (!ldr_map_acquire(map, &err))
		keep_use(map);
}

static void *load_worker(void *arg)
{
	struct load_job *job = arg;
	uint32_t n = job->obj->spec->nprogs, m;

	/* the maps first, each by one worker; a program that needs a map another worker is
	 * making waits for it on the map's lock */
	while ((m = __atomic_fetch_add(&job->next_map, 1, __ATOMIC_RELAXED)) < job->obj->spec->nmaps)
		acquire_map_first(job, m);
	for (;;) {
		uint32_t i;
		struct bel_program *prog;
		bool was_loaded;
		int ret;

		if (__atomic_load_n(&job->stop, __ATOMIC_ACQUIRE))
			break;
		i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
		if (i >= n)
			break;
		prog = &job->obj->progs[i];
		if (!bel_program_autoload(prog))
			continue;
		was_loaded = bel_program_fd(prog) >= 0;
		ret = bel_program_load(prog);
		if (!ret) {
			job->loaded_here[i] = !was_loaded;
			continue;
		}
		pthread_mutex_lock(&job->lock);
		if (!job->first_err || i < job->first_err_prog) {
			job->first_err = ret;
			job->first_err_prog = i;
		}
		pthread_mutex_unlock(&job->lock);
		if (!job->keep_going)
			__atomic_store_n(&job->stop, true, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Acquire every map that is to exist (autocreate on, or given from outside): created if no program
 * made it. The first failure is returned; with keep_going the other maps are still tried. */
static int acquire_every_map(struct bel_object *obj, bool keep_going)
{
	struct bel_err err = {0};
	uint32_t i;
	int first = 0, ret;

	/* the .kconfig map's contents come from the kernel, resolved with the first program that
	 * uses one: here maybe none did */
	if (obj->spec->kconfig_map >= 0 && ldr_obj_resolve_externs(obj, &err))
		return ldr_obj_fail(obj, &err);
	for (i = 0; i < obj->spec->nmaps; i++) {
		struct bel_map *map = &obj->maps[i];

		if (!load_wants(map, false))
			continue;
		ret = ldr_map_acquire(map, &err);
		if (ret) {
			bel_err_prefix(&err, "object '%s'", obj->spec->obj_name);
			ldr_obj_fail(obj, &err);
			if (!first)
				first = ret;
			if (!keep_going)
				return first;
			continue;
		}
		keep_use(map);
	}
	return first;
}

/* The uses acquire_every_map took, dropped (undo: pins made by name go, for a failed load). */
static void release_every_map(struct bel_object *obj, bool undo)
{
	uint32_t i;

	for (i = 0; i < obj->spec->nmaps; i++) {
		struct bel_map *map = &obj->maps[i];
		bool was_user;

		pthread_mutex_lock(&map->lock);
		was_user = map->object_user;
		map->object_user = false;
		pthread_mutex_unlock(&map->lock);
		if (was_user)
			ldr_map_release(map, undo);
	}
}

int bel_object_load(struct bel_object *obj, const struct bel_load_opts *opts)
{
	struct load_job job = {.obj = obj};
	uint32_t nthreads = 1, i, n = obj->spec->nprogs;
	pthread_t *threads = NULL;
	struct bel_err err = {0};

	if (bel_opts_check(opts, sizeof(*opts), "bel_load_opts", &err)) {
		bel_err_prefix(&err, "object '%s'", obj->spec->obj_name);
		return ldr_obj_fail(obj, &err);
	}
	job.keep_going = BEL_OPT(opts, keep_going, false);
	__atomic_store_n(&obj->log_level, BEL_OPT(opts, log_level, 0), __ATOMIC_RELAXED);
	if (BEL_OPT(opts, threads, 0) > 1)
		nthreads = opts->threads;
	/* A thread per program or two at least: below that, the threads mostly wait for each
	 * other on the object BTF and the shared maps. */
	if (nthreads > n / 2)
		nthreads = n / 2 ? n / 2 : 1;
	job.loaded_here = calloc(n ? n : 1, sizeof(*job.loaded_here));
	if (!job.loaded_here) {
		bel_errf(&err, ENOMEM, "object '%s': out of memory", obj->spec->obj_name);
		return ldr_obj_fail(obj, &err);
	}
	pthread_mutex_init(&job.lock, NULL);
	if (nthreads > 1) {
		threads = calloc(nthreads, sizeof(*threads));
		if (!threads)
			nthreads = 1;
	}
	job.kconfig_ok = obj->spec->kconfig_map < 0 || !ldr_obj_resolve_externs(obj, &err);
	bel_err_clear(&err);
	/* The calling thread works too; extra threads only if they start. */
	for (i = 1; i < nthreads; i++)
		if (pthread_create(&threads[i], NULL, load_worker, &job))
			break;
	nthreads = i;
	load_worker(&job);
	for (i = 1; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	if (!job.first_err || job.keep_going) {
		int ret = acquire_every_map(obj, job.keep_going);

		if (ret && !job.first_err)
			job.first_err = ret;
	}
	if (job.first_err && !job.keep_going) {
		release_every_map(obj, true);
		for (i = 0; i < n; i++)
			if (job.loaded_here[i])
				ldr_program_unload_undo(&obj->progs[i], true);
	}
	pthread_mutex_destroy(&job.lock);
	free(job.loaded_here);
	return job.first_err;
}

void bel_object_unload(struct bel_object *obj)
{
	uint32_t i;

	for (i = 0; i < obj->spec->nprogs; i++)
		bel_program_unload(&obj->progs[i]);
	release_every_map(obj, false);
}
