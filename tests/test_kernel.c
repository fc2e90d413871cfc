/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests: load the fixtures with bel on the running kernel and check what the kernel
 * holds (through bpftool and BPF_OBJ_GET_INFO_BY_FD), what is pinned, and that failures leave
 * nothing behind: no program, no fd, no pin.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bel/bel.h"
#include "btf/btf.h"
#include "btf/sanitize.h"
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

static int map_fd(const struct bel_object *obj, const char *name)
{
	return bel_map_fd(bel_object_find_map(obj, name));
}

static struct bel_object *open_fixture(const char *name, bool keep_maps)
{
	struct bel_open_opts opts = {.sz = sizeof(opts), .keep_maps = keep_maps};
	struct bel_object *obj = NULL;
	int ret = bel_object_open_file(fixture_path(name), &opts, &obj);

	ck_assert_msg(ret == 0, "open %s: %s", name, bel_thread_error());
	return obj;
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

/* bpftool prints the metadata for every program, including those that never read .rodata. */
START_TEST(test_metadata_bpftool)
{
	struct bel_object *obj;
	char cmd[128], out[8192];
	unsigned int i;

	if (!kernel_ready())
		return;
	obj = open_fixture("metadata", false);
	ck_assert_int_eq(bel_object_load(obj, NULL), 0);
	for (i = 0; i < bel_object_program_count(obj); i++) {
		struct bel_program_info info = {.sz = sizeof(info)};

		ck_assert_int_eq(bel_program_info(bel_object_program(obj, i), &info), 0);
		snprintf(cmd, sizeof(cmd), "bpftool -j prog show id %u", info.id);
		ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 0);
		ck_assert_msg(strstr(out, "\"metadata\":{") && strstr(out, "\"name\":\"bel-test\"") &&
			      strstr(out, "\"build\":42"), "%s: no metadata in %s",
			      bel_program_name(bel_object_program(obj, i)), out);
	}
	bel_object_close(obj);
}
END_TEST

/* Global data: contents as in the ELF file, .rodata frozen (user space may not write). */
START_TEST(test_global_data)
{
	struct bel_object *obj;
	const struct bel_map *ro, *data;
	uint8_t value[256];
	uint32_t key = 0;

	if (!kernel_ready())
		return;
	obj = open_fixture("globals", false);
	ck_assert_int_eq(bel_object_load(obj, NULL), 0);
	ro = bel_object_find_map(obj, ".rodata");
	data = bel_object_find_map(obj, ".data");
	ck_assert_ptr_nonnull(ro);
	ck_assert_ptr_nonnull(data);
	ck_assert_uint_le(bel_map_value_size(ro), sizeof(value));
	ck_assert_int_eq(bel_sys_map_lookup_elem(bel_map_fd(ro), &key, value, 0), 0);
	ck_assert_int_eq(bel_sys_map_update_elem(bel_map_fd(ro), &key, value, 0), -EPERM);
	ck_assert_int_eq(bel_sys_map_lookup_elem(bel_map_fd(data), &key, value, 0), 0);
	ck_assert_int_eq(bel_sys_map_update_elem(bel_map_fd(data), &key, value, 0), 0);
	bel_object_close(obj);
}
END_TEST

/* Prog array and map-in-map initial slots hold the programs and maps they name. */
START_TEST(test_initial_slots)
{
	struct bel_object *obj;
	struct bel_program_info info = {.sz = sizeof(info)};
	uint32_t key = 0, id = 0;

	if (!kernel_ready())
		return;
	obj = open_fixture("maps", false);
	ck_assert_int_eq(bel_object_load(obj, NULL), 0);
	ck_assert_int_eq(bel_sys_map_lookup_elem(map_fd(obj, "jump_table"), &key, &id, 0), 0);
	ck_assert_int_eq(bel_program_info(bel_object_find_program(obj, "tail_zero"), &info), 0);
	ck_assert_uint_eq(id, info.id);
	key = 2;
	ck_assert_int_eq(bel_sys_map_lookup_elem(map_fd(obj, "jump_table"), &key, &id, 0), 0);
	ck_assert_int_eq(bel_program_info(bel_object_find_program(obj, "tail_two"), &info), 0);
	ck_assert_uint_eq(id, info.id);
	key = 0;
	ck_assert_int_eq(bel_sys_map_lookup_elem(map_fd(obj, "outer_array"), &key, &id, 0), 0);
	ck_assert_uint_eq(id, bel_map_id(bel_object_find_map(obj, "inner_a")));
	bel_object_close(obj);
}
END_TEST

/* One program: only the maps of its table (and metadata maps) exist; unload releases them;
 * loading again creates them again. */
START_TEST(test_single_program)
{
	struct bel_object *obj;
	struct bel_program *p;
	unsigned int i;
	int round;

	if (!kernel_ready())
		return;
	obj = open_fixture("maps", false);
	p = bel_object_find_program(obj, "tail_zero");
	ck_assert_ptr_nonnull(p);
	for (round = 0; round < 2; round++) {
		ck_assert_int_eq(bel_program_load(p), 0);
		for (i = 0; i < bel_object_map_count(obj); i++) {
			const struct bel_map *m = bel_object_map(obj, i);
			bool want = !strcmp(bel_map_name(m), "hash_map");

			ck_assert_msg((bel_map_fd(m) >= 0) == want, "round %d: map %s fd %d", round,
				      bel_map_name(m), bel_map_fd(m));
		}
		ck_assert_int_eq(bel_program_unload(p), 0);
		ck_assert_int_lt(bel_program_fd(p), 0);
		for (i = 0; i < bel_object_map_count(obj); i++)
			ck_assert_int_lt(bel_map_fd(bel_object_map(obj, i)), 0);
	}
	bel_object_close(obj);
}
END_TEST

/* keep_maps keeps a map after its last program goes, so a reload sees the same map. */
START_TEST(test_keep_maps)
{
	struct bel_object *obj;
	struct bel_program *p;
	uint32_t id;

	if (!kernel_ready())
		return;
	obj = open_fixture("maps", true);
	p = bel_object_find_program(obj, "tail_zero");
	ck_assert_int_eq(bel_program_load(p), 0);
	id = bel_map_id(bel_object_find_map(obj, "hash_map"));
	ck_assert_int_eq(bel_program_unload(p), 0);
	ck_assert_uint_eq(bel_map_id(bel_object_find_map(obj, "hash_map")), id);
	ck_assert_int_eq(bel_program_load(p), 0);
	ck_assert_uint_eq(bel_map_id(bel_object_find_map(obj, "hash_map")), id);
	bel_object_close(obj);
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

static bool exists(const char *fmt, const char *a, const char *b)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), fmt, a, b);
	return stat(path, &st) == 0;
}

/* The pin layout, bpftool reading the pins, pinning twice refused, unpin. */
START_TEST(test_pin_layout)
{
	static const char *const maps[] = {"exec_count", "events", "_rodata", "_bss"};
	const char *root = pin_root_create();
	struct bel_object *obj;
	char path[4096], out[4096], cmd[4200];
	unsigned int i;

	if (!kernel_ready())
		return;
	ck_assert_ptr_nonnull(root);
	obj = open_fixture("hello", false);
	ck_assert_int_eq(bel_object_load(obj, NULL), 0);
	ck_assert_int_eq(bel_object_pin(obj, root), 0);
	for (i = 0; i < 4; i++)
		ck_assert_msg(exists("%s/hello/maps/%s", root, maps[i]), "map pin %s", maps[i]);
	ck_assert(exists("%s/hello/programs/%s", root, "handle_exec"));
	ck_assert(exists("%s/hello/programs/%s", root, "handle_exit"));
	ck_assert(exists("%s/hello/%s", root, "links"));
	/* a second pin of the same object is refused and leaves the first intact */
	ck_assert_int_eq(bel_object_pin(obj, root), -EEXIST);
	ck_assert_ptr_nonnull(strstr(bel_object_last_error(obj), "already exists"));
	bel_object_close(obj);
	/* the pins keep the programs loaded after the object is gone */
	snprintf(cmd, sizeof(cmd), "bpftool -j prog show pinned %s/hello/programs/handle_exec", root);
	ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"name\":\"handle_exec\""));
	ck_assert_ptr_nonnull(strstr(out, "\"version\":\"hello 1.0\""));
	snprintf(path, sizeof(path), "%s/hello", root);
	ck_assert_int_eq(bel_unpin(path, out, sizeof(out)), 0);
	ck_assert(!exists("%s/%s", root, "hello"));
	/* nothing but what we made was ever in the root: no temporary directories remain */
	snprintf(cmd, sizeof(cmd), "ls -A %s", root);
	ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_pin_collision)
{
	const char *root = pin_root_create();
	struct bel_object *obj;
	char cmd[4200], out[1024];

	if (!kernel_ready())
		return;
	obj = open_fixture("pin_collision", false);
	ck_assert_int_eq(bel_object_load(obj, NULL), 0);
	ck_assert_int_eq(bel_object_pin(obj, root), -EEXIST);
	ck_assert_msg(strstr(bel_object_last_error(obj), "would both be pinned as '_bss'"),
		      "message: %s", bel_object_last_error(obj));
	bel_object_close(obj);
	snprintf(cmd, sizeof(cmd), "ls -A %s", root);
	ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

/* The CLI: load --pin, a failing load that leaves nothing, unpin. */
START_TEST(test_cli)
{
	const char *root = pin_root_create();
	char cmd[8192], out[16384];

	if (!kernel_ready())
		return;
	snprintf(cmd, sizeof(cmd), "%s load %s --pin %s 2>&1", BEL_CLI, fixture_path("subprogs"), root);
	ck_assert_msg(run_capture(cmd, out, sizeof(out)) == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "xdp_second"));
	ck_assert(exists("%s/subprogs/programs/%s", root, "tc_loop"));
	ck_assert(exists("%s/subprogs/maps/%s", root, "hits"));
	snprintf(cmd, sizeof(cmd), "%s load %s --pin %s 2>&1", BEL_CLI, fixture_path("bad_verify"), root);
	ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 1);
	ck_assert_msg(strstr(out, "prog 'bad_prog' (socket): verifier rejected"), "%s", out);
	ck_assert(!exists("%s/%s", root, "bad_verify"));
	snprintf(cmd, sizeof(cmd), "%s unpin %s/subprogs 2>&1 && ls -A %s", BEL_CLI, root, root);
	ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
	snprintf(cmd, sizeof(cmd), "%s inspect --json %s", BEL_CLI, fixture_path("globals"));
	ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"name\":\"only_bss\""));
	ck_assert_ptr_nonnull(strstr(out, "\"kernel_name\":\"globals.rodata\""));
}
END_TEST


static struct bel_object *open_pinned(const char *name, const char *pin_root)
{
	struct bel_open_opts opts = {.sz = sizeof(opts), .pin_root = pin_root};
	struct bel_object *obj = NULL;

	ck_assert_msg(bel_object_open_file(fixture_path(name), &opts, &obj) == 0, "open %s: %s",
		      name, bel_thread_error());
	return obj;
}

/* Two objects share a map through bel_map_reuse_fd: the programs of both use one map. */
START_TEST(test_reuse_fd_between_objects)
{
	struct bel_object *a, *b;
	const char *root = pin_root_create();

	if (!kernel_ready())
		return;
	a = open_pinned("pinned", root);
	b = open_pinned("pinned", root);
	ck_assert_int_eq(bel_program_load(bel_object_find_program(a, "count_private")), 0);
	ck_assert_int_eq(bel_map_reuse_fd(bel_object_find_map(b, "private_counts"),
					  bel_map_fd(bel_object_find_map(a, "private_counts"))), 0);
	ck_assert_int_eq(bel_program_load(bel_object_find_program(b, "count_private")), 0);
	ck_assert_uint_eq(bel_map_id(bel_object_find_map(a, "private_counts")),
			  bel_map_id(bel_object_find_map(b, "private_counts")));
	/* reuse after the map exists is refused */
	ck_assert_int_eq(bel_map_reuse_fd(bel_object_find_map(b, "private_counts"),
					  bel_map_fd(bel_object_find_map(a, "private_counts"))), -EBUSY);
	bel_object_close(b);
	bel_object_close(a);
}
END_TEST

/* Pin by name: the first loader pins, the next one uses the pin; a map of another shape under
 * the same name is refused with a message naming both sides. */
START_TEST(test_pin_by_name_and_mismatch)
{
	const char *root = pin_root_create();
	struct bel_object *a, *b, *bad;
	char path[4096];
	struct stat st;
	int fds_before;

	if (!kernel_ready())
		return;
	fds_before = count_fds();
	a = open_pinned("pinned", root);
	ck_assert_int_eq(bel_object_load(a, NULL), 0);
	snprintf(path, sizeof(path), "%s/shared_counts", root);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_str_eq(bel_map_pin_path(bel_object_find_map(a, "shared_counts")), path);
	b = open_pinned("pinned", root);
	ck_assert_int_eq(bel_object_load(b, NULL), 0);
	ck_assert_uint_eq(bel_map_id(bel_object_find_map(a, "shared_counts")),
			  bel_map_id(bel_object_find_map(b, "shared_counts")));
	ck_assert_uint_ne(bel_map_id(bel_object_find_map(a, "private_counts")),
			  bel_map_id(bel_object_find_map(b, "private_counts")));

	bad = open_pinned("pinned_mismatch", root);
	ck_assert_int_eq(bel_object_load(bad, NULL), -EINVAL);
	ck_assert_msg(strstr(bel_object_last_error(bad), "incompatible: value_size 8 there, 4 here") &&
		      strstr(bel_object_last_error(bad), path),
		      "message: %s", bel_object_last_error(bad));
	/* the same through an explicit reuse of the pinned path */
	bel_object_close(bad);
	bad = open_pinned("pinned_mismatch", "/nonexistent");
	ck_assert_int_eq(bel_map_reuse_pinned(bel_object_find_map(bad, "shared_counts"), path), -EINVAL);
	ck_assert_ptr_nonnull(strstr(bel_object_last_error(bad), "value_size 8 there, 4 here"));
	bel_object_close(bad);
	bel_object_close(b);
	bel_object_close(a);
	/* the pin outlives the objects, as with libbpf */
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(count_fds(), fds_before);
}
END_TEST

/* Global data shared between objects must have the same variables at the same offsets. */
START_TEST(test_reuse_global_data_layout)
{
	struct bel_object *a, *b;

	if (!kernel_ready())
		return;
	b = open_pinned("layout_other", "/nonexistent");
	a = open_pinned("pinned", pin_root_create());
	ck_assert_int_eq(bel_object_load(a, NULL), 0);
	ck_assert_uint_eq(bel_map_value_size(bel_object_find_map(a, ".bss")),
			  bel_map_value_size(bel_object_find_map(b, ".bss")));
	ck_assert_int_eq(bel_map_reuse_fd(bel_object_find_map(b, ".bss"),
					  bel_map_fd(bel_object_find_map(a, ".bss"))), -EINVAL);
	ck_assert_msg(strstr(bel_object_last_error(b), "'total_packets' at 0 size 8 there, "
			     "'dropped_packets' at 0 size 8 here"), "message: %s", bel_object_last_error(b));
	bel_object_close(b);
	bel_object_close(a);
	remove_tree(pin_root_create()); /* pinned's shared_counts was pinned there */
}
END_TEST

/* A failed load takes back the pin-by-name pins it made. */
START_TEST(test_failed_load_unpins)
{
	const char *root = pin_root_create();
	struct bel_object *obj;
	char path[4096];
	struct stat st;

	if (!kernel_ready())
		return;
	obj = open_pinned("pinned_bad", root);
	ck_assert_int_eq(bel_object_load(obj, NULL), -EACCES);
	snprintf(path, sizeof(path), "%s/undo_me", root);
	ck_assert_msg(stat(path, &st) != 0, "%s left behind", path);
	bel_object_close(obj);
}
END_TEST

/* iproute2's PIN_GLOBAL_NS legacy map and libbpf's pin-by-name BTF map of the same name are
 * one map: a tc program and a cgroup program count into it together. */
START_TEST(test_tc_and_cgroup_share)
{
	const char *root = pin_root_create();
	struct bel_object *tc, *cg;
	char path[4096];

	if (!kernel_ready())
		return;
	tc = open_pinned("iproute2_legacy", root);
	cg = open_pinned("pinned", root);
	ck_assert_int_eq(bel_object_load(tc, NULL), 0);
	ck_assert_int_eq(bel_object_load(cg, NULL), 0);
	ck_assert_uint_eq(bel_map_id(bel_object_find_map(tc, "shared_counts")),
			  bel_map_id(bel_object_find_map(cg, "shared_counts")));
	bel_object_close(cg);
	bel_object_close(tc);
	snprintf(path, sizeof(path), "%s/shared_counts", root);
	ck_assert_int_eq(unlink(path), 0);
}
END_TEST

/* Two processes load the same object with pin-by-name at the same moment: one map, which both
 * use. Repeated to give the race a chance. */
START_TEST(test_concurrent_loaders_share_pin)
{
	const char *root = pin_root_create();
	char path[4096];
	int round;

	if (!kernel_ready())
		return;
	snprintf(path, sizeof(path), "%s/shared_counts", root);
	for (round = 0; round < 20; round++) {
		int go[2], hold[2], res[2][2], i;
		uint32_t ids[2] = {0, 0};
		pid_t pids[2];

		/* go: one byte each starts both loads at once; hold: EOF lets them exit, after
		 * the parent has read both ids (the pins and maps stay alive until then) */
		ck_assert_int_eq(pipe(go), 0);
		ck_assert_int_eq(pipe(hold), 0);
		for (i = 0; i < 2; i++) {
			ck_assert_int_eq(pipe(res[i]), 0);
			pids[i] = fork();
			ck_assert_int_ge(pids[i], 0);
			if (pids[i] == 0) {
				struct bel_open_opts opts = {.sz = sizeof(opts), .pin_root = root};
				struct bel_object *obj = NULL;
				uint32_t id = 0;
				char c;

				close(go[1]);
				close(hold[1]);
				if (bel_object_open_file(fixture_path("pinned"), &opts, &obj))
					_exit(1);
				if (read(go[0], &c, 1) != 1)
					_exit(1);
				if (!bel_object_load(obj, NULL))
					id = bel_map_id(bel_object_find_map(obj, "shared_counts"));
				if (write(res[i][1], &id, sizeof(id)) != sizeof(id))
					_exit(1);
				while (read(hold[0], &c, 1) > 0)
					;
				bel_object_close(obj);
				_exit(0);
			}
			close(res[i][1]);
		}
		close(go[0]);
		close(hold[0]);
		ck_assert_int_eq(write(go[1], "gg", 2), 2);
		for (i = 0; i < 2; i++) {
			ck_assert_int_eq(read(res[i][0], &ids[i], sizeof(ids[i])), sizeof(ids[i]));
			close(res[i][0]);
		}
		close(go[1]);
		close(hold[1]);
		for (i = 0; i < 2; i++)
			waitpid(pids[i], NULL, 0);
		ck_assert_uint_ne(ids[0], 0);
		ck_assert_msg(ids[0] == ids[1], "round %d: two maps (%u, %u)", round, ids[0], ids[1]);
		ck_assert_int_eq(unlink(path), 0);
	}
}
END_TEST

/* Links pinned by the CLI keep the programs attached after it exits; unpin detaches them. */
START_TEST(test_links_survive_exit)
{
	const char *root = pin_root_create();
	char cmd[8192], out[16384];
	unsigned int link_id = 0;
	char *p;

	if (!kernel_ready())
		return;
	/* tracepoint links need tracefs */
	if (!tracefs_ready())
		ck_abort_msg("tracefs is not mounted at /sys/kernel/tracing and cannot be");
	snprintf(cmd, sizeof(cmd), "%s load %s --attach --pin %s 2>&1", BEL_CLI, fixture_path("hello"),
		 root);
	ck_assert_msg(run_capture(cmd, out, sizeof(out)) == 0, "%s", out);
	snprintf(cmd, sizeof(cmd), "bpftool -j link show pinned %s/hello/links/handle_exec", root);
	ck_assert_msg(run_capture(cmd, out, sizeof(out)) == 0, "%s", out);
	p = strstr(out, "\"id\":");
	ck_assert_ptr_nonnull(p);
	link_id = (unsigned int)strtoul(p + 5, NULL, 10);
	ck_assert_uint_ne(link_id, 0);
	snprintf(cmd, sizeof(cmd), "bpftool link show pinned %s/hello/links/handle_exit", root);
	ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "sched_process_exit"));
	snprintf(cmd, sizeof(cmd), "%s unpin %s/hello", BEL_CLI, root);
	ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 0);
	snprintf(cmd, sizeof(cmd), "bpftool link show id %u 2>&1", link_id);
	ck_assert_int_ne(run_capture(cmd, out, sizeof(out)), 0);
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


static uint64_t hits_slot(const struct bel_object *obj, uint32_t slot)
{
	uint64_t v = 0;

	bel_sys_map_lookup_elem(map_fd(obj, "hits"), &slot, &v, 0);
	return v;
}

/*
 * Every kind of link: attach each program that loads, pin the links, see them in bpftool and
 * see them fire. kprobes, fentry and lsm cannot attach on the development host (lockdown):
 * there they may fail; under vmtest (BEL_TEST_ALL_LINKS=1) every kind must work. tcx needs 6.6.
 */
START_TEST(test_attach_links)
{
	static const struct {
		const char *prog;
		bool host_may_fail;
		uint32_t slot;     /* counter that must move after the trigger, or 16: not checked */
	} cases[] = {
		{"link_tracepoint", false, 0}, {"link_raw_tp", false, 1}, {"link_kprobe", true, 2},
		{"link_kretprobe", true, 3}, {"link_fentry", true, 4}, {"link_lsm", true, 5},
		{"link_iter", false, 16}, {"link_cgroup", false, 16}, {"link_xdp", false, 16},
		{"link_tcx", false, 16},
	};
	struct bel_load_opts lopts = {.sz = sizeof(lopts), .keep_going = true};
	struct bel_attach_opts aopts = {.sz = sizeof(aopts), .ifname = "lo"};
	bool strict = getenv("BEL_TEST_ALL_LINKS") != NULL;
	const char *root = pin_root_create();
	bool attached[10] = {false};
	struct bel_object *obj;
	uint64_t before[16];
	char cmd[4200], out[16384];
	unsigned int i;
	int fd;

	if (!kernel_ready())
		return;
	if (!tracefs_ready())
		ck_abort_msg("tracefs is not mounted at /sys/kernel/tracing and cannot be");
	obj = open_fixture("links", false);
	bel_object_load(obj, &lopts);
	for (i = 0; i < 10; i++) {
		struct bel_program *p = bel_object_find_program(obj, cases[i].prog);
		bool tcx = !strcmp(cases[i].prog, "link_tcx");
		int ret;

		if (bel_program_fd(p) < 0) {
			ck_assert_msg(cases[i].host_may_fail && !strict, "%s did not load: %s",
				      cases[i].prog, bel_program_error(p));
			printf("links: %s not loaded here: %s\n", cases[i].prog, bel_program_error(p));
			continue;
		}
		ck_assert(bel_program_attachable(p, &aopts));
		ret = bel_program_attach(p, &aopts);
		if (ret < 0 && tcx && (ret == -EINVAL || ret == -ENOTSUP || ret == -EOPNOTSUPP)) {
			printf("links: tcx not supported by this kernel: %s\n", bel_object_last_error(obj));
			continue;
		}
		if (ret == 0 && tcx && bel_program_attachment_count(p) == 1) {
			printf("links: no tcx in this kernel: a cls_bpf filter instead\n");
			continue;
		}
		if (ret < 0) {
			ck_assert_msg(cases[i].host_may_fail && !strict, "%s: %s", cases[i].prog,
				      bel_object_last_error(obj));
			printf("links: %s not attached here: %s\n", cases[i].prog,
			       bel_object_last_error(obj));
			continue;
		}
		ck_assert_uint_eq(bel_program_link_count(p), 1);
		attached[i] = true;
	}
	ck_assert_int_eq(bel_object_pin(obj, root), 0);
	for (i = 0; i < 10; i++) {
		if (!attached[i])
			continue;
		snprintf(cmd, sizeof(cmd), "bpftool link show pinned %s/links/links/%s 2>&1", root,
			 cases[i].prog);
		ck_assert_msg(run_capture(cmd, out, sizeof(out)) == 0, "%s: %s", cases[i].prog, out);
	}
	/* fire the probes: getpid (tracepoint, raw_tp sys_enter), an open (kprobe, fentry, lsm) */
	for (i = 0; i < 16; i++)
		before[i] = hits_slot(obj, i);
	syscall(SYS_getpid);
	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	close(fd);
	for (i = 0; i < 10; i++)
		if (attached[i] && cases[i].slot < 16)
			ck_assert_msg(hits_slot(obj, cases[i].slot) > before[cases[i].slot],
				      "%s attached but did not run", cases[i].prog);
	bel_object_close(obj);
	/* pinned links keep the programs attached without us */
	snprintf(cmd, sizeof(cmd), "bpftool link show pinned %s/links/links/link_raw_tp", root);
	ck_assert_int_eq(run_capture(cmd, out, sizeof(out)), 0);
	snprintf(cmd, sizeof(cmd), "%s/links", root);
	ck_assert_int_eq(bel_unpin(cmd, out, sizeof(out)), 0);
}
END_TEST


/* A config value as the kernel's config says (zcat /proc/config.gz), or "" */
static void config_value(const char *name, char *out, size_t size)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "(zcat /proc/config.gz 2>/dev/null || cat /boot/config-$(uname -r)) "
		 "| sed -n 's/^%s=//p' | tr -d '\\n'", name);
	if (run_capture(cmd, out, size) != 0)
		out[0] = '\0';
}

static int test_run(int prog_fd)
{
	uint8_t pkt[64] = {0}, out[64];
	struct bel_test_run_args args = {
		.data_in = pkt, .data_size_in = sizeof(pkt),
		.data_out = out, .data_size_out = sizeof(out),
		.repeat = 1,
	};

	return bel_sys_prog_test_run(prog_fd, &args);
}

/* .kconfig externs hold what uname and the kernel config say. */
START_TEST(test_kconfig_values)
{
	struct bel_object *obj;
	struct utsname u;
	unsigned int maj = 0, min = 0, pat = 0;
	char hz[64], jit[64], localver[64];
	uint64_t v[8];
	uint32_t k;

	if (!kernel_ready())
		return;
	obj = open_fixture("externs", false);
	config_value("CONFIG_BPF_SYSCALL", jit, sizeof(jit));
	if (!jit[0]) {
		/* no config to read: a strong CONFIG_ extern must be refused, by name */
		ck_assert_int_lt(bel_program_load(bel_object_find_program(obj, "read_kconfig")), 0);
		ck_assert_ptr_nonnull(strstr(bel_object_last_error(obj), "CONFIG_"));
		printf("kconfig: this kernel has no config to read; strong externs refused\n");
		bel_object_close(obj);
		return;
	}
	ck_assert_msg(bel_program_load(bel_object_find_program(obj, "read_kconfig")) == 0, "%s",
		      bel_object_last_error(obj));
	ck_assert_int_eq(test_run(bel_program_fd(bel_object_find_program(obj, "read_kconfig"))), 0);
	for (k = 0; k < 7; k++)
		ck_assert_int_eq(bel_sys_map_lookup_elem(map_fd(obj, "seen"), &k, &v[k], 0), 0);
	ck_assert_int_eq(uname(&u), 0);
	sscanf(u.release, "%u.%u.%u", &maj, &min, &pat);
	ck_assert_uint_eq(v[0], (maj << 16) + (min << 8) + (pat > 255 ? 255 : pat));
	ck_assert_uint_eq(v[2], 1); /* CONFIG_BPF_SYSCALL=y, or we would not be here */
	config_value("CONFIG_BPF_JIT", jit, sizeof(jit));
	ck_assert_uint_eq(v[3], !strcmp(jit, "y") ? 1 : !strcmp(jit, "m") ? 2 : 0);
	config_value("CONFIG_HZ", hz, sizeof(hz));
	ck_assert_uint_eq(v[4], (uint64_t)strtoull(hz, NULL, 10));
	config_value("CONFIG_LOCALVERSION", localver, sizeof(localver));
	/* "\"-fc\"": the second character of the value, as the program read it */
	ck_assert_uint_eq(v[5], strlen(localver) > 2 ? (uint64_t)(uint8_t)localver[2] : 0);
	ck_assert_uint_eq(v[6], 0); /* a weak CONFIG_ this kernel does not have */
	bel_object_close(obj);
}
END_TEST

/* A kfunc call loads where the kernel has the kfunc (bpf_dynptr_from_skb, 6.4+). */
START_TEST(test_kfunc_call)
{
	struct bel_object *obj;
	char out[256];
	int ret, have;

	if (!kernel_ready())
		return;
	have = run_capture("bpftool btf dump file /sys/kernel/btf/vmlinux | "
			   "grep -c \"FUNC 'bpf_dynptr_from_skb'\"", out, sizeof(out)) == 0 && atoi(out) > 0;
	obj = open_fixture("externs", false);
	ret = bel_program_load(bel_object_find_program(obj, "call_kfunc"));
	if (have)
		ck_assert_msg(ret == 0, "%s", bel_object_last_error(obj));
	else
		ck_assert_msg(ret < 0, "a call to a kfunc this kernel lacks loaded");
	bel_object_close(obj);
}
END_TEST

/* A typed __ksym: loads where kallsyms has the symbol; elsewhere the error names it. */
START_TEST(test_ksym_typed)
{
	struct bel_object *obj;
	char out[256];
	int ret, have;

	if (!kernel_ready())
		return;
	have = run_capture("grep -c ' runqueues$' /proc/kallsyms", out, sizeof(out)) == 0 &&
	       atoi(out) > 0;
	obj = open_fixture("ksyms_typed", false);
	ret = bel_object_load(obj, NULL);
	if (have)
		ck_assert_msg(ret == 0, "%s", bel_object_last_error(obj));
	else
		ck_assert_msg(ret < 0 && strstr(bel_object_last_error(obj), "runqueues"), "%s",
			      bel_object_last_error(obj));
	bel_object_close(obj);
}
END_TEST


/* A kernel lacking every optional BTF feature would get this rewrite of the object BTF: the
 * real kernel must take it too (and so must the older ones, whose checks are a subset). */
START_TEST(test_sanitized_btf_loads)
{
	static const char *const names[] = {"globals", "externs", "maps", "subprogs"};
	unsigned int i;

	if (!kernel_ready())
		return;
	for (i = 0; i < 4; i++) {
		struct bel_object *obj = open_fixture(names[i], false);
		struct bel_err err = {0};
		struct bel_btf *copy;
		char log[4096] = "";
		const void *raw;
		uint32_t size;
		int fd;

		raw = bel_object_btf(obj, &size);
		ck_assert_int_eq(bel_btf_parse(raw, size, NULL, true, &copy, &err), 0);
		ck_assert_int_gt(bel_btf_sanitize(copy, 0, &err), 0);
		raw = bel_btf_raw(copy, &size);
		fd = bel_sys_btf_load(raw, size, NULL, 0, 0);
		if (fd < 0) { /* again with a log, to say why; its tail holds the error */
			static char big[1 << 20];
			int again = bel_sys_btf_load(raw, size, big, sizeof(big), 1);

			if (again >= 0)
				close(again);
			snprintf(log, sizeof(log), "%s", big + (strlen(big) > 300 ? strlen(big) - 300 : 0));
		}
		ck_assert_msg(fd >= 0, "%s: kernel refused the sanitized BTF: %s", names[i], log);
		close(fd);
		bel_btf_free(copy);
		bel_object_close(obj);
	}
}
END_TEST

static Suite *kernel_suite(void)
{
	Suite *s = suite_create("kernel");
	TCase *tc = tcase_create("load");

	tcase_add_unchecked_fixture(tc, pin_root_setup, pin_root_remove);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_load_fixtures, 0, NLOADABLE);
	tcase_add_test(tc, test_metadata_bpftool);
	tcase_add_test(tc, test_global_data);
	tcase_add_test(tc, test_initial_slots);
	tcase_add_test(tc, test_single_program);
	tcase_add_test(tc, test_keep_maps);
	tcase_add_test(tc, test_failed_load_releases_everything);
	tcase_add_test(tc, test_keep_going);
	tcase_add_test(tc, test_threads_share_maps);
	tcase_add_test(tc, test_pin_layout);
	tcase_add_test(tc, test_pin_collision);
	tcase_add_test(tc, test_cli);
	suite_add_tcase(s, tc);

	tc = tcase_create("share");
	tcase_add_unchecked_fixture(tc, pin_root_setup, pin_root_remove);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_reuse_fd_between_objects);
	tcase_add_test(tc, test_pin_by_name_and_mismatch);
	tcase_add_test(tc, test_reuse_global_data_layout);
	tcase_add_test(tc, test_failed_load_unpins);
	tcase_add_test(tc, test_tc_and_cgroup_share);
	tcase_add_test(tc, test_concurrent_loaders_share_pin);
	tcase_add_test(tc, test_links_survive_exit);
	tcase_add_test(tc, test_attach_links);
	tcase_add_test(tc, test_large_object_threads);
	suite_add_tcase(s, tc);

	tc = tcase_create("externs");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_kconfig_values);
	tcase_add_test(tc, test_kfunc_call);
	tcase_add_test(tc, test_ksym_typed);
	tcase_add_test(tc, test_sanitized_btf_loads);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(kernel_suite());

	return run_srunner(sr);
}
