/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the Check suites: where the compiled fixtures are, reading files, and the
 * rules for kernel tests (bpffs mounted, a fresh pin directory of our own that is always
 * removed, and no skipping under CI=true).
 */
#ifndef BEL_TESTS_TESTUTIL_H
#define BEL_TESTS_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Path of a compiled fixture: "<build>/tests/progs/<name>.bpf.o". Static buffer. */
const char *fixture_path(const char *name);
/* Read a whole file; NULL on failure. Caller frees. */
void *read_file(const char *path, size_t *size);

/*
 * Kernel tests call this first. Returns true when the kernel can be used (root, bpf(),
 * bpffs at /sys/fs/bpf, mounted if missing). Otherwise: fails the test under CI=true, else
 * prints why and returns false so the test returns early.
 */
bool kernel_ready(void);
/* tracefs at /sys/kernel/tracing, mounted if missing (for tracepoint links). */
bool tracefs_ready(void);
/* A fresh directory under /sys/fs/bpf for this process; removed by pin_root_remove(). */
const char *pin_root_create(void);
void pin_root_remove(void);
/* The unchecked fixture pair of kernel suites: pin_root_setup() makes the pin root when root
 * (in the runner's process, so pin_root_remove() takes it away even when a test fails). */
void pin_root_setup(void);
/* Remove a directory tree (bpffs or not). */
int remove_tree(const char *path);

/* Why the kernel cannot be used (not root, no bpffs and none can be mounted, no bpf()), or
 * NULL when it can. kernel_ready() is the rule built on it. */
const char *kernel_missing(void);

/* Set interface `ifname` up in the current network namespace: 0 or -errno. */
int link_up(const char *ifname);
/* Move the test into a network namespace of its own with loopback up; netns_leave() goes back
 * to the first one (a checked teardown, so the test's namespace goes even without forking). */
void netns_enter(void);
void netns_leave(void);

/* Number of open fds of this process. */
int count_fds(void);

/* Run every suite of sr, free it: EXIT_SUCCESS when no test failed, else EXIT_FAILURE. */
int run_srunner(SRunner *sr);

/* Run a command, capture its stdout (up to size-1 bytes); returns exit status or -1. */
int run_capture(const char *cmd, char *out, size_t size);

#endif
