/* SPDX-License-Identifier: MIT */
/*
 * Generated skeletons on the real kernel (hello.skel.h and runtime.skel.h, made at build time by
 * `bel gen skeleton`): .rodata set through the typed pointer before load is what the programs
 * run with; after load the pointers reach the live maps, so .bss counters grow as programs fire;
 * attached programs fire and their ring buffer events arrive; a per-program load creates only
 * that program's maps; every variable's offset in the generated struct is BTF's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hello.skel.h"
#include "runtime.skel.h"
#include "testutil.h"

/* hello.bpf.c's event */
struct hello_event {
	uint32_t kind, pid;
	uint64_t ts_ns, execs;
	char comm[16];
	char filename[64];
};

struct seen_events {
	int execs_of_child, exits_of_child, total;
	pid_t child;
	size_t max_filename;
};

static int on_event(void *ctx, const void *data, size_t size)
{
	const struct hello_event *e = data;
	struct seen_events *s = ctx;

	if (size < sizeof(*e))
		return 0;
	s->total++;
	if ((pid_t)e->pid == s->child) {
		if (e->kind == 1) {
			s->execs_of_child++;
			if (strnlen(e->filename, sizeof(e->filename)) > s->max_filename)
				s->max_filename = strnlen(e->filename, sizeof(e->filename));
		} else if (e->kind == 2) {
			s->exits_of_child++;
		}
	}
	return 0;
}

static pid_t run_true(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	ck_assert_int_gt(pid, 0);
	waitpid(pid, &status, 0);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return pid;
}

/* Configure, load, attach, fire, read .bss and the ring buffer, all through the skeleton. */
START_TEST(test_hello_skeleton)
{
	struct seen_events seen = {0};
	struct bel_ringbuf *rb = NULL;
	struct hello *skel;
	uint64_t execs_before;
	int i;

	if (!kernel_ready() || !tracefs_ready())
		return;
	skel = hello__open(NULL);
	ck_assert_msg(skel != NULL, "%s", bel_thread_error());
	ck_assert_str_eq(bel_object_name(skel->obj), "hello");
	/* before load: the object's initial values, writable */
	ck_assert_uint_eq(skel->rodata->max_filename_len, 64);
	skel->rodata->max_filename_len = 4;
	skel->rodata->report_exits = 1;
	ck_assert_int_eq(hello__load(skel), 0);
	/* after load: the live maps */
	ck_assert_uint_eq(skel->rodata->max_filename_len, 4);
	ck_assert_msg(hello__attach(skel) == 0, "%s", bel_object_last_error(skel->obj));
	ck_assert_int_ge(skel->links.handle_exec, 0);
	ck_assert_int_eq(bel_ringbuf_new(&rb), 0);
	ck_assert_int_eq(bel_ringbuf_add(rb, bel_map_fd(skel->maps.events), on_event, &seen), 0);
	execs_before = skel->bss->total_execs;
	for (i = 0; i < 3; i++) {
		seen.child = run_true();
		ck_assert_int_ge(bel_ringbuf_poll(rb, 1000), 0);
		bel_ringbuf_consume(rb);
		ck_assert_msg(seen.execs_of_child == i + 1, "round %d: %d exec events of %d", i,
			      seen.execs_of_child, (int)seen.child);
	}
	ck_assert_uint_ge(skel->bss->total_execs, execs_before + 3);
	/* the configured length bounded what the program copied */
	ck_assert_uint_le(seen.max_filename, 4);
	ck_assert_int_ge(seen.exits_of_child, 1);
	hello__detach(skel);
	ck_assert_int_lt(skel->links.handle_exec, 0);
	bel_ringbuf_free(rb);
	hello__destroy(skel);
}
END_TEST

/* Per program: only that program's maps exist; its sections are mapped once they exist. */
START_TEST(test_runtime_per_program)
{
	uint8_t pkt[32] = {0x03};
	struct bel_test_run_opts o = {.sz = sizeof(o), .data_in = pkt, .data_size_in = sizeof(pkt),
				      .repeat = 5};
	struct runtime *skel;

	if (!kernel_ready())
		return;
	skel = runtime__open(NULL);
	ck_assert_ptr_nonnull(skel);
	skel->rodata->cfg_int = 11;
	skel->rodata->cfg_on = true;
	strcpy(skel->rodata->cfg_name, "skel");
	ck_assert_int_eq(runtime__load_xdp_verdict(skel), 0);
	ck_assert_int_ge(bel_map_fd(skel->maps.seen), 0);
	ck_assert_int_ge(bel_map_fd(skel->maps.bss), 0);
	ck_assert_int_lt(bel_map_fd(skel->maps.by_byte), 0);     /* tc_count's, not loaded */
	ck_assert_int_lt(bel_map_fd(skel->maps.percpu_count), 0);
	ck_assert_int_lt(bel_map_fd(skel->maps.lru), 0);         /* nobody's */
	ck_assert_int_eq(bel_program_test_run(skel->progs.xdp_verdict, &o), 0);
	ck_assert_uint_eq(o.retval, 1); /* XDP_DROP: cfg_on drops 0x03 */
	ck_assert_uint_eq(skel->bss->packets, 5);
	ck_assert_uint_eq(skel->bss->drops, 5);
	ck_assert_str_eq(skel->rodata->cfg_name, "skel");
	skel->data->data_bias = 3; /* live .data, mapped */
	ck_assert_int_eq(bel_program_test_run(skel->progs.xdp_verdict, &o), 0);
	ck_assert_uint_eq(skel->bss->packets, 10);
	{
		int32_t bias = 0;

		ck_assert_int_eq(bel_object_get_var(skel->obj, "data_bias", &bias, sizeof(bias)), 0);
		ck_assert_int_eq(bias, 3);
	}
	/* the other program alone, later; its maps come with it */
	ck_assert_int_eq(runtime__load_tc_count(skel), 0);
	ck_assert_int_ge(bel_map_fd(skel->maps.by_byte), 0);
	ck_assert_int_eq(runtime__unload_xdp_verdict(skel), 0);
	ck_assert_int_lt(bel_map_fd(skel->maps.seen), 0);
	ck_assert_int_ge(bel_map_fd(skel->maps.bss), 0); /* mapped by the skeleton: held */
	ck_assert_uint_eq(skel->bss->packets, 10);
	runtime__destroy(skel);
}
END_TEST

/* Every variable of every section struct sits where BTF puts it (the header's static
 * assertions say so at compile time; this says it again at run time through bel's own list). */
START_TEST(test_layout_matches_btf)
{
	static const struct {
		const char *name;
		size_t offset, size;
	} vars[] = {
		{"cfg_int", offsetof(struct runtime__rodata, cfg_int), sizeof(((struct runtime__rodata *)0)->cfg_int)},
		{"cfg_on", offsetof(struct runtime__rodata, cfg_on), sizeof(((struct runtime__rodata *)0)->cfg_on)},
		{"cfg_name", offsetof(struct runtime__rodata, cfg_name), sizeof(((struct runtime__rodata *)0)->cfg_name)},
		{"cfg_struct", offsetof(struct runtime__rodata, cfg_struct), sizeof(((struct runtime__rodata *)0)->cfg_struct)},
		{"data_bias", offsetof(struct runtime__data, data_bias), sizeof(((struct runtime__data *)0)->data_bias)},
		{"packets", offsetof(struct runtime__bss, packets), sizeof(((struct runtime__bss *)0)->packets)},
		{"drops", offsetof(struct runtime__bss, drops), sizeof(((struct runtime__bss *)0)->drops)},
	};
	struct runtime *skel = runtime__open(NULL);
	size_t i;

	ck_assert_ptr_nonnull(skel);
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		struct bel_var_info v = {.sz = sizeof(v)};
		int idx = bel_object_find_var(skel->obj, vars[i].name);

		ck_assert_int_ge(idx, 0);
		ck_assert_int_eq(bel_object_var(skel->obj, (unsigned int)idx, &v), 0);
		ck_assert_uint_eq(v.offset, vars[i].offset);
		ck_assert_uint_eq(v.size, vars[i].size);
	}
	runtime__destroy(skel);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("skeleton");
	TCase *tc = tcase_create("skeleton");
	SRunner *sr;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_hello_skeleton);
	tcase_add_test(tc, test_runtime_per_program);
	tcase_add_test(tc, test_layout_matches_btf);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	return run_srunner(sr);
}
