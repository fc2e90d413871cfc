/* SPDX-License-Identifier: MIT */
/*
 * Restart and upgrade (bel_object_adopt + bel_object_pin) on the real kernel, with the versions
 * of tests/progs/upgrade.bpf.c: a restart reuses every program and map (the kernel's ids stay,
 * map contents stay); changing one function reloads exactly the programs that call it; a program
 * no longer in the object loses its pins; a link follows its program (kept, or moved with
 * BPF_LINK_UPDATE); twenty upgrades while a process creates sockets lose no event and count none
 * twice; two adopters at once end with one tree; maps of another shape are refused, or migrated.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bel/bel.h"
#include "testutil.h"

static char root[512], cgroup[512];

/* In the runner (unchecked), so the pins go even when a test dies; each test starts from an
 * empty root (fresh_root). */
static void setup(void)
{
	if (geteuid() != 0)
		return;
	snprintf(root, sizeof(root), "%s/adopt", pin_root_create());
}

static void fresh_root(void)
{
	remove_tree(root);
}

static void teardown(void)
{
	if (cgroup[0])
		rmdir(cgroup);
	pin_root_remove();
}

/* A cgroup v2 directory of our own, for count_socks; "" when there is none. */
static const char *test_cgroup(void)
{
	struct statfs sfs;
	const char *base = "/sys/fs/cgroup";

	if (statfs(base, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC)
		base = "/sys/fs/cgroup/unified";
	if (statfs(base, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC)
		return "";
	snprintf(cgroup, sizeof(cgroup), "%s/bel-adopt-%d", base, (int)getpid());
	if (mkdir(cgroup, 0755) && errno != EEXIST)
		return "";
	return cgroup;
}

struct version {
	const char *fixture;
	uint32_t generation;
	bool attach;            /* count_socks to the test cgroup */
	bool migrate;
};

/* Open a version as object "upgrade", adopt root/upgrade, attach, pin. 0 or the error. */
static int upgrade_to(const struct version *v, struct bel_adopt_report *rep, char *msg,
		      size_t msg_size)
{
	struct bel_open_opts oo = {.sz = sizeof(oo), .name = "upgrade"};
	struct bel_load_opts lo = {.sz = sizeof(lo)};
	struct bel_adopt_opts ao = {.sz = sizeof(ao), .load = &lo, .migrate = v->migrate};
	struct bel_object *obj = NULL;
	int ret;

	memset(rep, 0, sizeof(*rep));
	rep->sz = sizeof(*rep);
	ret = bel_object_open_file(fixture_path(v->fixture), &oo, &obj);
	ck_assert_msg(ret == 0, "%s", bel_thread_error());
	ret = bel_object_set_var(obj, "generation", &v->generation, sizeof(v->generation));
	if (!ret)
		ret = bel_object_adopt(obj, root, &ao, rep);
	if (!ret && v->attach) {
		struct bel_attach_opts at = {.sz = sizeof(at), .cgroup = test_cgroup()};
		struct bel_program *p = bel_object_find_program(obj, "count_socks");

		if (!bel_program_link_count(p))
			ret = bel_program_attach(p, &at) < 0 ? -1 : 0;
	}
	if (!ret)
		ret = bel_object_pin(obj, root);
	snprintf(msg, msg_size, "%s", ret ? bel_object_last_error(obj) : "");
	bel_object_close(obj);
	return ret;
}

static uint32_t pinned_id(const char *kind, const char *name, uint32_t *prog_id)
{
	char path[1024];
	union {
		struct bpf_prog_info prog;
		struct bpf_map_info map;
		struct bpf_link_info link;
	} info;
	uint32_t len = sizeof(info), id;
	int fd;

	snprintf(path, sizeof(path), "%s/upgrade/%s/%s", root, kind, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	ck_assert_int_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	close(fd);
	id = kind[0] == 'p' ? info.prog.id : kind[0] == 'm' ? info.map.id : info.link.id;
	if (prog_id && kind[0] == 'l')
		*prog_id = info.link.prog_id;
	return id;
}

static int counts_fd(void)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/upgrade/maps/counts", root);
	return bpf_obj_get(path);
}

static void no_leftovers(void)
{
	struct dirent *de;
	DIR *d = opendir(root);

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		ck_assert_msg(!strncmp(de->d_name, ".", 1) || !strcmp(de->d_name, "upgrade"),
			      "left in the pin root: %s", de->d_name);
	closedir(d);
}

#define UPGRADE(v, rep)                                                                        \
	do {                                                                                   \
		char msg_[1024];                                                               \
		ck_assert_msg(upgrade_to(v, rep, msg_, sizeof(msg_)) == 0, "%s: %s",           \
			      (v)->fixture, msg_);                                              \
	} while (0)

/* A restart with the same object reuses everything: ids and contents stay. */
START_TEST(test_restart_reuses_everything)
{
	static const char *const progs[] = {"count_socks", "via_helper_a", "via_helper_b", "steady"};
	struct version v1 = {"upgrade_v1", 0, false, false};
	struct bel_adopt_report rep;
	uint32_t ids[4], counts_id, k = 5, i;
	uint64_t val = 55;
	int fd;

	if (!kernel_ready())
		return;
	fresh_root();
	UPGRADE(&v1, &rep);
	ck_assert_uint_eq(rep.progs_reused, 0);
	ck_assert_uint_eq(rep.progs_loaded, 4);
	for (i = 0; i < 4; i++)
		ck_assert_uint_ne(ids[i] = pinned_id("programs", progs[i], NULL), 0);
	counts_id = pinned_id("maps", "counts", NULL);
	fd = counts_fd();
	ck_assert_int_eq(bpf_map_update_elem(fd, &k, &val, 0), 0);
	close(fd);

	UPGRADE(&v1, &rep);
	ck_assert_uint_eq(rep.progs_reused, 4);
	ck_assert_uint_eq(rep.progs_loaded, 0);
	ck_assert_uint_ge(rep.maps_reused, 2); /* counts, .rodata */
	ck_assert_uint_eq(rep.maps_created, 0);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(pinned_id("programs", progs[i], NULL), ids[i]);
	ck_assert_uint_eq(pinned_id("maps", "counts", NULL), counts_id);
	fd = counts_fd();
	val = 0;
	ck_assert_int_eq(bpf_map_lookup_elem(fd, &k, &val), 0);
	ck_assert_uint_eq(val, 55);
	close(fd);
	no_leftovers();
}
END_TEST

/* Changing helper() reloads the two programs that call it, and nothing else. */
START_TEST(test_change_reloads_callers_only)
{
	struct version v1 = {"upgrade_v1", 0, false, false}, v2 = {"upgrade_v2", 0, false, false};
	struct bel_adopt_report rep;
	uint32_t socks, steady, a, b;

	if (!kernel_ready())
		return;
	fresh_root();
	UPGRADE(&v1, &rep);
	socks = pinned_id("programs", "count_socks", NULL);
	steady = pinned_id("programs", "steady", NULL);
	a = pinned_id("programs", "via_helper_a", NULL);
	b = pinned_id("programs", "via_helper_b", NULL);
	UPGRADE(&v2, &rep);
	ck_assert_uint_eq(rep.progs_reused, 2);
	ck_assert_uint_eq(rep.progs_loaded, 2);
	ck_assert_uint_eq(pinned_id("programs", "count_socks", NULL), socks);
	ck_assert_uint_eq(pinned_id("programs", "steady", NULL), steady);
	ck_assert_uint_ne(pinned_id("programs", "via_helper_a", NULL), a);
	ck_assert_uint_ne(pinned_id("programs", "via_helper_b", NULL), b);
	ck_assert_uint_ne(pinned_id("programs", "via_helper_a", NULL), 0);
	no_leftovers();
}
END_TEST

/* A program the object lost goes from the tree; a link of a program that stayed stays; a link
 * of a program that changed is moved to the new one (same link, new program). */
START_TEST(test_links_follow_programs)
{
	struct version v1 = {"upgrade_v1", 0, true, false}, v3 = {"upgrade_v3", 0, true, false};
	struct version v3b = {"upgrade_v3", 1, true, false};
	struct bel_adopt_report rep;
	uint32_t link, prog, linked_prog = 0;

	if (!kernel_ready())
		return;
	fresh_root();
	if (!*test_cgroup()) {
		ck_assert_msg(!getenv("CI"), "no cgroup v2 hierarchy");
		return;
	}
	UPGRADE(&v1, &rep);
	link = pinned_id("links", "count_socks", &linked_prog);
	prog = pinned_id("programs", "count_socks", NULL);
	ck_assert_uint_ne(link, 0);
	ck_assert_uint_eq(linked_prog, prog);

	UPGRADE(&v3, &rep); /* no `steady`; count_socks the same */
	ck_assert_uint_eq(rep.progs_dropped, 1);
	ck_assert_uint_eq(pinned_id("programs", "steady", NULL), 0);
	ck_assert_uint_eq(rep.links_kept, 1);
	ck_assert_uint_eq(pinned_id("links", "count_socks", NULL), link);

	UPGRADE(&v3b, &rep); /* another generation: count_socks is another program */
	ck_assert_uint_eq(rep.links_updated, 1);
	ck_assert_uint_eq(pinned_id("links", "count_socks", &linked_prog), link);
	ck_assert_uint_ne(pinned_id("programs", "count_socks", NULL), prog);
	ck_assert_uint_eq(linked_prog, pinned_id("programs", "count_socks", NULL));
	no_leftovers();
}
END_TEST

/* Twenty upgrades of the counting program while a process creates sockets at a steady rate:
 * old and new programs together count every socket exactly once. */
START_TEST(test_no_gap_upgrades)
{
	enum { SOCKETS = 6000, UPGRADES = 20 };
	struct bel_adopt_report rep;
	struct version v = {"upgrade_v1", 0, true, false};
	int go[2], status, fd, g;
	uint64_t counted = 0;
	uint32_t key = 0, link;
	pid_t child;
	char msg[1024];

	if (!kernel_ready())
		return;
	fresh_root();
	if (!*test_cgroup()) {
		ck_assert_msg(!getenv("CI"), "no cgroup v2 hierarchy");
		return;
	}
	UPGRADE(&v, &rep);
	link = pinned_id("links", "count_socks", NULL);
	ck_assert_int_eq(pipe(go), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		char path[600], pid[32];
		int cg, i;

		snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		cg = open(path, O_WRONLY);
		if (cg < 0 || write(cg, pid, strlen(pid)) < 0)
			_exit(2);
		close(cg);
		if (read(go[0], pid, 1) != 1)
			_exit(3);
		for (i = 0; i < SOCKETS; i++) {
			struct timespec pause = {0, 200000}; /* 0.2 ms: about 1.2 s in all */
			int s = socket(AF_INET, SOCK_DGRAM, 0);

			if (s < 0)
				_exit(4);
			close(s);
			nanosleep(&pause, NULL);
		}
		_exit(0);
	}
	ck_assert_int_eq(write(go[1], "x", 1), 1);
	for (g = 1; g <= UPGRADES; g++) {
		v.generation = (uint32_t)g;
		ck_assert_msg(upgrade_to(&v, &rep, msg, sizeof(msg)) == 0, "upgrade %d: %s", g, msg);
		ck_assert_msg(rep.links_updated == 1, "upgrade %d: %u links moved", g, rep.links_updated);
	}
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: %d", status);
	ck_assert_uint_eq(pinned_id("links", "count_socks", NULL), link);
	fd = counts_fd();
	ck_assert_int_eq(bpf_map_lookup_elem(fd, &key, &counted), 0);
	close(fd);
	printf("no gap: %d sockets, %d upgrades by link update: %llu counted\n", SOCKETS, UPGRADES,
	       (unsigned long long)counted);
	ck_assert_uint_eq(counted, SOCKETS);
	close(go[0]);
	close(go[1]);
}
END_TEST

/* Two processes adopting the same tree at once: they take turns, and the tree is whole. */
START_TEST(test_concurrent_adopters)
{
	struct version v1 = {"upgrade_v1", 0, false, false}, v2 = {"upgrade_v2", 0, false, false};
	struct bel_adopt_report rep;
	pid_t kids[2];
	int i, status;

	if (!kernel_ready())
		return;
	fresh_root();
	UPGRADE(&v1, &rep);
	for (i = 0; i < 2; i++) {
		kids[i] = fork();
		ck_assert_int_ge(kids[i], 0);
		if (kids[i] == 0) {
			char msg[1024];

			_exit(upgrade_to(&v2, &rep, msg, sizeof(msg)) ? 1 : 0);
		}
	}
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(waitpid(kids[i], &status, 0), kids[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "adopter %d failed", i);
	}
	ck_assert_uint_ne(pinned_id("programs", "count_socks", NULL), 0);
	ck_assert_uint_ne(pinned_id("programs", "via_helper_a", NULL), 0);
	ck_assert_uint_ne(pinned_id("programs", "via_helper_b", NULL), 0);
	ck_assert_uint_ne(pinned_id("programs", "steady", NULL), 0);
	/* the second adopter found the first one's tree current: it reused all four */
	UPGRADE(&v2, &rep);
	ck_assert_uint_eq(rep.progs_reused, 4);
	no_leftovers();
}
END_TEST

/* A map of another shape: refused with the field named; with migrate, a new map with the old
 * one's entries. */
START_TEST(test_migrate)
{
	struct version v1 = {"upgrade_v1", 0, false, false};
	struct version big = {"upgrade_big", 0, false, false}, big_m = {"upgrade_big", 0, false, true};
	struct bel_adopt_report rep;
	struct bpf_map_info info;
	uint32_t len = sizeof(info), k, old_id;
	uint64_t val;
	char msg[1024];
	int fd;

	if (!kernel_ready())
		return;
	fresh_root();
	UPGRADE(&v1, &rep);
	fd = counts_fd();
	for (k = 0; k < 10; k++) {
		val = k * 100;
		ck_assert_int_eq(bpf_map_update_elem(fd, &k, &val, 0), 0);
	}
	close(fd);
	old_id = pinned_id("maps", "counts", NULL);
	ck_assert_int_ne(upgrade_to(&big, &rep, msg, sizeof(msg)), 0);
	ck_assert_msg(strstr(msg, "max_entries 64 there, 128 here") && strstr(msg, "migrate"), "%s", msg);
	ck_assert_uint_eq(pinned_id("maps", "counts", NULL), old_id); /* untouched */
	no_leftovers();

	UPGRADE(&big_m, &rep);
	ck_assert_uint_eq(rep.maps_migrated, 1);
	ck_assert_uint_eq(rep.entries_copied, 10);
	ck_assert_uint_ne(pinned_id("maps", "counts", NULL), old_id);
	fd = counts_fd();
	memset(&info, 0, sizeof(info));
	ck_assert_int_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	ck_assert_uint_eq(info.max_entries, 128);
	for (k = 0; k < 10; k++) {
		ck_assert_int_eq(bpf_map_lookup_elem(fd, &k, &val), 0);
		ck_assert_uint_eq(val, k * 100);
	}
	close(fd);
	no_leftovers();
}
END_TEST

/* An upgrade that fails leaves the old tree and its programs as they were. */
START_TEST(test_failed_upgrade_leaves_tree)
{
	struct version v1 = {"upgrade_v1", 0, false, false};
	struct bel_open_opts oo = {.sz = sizeof(oo), .name = "upgrade"};
	struct bel_adopt_opts ao = {.sz = sizeof(ao)};
	struct bel_adopt_report rep;
	struct bel_object *obj;
	uint32_t a, socks;
	int fds;

	if (!kernel_ready())
		return;
	fresh_root();
	UPGRADE(&v1, &rep);
	a = pinned_id("programs", "via_helper_a", NULL);
	socks = pinned_id("programs", "count_socks", NULL);
	fds = count_fds();
	ck_assert_int_eq(bel_object_open_file(fixture_path("upgrade_v2"), &oo, &obj), 0);
	/* load flags the kernel does not know: this program's load fails */
	bel_program_set_flags(bel_object_find_program(obj, "via_helper_a"), 1u << 31);
	ck_assert_int_ne(bel_object_adopt(obj, root, &ao, NULL), 0);
	ck_assert_int_lt(bel_program_fd(bel_object_find_program(obj, "count_socks")), 0);
	bel_object_close(obj);
	ck_assert_int_eq(count_fds(), fds);
	ck_assert_uint_eq(pinned_id("programs", "via_helper_a", NULL), a);
	ck_assert_uint_eq(pinned_id("programs", "count_socks", NULL), socks);
	no_leftovers();
}
END_TEST

static const struct bel_pinned *find_item(struct bel_pinned *items, unsigned int n,
					  enum bel_pinned_kind kind, const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (items[i].kind == kind && !strcmp(items[i].name, name))
			return &items[i];
	ck_abort_msg("no %s in the status", name);
	return NULL;
}

/* status: the pins listed, and against another version which are the same, changed (why),
 * missing or extra, as adopt would judge them. */
START_TEST(test_status)
{
	struct version v1 = {"upgrade_v1", 0, false, false};
	struct bel_open_opts oo = {.sz = sizeof(oo), .name = "upgrade"};
	struct bel_adopt_report rep;
	struct bel_pin_status *st;
	struct bel_pinned items[64];
	struct bel_object *obj;
	char tree[600];
	unsigned int n, i;

	if (!kernel_ready())
		return;
	fresh_root();
	UPGRADE(&v1, &rep);
	snprintf(tree, sizeof(tree), "%s/upgrade", root);
	ck_assert_int_eq(bel_pin_status_read(tree, NULL, &st), 0);
	n = bel_pin_status_count(st);
	ck_assert_uint_ge(n, 6);
	for (i = 0; i < n && i < 64; i++) {
		items[i].sz = sizeof(items[i]);
		ck_assert_int_eq(bel_pin_status_item(st, i, &items[i]), 0);
		ck_assert_int_eq(items[i].state, BEL_PINNED_LISTED);
		ck_assert_uint_ne(items[i].id, 0);
	}
	ck_assert_uint_eq(strlen(find_item(items, n, BEL_PINNED_PROGRAM, "steady")->tag), 16);
	bel_pin_status_free(st);

	/* against version 3, with another generation: count_socks changed (its .rodata), the
	 * helpers' callers the same, steady extra */
	ck_assert_int_eq(bel_object_open_file(fixture_path("upgrade_v3"), &oo, &obj), 0);
	i = 7;
	ck_assert_int_eq(bel_object_set_var(obj, "generation", &i, sizeof(i)), 0);
	ck_assert_int_eq(bel_pin_status_read(tree, obj, &st), 0);
	n = bel_pin_status_count(st);
	for (i = 0; i < n && i < 64; i++) {
		items[i].sz = sizeof(items[i]);
		ck_assert_int_eq(bel_pin_status_item(st, i, &items[i]), 0);
	}
	ck_assert_int_eq(find_item(items, n, BEL_PINNED_PROGRAM, "via_helper_a")->state, BEL_PINNED_SAME);
	ck_assert_int_eq(find_item(items, n, BEL_PINNED_PROGRAM, "steady")->state, BEL_PINNED_EXTRA);
	ck_assert_int_eq(find_item(items, n, BEL_PINNED_MAP, "counts")->state, BEL_PINNED_SAME);
	ck_assert_int_eq(find_item(items, n, BEL_PINNED_MAP, "_rodata")->state, BEL_PINNED_CHANGED);
	ck_assert_msg(strstr(find_item(items, n, BEL_PINNED_MAP, "_rodata")->why, "frozen"), "%s",
		      find_item(items, n, BEL_PINNED_MAP, "_rodata")->why);
	ck_assert_int_eq(find_item(items, n, BEL_PINNED_PROGRAM, "count_socks")->state,
			 BEL_PINNED_CHANGED);
	ck_assert_msg(strstr(find_item(items, n, BEL_PINNED_PROGRAM, "count_socks")->why, "other maps"),
		      "%s", find_item(items, n, BEL_PINNED_PROGRAM, "count_socks")->why);
	bel_pin_status_free(st);
	bel_object_close(obj);
	ck_assert_int_eq(bel_pin_status_read("/sys/fs/bpf/no-such-tree", NULL, &st), -ENOENT);
	ck_assert_ptr_null(st);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("adopt");
	TCase *tc = tcase_create("adopt");
	SRunner *sr;

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_restart_reuses_everything);
	tcase_add_test(tc, test_change_reloads_callers_only);
	tcase_add_test(tc, test_links_follow_programs);
	tcase_add_test(tc, test_no_gap_upgrades);
	tcase_add_test(tc, test_concurrent_adopters);
	tcase_add_test(tc, test_migrate);
	tcase_add_test(tc, test_failed_upgrade_leaves_tree);
	tcase_add_test(tc, test_status);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	return run_srunner(sr);
}
