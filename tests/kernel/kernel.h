/* SPDX-License-Identifier: MIT */
/*
 * The kernel tests (test_kernel): the fixtures loaded by bel on the running kernel, checked
 * through bpftool and BPF_OBJ_GET_INFO_BY_FD. One file per module, each with its suite.
 *
 *   load.c       whole-object loads: each program's maps as the kernel sees them, failures that
 *                leave nothing, keep_going, threads, the agent-sized object
 *   prog.c       one program at a time: only its maps exist, unload, keep_maps
 *   map.c        what a load puts in maps: global data (.rodata frozen), initial slots
 *   metadata.c   .rodata metadata bound to every program, as bpftool prints it
 *   pin.c        the pin layout, a second pin and name collisions refused
 *   share.c      maps shared between objects: reused fds, pin by name, shape and layout
 *                mismatches, iproute2 legacy maps, concurrent loaders
 *   attach.c     every kind of link, pinned and firing
 *   cli.c        `bel load --pin/--attach`, `bel unpin`, `bel inspect`
 *   externs.c    .kconfig values, kfunc calls, typed __ksym
 *   sanitize.c   the BTF rewrite for older kernels, taken by this one
 *   fixture.c    what they share (below); main.c runs every suite.
 */
#ifndef BEL_TESTS_KERNEL_H
#define BEL_TESTS_KERNEL_H

#include <check.h>
#include <stdbool.h>

struct bel_object;
struct bel_open_opts;

Suite *load_suite(void);
Suite *prog_suite(void);
Suite *map_suite(void);
Suite *metadata_suite(void);
Suite *pin_suite(void);
Suite *share_suite(void);
Suite *attach_suite(void);
Suite *cli_suite(void);
Suite *externs_suite(void);
Suite *sanitize_suite(void);

/* A test case named `name` added to s, with this timeout (seconds); with pin_root, the pin root
 * is made before its tests and removed after them, whatever they did. */
TCase *kernel_case(Suite *s, const char *name, int timeout, bool pin_root);
/* A suite of one such case (both named `name`) holding tests, a NULL-terminated list. */
Suite *kernel_suite(const char *name, int timeout, bool pin_root, const TTest *const *tests);

/* Open fixture `name` (tests/progs/<name>.bpf.c); fails the test on error. */
struct bel_object *open_fixture_with(const char *name, const struct bel_open_opts *opts);
struct bel_object *open_fixture(const char *name, bool keep_maps);
/* The fd of the object's map `name` (negative when not created or not there). */
int map_fd(const struct bel_object *obj, const char *name);
/* Whether the path printf(fmt, a, b) exists. */
bool exists(const char *fmt, const char *a, const char *b);
/* Fails the test unless directory dir holds nothing (no temporary entry left either). */
void assert_dir_empty(const char *dir);

#endif
