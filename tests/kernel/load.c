/* SPDX-License-Identifier: MIT */
/* Whole-object loads (loader/load.c): each program's maps as the kernel reports them, verifier
 * failures that leave nothing loaded, keep_going, threads sharing maps, the agent-sized object. */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bel/bel.h"
#include "kernel.h"
#include "syscall/bpf.h"
#include "testutil.h"

static const char *const loadable[] = {"maps", "globals", "subprogs", "sections", "metadata", "hello"};
#define NLOADABLE (sizeof(loadable) / sizeof(loadable[0]))

static int prog_info(int fd, struct bpf_prog_info *info, uint32_t *map_ids, uint32_t nmap_ids)
{
	uint32_t len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	info->nr_map_ids = nmap_ids;
	info->map_ids = (uint64_t)(uintptr_t)map_ids;
	return bel_sys_obj_get_info_by_fd(fd, info, &len);
}

/* Count programs in the kernel with this name (the kernel keeps 15 characters). */
static int kernel_progs_named(const char *name)
{
	uint32_t id = 0;
	int n = 0;

	while (!bel_sys_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info;
		int fd = bel_sys_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!prog_info(fd, &info, NULL, 0) && !strncmp(info.name, name, BPF_OBJ_NAME_LEN - 1))
			n++;
		close(fd);
	}
	return n;
}

/* Every fixture loads; the kernel's map_ids of each program are its map table plus the
 * metadata maps; closing the object gives every fd back. */
START_TEST(test_load_fixtures)
{
	struct bel_object *obj;
	const char *name = loadable[_i];
	unsigned int i, j;
	int fds_before;

	if (!kernel_ready())
		return;
	fds_before = count_fds();
	obj = open_fixture(name, false);
	ck_assert_msg(bel_object_load(obj, NULL) == 0, "%s: %s", name, bel_object_last_error(obj));
	for (i = 0; i < bel_object_program_count(obj); i++) {
		const struct bel_program *p = bel_object_program(obj, i);
		uint32_t ids[64] = {0}, expected = bel_program_map_count(p);
		struct bpf_prog_info info;

		ck_assert_int_ge(bel_program_fd(p), 0);
		ck_assert_int_eq(prog_info(bel_program_fd(p), &info, ids, 64), 0);
		ck_assert_int_eq(info.type, bel_program_type(p));
		ck_assert_msg(!strncmp(info.name, bel_program_name(p), BPF_OBJ_NAME_LEN - 1),
			      "kernel name %s for %s", info.name, bel_program_name(p));
		for (j = 0; j < bel_object_map_count(obj); j++) {
			const struct bel_map *m = bel_object_map(obj, j);
			bool in_table = false;
			unsigned int k;

			for (k = 0; k < bel_program_map_count(p); k++)
				in_table |= bel_program_map(p, k) == m;
			if (bel_map_has_metadata(m) && !in_table)
				expected++;
		}
		ck_assert_msg(info.nr_map_ids == expected, "%s/%s: kernel has %u maps, expected %u",
			      name, bel_program_name(p), info.nr_map_ids, expected);
		/* each id the kernel reports is one of ours */
		for (j = 0; j < info.nr_map_ids && j < 64; j++) {
			bool found = false;
			unsigned int k;

			for (k = 0; k < bel_object_map_count(obj); k++)
				found |= bel_map_id(bel_object_map(obj, k)) == ids[j];
			ck_assert_msg(found, "%s/%s: map id %u is not the object's", name,
				      bel_program_name(p), ids[j]);
		}
	}
	bel_object_close(obj);
	ck_assert_int_eq(count_fds(), fds_before);
}
END_TEST

/* A verifier failure: a message naming program, section and cause; nothing stays loaded. */
START_TEST(test_failed_load_releases_everything)
{
	struct bel_object *obj;
	int fds_before, good_before, ret;
	unsigned int i;

	if (!kernel_ready())
		return;
	fds_before = count_fds();
	good_before = kernel_progs_named("good_prog");
	obj = open_fixture("bad_verify", false);
	ret = bel_object_load(obj, NULL);
	ck_assert_int_eq(ret, -EACCES);
	ck_assert_msg(strstr(bel_object_last_error(obj),
			     "object 'bad_verify': prog 'bad_prog' (socket): verifier rejected"),
		      "message: %s", bel_object_last_error(obj));
	ck_assert_msg(strstr(bel_object_last_error(obj), "invalid mem access"), "message: %s",
		      bel_object_last_error(obj));
	ck_assert_ptr_nonnull(strstr(bel_program_log(bel_object_find_program(obj, "bad_prog")),
				     "processed"));
	for (i = 0; i < bel_object_program_count(obj); i++)
		ck_assert_int_lt(bel_program_fd(bel_object_program(obj, i)), 0);
	for (i = 0; i < bel_object_map_count(obj); i++)
		ck_assert_int_lt(bel_map_fd(bel_object_map(obj, i)), 0);
	ck_assert_int_eq(kernel_progs_named("good_prog"), good_before);
	bel_object_close(obj);
	ck_assert_int_eq(count_fds(), fds_before);
}
END_TEST

START_TEST(test_keep_going)
{
	struct bel_load_opts opts = {.sz = sizeof(opts), .keep_going = true};
	struct bel_object *obj;

	if (!kernel_ready())
		return;
	obj = open_fixture("bad_verify", false);
	ck_assert_int_eq(bel_object_load(obj, &opts), -EACCES);
	ck_assert_int_ge(bel_program_fd(bel_object_find_program(obj, "good_prog")), 0);
	ck_assert_int_eq(bel_program_status(bel_object_find_program(obj, "good_prog")), 0);
	ck_assert_int_eq(bel_program_status(bel_object_find_program(obj, "bad_prog")), -EACCES);
	ck_assert_ptr_nonnull(strstr(bel_program_error(bel_object_find_program(obj, "bad_prog")),
				     "verifier rejected"));
	/* a whole-object load creates every map, those of programs that failed too */
	ck_assert_int_ge(bel_map_fd(bel_object_find_map(obj, "bad_counts")), 0);
	bel_object_close(obj);
}
END_TEST

/* Several threads: every program loads and the shared map is created once. */
START_TEST(test_threads_share_maps)
{
	struct bel_load_opts opts = {.sz = sizeof(opts), .threads = 4};
	struct bel_object *obj;
	uint32_t counts_id;
	unsigned int i;
	int fds_before;

	if (!kernel_ready())
		return;
	fds_before = count_fds();
	obj = open_fixture("sections", false);
	ck_assert_int_eq(bel_object_load(obj, &opts), 0);
	counts_id = bel_map_id(bel_object_find_map(obj, "counts"));
	ck_assert_uint_ne(counts_id, 0);
	for (i = 0; i < bel_object_program_count(obj); i++) {
		uint32_t ids[4] = {0};
		struct bpf_prog_info info;

		ck_assert_int_eq(prog_info(bel_program_fd(bel_object_program(obj, i)), &info, ids, 4), 0);
		ck_assert_uint_eq(info.nr_map_ids, 1);
		ck_assert_uint_eq(ids[0], counts_id);
	}
	bel_object_close(obj);
	ck_assert_int_eq(count_fds(), fds_before);
}
END_TEST

/* The agent-sized object: two threads, every map created once (as bpftool sees the programs'
 * map ids), every fd given back. */
START_TEST(test_large_object_threads)
{
	struct bel_load_opts opts = {.sz = sizeof(opts), .threads = 2};
	struct bel_object *obj;
	uint32_t *seen;
	unsigned int i, j, nseen = 0;
	int fds_before;
	size_t size;
	void *probe;

	if (!kernel_ready())
		return;
	probe = read_file(fixture_path("large"), &size);
	if (!probe) {
		ck_assert_msg(!getenv("CI"), "large.bpf.o missing (../shared/bench not found)");
		return;
	}
	free(probe);
	fds_before = count_fds();
	obj = open_fixture("large", false);
	ck_assert_uint_eq(bel_object_program_count(obj), 200);
	ck_assert_msg(bel_object_load(obj, &opts) == 0, "%s", bel_object_last_error(obj));
	seen = calloc(4096, sizeof(*seen));
	for (i = 0; i < bel_object_program_count(obj); i++) {
		struct bel_program_info info = {.sz = sizeof(info)};
		char cmd[128], out[8192], *p;

		ck_assert_int_eq(bel_program_info(bel_object_program(obj, i), &info), 0);
		snprintf(cmd, sizeof(cmd), "bpftool -j prog show id %u", info.id);
		ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 0);
		p = strstr(out, "\"map_ids\":[");
		ck_assert_ptr_nonnull(p);
		for (p += 11; *p && *p != ']';) {
			uint32_t id = (uint32_t)strtoul(p, &p, 10);
			bool dup = false;

			for (j = 0; j < nseen; j++)
				dup |= seen[j] == id;
			if (!dup && nseen < 4096)
				seen[nseen++] = id;
			if (*p == ',')
				p++;
		}
	}
	/* one kernel map per object map that some program uses */
	for (i = 0, j = 0; i < bel_object_map_count(obj); i++)
		j += bel_map_fd(bel_object_map(obj, i)) >= 0;
	ck_assert_uint_eq(nseen, j);
	free(seen);
	bel_object_close(obj);
	ck_assert_int_eq(count_fds(), fds_before);
}
END_TEST

Suite *load_suite(void)
{
	Suite *s = suite_create("load");
	TCase *tc = kernel_case(s, "load", 120, true);

	tcase_add_loop_test(tc, test_load_fixtures, 0, NLOADABLE);
	tcase_add_test(tc, test_failed_load_releases_everything);
	tcase_add_test(tc, test_keep_going);
	tcase_add_test(tc, test_threads_share_maps);
	tc = kernel_case(s, "large", 300, true);
	tcase_add_test(tc, test_large_object_threads);
	return s;
}
