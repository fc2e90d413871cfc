/* SPDX-License-Identifier: MIT */
/*
 * uprobes, uretprobes and USDT probes on the real kernel, each fired and checked through what
 * its program recorded: functions of this binary and of libbeluprobe.so (found by name,
 * versioned symbols), libc's getpid, by pid and for every process (a child process made with
 * fork+exec of this binary), with cookies; USDT probes of this binary through libbpf's
 * <bpf/usdt.bpf.h> with register, constant and memory operands and a semaphore; pinned links.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bel/bel.h>

#include "elf/binary.h"
#include "elf/usdt_spec.h"
#include "syscall/bpf.h"
#include "testutil.h"
#include "uprobe.h"
#include "uprobe/fixture.h"
#include "uprobe/lib.h"
#include "uprobe/probes.h"

struct usdt_rec {
	uint64_t count;
	long args[4];
	long nargs;
	uint64_t usdt_cookie;
};

static struct bel_object *open_loaded(const char *fixture)
{
	struct bel_object *obj;

	ck_assert_msg(bel_object_open_file(fixture_path(fixture), NULL, &obj) == 0, "%s",
		      bel_thread_error());
	ck_assert_msg(bel_object_load(obj, NULL) == 0, "%s", bel_object_last_error(obj));
	return obj;
}

static int attach(struct bel_object *obj, const char *prog, const struct bel_attach_opts *o)
{
	struct bel_program *p = bel_object_find_program(obj, prog);
	int ret;

	ck_assert_ptr_nonnull(p);
	ret = bel_program_attach(p, o);
	ck_assert_msg(ret >= 0, "%s: %s", prog, bel_object_last_error(obj));
	return ret;
}

/* This binary again, in a new process, calling bel_target_add(a, 1) once; returns its pid. */
static int run_child(long a)
{
	const char *exe = self_exe();
	char arg[32];
	int status;
	pid_t pid;

	snprintf(arg, sizeof(arg), "%ld", a);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl(exe, "test_uprobe", "--call-add", arg, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return pid;
}

/* A uprobe and a uretprobe on a function of this binary, for this process only: calls here
 * count, with the cookie and the argument or result; a call in another process does not. */
START_TEST(test_uprobe_by_pid)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .func = "bel_target_add", .cookie = 0xc0ffee,
				    .pid = getpid()};
	struct bel_object *obj;
	struct uprobe_rec r;

	if (!kernel_ready())
		return;
	o.binary = self_exe();
	obj = open_loaded("uprobe");
	attach(obj, "up_entry", &o);
	o.cookie = 0xbeef;
	attach(obj, "up_return", &o);
	ck_assert_int_eq(bel_target_add(20, 2), 42);
	ck_assert_int_eq(bel_target_add(5, 1), 11);
	r = get_rec(obj, 0);
	ck_assert_uint_eq(r.count, 2);
	ck_assert_uint_eq(r.cookie, 0xc0ffee);
	ck_assert_uint_eq(r.value, 5);
	ck_assert_uint_eq(r.pid, (uint64_t)getpid());
	r = get_rec(obj, 1);
	ck_assert_uint_eq(r.count, 2);
	ck_assert_uint_eq(r.cookie, 0xbeef);
	ck_assert_uint_eq(r.value, 11);
	run_child(7);
	ck_assert_uint_eq(get_rec(obj, 0).count, 2);
	/* detached: no more counts */
	bel_program_detach(bel_object_find_program(obj, "up_entry"));
	bel_target_add(1, 1);
	ck_assert_uint_eq(get_rec(obj, 0).count, 2);
	ck_assert_uint_eq(get_rec(obj, 1).count, 3);
	bel_object_close(obj);
}
END_TEST

/* For every process: a call in a child process counts, with the child's pid. */
START_TEST(test_uprobe_system_wide)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .func = "bel_target_add", .cookie = 77};
	struct bel_object *obj;
	struct uprobe_rec r;
	int child;

	if (!kernel_ready())
		return;
	o.binary = self_exe();
	obj = open_loaded("uprobe");
	attach(obj, "up_entry", &o);
	attach(obj, "up_return", &o);
	child = run_child(30);
	r = get_rec(obj, 0);
	ck_assert_uint_eq(r.count, 1);
	ck_assert_uint_eq(r.value, 30);
	ck_assert_uint_eq(r.cookie, 77);
	ck_assert_uint_eq(r.pid, (uint64_t)child);
	r = get_rec(obj, 1);
	ck_assert_uint_eq(r.count, 1);
	ck_assert_uint_eq(r.value, 61);
	bel_object_close(obj);
}
END_TEST

/* Sections that name a library by file name and a symbol version; the library is found
 * through LD_LIBRARY_PATH. A function offset, as "+OFF" would give, lands inside it. */
START_TEST(test_uprobe_library)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .cookie = 5};
	struct bel_object *obj;
	struct uprobe_rec r;

	if (!kernel_ready())
		return;
	setenv("LD_LIBRARY_PATH", BEL_UPROBE_LIB_DIR, 1);
	obj = open_loaded("uprobe");
	attach(obj, "up_lib", &o);
	o.cookie = 6;
	attach(obj, "up_lib_return", &o);
	attach(obj, "up_versioned", NULL);
	ck_assert_int_eq(bel_lib_add(2, 40), 42);
	ck_assert_int_eq(bel_lib_versioned(3), 2003);
	r = get_rec(obj, 2);
	ck_assert_uint_eq(r.count, 1);
	ck_assert_uint_eq(r.cookie, 5);
	ck_assert_uint_eq(r.value, 40);
	r = get_rec(obj, 3);
	ck_assert_uint_eq(r.count, 1);
	ck_assert_uint_eq(r.cookie, 6);
	ck_assert_uint_eq(r.value, 42);
	r = get_rec(obj, 4);
	ck_assert_uint_eq(r.count, 1);
	ck_assert_uint_eq(r.value, 3);
	bel_object_close(obj);
}
END_TEST

/* libc by its soname, through /etc/ld.so.cache; a sleepable uprobe program. */
START_TEST(test_uprobe_libc_and_sleepable)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .binary = "libc.so.6", .func = "getpid",
				    .pid = getpid(), .cookie = 9};
	struct bel_object *obj;
	struct uprobe_rec r;

	if (!kernel_ready())
		return;
	obj = open_loaded("uprobe");
	attach(obj, "up_entry", &o);
	o.binary = self_exe();
	o.func = "bel_target_add";
	o.cookie = 10;
	attach(obj, "up_sleepable", &o);
	ck_assert_int_eq(getpid(), (int)get_rec(obj, 0).pid);
	r = get_rec(obj, 0);
	ck_assert_uint_ge(r.count, 1);
	ck_assert_uint_eq(r.cookie, 9);
	bel_target_add(8, 0);
	r = get_rec(obj, 5);
	ck_assert_uint_eq(r.count, 1);
	ck_assert_uint_eq(r.value, 8);
	ck_assert_uint_eq(r.cookie, 10);
	bel_object_close(obj);
}
END_TEST

/* Pinned uprobe links keep firing after the object is closed; unpinning detaches them. */
START_TEST(test_uprobe_pinned)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .func = "bel_target_add"};
	const char *root;
	char path[PATH_MAX], err[256];
	struct bel_object *obj;
	struct bel_map *recs;
	uint32_t slot = 0;
	struct uprobe_rec r;

	if (!kernel_ready() || !(root = pin_root_create()))
		return;
	o.binary = self_exe();
	obj = open_loaded("uprobe");
	attach(obj, "up_entry", &o);
	ck_assert_msg(bel_object_pin(obj, root) == 0, "%s", bel_object_last_error(obj));
	bel_object_close(obj);
	snprintf(path, sizeof(path), "%s/uprobe/links/up_entry", root);
	ck_assert_int_eq(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/uprobe/maps/recs", root);
	ck_assert_int_eq(bel_map_open_pinned(path, &recs), 0);
	bel_target_add(4, 4);
	ck_assert_int_eq(bel_map_lookup_elem(recs, &slot, 4, &r, sizeof(r), 0), 0);
	ck_assert_uint_eq(r.count, 1);
	snprintf(path, sizeof(path), "%s/uprobe", root);
	ck_assert_msg(bel_unpin(path, err, sizeof(err)) == 0, "%s", err);
	bel_target_add(4, 4);
	ck_assert_int_eq(bel_map_lookup_elem(recs, &slot, 4, &r, sizeof(r), 0), 0);
	ck_assert_uint_eq(r.count, 1);
	bel_map_close(recs);
	pin_root_remove();
}
END_TEST

/* What the kernel says of a uprobe link (Linux 6.6 fills perf_event.uprobe): the file bel read
 * (given as /proc/self/fd/N, reported by its path) and the offset elf/binary.c computed. */
struct link_info_uprobe {
	uint32_t type, id, prog_id, pad;
	uint32_t pe_type, pad2;
	uint64_t file_name;
	uint32_t name_len, offset;
	uint64_t cookie;
	uint8_t rest[64];
};

START_TEST(test_uprobe_link_info)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .func = "bel_target_add", .func_offset = 4};
	struct link_info_uprobe info;
	uint32_t len = sizeof(info);
	struct bel_binary_func f;
	struct bel_binary *bin;
	struct bel_err err = {0};
	struct bel_object *obj;
	char name[PATH_MAX];
	size_t size;
	void *image;
	int link;

	if (!kernel_ready())
		return;
	o.binary = self_exe();
	obj = open_loaded("uprobe");
	link = attach(obj, "up_entry", &o);
	memset(&info, 0, sizeof(info));
	info.file_name = (uint64_t)(uintptr_t)name;
	info.name_len = sizeof(name);
	ck_assert_int_eq(bel_sys_obj_get_info_by_fd(link, &info, &len), 0);
	ck_assert_uint_eq(info.type, BPF_LINK_TYPE_PERF_EVENT);
	if (info.pe_type == 0) {
		printf("link_info: this kernel does not describe perf-event links (before 6.6)\n");
		bel_object_close(obj);
		return;
	}
	ck_assert_uint_eq(info.pe_type, 1); /* BPF_PERF_EVENT_UPROBE */
	ck_assert_str_eq(name, self_exe());
	image = read_file(self_exe(), &size);
	ck_assert_int_eq(bel_binary_open(image, size, &bin, &err), 0);
	ck_assert_int_eq(bel_binary_find_func(bin, "bel_target_add", &f, &err), 0);
	ck_assert_uint_eq(info.offset, f.offset + 4);
	bel_binary_free(bin);
	free(image);
	bel_object_close(obj);
}
END_TEST

/* A binary replaced after bel read it is not probed at offsets computed from the old one. */
START_TEST(test_uprobe_replaced_binary)
{
	char dir[] = "/tmp/bel-uprobe-XXXXXX", path[PATH_MAX], other[PATH_MAX], cmd[3 * PATH_MAX];
	struct ldr_target_binary t;
	struct bel_err err = {0};

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/target", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s && cp %s %s", self_exe(), path, self_exe(), other);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_msg(ldr_target_binary_open(path, &t, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(ldr_target_binary_check(&t, &err), 0);
	ck_assert_int_eq(rename(other, path), 0);
	ck_assert_int_eq(ldr_target_binary_check(&t, &err), -ESTALE);
	ck_assert_msg(strstr(err.msg, "replaced"), "%s", err.msg);
	ldr_target_binary_close(&t);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* Failures name the binary and the symbol; nothing is left attached. */
START_TEST(test_uprobe_errors)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .func = "bel_no_such_function"};
	struct bel_program *p;
	struct bel_object *obj;
	int fds;

	if (!kernel_ready())
		return;
	o.binary = self_exe();
	obj = open_loaded("uprobe");
	p = bel_object_find_program(obj, "up_entry");
	fds = count_fds();
	ck_assert_int_eq(bel_program_attach(p, &o), -ENOENT);
	ck_assert_msg(strstr(bel_object_last_error(obj), "bel_no_such_function") &&
		      strstr(bel_object_last_error(obj), self_exe()), "%s", bel_object_last_error(obj));
	o.binary = "/nonexistent/binary";
	ck_assert_int_eq(bel_program_attach(p, &o), -ENOENT);
	ck_assert_msg(strstr(bel_object_last_error(obj), "/nonexistent/binary"), "%s",
		      bel_object_last_error(obj));
	o.binary = fixture_path("uprobe"); /* a BPF object, not an executable */
	ck_assert_int_eq(bel_program_attach(p, &o), -ENOEXEC);
	ck_assert_msg(strstr(bel_object_last_error(obj), "not an executable"), "%s",
		      bel_object_last_error(obj));
	o.binary = "no-such-library.so.1";
	ck_assert_int_eq(bel_program_attach(p, &o), -ENOENT);
	o.binary = "../escape.so";
	ck_assert_int_lt(bel_program_attach(p, &o), 0);
	o.binary = NULL;
	ck_assert_int_eq(bel_program_attach(p, &o), -EINVAL);
	ck_assert_msg(strstr(bel_object_last_error(obj), "names no binary"), "%s",
		      bel_object_last_error(obj));
	/* a uretprobe on a function's middle */
	o.binary = self_exe();
	o.func = "bel_target_add";
	o.func_offset = 4;
	ck_assert_int_eq(bel_program_attach(bel_object_find_program(obj, "up_return"), &o), -EINVAL);
	ck_assert_uint_eq(bel_program_link_count(p), 0);
	ck_assert_int_eq(count_fds(), fds);
	bel_object_close(obj);
}
END_TEST

static struct usdt_rec get_usdt(struct bel_object *obj, uint32_t slot)
{
	struct usdt_rec r;

	ck_assert_int_eq(bel_map_lookup_elem(bel_object_find_map(obj, "usdt_recs"), &slot,
					     sizeof(slot), &r, sizeof(r), 0), 0);
	return r;
}

/* The sites of a probe of this binary, as bel reads them. */
static uint32_t usdt_sites(const char *provider, const char *name, struct bel_usdt_site **sites,
			   void **image, struct bel_binary **bin)
{
	struct bel_err err = {0};
	size_t size;
	uint32_t n;

	*image = read_file(self_exe(), &size);
	ck_assert_ptr_nonnull(*image);
	ck_assert_msg(bel_binary_open(*image, size, bin, &err) == 0, "%s", err.msg);
	ck_assert_msg(bel_binary_usdt_sites(*bin, provider, name, sites, &n, &err) == 0, "%s",
		      err.msg);
	return n;
}

/* Register, constant and memory operands read through usdt.bpf.h; the spec in its map is the
 * one elf/usdt_spec.h makes of the note; the ip map has the site; detaching gives the ids
 * back, so attaching again takes the same. */
START_TEST(test_usdt_args)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .cookie = 0x5eed, .pid = getpid()};
	struct bel_holder h = {.pad = 1, .val = 123};
	struct bel_usdt_site *sites;
	struct bel_binary *bin;
	struct bel_object *obj;
	struct bel_program *p;
	struct usdt_rec r;
	uint8_t want[BEL_USDT_SPEC_SIZE], got[BEL_USDT_SPEC_SIZE];
	char target[PATH_MAX + 32];
	struct bel_err err = {0};
	uint32_t nsites, id = 0, i;
	void *image;
	int link;

	if (!kernel_ready())
		return;
	snprintf(target, sizeof(target), "%s:bel:args", self_exe());
	o.target = target;
	obj = open_loaded("usdt");
	p = bel_object_find_program(obj, "usdt_args");
	link = attach(obj, "usdt_args", &o);
	nsites = usdt_sites("bel", "args", &sites, &image, &bin);
	ck_assert_uint_eq(bel_program_link_count(p), nsites);
	ck_assert_int_eq(bel_program_link_fd(p, nsites - 1), link);
	bel_fire_usdt(-5, &h);
	r = get_usdt(obj, 0);
	ck_assert_uint_eq(r.count, 1);
	ck_assert_int_eq(r.args[0], -5);
	ck_assert_int_eq(r.args[1], 7);
	ck_assert_int_eq(r.args[2], 123);
	ck_assert_int_eq(r.nargs, 3);
	ck_assert_uint_eq(r.usdt_cookie, 0x5eed);
	/* spec 0 is the note's spec */
	ck_assert_int_eq(bel_usdt_spec_build(sites[0].args, 0x5eed, want, &err), 0);
	ck_assert_int_eq(bel_map_lookup_elem(bel_object_find_map(obj, "__bpf_usdt_specs"), &id, 4,
					     got, sizeof(got), 0), 0);
	ck_assert(!memcmp(want, got, sizeof(want)));
	/* the sites are in this process at known addresses: the ip map has them */
	for (i = 0; i < nsites; i++) {
		uint64_t ip = 0;
		uint32_t spec;
		char line[512];
		unsigned long long lo, hi, off;
		FILE *f = fopen("/proc/self/maps", "r");

		while (!ip && fgets(line, sizeof(line), f))
			if (strstr(line, self_exe()) && sscanf(line, "%llx-%llx %*s %llx", &lo, &hi, &off) == 3 &&
			    sites[i].offset >= off && sites[i].offset - off < hi - lo)
				ip = lo + sites[i].offset - off;
		fclose(f);
		ck_assert_uint_ne(ip, 0);
		ck_assert_int_eq(bel_map_lookup_elem(bel_object_find_map(obj, "__bpf_usdt_ip_to_spec_id"),
						     &ip, 8, &spec, 4, 0), 0);
		ck_assert_uint_lt(spec, 256);
		ck_assert_uint_eq((uint64_t)ip, (uint64_t)(uintptr_t)ip);
	}
	/* detach: the ip entries go, the spec id comes back for the next attach */
	bel_program_detach(p);
	bel_fire_usdt(1, &h);
	ck_assert_uint_eq(get_usdt(obj, 0).count, 1);
	{
		uint64_t key = 0, next;

		ck_assert_int_eq(bel_map_get_next_key(bel_object_find_map(obj, "__bpf_usdt_ip_to_spec_id"),
						      NULL, &next, 8), -ENOENT);
		(void)key;
	}
	o.cookie = 0x600d;
	attach(obj, "usdt_args", &o);
	bel_fire_usdt(2, &h);
	r = get_usdt(obj, 0);
	ck_assert_uint_eq(r.count, 2);
	ck_assert_uint_eq(r.usdt_cookie, 0x600d);
	ck_assert_int_eq(bel_map_lookup_elem(bel_object_find_map(obj, "__bpf_usdt_specs"), &id, 4,
					     got, sizeof(got), 0), 0);
	ck_assert_int_eq(bel_usdt_spec_build(sites[0].args, 0x600d, want, &err), 0);
	ck_assert(!memcmp(want, got, sizeof(want)));
	free(sites);
	bel_binary_free(bin);
	free(image);
	bel_object_close(obj);
}
END_TEST

/* A probe with a semaphore: the kernel raises it while the probe is attached, and the probe
 * (guarded by it) fires; system-wide this time. */
START_TEST(test_usdt_semaphore)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .usdt_provider = "bel", .usdt_name = "sema",
				    .cookie = 3};
	struct bel_object *obj;
	struct usdt_rec r;

	if (!kernel_ready())
		return;
	o.binary = self_exe();
	obj = open_loaded("usdt");
	ck_assert_uint_eq(bel_sema_value(), 0);
	bel_fire_sema(1);
	attach(obj, "usdt_sema", &o);
	ck_assert_uint_gt(bel_sema_value(), 0);
	bel_fire_sema(9);
	r = get_usdt(obj, 1);
	ck_assert_uint_eq(r.count, 1);
	ck_assert_int_eq(r.args[0], 9);
	ck_assert_int_eq(r.nargs, 1);
	ck_assert_uint_eq(r.usdt_cookie, 3);
	bel_program_detach(bel_object_find_program(obj, "usdt_sema"));
	ck_assert_uint_eq(bel_sema_value(), 0);
	bel_object_close(obj);
}
END_TEST

/* The same semaphore through a plain uprobe's ref_ctr_offset. */
START_TEST(test_uprobe_ref_ctr)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .func = "bel_fire_sema", .pid = getpid()};
	struct bel_usdt_site *sites;
	struct bel_binary *bin;
	struct bel_object *obj;
	void *image;

	if (!kernel_ready())
		return;
	o.binary = self_exe();
	ck_assert_uint_eq(usdt_sites("bel", "sema", &sites, &image, &bin), 1);
	o.ref_ctr_offset = sites[0].sema_offset;
	ck_assert_uint_ne(o.ref_ctr_offset, 0);
	obj = open_loaded("uprobe");
	attach(obj, "up_entry", &o);
	ck_assert_uint_eq(bel_sema_value(), 1);
	bel_fire_sema(6);
	ck_assert_uint_eq(get_rec(obj, 0).value, 6);
	bel_object_close(obj);
	ck_assert_uint_eq(bel_sema_value(), 0);
	free(sites);
	bel_binary_free(bin);
	free(image);
}
END_TEST

/* Pinned USDT links keep their spec ids: a later attach of the same object takes another,
 * so the pinned links go on reading their own spec; they fire after the object is closed. */
START_TEST(test_usdt_pinned)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .usdt_provider = "bel", .usdt_name = "args",
				    .cookie = 1};
	struct bel_holder h = {.val = 5};
	char path[PATH_MAX], err[256];
	struct bel_map *recs;
	struct bel_object *obj;
	struct usdt_rec r;
	const char *root;
	uint8_t spec[BEL_USDT_SPEC_SIZE];
	uint32_t id = 0, slot = 0;
	uint64_t cookie;

	if (!kernel_ready() || !(root = pin_root_create()))
		return;
	o.binary = self_exe();
	obj = open_loaded("usdt");
	attach(obj, "usdt_args", &o);
	ck_assert_msg(bel_object_pin(obj, root) == 0, "%s", bel_object_last_error(obj));
	bel_program_detach(bel_object_find_program(obj, "usdt_args"));
	o.cookie = 2;
	attach(obj, "usdt_args", &o);
	/* spec 0 still holds the pinned attach's cookie; the new one took spec 1 */
	ck_assert_int_eq(bel_map_lookup_elem(bel_object_find_map(obj, "__bpf_usdt_specs"), &id, 4,
					     spec, sizeof(spec), 0), 0);
	memcpy(&cookie, spec + 192, 8);
	ck_assert_uint_eq(cookie, 1);
	bel_object_close(obj);
	snprintf(path, sizeof(path), "%s/usdt/maps/usdt_recs", root);
	ck_assert_int_eq(bel_map_open_pinned(path, &recs), 0);
	bel_fire_usdt(3, &h);
	ck_assert_int_eq(bel_map_lookup_elem(recs, &slot, 4, &r, sizeof(r), 0), 0);
	ck_assert_uint_eq(r.count, 1);
	ck_assert_int_eq(r.args[2], 5);
	ck_assert_uint_eq(r.usdt_cookie, 1);
	snprintf(path, sizeof(path), "%s/usdt", root);
	ck_assert_msg(bel_unpin(path, err, sizeof(err)) == 0, "%s", err);
	bel_map_close(recs);
	pin_root_remove();
}
END_TEST

/* The pid of a process that has exited and been reaped. */
static int gone_pid(void)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	return pid;
}

START_TEST(test_usdt_errors)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .usdt_provider = "bel", .usdt_name = "nothere"};
	uint8_t spec[BEL_USDT_SPEC_SIZE];
	struct bel_program *p;
	struct bel_object *obj;
	uint32_t id = 0;
	int fds;

	if (!kernel_ready())
		return;
	o.binary = self_exe();
	obj = open_loaded("usdt");
	p = bel_object_find_program(obj, "usdt_args");
	ck_assert_int_eq(bel_program_attach(p, &o), -ENOENT);
	ck_assert_msg(strstr(bel_object_last_error(obj), "bel:nothere") &&
		      strstr(bel_object_last_error(obj), self_exe()), "%s", bel_object_last_error(obj));
	o.target = "justonepart";
	ck_assert_int_eq(bel_program_attach(p, &o), -EINVAL);
	ck_assert_uint_eq(bel_program_link_count(p), 0);
	/* a process that is gone: the first probe fails, the spec id taken is given back and
	 * nothing stays open */
	fds = count_fds();
	o.target = NULL;
	o.usdt_name = "args";
	o.pid = gone_pid();
	ck_assert_int_eq(bel_program_attach(p, &o), -ESRCH);
	ck_assert_msg(strstr(bel_object_last_error(obj), "site 0"), "%s", bel_object_last_error(obj));
	ck_assert_uint_eq(bel_program_link_count(p), 0);
	ck_assert_int_eq(count_fds(), fds);
	o.pid = 0;
	o.cookie = 31;
	attach(obj, "usdt_args", &o);
	ck_assert_int_eq(bel_map_lookup_elem(bel_object_find_map(obj, "__bpf_usdt_specs"), &id, 4,
					     spec, sizeof(spec), 0), 0);
	ck_assert_int_eq(memcmp(spec + 192, &o.cookie, 8), 0);
	bel_object_close(obj);
}
END_TEST

static Suite *uprobe_suite(void)
{
	Suite *s = suite_create("uprobe");
	TCase *tc = tcase_create("uprobe");

	tcase_add_unchecked_fixture(tc, pin_root_setup, pin_root_remove);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_uprobe_by_pid);
	tcase_add_test(tc, test_uprobe_system_wide);
	tcase_add_test(tc, test_uprobe_library);
	tcase_add_test(tc, test_uprobe_libc_and_sleepable);
	tcase_add_test(tc, test_uprobe_pinned);
	tcase_add_test(tc, test_uprobe_errors);
	tcase_add_test(tc, test_uprobe_link_info);
	tcase_add_test(tc, test_uprobe_replaced_binary);
	suite_add_tcase(s, tc);
	tc = tcase_create("usdt");
	tcase_add_unchecked_fixture(tc, pin_root_setup, pin_root_remove);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_usdt_args);
	tcase_add_test(tc, test_usdt_semaphore);
	tcase_add_test(tc, test_uprobe_ref_ctr);
	tcase_add_test(tc, test_usdt_errors);
	tcase_add_test(tc, test_usdt_pinned);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr;

	/* the child process of run_child() */
	if (argc == 3 && !strcmp(argv[1], "--call-add"))
		return bel_target_add(atol(argv[2]), 1) == 2 * atol(argv[2]) + 1 ? 0 : 1;
	sr = srunner_create(uprobe_suite());
	return run_srunner(sr);
}
