/* SPDX-License-Identifier: MIT */
/*
 * Objects from other loaders' worlds, on the running kernel (suite kernel): a TCP congestion
 * control written as struct_ops registered (through the map update, and through a link) and
 * used by a socket in a network namespace of our own, then unregistered; freplace with the
 * target given by its pin; a maps-only object whose whole-object load creates and pins its
 * map, and a trial load (ignore_pinning, bel verify) that leaves bpffs as it was; whole-object
 * loads creating every map while single programs create only theirs; kfunc existence checks;
 * libbpf's USDT header; cilium/ebpf's section names and map definitions; legacy maps of a
 * statically linked object; an extern error failing only the programs that use it.
 */

#include <arpa/inet.h>
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bel/bel.h"
#include "common/uapi.h"
#include "testutil.h"

static struct bel_object *open_fixture(const char *name, const struct bel_open_opts *o)
{
	struct bel_open_opts def = {.sz = sizeof(def)};
	struct bel_object *obj = NULL;

	ck_assert_msg(!bel_object_open_file(fixture_path(name), o ? o : &def, &obj), "%s: %s", name,
		      bel_thread_error());
	return obj;
}

/* ---- struct_ops: a TCP congestion control --------------------------------------------------- */

/*
 * In a child, in a network namespace of its own: a connection over loopback whose sender uses
 * congestion control `cc`, 1 MiB sent and read. Exit status: 0 done, 2 setsockopt refused
 * (the name is not registered), 1 anything else.
 */
static int use_cc(const char *cc)
{
	pid_t pid = fork();
	int status = 0;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t alen = sizeof(a);
		static char buf[64 << 10];
		int l, c, s, one = 1;
		size_t sent = 0, got = 0;

		alarm(20);
		if (unshare(CLONE_NEWNET) || link_up("lo"))
			_exit(1);
		l = socket(AF_INET, SOCK_STREAM, 0);
		if (l < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 1) ||
		    getsockname(l, (void *)&a, &alen))
			_exit(1);
		c = socket(AF_INET, SOCK_STREAM, 0);
		if (setsockopt(c, IPPROTO_TCP, TCP_CONGESTION, cc, strlen(cc)))
			_exit(errno == ENOENT ? 2 : 1);
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(c, (void *)&a, sizeof(a)) || (s = accept(l, NULL, NULL)) < 0)
			_exit(1);
		while (got < (1 << 20)) {
			ssize_t n;

			if (sent < (1 << 20)) {
				n = send(c, buf, sizeof(buf), MSG_DONTWAIT);
				if (n > 0)
					sent += (size_t)n;
			}
			n = recv(s, buf, sizeof(buf), MSG_DONTWAIT);
			if (n > 0)
				got += (size_t)n;
			else if (n == 0)
				_exit(1);
		}
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

START_TEST(test_struct_ops_tcp_cc)
{
	const char *fixture = _i ? "struct_ops_link" : "struct_ops";
	struct bel_load_opts lo = {.sz = sizeof(lo)};
	struct bel_object *obj;
	struct bel_map *map;
	char name[16];
	uint64_t inits = 0, acks = 0;
	size_t size = 0;
	bool linked;
	char *value;
	int ret;

	if (!kernel_ready())
		return;
	obj = open_fixture(fixture, NULL);
	map = bel_object_find_map(obj, "bel_cc");
	ck_assert_ptr_nonnull(map);
	ck_assert_uint_eq(bel_map_type(map), BPF_MAP_TYPE_STRUCT_OPS);
	/* a name of our own: tests of other processes may register theirs meanwhile */
	snprintf(name, sizeof(name), "belcc%c%d", _i ? 'l' : 'm', (int)getpid() % 100000);
	value = bel_map_initial_value(map, &size);
	ck_assert_ptr_nonnull(value);
	ck_assert_uint_eq(size, 48);
	ck_assert_str_eq(value + 32, "bel_cc");
	memcpy(value + 32, name, sizeof(name));
	ck_assert_int_eq(use_cc(name), 2); /* not registered yet */

	ret = bel_object_load(obj, &lo);
	ck_assert_msg(!ret, "%s", bel_object_last_error(obj));
	ck_assert_int_ge(bel_map_fd(map), 0); /* the whole-object load made it */
	ret = bel_map_attach_struct_ops(map);
	ck_assert_msg(ret >= 0, "%s", bel_object_last_error(obj));
	/* a kernel before 6.4 has no struct_ops links: the map was made without BPF_F_LINK
	 * (with a warning) and its update registers it */
	linked = _i && (bel_map_flags(map) & BEL_BPF_F_LINK);
	if (_i && !linked)
		printf("struct_ops_link: this kernel has no struct_ops links; registered by update\n");
	ck_assert_int_eq(bel_map_struct_ops_link_fd(map), linked ? ret : -1);
	ck_assert_int_eq(bel_map_attach_struct_ops(map), -EBUSY);
	ck_assert_int_eq(use_cc(name), 0);
	ck_assert_int_eq(bel_object_get_var(obj, "inits", &inits, sizeof(inits)), 0);
	ck_assert_int_eq(bel_object_get_var(obj, "acks", &acks, sizeof(acks)), 0);
	ck_assert_uint_ge(inits, 1);
	ck_assert_uint_ge(acks, 1);
	printf("struct_ops %s: %s registered; a connection ran it: %llu inits, %llu acks\n",
	       fixture, name, (unsigned long long)inits, (unsigned long long)acks);
	ck_assert_int_eq(bel_map_detach_struct_ops(map), 0);
	ck_assert_int_eq(use_cc(name), 2);
	/* attached again (through a link: a map registered by update is registered once), then
	 * the object closed: that unregisters too */
	if (linked) {
		ck_assert_int_ge(bel_map_attach_struct_ops(map), 0);
		ck_assert_int_eq(use_cc(name), 0);
	} else if (_i) {
		ck_assert_int_eq(bel_map_attach_struct_ops(map), -EBUSY);
	}
	bel_object_close(obj);
	ck_assert_int_eq(use_cc(name), 2);
}
END_TEST

/* Pinned: a struct_ops map registered by its update stays registered after the object is
 * closed (as a pinned link keeps its program attached); a restart that adopts the tree finds
 * it registered; removing the tree unregisters it. */
START_TEST(test_struct_ops_pinned)
{
	struct bel_adopt_opts ao = {.sz = sizeof(ao)};
	struct bel_load_opts lo = {.sz = sizeof(lo)};
	struct bel_object *obj;
	struct bel_map *map;
	char name[16], path[512], err[512];
	const char *root;
	size_t size = 0;
	char *value;
	int i;

	if (!kernel_ready())
		return;
	root = pin_root_create();
	snprintf(name, sizeof(name), "belccp%d", (int)getpid() % 100000);
	for (i = 0; i < 2; i++) {
		obj = open_fixture("struct_ops", NULL);
		map = bel_object_find_map(obj, "bel_cc");
		value = bel_map_initial_value(map, &size);
		ck_assert_ptr_nonnull(value);
		memcpy(value + 32, name, sizeof(name));
		if (!i)
			ck_assert_msg(!bel_object_load(obj, &lo), "%s", bel_object_last_error(obj));
		else /* the restart: everything taken from the tree */
			ck_assert_msg(!bel_object_adopt(obj, root, &ao, NULL), "%s",
				      bel_object_last_error(obj));
		ck_assert_msg(bel_map_attach_struct_ops(map) >= 0, "%s", bel_object_last_error(obj));
		ck_assert_int_eq(use_cc(name), 0);
		ck_assert_msg(!bel_object_pin(obj, root), "%s", bel_object_last_error(obj));
		bel_object_close(obj);
		ck_assert_int_eq(use_cc(name), 0); /* still registered */
	}
	snprintf(path, sizeof(path), "%s/struct_ops", root);
	ck_assert_msg(!bel_unpin(path, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(use_cc(name), 2);
	pin_root_remove();
}
END_TEST

/* A struct_ops program loaded alone knows its member; attaching a program is refused. */
START_TEST(test_struct_ops_prog_alone)
{
	struct bel_object *obj;
	struct bel_program *p;

	if (!kernel_ready())
		return;
	obj = open_fixture("struct_ops", NULL);
	p = bel_object_find_program(obj, "bel_cc_cong_avoid");
	ck_assert_msg(!bel_program_load(p), "%s", bel_object_last_error(obj));
	ck_assert_int_lt(bel_map_fd(bel_object_find_map(obj, "bel_cc")), 0);
	ck_assert_int_eq(bel_program_attach(p, NULL), -EINVAL);
	ck_assert_msg(strstr(bel_object_last_error(obj), "bel_map_attach_struct_ops"), "%s",
		      bel_object_last_error(obj));
	/* the map's other programs are not loaded: attaching it says which */
	ck_assert_int_eq(bel_map_attach_struct_ops(bel_object_find_map(obj, "bel_cc")), -ENOENT);
	ck_assert_msg(strstr(bel_object_last_error(obj), "is not loaded"), "%s",
		      bel_object_last_error(obj));
	bel_object_close(obj);
}
END_TEST

/* ---- freplace by pinned path ---------------------------------------------------------------- */

START_TEST(test_freplace_pinned_target)
{
	struct bel_object *obj;
	struct bel_program *target, *repl;
	const char *root;
	char path[512], mpath[512];
	int ret;

	if (!kernel_ready())
		return;
	root = pin_root_create();
	ck_assert_ptr_nonnull(root);
	obj = open_fixture("freplace", NULL);
	target = bel_object_find_program(obj, "target");
	repl = bel_object_find_program(obj, "new_verdict");
	ck_assert_int_eq(bel_program_load(target), 0);
	ck_assert_int_eq(bel_object_pin(obj, root), 0);
	snprintf(path, sizeof(path), "%s/freplace/programs/target", root);
	snprintf(mpath, sizeof(mpath), "%s/nothing-here", root);
	ck_assert_int_eq(bel_program_set_attach_target_pinned(repl, mpath, NULL), -ENOENT);
	ck_assert_int_eq(bel_program_set_attach_target_pinned(repl, path, "get_verdict"), 0);
	ret = bel_program_load(repl);
	/* lockdown here refuses freplace loads (EPERM); where the kernel takes them, it loads */
	ck_assert_msg(ret == 0 || (ret == -EPERM && !getenv("BEL_TEST_ALL_LINKS")), "%s",
		      bel_object_last_error(obj));
	printf("freplace against a pinned target: %s\n", ret ? bel_object_last_error(obj) : "loaded");
	bel_object_close(obj);
	pin_root_remove();
}
END_TEST

/* ---- maps: every map with a whole-object load, pins by name, trial loads -------------------- */

START_TEST(test_maps_only_object)
{
	struct bel_load_opts lo = {.sz = sizeof(lo)};
	struct bel_open_opts o = {.sz = sizeof(o)};
	struct bel_object *obj, *trial;
	char pin[512];
	struct stat st;
	const char *root;

	if (!kernel_ready())
		return;
	root = pin_root_create();
	ck_assert_ptr_nonnull(root);
	o.pin_root = root;
	snprintf(pin, sizeof(pin), "%s/bel_shared_counts", root);
	obj = open_fixture("maps_only", &o);
	ck_assert_int_eq(bel_object_load(obj, &lo), 0);
	ck_assert_int_ge(bel_map_fd(bel_object_find_map(obj, "bel_shared_counts")), 0);
	ck_assert_int_ge(bel_map_fd(bel_object_find_map(obj, "user_config")), 0);
	ck_assert_msg(!stat(pin, &st), "%s not pinned", pin);
	/* a trial load beside it: its own map, neither the pin reused nor a pin made */
	o.ignore_pinning = true;
	trial = open_fixture("maps_only", &o);
	ck_assert_int_eq(bel_object_load(trial, &lo), 0);
	ck_assert_uint_ne(bel_map_id(bel_object_find_map(trial, "bel_shared_counts")),
			  bel_map_id(bel_object_find_map(obj, "bel_shared_counts")));
	ck_assert_ptr_null(bel_map_pin_path(bel_object_find_map(trial, "bel_shared_counts")));
	bel_object_close(trial);
	/* unloading drops the whole-object load's maps; the pin stays */
	bel_object_unload(obj);
	ck_assert_int_lt(bel_map_fd(bel_object_find_map(obj, "user_config")), 0);
	bel_object_close(obj);
	ck_assert_msg(!stat(pin, &st), "%s gone", pin);
	unlink(pin);
	/* trial only: nothing appears */
	trial = open_fixture("maps_only", &o);
	ck_assert_int_eq(bel_object_load(trial, &lo), 0);
	bel_object_close(trial);
	ck_assert_msg(stat(pin, &st) && errno == ENOENT, "%s was made by a trial load", pin);
	pin_root_remove();
}
END_TEST

/* `bel verify` leaves bpffs as it found it: the default pin root gains nothing. */
START_TEST(test_verify_leaves_nothing)
{
	char cmd[1024], out[8192];
	struct stat st;
	int ret;

	if (!kernel_ready())
		return;
	if (!stat("/sys/fs/bpf/bel_shared_counts", &st)) {
		printf("verify: /sys/fs/bpf/bel_shared_counts exists already (another test?): "
		       "not checked\n");
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s verify %s 2>&1", BEL_CLI, fixture_path("maps_only"));
	ret = run_capture(cmd, out, sizeof(out));
	ck_assert_msg(ret == 0, "%s: %d: %s", cmd, ret, out);
	ck_assert_msg(stat("/sys/fs/bpf/bel_shared_counts", &st) && errno == ENOENT,
		      "bel verify pinned a map at the bpffs root");
}
END_TEST

/* Single programs create only their maps; the whole-object load creates the rest. */
START_TEST(test_program_load_own_maps)
{
	struct bel_load_opts lo = {.sz = sizeof(lo)};
	struct bel_object *obj;
	struct bel_program *p;

	if (!kernel_ready())
		return;
	obj = open_fixture("cilium_style", NULL);
	p = bel_object_find_program(obj, "sock_count");
	ck_assert_msg(!bel_program_load(p), "%s", bel_object_last_error(obj));
	ck_assert_int_ge(bel_map_fd(bel_object_find_map(obj, "counts")), 0);
	ck_assert_int_lt(bel_map_fd(bel_object_find_map(obj, "perf_events")), 0);
	ck_assert_int_lt(bel_map_fd(bel_object_find_map(obj, "ring_events")), 0);
	ck_assert_int_eq(bel_program_unload(p), 0);
	ck_assert_int_lt(bel_map_fd(bel_object_find_map(obj, "counts")), 0);
	/* whole object: every program of cilium/ebpf's names, every map */
	ck_assert_msg(!bel_object_load(obj, &lo), "%s", bel_object_last_error(obj));
	ck_assert_uint_eq(bel_program_type(bel_object_find_program(obj, "xdp_count")),
			  BPF_PROG_TYPE_XDP);
	ck_assert_uint_eq(bel_program_type(bel_object_find_program(obj, "perf_count")),
			  BPF_PROG_TYPE_PERF_EVENT);
	ck_assert_uint_eq(bel_map_value_size(bel_object_find_map(obj, "perf_events")), 4);
	ck_assert_uint_eq(bel_map_value_size(bel_object_find_map(obj, "ring_events")), 0);
	ck_assert_int_ge(bel_map_fd(bel_object_find_map(obj, "ring_events")), 0);
	/* a program unloaded: the maps stay with the object's load */
	ck_assert_int_eq(bel_program_unload(bel_object_find_program(obj, "tc_count")), 0);
	ck_assert_int_ge(bel_map_fd(bel_object_find_map(obj, "ring_events")), 0);
	bel_object_close(obj);
}
END_TEST

/* ---- externs, hidden functions, legacy maps ------------------------------------------------- */

static uint32_t run_tc(struct bel_program *p)
{
	char pkt[64] = {0};
	struct bel_test_run_opts o = {.sz = sizeof(o), .data_in = pkt, .data_size_in = sizeof(pkt)};

	ck_assert_int_eq(bel_program_test_run(p, &o), 0);
	return o.retval;
}

START_TEST(test_ksym_exists)
{
	struct bel_load_opts lo = {.sz = sizeof(lo)};
	struct bel_object *obj;

	if (!kernel_ready())
		return;
	obj = open_fixture("ksym_exists", NULL);
	ck_assert_msg(!bel_object_load(obj, &lo), "%s", bel_object_last_error(obj));
	ck_assert_uint_eq(run_tc(bel_object_find_program(obj, "present")), 1);
	ck_assert_uint_eq(run_tc(bel_object_find_program(obj, "missing")), 2);
	bel_object_close(obj);
}
END_TEST

START_TEST(test_loads_whole)
{
	const char *const names[] = {"usdt_args", "legacy_linked", "cilium_style"};
	struct bel_load_opts lo = {.sz = sizeof(lo)};
	struct bel_object *obj;
	unsigned int i;

	if (!kernel_ready())
		return;
	obj = open_fixture(names[_i], NULL);
	ck_assert_msg(!bel_object_load(obj, &lo), "%s: %s", names[_i], bel_object_last_error(obj));
	for (i = 0; i < bel_object_map_count(obj); i++)
		ck_assert_int_ge(bel_map_fd(bel_object_map(obj, i)), 0);
	bel_object_close(obj);
}
END_TEST

/* The symbol `name` of an ELF image, to break it. */
static Elf64_Sym *image_sym(uint8_t *buf, const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Shdr *sh = (Elf64_Shdr *)(buf + eh->e_shoff);
	unsigned int i, j;

	for (i = 0; i < eh->e_shnum; i++) {
		Elf64_Sym *syms = (Elf64_Sym *)(buf + sh[i].sh_offset);
		const char *strs = (const char *)buf + sh[sh[i].sh_link].sh_offset;

		if (sh[i].sh_type != SHT_SYMTAB)
			continue;
		for (j = 0; j < sh[i].sh_size / sizeof(*syms); j++)
			if (!strcmp(strs + syms[j].st_name, name))
				return &syms[j];
	}
	return NULL;
}

/* An extern the object does not describe fails the programs that use it, not the object. */
START_TEST(test_extern_error_per_program)
{
	struct bel_load_opts lo = {.sz = sizeof(lo), .keep_going = true};
	struct bel_open_opts o = {.sz = sizeof(o), .name = "subprogs_broken"};
	struct bel_object *obj;
	unsigned int i, failed = 0, loaded = 0;
	size_t size;
	uint8_t *buf = read_file(fixture_path("subprogs"), &size);
	Elf64_Sym *sym;

	if (!kernel_ready())
		return;
	ck_assert_ptr_nonnull(buf);
	sym = image_sym(buf, "global_classify");
	ck_assert_ptr_nonnull(sym);
	sym->st_shndx = SHN_UNDEF;
	ck_assert_msg(!bel_object_open_mem(buf, size, &o, &obj), "%s", bel_thread_error());
	free(buf);
	ck_assert_int_ne(bel_object_load(obj, &lo), 0);
	for (i = 0; i < bel_object_program_count(obj); i++) {
		struct bel_program *p = bel_object_program(obj, i);

		if (bel_program_status(p)) {
			failed++;
			ck_assert_msg(strstr(bel_program_error(p), "extern 'global_classify'"), "%s",
				      bel_program_error(p));
		} else {
			loaded++;
		}
	}
	ck_assert_uint_gt(failed, 0);
	ck_assert_uint_gt(loaded, 0);
	bel_object_close(obj);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("compat");
	TCase *tc = tcase_create("kernel");
	SRunner *sr;

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_struct_ops_tcp_cc, 0, 2);
	tcase_add_test(tc, test_struct_ops_pinned);
	tcase_add_test(tc, test_struct_ops_prog_alone);
	tcase_add_test(tc, test_freplace_pinned_target);
	tcase_add_test(tc, test_maps_only_object);
	tcase_add_test(tc, test_verify_leaves_nothing);
	tcase_add_test(tc, test_program_load_own_maps);
	tcase_add_test(tc, test_ksym_exists);
	tcase_add_loop_test(tc, test_loads_whole, 0, 3);
	tcase_add_test(tc, test_extern_error_per_program);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	return run_srunner(sr);
}
