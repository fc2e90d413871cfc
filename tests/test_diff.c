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
	char lroot[256], broot[256];
	const char *root;
	struct dc_result *r;
	size_t len = 0;
	unsigned int nfail;

	if (!kernel_ready())
		return;
	/* Maps pinned by name (an object given as an argument may have some) go under a private
	 * root per loader, removed afterwards, never into /sys/fs/bpf itself. */
	root = pin_root_create();
	ck_assert_msg(root != NULL, "cannot make a pin directory under /sys/fs/bpf");
	snprintf(lroot, sizeof(lroot), "%s/libbpf", root);
	snprintf(broot, sizeof(broot), "%s/bel", root);
	ck_assert_msg(!mkdir(lroot, 0700) && !mkdir(broot, 0700), "mkdir under %s failed", root);
	opts.libbpf_pin_root = lroot;
	opts.bel_pin_root = broot;
	r = calloc(1, sizeof(*r));
	ck_assert_ptr_nonnull(r);
	dc_run(path, &opts, r);
	pin_root_remove();
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

/* The fixtures (none pins by name), the agent-sized object
 * generated from ../shared/bench when present, and any paths given on the command line. */
static const char *const fixtures[] = {"maps", "globals", "subprogs", "sections", "metadata",
				       "hello", "large"};
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
	int failures;

	dc_init();
	/* loads two objects and runs bpftool twice per program */
	tcase_set_timeout(tc, 300);
	if (argc > 1) {
		extra_paths = argv + 1;
		tcase_add_loop_test(tc, test_diff_extra, 0, argc - 1);
	} else {
		tcase_add_loop_test(tc, test_diff_fixture, 0, sizeof(fixtures) / sizeof(fixtures[0]));
	}
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures != 0;
}
