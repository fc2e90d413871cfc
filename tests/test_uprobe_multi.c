/* SPDX-License-Identifier: MIT */
/*
 * uprobe_multi links (Linux 6.6) on the real kernel: a glob over a shared library's functions
 * (versioned ones included), functions listed by name with a cookie each, a uretprobe.multi by
 * pid, each fired and checked through what its program recorded, and what the kernel says the
 * link holds (its file offsets, from link info on 6.8 and later). Where the kernel has no
 * uprobe_multi links, attaching must say so.
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
#include "syscall/bpf.h"
#include "syscall/probe.h"
#include "testutil.h"
#include "uprobe/fixture.h"
#include "uprobe/lib.h"
#include "uprobe/probes.h"

/* The object loaded, or NULL where the kernel cannot be used (kernel_ready) or (with the reason
 * printed) where uprobe_multi links do not exist: then attaching must fail with ENOTSUP and
 * name the kernel version. */
static struct bel_object *open_loaded(void)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .binary = "/bin/true", .func = "*"};
	struct bel_object *obj;
	int ret;

	if (!kernel_ready())
		return NULL;
	ck_assert_msg(bel_object_open_file(fixture_path("uprobe_multi"), NULL, &obj) == 0, "%s",
		      bel_thread_error());
	ck_assert_msg(bel_object_load(obj, NULL) == 0, "%s", bel_object_last_error(obj));
	if (bel_link_features()->uprobe_multi)
		return obj;
	ret = bel_program_attach(bel_object_find_program(obj, "multi_entry"), &o);
	ck_assert_int_eq(ret, -ENOTSUP);
	ck_assert_msg(strstr(bel_object_last_error(obj), "no uprobe_multi links (Linux 6.6)"), "%s",
		      bel_object_last_error(obj));
	printf("uprobe_multi: not in this kernel, refused with: %s\n", bel_object_last_error(obj));
	bel_object_close(obj);
	return NULL;
}

static int attach(struct bel_object *obj, const char *prog, const struct bel_attach_opts *o)
{
	int ret = bel_program_attach(bel_object_find_program(obj, prog), o);

	ck_assert_msg(ret > 0, "%s: %s", prog, bel_object_last_error(obj));
	return ret;
}

/* struct bpf_link_info's uprobe_multi part (Linux 6.8), which the headers bel builds against
 * predate. */
struct link_info_multi {
	uint32_t type, id, prog_id, pad;
	uint64_t path, offsets, ref_ctr_offsets, cookies;
	uint32_t path_size, count, flags, pid;
	uint8_t rest[64];
};

/* What the kernel says the link probes: its file offsets (sorted) and path. false where the
 * kernel does not describe uprobe_multi links (before 6.8). */
static bool link_offsets(int link, uint64_t *offsets, uint32_t max, uint32_t *count, char *path)
{
	struct link_info_multi info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	info.offsets = (uint64_t)(uintptr_t)offsets;
	info.count = max;
	info.path = (uint64_t)(uintptr_t)path;
	info.path_size = PATH_MAX;
	ck_assert_int_eq(bel_sys_obj_get_info_by_fd(link, &info, &len), 0);
	ck_assert_uint_eq(info.type, 12); /* BPF_LINK_TYPE_UPROBE_MULTI */
	if (!info.count && !info.path_size)
		return false;
	*count = info.count;
	return true;
}

static uint64_t func_offset(const char *file, const char *name)
{
	struct bel_err err = {0};
	struct bel_binary_func f;
	struct bel_binary *bin;
	size_t size;
	void *image = read_file(file, &size);

	ck_assert_ptr_nonnull(image);
	ck_assert_msg(bel_binary_open(image, size, &bin, &err) == 0, "%s", err.msg);
	ck_assert_msg(bel_binary_find_func(bin, name, &f, &err) == 0, "%s", err.msg);
	bel_binary_free(bin);
	free(image);
	return f.offset;
}

static bool has_offset(const uint64_t *v, uint32_t n, uint64_t off)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (v[i] == off)
			return true;
	return false;
}

/* The section's glob over libbeluprobe.so (found by name): its three functions, both versions
 * of bel_lib_versioned among them, in one link; calls to two of them count, with the cookie. */
START_TEST(test_multi_glob_library)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .cookie = 9};
	uint64_t offsets[8];
	char path[PATH_MAX], lib[PATH_MAX];
	struct bel_object *obj;
	uint32_t n = 0;
	struct uprobe_rec r;
	int link;

	setenv("LD_LIBRARY_PATH", BEL_UPROBE_LIB_DIR, 1);
	obj = open_loaded();
	if (!obj)
		return;
	link = attach(obj, "multi_lib", &o);
	ck_assert_int_eq(bel_lib_add(2, 40), 42);
	ck_assert_int_eq(bel_lib_versioned(3), 2003);
	r = get_rec(obj, 0);
	ck_assert_uint_eq(r.count, 2);
	ck_assert_uint_eq(r.cookie, 9);
	ck_assert_uint_eq(r.value, 3);
	if (link_offsets(link, offsets, 8, &n, path)) {
		snprintf(lib, sizeof(lib), "%s/libbeluprobe.so", BEL_UPROBE_LIB_DIR);
		ck_assert_str_eq(path, lib);
		ck_assert_uint_eq(n, 3);
		ck_assert(has_offset(offsets, n, func_offset(lib, "bel_lib_add")));
		ck_assert(has_offset(offsets, n, func_offset(lib, "bel_lib_versioned@BEL_1")));
		ck_assert(has_offset(offsets, n, func_offset(lib, "bel_lib_versioned@@BEL_2")));
	} else {
		printf("link info: this kernel does not describe uprobe_multi links (before 6.8)\n");
	}
	bel_object_close(obj);
}
END_TEST

/* Functions by name with a cookie each, for this process only: calls here count, a call in
 * another process does not. */
START_TEST(test_multi_syms_by_pid)
{
	static const char *const syms[] = {"bel_target_add"};
	static const uint64_t cookies[] = {0x77};
	struct bel_attach_opts o = {.sz = sizeof(o), .syms = syms, .cookies = cookies, .cnt = 1,
				    .pid = getpid()};
	struct bel_object *obj;
	struct uprobe_rec r;
	int status;
	pid_t child;

	obj = open_loaded();
	if (!obj)
		return;
	o.binary = self_exe();
	attach(obj, "multi_entry", &o);
	ck_assert_int_eq(bel_target_add(20, 2), 42);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0)
		_exit(bel_target_add(1, 1) == 3 ? 0 : 1);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	r = get_rec(obj, 1);
	ck_assert_uint_eq(r.count, 1);
	ck_assert_uint_eq(r.cookie, 0x77);
	ck_assert_uint_eq(r.value, 20);
	ck_assert_uint_eq(r.pid, (uint64_t)getpid());
	bel_object_close(obj);
}
END_TEST

/* uretprobe.multi on a glob given in the options: the return value. */
START_TEST(test_multi_return)
{
	struct bel_attach_opts o = {.sz = sizeof(o), .func = "bel_target_ad?", .cookie = 3};
	struct bel_object *obj;
	struct uprobe_rec r;

	obj = open_loaded();
	if (!obj)
		return;
	o.binary = self_exe();
	attach(obj, "multi_return", &o);
	ck_assert_int_eq(bel_target_add(5, 1), 11);
	r = get_rec(obj, 2);
	ck_assert_uint_eq(r.count, 1);
	ck_assert_uint_eq(r.value, 11);
	ck_assert_uint_eq(r.cookie, 3);
	bel_program_detach(bel_object_find_program(obj, "multi_return"));
	bel_target_add(5, 1);
	ck_assert_uint_eq(get_rec(obj, 2).count, 1);
	bel_object_close(obj);
}
END_TEST

/* What cannot be attached says why and leaves nothing behind. */
START_TEST(test_multi_errors)
{
	static const char *const syms[] = {"bel_target_add", "bel_no_such_function"};
	struct bel_attach_opts o = {.sz = sizeof(o)};
	struct bel_program *p;
	struct bel_object *obj;
	int fds;

	obj = open_loaded();
	if (!obj)
		return;
	p = bel_object_find_program(obj, "multi_entry");
	fds = count_fds();
	o.binary = self_exe();
	o.func = "bel_nothing_matches_*";
	ck_assert_int_eq(bel_program_attach(p, &o), -ENOENT);
	ck_assert_msg(strstr(bel_object_last_error(obj), "no function matches 'bel_nothing_matches_*'"),
		      "%s", bel_object_last_error(obj));
	o.func = NULL;
	o.syms = syms;
	o.cnt = 2;
	ck_assert_int_eq(bel_program_attach(p, &o), -ENOENT);
	ck_assert_msg(strstr(bel_object_last_error(obj), "bel_no_such_function"), "%s",
		      bel_object_last_error(obj));
	o.cnt = 0;
	ck_assert_int_eq(bel_program_attach(p, &o), -EINVAL);
	o.syms = NULL;
	o.func = "bel_target_add";
	o.ref_ctr_offset = 8;
	ck_assert_int_eq(bel_program_attach(p, &o), -EINVAL);
	o.ref_ctr_offset = 0;
	o.binary = "/nonexistent/bel-binary";
	ck_assert(bel_program_attach(p, &o) < 0);
	ck_assert_msg(strstr(bel_object_last_error(obj), "/nonexistent/bel-binary"), "%s",
		      bel_object_last_error(obj));
	o.binary = NULL;
	ck_assert_int_eq(bel_program_attach(p, &o), -EINVAL);
	ck_assert_msg(strstr(bel_object_last_error(obj), "names no binary"), "%s",
		      bel_object_last_error(obj));
	ck_assert_uint_eq(bel_program_link_count(p), 0);
	ck_assert_int_eq(count_fds(), fds);
	bel_object_close(obj);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("uprobe_multi");
	TCase *tc = tcase_create("uprobe_multi");
	SRunner *sr;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_multi_glob_library);
	tcase_add_test(tc, test_multi_syms_by_pid);
	tcase_add_test(tc, test_multi_return);
	tcase_add_test(tc, test_multi_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	return run_srunner(sr);
}
