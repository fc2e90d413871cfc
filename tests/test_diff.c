/* SPDX-License-Identifier: MIT */
/*
 * Differential test: bel against libbpf, from the kernel's point of view, on the fixtures.
 *
 * Each fixture is opened and loaded by libbpf (bpf_object__open_file + bpf_object__load: no
 * attaching; maps pinned by name go under a private root) and by bel (bel_object_open_file + bel_object_load), and while both
 * objects are live, what the KERNEL reports for each program is compared, programs matched by
 * name: tag, translated instructions, program info, map sets and bpftool's metadata. The rules
 * (and the one documented difference, libbpf 1.1 binding every .rodata* map to every program)
 * are in diff_core.c, shared with test_corpus.c. metadata.bpf.o's programs must all show
 * metadata with "bel-test".
 *
 * Differences are collected rather than asserted one at a time, so a run reports all of them
 * and both objects are always closed before the test fails; a fixture must also leave the
 * number of open fds as it found it.
 */
#include <bpf/libbpf.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bel/bel.h"
#include "diff_core.h"
#include "testutil.h"

/* dc_run with maps pinned by name (an object given as an argument may have some) under a private
 * root per loader, removed afterwards, never into /sys/fs/bpf itself. The result is malloc'd. */
static struct dc_result *run_private(const char *path, struct dc_opts *opts)
{
	char lroot[256], broot[256];
	const char *root = pin_root_create();
	struct dc_result *r;

	ck_assert_msg(root != NULL, "cannot make a pin directory under /sys/fs/bpf");
	snprintf(lroot, sizeof(lroot), "%s/libbpf", root);
	snprintf(broot, sizeof(broot), "%s/bel", root);
	ck_assert_msg(!mkdir(lroot, 0700) && !mkdir(broot, 0700), "mkdir under %s failed", root);
	opts->libbpf_pin_root = lroot;
	opts->bel_pin_root = broot;
	r = calloc(1, sizeof(*r));
	ck_assert_ptr_nonnull(r);
	dc_run(path, opts, r);
	pin_root_remove();
	return r;
}

/* Compare one object file; fixture is the label printed and used in messages. */
static void diff_path(const char *fixture, const char *path)
{
	/* static: ck_abort_msg does not return (and may longjmp, in CK_FORK=no) */
	static char msg[2 * DC_LOG_MAX + DC_MSG_MAX];
	struct dc_opts opts = {
		.label = fixture,
		.require_metadata = !strcmp(fixture, "metadata") ? "bel-test" : NULL,
		.steps = DC_STEP_LIBBPF | DC_STEP_BEL,
		.print = true,
		.check_fds = true,
	};
	struct dc_result *r;
	size_t len = 0;
	unsigned int nfail;

	if (!kernel_ready())
		return;
	r = run_private(path, &opts);
	fflush(stdout);
	nfail = r->diff.n;
	msg[0] = '\0';
	if (r->libbpf.status) {
		nfail++;
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s\n", r->libbpf.note);
	}
	if (r->bel.status && len < sizeof(msg)) {
		nfail++;
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s\n", r->bel.note);
	}
	if (len < sizeof(msg))
		snprintf(msg + len, sizeof(msg) - len, "%s", r->diff.msg);
	free(r);
	if (nfail)
		ck_abort_msg("%s: %s", fixture, msg);
}

/* The fixtures (maps_only pins by name, under the private roots), the agent-sized object
 * generated from ../shared/bench when present, and any paths given on the command line. */
static const char *const fixtures[] = {"maps", "globals", "subprogs", "sections", "metadata",
				       "hello", "large", "struct_ops", "ksym_exists", "usdt_args",
				       "maps_only"};

/*
 * Program by program, for the fixtures of other loaders' conventions (some of which libbpf 1.1
 * refuses whole: legacy maps, cilium/ebpf's section names, struct_ops links, a program too
 * complex for the verifier): bel's keep_going load against libbpf loading each program alone.
 * Every program libbpf loads alone must load with bel, the same from the kernel's view; every
 * program must load with bel but those listed as failing with both.
 */
static const struct {
	const char *fixture;
	const char *fails; /* the one program that fails with both loaders, or NULL */
} one_by_one[] = {
	{"struct_ops", NULL}, {"struct_ops_link", NULL}, {"ksym_exists", NULL},
	{"usdt_args", NULL}, {"cilium_style", NULL}, {"legacy_linked", NULL},
	{"too_complex", "too_complex"},
};

START_TEST(test_diff_one_by_one)
{
	struct dc_opts opts = {
		.label = one_by_one[_i].fixture,
		.steps = DC_STEP_ALONE | DC_STEP_KEEP_GOING,
	};
	struct dc_result *r;
	unsigned int i, k = 0, n = 0;

	if (!kernel_ready())
		return;
	r = run_private(fixture_path(one_by_one[_i].fixture), &opts);
	printf("%s, one program at a time:\n", one_by_one[_i].fixture);
	for (i = 0; i < r->nprogs; i++) {
		const struct dc_prog *p = &r->progs[i];
		bool should_fail = one_by_one[_i].fails && !strcmp(p->name, one_by_one[_i].fails);

		printf("  %-20s libbpf alone: %-8s bel: %-8s %s\n", p->name,
		       p->libbpf_alone ? "FAIL" : "ok", p->bel_keep_going ? "FAIL" : "ok",
		       p->kg_compared ? (p->kg_differs ? "DIFFERENT" : "same tag, insns, maps") : "");
		k += !p->libbpf_alone;
		n += !p->bel_keep_going;
		if (!p->libbpf_alone)
			ck_assert_msg(!p->bel_keep_going && p->kg_compared && !p->kg_differs,
				      "%s: prog '%s': libbpf loads it alone, bel: %s\n%s",
				      one_by_one[_i].fixture, p->name, p->bel_keep_going_msg,
				      r->kg_diff.msg);
		ck_assert_msg(should_fail ? p->bel_keep_going != 0 : p->bel_keep_going == 0,
			      "%s: prog '%s': bel %s: %s", one_by_one[_i].fixture, p->name,
			      should_fail ? "loads it" : "fails", p->bel_keep_going_msg);
	}
	printf("  libbpf loads %u alone, bel %u of %u\n", k, n, r->nprogs);
	ck_assert_uint_gt(r->nprogs, 0);
	free(r);
}
END_TEST
static char **extra_paths;

START_TEST(test_diff_fixture)
{
	char path[4096];
	size_t size;
	void *probe;

	snprintf(path, sizeof(path), "%s", fixture_path(fixtures[_i]));
	if (!strcmp(fixtures[_i], "large")) {
		probe = read_file(path, &size);
		if (!probe) {
			printf("large.bpf.o not built (../shared/bench missing): not compared\n");
			return;
		}
		free(probe);
	}
	diff_path(fixtures[_i], path);
}
END_TEST

START_TEST(test_diff_extra)
{
	diff_path(extra_paths[_i], extra_paths[_i]);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("diff_libbpf");
	TCase *tc = tcase_create("objects");
	SRunner *sr;

	dc_init();
	/* loads two objects and runs bpftool twice per program */
	tcase_set_timeout(tc, 300);
	if (argc > 1) {
		extra_paths = argv + 1;
		tcase_add_loop_test(tc, test_diff_extra, 0, argc - 1);
	} else {
		tcase_add_loop_test(tc, test_diff_fixture, 0, sizeof(fixtures) / sizeof(fixtures[0]));
		tcase_add_loop_test(tc, test_diff_one_by_one, 0,
				    sizeof(one_by_one) / sizeof(one_by_one[0]));
	}
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	return run_srunner(sr);
}
