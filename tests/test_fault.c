/* SPDX-License-Identifier: MIT */
/*
 * Fault injection: the N-th bpf() call, or the N-th allocation bel makes, fails; for every N
 * up to the number a scenario makes, the scenario must report an error (or recover, where
 * bel has a fallback), leave no fd and no pin behind, and leak nothing (LeakSanitizer, in the
 * sanitizer build). The library is untouched: this binary is linked with
 * --wrap=syscall,malloc,calloc,realloc,strdup, so bel's own calls come here first.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bel/bel.h"
#include "syscall/bpf.h"
#include "syscall_wrap.h"
#include "testutil.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);

static bool armed;
static long bpf_calls, allocs, fail_bpf_at, fail_alloc_at;
static int fail_errno = ENOMEM;

long syscall_hook(long n, const long a[6])
{
	if (armed && n == __NR_bpf && ++bpf_calls == fail_bpf_at) {
		errno = fail_errno;
		return -1;
	}
	return real_syscall(n, a);
}

static bool alloc_fails(void)
{
	return armed && ++allocs == fail_alloc_at;
}

void *__wrap_malloc(size_t size) { return alloc_fails() ? NULL : __real_malloc(size); }
void *__wrap_calloc(size_t n, size_t size) { return alloc_fails() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t size) { return alloc_fails() ? NULL : __real_realloc(p, size); }
char *__wrap_strdup(const char *s) { return alloc_fails() ? NULL : __real_strdup(s); }

enum scenario { LOAD_AND_PIN, SINGLE_PROGRAM, PIN_BY_NAME, RUNTIME, ADOPT };

struct outcome {
	int ret;
	char msg[1024];
};

static int count_elem(const void *key, const void *value, void *ctx)
{
	(void)key;
	(void)value;
	++*(int *)ctx;
	return 0;
}

/* An element call that fails gives the kernel's errno and no message (by design: ENOENT and
 * EEXIST are answers); this is the message the agent would write. */
static char elem_msg[128];

static int elem_failed(const char *what, int ret)
{
	snprintf(elem_msg, sizeof(elem_msg), "%s: %s", what, strerror(ret < 0 ? -ret : EINVAL));
	return ret < 0 ? ret : -EINVAL;
}

/* What an agent does around a load: configure, load one program, map its counters, hold a
 * map and work its elements, run the program. */
static int runtime_calls(struct bel_object *obj)
{
	struct bel_program *p = bel_object_find_program(obj, "xdp_verdict");
	struct bel_map *by_byte = bel_object_find_map(obj, "by_byte");
	struct bel_map *bss = bel_object_find_map(obj, ".bss");
	uint8_t pkt[32] = {1}, out[64];
	struct bel_test_run_opts o = {.sz = sizeof(o), .data_in = pkt, .data_size_in = sizeof(pkt),
				      .data_out = out, .data_size_out = sizeof(out)};
	int32_t v = 42, n = 0;
	uint32_t k = 1;
	uint64_t val = 5;
	void *mapped;
	int ret;

	if ((ret = bel_object_set_var(obj, "cfg_int", &v, sizeof(v))) ||
	    (ret = bel_map_set_max_entries(by_byte, 2048)) || (ret = bel_program_load(p)))
		return ret;
	mapped = bel_map_mmap(bss, NULL);
	if (!mapped)
		return -1;
	ret = bel_map_hold(by_byte);
	if (!ret) {
		if ((ret = bel_map_update_elem(by_byte, &k, sizeof(k), &val, sizeof(val), 0)))
			ret = elem_failed("update", ret);
		else if ((ret = bel_map_lookup_elem(by_byte, &k, sizeof(k), &val, sizeof(val), 0)))
			ret = elem_failed("lookup", ret);
		else if ((ret = bel_map_foreach(by_byte, true, count_elem, &n)) != 1)
			ret = elem_failed("foreach", ret);
		else
			ret = 0;
		bel_map_unhold(by_byte);
	}
	if (!ret)
		ret = bel_program_test_run(p, &o);
	if (!ret)
		ret = bel_object_get_var(obj, "packets", &val, sizeof(val));
	bel_map_unhold(bss);
	return ret;
}

/* "maps/x=ID programs/y=ID ..." of a pinned tree: what an upgrade must leave as it was when
 * it fails. Read with the bpf() wrappers alone, not through the library's objects (the first
 * eight bytes of a map's, a program's and a link's info are its type and id alike). */
static void tree_signature(const char *tree, char *out, size_t size)
{
	static const char *const kinds[] = {"maps", "programs", "links"};
	size_t k, n = 0;

	out[0] = '\0';
	for (k = 0; k < 3; k++) {
		char dir[4200];
		struct dirent *de;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/%s", tree, kinds[k]);
		d = opendir(dir);
		while (d && (de = readdir(d)) != NULL) {
			char path[4500];
			uint32_t info[2] = {0, 0}, len = sizeof(info);
			int fd;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			fd = bel_sys_obj_get(path, 0);
			if (fd >= 0) {
				bel_sys_obj_get_info_by_fd(fd, info, &len);
				close(fd);
			}
			n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%s/%s=%u ", kinds[k],
					      de->d_name, info[1]);
		}
		if (d)
			closedir(d);
	}
}

/* root/upgrade from upgrade_v1, made without faults. */
static void pin_v1(const char *root)
{
	struct bel_open_opts opts = {.sz = sizeof(opts), .name = "upgrade"};
	struct bel_object *obj = NULL;

	ck_assert_int_eq(bel_object_open_file(fixture_path("upgrade_v1"), &opts, &obj), 0);
	ck_assert_msg(bel_object_adopt(obj, root, NULL, NULL) == 0 && bel_object_pin(obj, root) == 0,
		      "%s", bel_object_last_error(obj));
	bel_object_close(obj);
}

/* One run: open, load, pin / load-unload-reload one program / runtime calls / an upgrade of a
 * pinned tree. Everything it makes is undone by the end, whether it succeeded or not. */
static void run(enum scenario sc, const char *fixture, const char *root, struct outcome *out)
{
	struct bel_open_opts opts = {.sz = sizeof(opts), .pin_root = root};
	struct bel_object *obj = NULL;
	char path[4096], err[256], before[4096], after[4096];
	bool was_armed = armed;

	if (sc == ADOPT) {
		armed = false;
		pin_v1(root);
		snprintf(path, sizeof(path), "%s/upgrade", root);
		tree_signature(path, before, sizeof(before));
		armed = was_armed;
		opts.name = "upgrade";
	}
	out->ret = bel_object_open_file(fixture_path(fixture), &opts, &obj);
	if (out->ret) {
		snprintf(out->msg, sizeof(out->msg), "%s", bel_thread_error());
		goto done;
	}
	switch (sc) {
	case LOAD_AND_PIN:
	case PIN_BY_NAME:
		out->ret = bel_object_load(obj, NULL);
		if (!out->ret && sc == LOAD_AND_PIN) {
			out->ret = bel_object_pin(obj, root);
			if (!out->ret) {
				snprintf(path, sizeof(path), "%s/%s", root, bel_object_name(obj));
				armed = false; /* taking the pins down is the test's job, not the subject */
				ck_assert_msg(bel_unpin(path, err, sizeof(err)) == 0, "%s", err);
				armed = true;
			}
		}
		break;
	case SINGLE_PROGRAM: {
		struct bel_program *p = bel_object_program(obj, 0);

		out->ret = bel_program_load(p);
		if (!out->ret) {
			bel_program_unload(p);
			out->ret = bel_program_load(p);
		}
		break;
	}
	case RUNTIME:
		elem_msg[0] = '\0';
		out->ret = runtime_calls(obj);
		break;
	case ADOPT:
		out->ret = bel_object_adopt(obj, root, NULL, NULL);
		if (!out->ret)
			out->ret = bel_object_pin(obj, root);
		break;
	}
	snprintf(out->msg, sizeof(out->msg), "%s", !out->ret ? "" : elem_msg[0] ? elem_msg
		 : bel_object_last_error(obj));
	bel_object_close(obj);
done:
	if (sc == ADOPT) {
		armed = false;
		snprintf(path, sizeof(path), "%s/upgrade", root);
		tree_signature(path, after, sizeof(after));
		/* failed: the old tree as it was, every pin the same object */
		ck_assert_msg(!out->ret || !strcmp(before, after), "failed upgrade (%s) changed the "
			      "tree: before %s, after %s", out->msg, before, after);
		ck_assert_msg(bel_unpin(path, err, sizeof(err)) == 0, "%s", err);
		armed = was_armed;
	}
}

static void clear_root(const char *root)
{
	remove_tree(root);
	pin_root_create();
}

struct case_def {
	enum scenario sc;
	const char *fixture;
};

static const struct case_def cases[] = {
	{LOAD_AND_PIN, "hello"},
	{LOAD_AND_PIN, "maps"},     /* map-in-map, prog arrays, BTF retry for the prog array */
	{LOAD_AND_PIN, "globals"},  /* every kind of global data, freezing */
	{LOAD_AND_PIN, "externs"},  /* .kconfig map contents from the kernel */
	{SINGLE_PROGRAM, "maps"},
	{PIN_BY_NAME, "pinned"},    /* pins made by a failed load must go */
	{RUNTIME, "runtime"},       /* configuration, mmap, holds, elements, test runs */
	{ADOPT, "upgrade_v2"},      /* an upgrade of a pinned tree: the old one stays on failure */
};

static void check_clean(const char *what, long n, int fds_before, const char *root,
			const struct outcome *o)
{
	char cmd[4200], out[1024];

	ck_assert_msg(count_fds() == fds_before, "%s %ld: %d fds open, %d before (%s)", what, n,
		      count_fds(), fds_before, o->msg);
	if (o->ret)
		ck_assert_msg(o->msg[0], "%s %ld: failed (%d) without a message", what, n, o->ret);
	snprintf(cmd, sizeof(cmd), "ls -A %s", root);
	run_capture(cmd, out, sizeof(out));
	/* a successful pin-by-name load leaves its pins, as libbpf's does: those we take down */
	if (o->ret)
		ck_assert_msg(!out[0], "%s %ld: failed but left pins: %s (%s)", what, n, out, o->msg);
}

/* A run of case c with the fault set in fail_bpf_at or fail_alloc_at (0: none), the calls
 * counted from the start; true when it reported an error. */
static bool armed_run(const struct case_def *c, const char *root, struct outcome *o)
{
	bpf_calls = allocs = 0;
	armed = true;
	run(c->sc, c->fixture, root, o);
	armed = false;
	return o->ret != 0;
}

START_TEST(test_fault)
{
	const struct case_def *c = &cases[_i];
	const char *root = pin_root_create();
	long total_bpf, total_allocs, n, failures = 0;
	struct outcome o;
	int fds_before;

	if (!kernel_ready())
		return;
	run(c->sc, c->fixture, root, &o); /* warm up: feature probes, kernel BTF, run once per process */
	ck_assert_msg(o.ret == 0, "%s: %s", c->fixture, o.msg);
	clear_root(root);
	fds_before = count_fds();
	fail_bpf_at = fail_alloc_at = 0;
	armed_run(c, root, &o);
	ck_assert_msg(o.ret == 0, "%s: %s", c->fixture, o.msg);
	total_bpf = bpf_calls;
	total_allocs = allocs;
	clear_root(root);
	for (n = 1; n <= total_bpf; n++) {
		static const int errnos[] = {ENOMEM, EPERM, EINVAL, E2BIG};

		fail_errno = errnos[n % 4];
		fail_bpf_at = n;
		failures += armed_run(c, root, &o);
		check_clean("bpf() call", n, fds_before, root, &o);
		clear_root(root);
	}
	fail_bpf_at = 0;
	for (n = 1; n <= total_allocs; n++) {
		fail_alloc_at = n;
		failures += armed_run(c, root, &o);
		check_clean("allocation", n, fds_before, root, &o);
		clear_root(root);
	}
	fail_alloc_at = 0;
	printf("fault: %-14s %-8s %3ld bpf() calls and %4ld allocations failed one at a time: "
	       "%ld runs reported an error, the rest recovered; fds and pins clean\n",
	       c->sc == LOAD_AND_PIN ? "load+pin" : c->sc == SINGLE_PROGRAM ? "single-program" :
	       c->sc == PIN_BY_NAME ? "pin-by-name" : c->sc == RUNTIME ? "runtime" : "upgrade",
	       c->fixture, total_bpf, total_allocs, failures);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fault");
	TCase *tc = tcase_create("inject");
	SRunner *sr;

	tcase_add_unchecked_fixture(tc, pin_root_setup, pin_root_remove);
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_fault, 0, sizeof(cases) / sizeof(cases[0]));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	return run_srunner(sr);
}
