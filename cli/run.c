/* SPDX-License-Identifier: MIT */
/*
 * bel run OBJ PROG: loads one program (and only the maps it uses), runs it with
 * BPF_PROG_TEST_RUN once per --data file (or once with no data), and prints the return value,
 * named where the program type gives return values names (XDP and tc verdicts), and the
 * kernel's time per run.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "loader/names.h"

#define MAX_FILE (16u << 20)
#define OUT_SLACK 4096 /* XDP may grow a packet at its head and tail */

static const char *verdict_name(uint32_t prog_type, uint32_t retval)
{
	static const char *const xdp[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					  "XDP_REDIRECT"};
	static const char *const tc[] = {"TC_ACT_OK", "TC_ACT_RECLASSIFY", "TC_ACT_SHOT",
					 "TC_ACT_PIPE", "TC_ACT_STOLEN", "TC_ACT_QUEUED",
					 "TC_ACT_REPEAT", "TC_ACT_REDIRECT", "TC_ACT_TRAP"};

	switch (prog_type) {
	case BPF_PROG_TYPE_XDP:
		return retval < 5 ? xdp[retval] : NULL;
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
		if (retval == UINT32_MAX)
			return "TC_ACT_UNSPEC";
		return retval < 9 ? tc[retval] : NULL;
	case BPF_PROG_TYPE_CGROUP_SKB:
		return retval == 1 ? "allow" : retval == 0 ? "drop" : NULL;
	default:
		return NULL;
	}
}

static int run_one(struct bel_program *prog, const char *data_path, const void *ctx,
		   size_t ctx_size, uint32_t repeat, const char *data_out_path)
{
	struct bel_test_run_opts o = {.sz = sizeof(o), .repeat = repeat, .ctx_in = ctx,
				      .ctx_size_in = (uint32_t)ctx_size};
	struct cli_out *out = cli_out();
	void *data = NULL, *buf = NULL;
	size_t size = 0;
	int ret = CLI_FAILED;

	if (data_path) {
		if (!(data = cli_read_file(data_path, MAX_FILE, &size, "run")))
			return CLI_FAILED;
		o.data_in = data;
		o.data_size_in = (uint32_t)size;
		o.data_size_out = o.data_size_in + OUT_SLACK;
		/* zeroed: a program type whose test run writes no data leaves the size as given,
		 * and --data-out would write out whatever the heap held */
		if (!(buf = calloc(1, o.data_size_out))) {
			cli_error("run: out of memory");
			goto out;
		}
		o.data_out = buf;
	}
	if (bel_program_test_run(prog, &o)) {
		cli_error("%s", bel_object_last_error(bel_program_object(prog)));
		goto out;
	}
	cli_out_begin(out, NULL, "");
	cli_out_str(out, "data", "%s:", data_path);
	if (!data_path)
		cli_out_text(out, "(no data):");
	cli_out_uint(out, "retval", " retval %llu", o.retval);
	cli_out_str(out, "verdict", " (%s)", verdict_name(bel_program_type(prog), o.retval));
	cli_out_uint(out, "duration_ns", ", %llu ns per run", o.duration_ns);
	cli_out_uint(out, "data_size_out", ", %llu bytes out", o.data_size_out);
	cli_out_end(out);
	if (data_out_path && buf && cli_write_file(data_out_path, buf, o.data_size_out, "run"))
		goto out;
	ret = CLI_OK;
out:
	free(data);
	free(buf);
	return ret;
}

struct run_args {
	struct cli_list data;
	const char *ctx, *data_out, *name, *maps_root;
	uint64_t repeat;
	struct cli_config cfg;
};

#define ARGS struct run_args
static const struct cli_opt run_opts[] = {
	{.name = "data", .short_name = 'd', .arg = "FILE", .complete = CLI_C_FILE,
	 CLI_LIST_AT(ARGS, data),
	 .help = "run on FILE's bytes (a packet for networking programs); repeatable: one run each"},
	{.name = "ctx", .short_name = 'c', .arg = "FILE", .complete = CLI_C_FILE, CLI_STRING_AT(ARGS, ctx),
	 .help = "the context (struct __sk_buff, xdp_md, tracing arguments, ...) from FILE"},
	{.name = "data-out", .short_name = 'o', .arg = "FILE", .complete = CLI_C_FILE,
	 CLI_STRING_AT(ARGS, data_out), .help = "write the packet as the program left it to FILE"},
	{.name = "repeat", .short_name = 'r', .arg = "N", CLI_NUMBER_AT(ARGS, repeat, 1, UINT32_MAX),
	 .help = "run N times (the time printed is per run)"},
	{.name = "set", .short_name = 's', .arg = "NAME=VALUE", .complete = CLI_C_VAR,
	 CLI_LIST_AT(ARGS, cfg.sets), .help = "set a global variable before load, VALUE typed by its BTF"},
	{.name = "max-entries", .short_name = 'm', .arg = "MAP=N", .complete = CLI_C_MAP,
	 CLI_LIST_AT(ARGS, cfg.maxes), .help = "size a map"},
	{.name = "maps-root", .arg = "DIR", .complete = CLI_C_DIR, CLI_STRING_AT(ARGS, maps_root),
	 .help = "where maps the object pins by name (LIBBPF_PIN_BY_NAME) are pinned and looked "
		 "for (default /sys/fs/bpf)"},
	{.name = "name", .short_name = 'n', .arg = "NAME", CLI_STRING_AT(ARGS, name),
	 .help = "the object's name (default: the file name up to its first '.')"},
	{0},
};
#undef ARGS

static int run_run(void *args, char **operands, unsigned int n)
{
	struct run_args *a = args;
	struct cli_out *out = cli_out();
	struct bel_object *obj = NULL;
	struct bel_program *prog;
	size_t ctx_size = 0;
	void *ctx = NULL;
	unsigned int i;
	int ret = CLI_FAILED;

	(void)n;
	if (a->data_out && a->data.n > 1) {
		cli_error("--data-out takes the output of one --data run, not %u", a->data.n);
		return CLI_USAGE;
	}
	if (cli_open_object(operands[0], &(struct cli_open){.name = a->name, .maps_root = a->maps_root}, &obj))
		return CLI_FAILED;
	prog = bel_object_find_program(obj, operands[1]);
	if (!prog) {
		cli_error("object '%s' has no program '%s'", bel_object_name(obj), operands[1]);
		goto out;
	}
	if (cli_configure(obj, &a->cfg))
		goto out;
	if (a->ctx && !(ctx = cli_read_file(a->ctx, MAX_FILE, &ctx_size, "run")))
		goto out;
	if (bel_program_load(prog)) {
		cli_error("%s", bel_object_last_error(obj));
		goto out;
	}
	cli_out_str(out, "program", NULL, bel_program_name(prog));
	cli_out_str(out, "section", NULL, bel_program_section(prog));
	cli_out_str(out, "type", NULL, ldr_prog_type_name(bel_program_type(prog)));
	cli_out_list(out, "runs", NULL);
	ret = CLI_OK;
	for (i = 0; i < (a->data.n ? a->data.n : 1) && ret == CLI_OK; i++)
		ret = run_one(prog, a->data.n ? a->data.v[i] : NULL, ctx, ctx_size,
			      a->repeat ? (uint32_t)a->repeat : 1, a->data_out);
	cli_out_list_end(out, NULL);
out:
	bel_object_close(obj);
	free(ctx);
	return ret;
}

const struct cli_cmd cli_cmd_run = {
	.name = "run",
	.operands = "OBJ PROG",
	.min_operands = 2,
	.max_operands = 2,
	.operand_complete = {CLI_C_FILE, CLI_C_PROGRAM},
	.opts = run_opts,
	.args_size = sizeof(struct run_args),
	.run = run_run,
	.summary = "load one program and run it on packets or a context (BPF_PROG_TEST_RUN)",
	.description = "Loads program PROG of OBJ and only the maps it uses, runs it with "
		       "BPF_PROG_TEST_RUN once per --data file (or once with no data) and prints "
		       "its return value, named where the program type names it (XDP and tc "
		       "verdicts), the kernel's time per run and the size of the packet out.",
};
