/* SPDX-License-Identifier: MIT */
/* The command line (cli/): `bel load --pin`, a failing load that leaves nothing, `bel unpin`,
 * `bel inspect --json`, and links pinned by `bel load --attach` that outlive the command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "testutil.h"

#ifndef BEL_CLI
#error "BEL_CLI must be defined by the build"
#endif

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

Suite *cli_suite(void)
{
	return kernel_suite("cli", 300, true, (const TTest *[]){
		test_cli, test_links_survive_exit, NULL});
}
