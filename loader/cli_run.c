/* SPDX-License-Identifier: MIT */
/*
 * bel run OBJ PROG [--data FILE]... [--ctx FILE] [--data-out FILE] [--repeat N] [--set NAME=VALUE]...
 *                  [--max-entries MAP=N]... [--name NAME] [--json]
 *
 * Loads one program (and only the maps it uses), runs it with BPF_PROG_TEST_RUN once per --data
 * file (or once with no data), and prints the return value, named where the program type gives
 * return values names (XDP and tc verdicts), and the kernel's time per run.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_text.h"
#include "common/num.h"
#include "names.h"

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

/* A whole file, at most MAX_FILE bytes; NULL after saying why. */
static void *slurp(const char *path, uint32_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f) {
		cli_error("run: cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(MAX_FILE + 1);
	n = buf ? fread(buf, 1, MAX_FILE + 1, f) : 0;
	fclose(f);
	if (!buf || n > MAX_FILE) {
		cli_error("run: %s: %s", path, buf ? "larger than 16 MiB" : "out of memory");
		free(buf);
		return NULL;
	}
	*size = (uint32_t)n;
	return buf;
}

static int run_one(struct bel_program *prog, const char *data_path, const void *ctx,
		   uint32_t ctx_size, uint32_t repeat, const char *data_out_path, bool json,
		   bool first)
{
	struct bel_test_run_opts o = {.sz = sizeof(o), .repeat = repeat, .ctx_in = ctx,
				      .ctx_size_in = ctx_size};
	void *data = NULL, *out = NULL;
	const char *verdict;
	int ret = 1;

	if (data_path) {
		if (!(data = slurp(data_path, &o.data_size_in)))
			return 1;
		o.data_in = data;
		o.data_size_out = o.data_size_in + OUT_SLACK;
		/* zeroed: a program type whose test run writes no data leaves the size as given,
		 * and --data-out would write out whatever the heap held */
		if (!(out = calloc(1, o.data_size_out)))
			goto out;
		o.data_out = out;
	}
	if (bel_program_test_run(prog, &o)) {
		cli_error("%s", bel_object_last_error(bel_program_object(prog)));
		goto out;
	}
	verdict = verdict_name(bel_program_type(prog), o.retval);
	if (json) {
		printf("%s{\"data\":", first ? "" : ",");
		if (data_path)
			cli_json_string(stdout, data_path);
		else
			printf("null");
		printf(",\"retval\":%u,\"verdict\":", o.retval);
		if (verdict)
			cli_json_string(stdout, verdict);
		else
			printf("null");
		printf(",\"duration_ns\":%u,\"data_size_out\":%u}", o.duration_ns, o.data_size_out);
	} else {
		char *shown = cli_text_escape(data_path ? data_path : "(no data)");

		printf("%s: retval %u%s%s%s, %u ns per run, %u bytes out\n",
		       shown ? shown : "(out of memory)", o.retval, verdict ? " (" : "",
		       verdict ? verdict : "", verdict ? ")" : "", o.duration_ns, o.data_size_out);
		free(shown);
	}
	if (data_out_path && out) {
		FILE *f = fopen(data_out_path, "wb");

		if (!f || fwrite(out, 1, o.data_size_out, f) != o.data_size_out) {
			cli_error("run: cannot write %s: %s", data_out_path, strerror(errno));
			if (f)
				fclose(f);
			goto out;
		}
		fclose(f);
	}
	ret = 0;
out:
	free(data);
	free(out);
	return ret;
}

int cli_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"data", required_argument, NULL, 'd'},
		{"ctx", required_argument, NULL, 'c'},
		{"data-out", required_argument, NULL, 'o'},
		{"repeat", required_argument, NULL, 'r'},
		{"set", required_argument, NULL, 's'},
		{"max-entries", required_argument, NULL, 'm'},
		{"name", required_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'},
		{0},
	};
	struct bel_open_opts opts = {.sz = sizeof(opts)};
	const char **data = calloc((size_t)argc + 1, sizeof(*data));
	char **sets = calloc((size_t)argc + 1, sizeof(*sets));
	char **maxes = calloc((size_t)argc + 1, sizeof(*maxes));
	const char *ctx_path = NULL, *data_out = NULL;
	int ndata = 0, nsets = 0, nmaxes = 0, c, i, ret = 2;
	struct bel_object *obj = NULL;
	struct bel_program *prog;
	uint32_t ctx_size = 0;
	uint64_t repeat = 1;
	void *ctx = NULL;
	bool json = false;

	if (!data || !sets || !maxes)
		goto out;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:c:o:r:s:m:n:j", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': data[ndata++] = optarg; break;
		case 'c': ctx_path = optarg; break;
		case 'o': data_out = optarg; break;
		case 'r':
			if (bel_parse_u64(optarg, 1, UINT32_MAX, &repeat)) {
				cli_error("--repeat wants a count from 1 to %u, not '%s'", UINT32_MAX, optarg);
				goto out;
			}
			break;
		case 's': sets[nsets++] = optarg; break;
		case 'm': maxes[nmaxes++] = optarg; break;
		case 'n': opts.name = optarg; break;
		case 'j': json = true; break;
		default: goto out;
		}
	}
	if (optind != argc - 2) {
		cli_error("usage: bel run OBJ PROG [--data FILE]... [--ctx FILE] [--data-out FILE] "
			  "[--repeat N] [--set NAME=VALUE]... [--max-entries MAP=N]... [--json]");
		goto out;
	}
	ret = 1;
	if (data_out && ndata > 1) {
		cli_error("--data-out takes the output of one --data run, not %d", ndata);
		goto out;
	}
	if (bel_object_open_file(argv[optind], &opts, &obj)) {
		cli_error("%s", bel_thread_error());
		goto out;
	}
	prog = bel_object_find_program(obj, argv[optind + 1]);
	if (!prog) {
		cli_error("object '%s' has no program '%s'", bel_object_name(obj), argv[optind + 1]);
		goto out;
	}
	for (i = 0; i < nsets; i++)
		if (cli_set_var(obj, sets[i]))
			goto out;
	for (i = 0; i < nmaxes; i++)
		if (cli_set_max_entries(obj, maxes[i]))
			goto out;
	if (ctx_path && !(ctx = slurp(ctx_path, &ctx_size)))
		goto out;
	if (bel_program_load(prog)) {
		cli_error("%s", bel_object_last_error(obj));
		goto out;
	}
	if (json) {
		printf("{\"program\":");
		cli_json_string(stdout, bel_program_name(prog));
		printf(",\"section\":");
		cli_json_string(stdout, bel_program_section(prog));
		printf(",\"type\":");
		cli_json_string(stdout, bel_prog_type_name(bel_program_type(prog)));
		printf(",\"runs\":[");
	}
	ret = 0;
	for (i = 0; i < (ndata ? ndata : 1) && !ret; i++)
		ret = run_one(prog, ndata ? data[i] : NULL, ctx, ctx_size, (uint32_t)repeat, data_out,
			      json, i == 0);
	if (json)
		printf("]}\n");
out:
	bel_object_close(obj);
	free(ctx);
	free(data);
	free(sets);
	free(maxes);
	return ret;
}
