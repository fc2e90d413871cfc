/* SPDX-License-Identifier: MIT */
/* Attaching (loader/attach.c): every kind of link of progs/links.bpf.c, pinned and firing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bel/bel.h"
#include "kernel.h"
#include "syscall/bpf.h"
#include "testutil.h"

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

Suite *attach_suite(void)
{
	return kernel_suite("attach", 300, true, (const TTest *[]){test_attach_links, NULL});
}
