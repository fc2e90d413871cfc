/* SPDX-License-Identifier: MIT */
/*
 * bel verify OBJ: every program alone (load, report, unload), so one failure says nothing about
 * the others: per program the verifier's result, the verified instruction count, the time and,
 * on failure, the message with the verifier's last lines.
 */
#include "cli.h"

struct verify_args {
	const char *name;
};

static const struct cli_opt verify_opts[] = {
	{.name = "name", .short_name = 'n', .arg = "NAME", CLI_STRING_AT(struct verify_args, name),
	 .help = "the object's name (default: the file name up to its first '.')"},
	{0},
};

static bool verify_program(struct cli_out *o, struct bel_program *p)
{
	struct bel_program_info info = {.sz = sizeof(info)};
	bool ok = !bel_program_load(p);

	cli_out_begin(o, NULL, "");
	cli_out_str(o, "name", "%-24s", bel_program_name(p));
	cli_out_str(o, "section", " %-36s", bel_program_section(p));
	cli_out_str(o, "result", " %-6s", ok ? "ok" : "FAIL");
	if (ok && !bel_program_info(p, &info)) {
		cli_out_uint(o, "verified_insns", " %10llu", info.verified_insns);
		cli_out_double(o, "time_ms", " %10.3f", info.load_ns / 1e6);
	} else if (!ok) {
		cli_out_text(o, " %10s %10s ", "-", "-");
		cli_out_int(o, "errno", NULL, -bel_program_status(p));
		cli_out_str(o, "error", " %s", bel_program_error(p));
	}
	cli_out_end(o);
	bel_program_unload(p);
	return ok;
}

static int run_verify(void *args, char **operands, unsigned int n)
{
	struct verify_args *a = args;
	struct cli_out *o = cli_out();
	struct bel_object *obj;
	unsigned int i, ok = 0;

	(void)n;
	if (cli_open_object(operands[0], &(struct cli_open){.name = a->name, .trial = true}, &obj))
		return CLI_FAILED;
	cli_out_str(o, "object", NULL, bel_object_name(obj));
	cli_out_text(o, "%-24s %-36s %-6s %10s %10s  %s", "program", "section", "result", "verified",
		     "time_ms", "detail");
	cli_out_list(o, "programs", NULL);
	for (i = 0; i < bel_object_program_count(obj); i++)
		ok += verify_program(o, bel_object_program(obj, i));
	cli_out_list_end(o, NULL);
	cli_out_begin(o, NULL, "");
	cli_out_uint(o, "verified", "%llu of", ok);
	cli_out_uint(o, "total", " %llu programs verified", bel_object_program_count(obj));
	cli_out_end(o);
	n = bel_object_program_count(obj);
	bel_object_close(obj);
	return ok == n ? CLI_OK : CLI_FAILED;
}

const struct cli_cmd cli_cmd_verify = {
	.name = "verify",
	.operands = "OBJ",
	.min_operands = 1,
	.max_operands = 1,
	.operand_complete = {CLI_C_FILE},
	.opts = verify_opts,
	.args_size = sizeof(struct verify_args),
	.run = run_verify,
	.summary = "load each program alone and report the verifier's verdict",
	.description = "Loads every program of OBJ on its own, then unloads it, and reports per "
		       "program the result, the verified instruction count, the verification time "
		       "and, on failure, the verifier's last lines. Exits 1 if any program fails.",
};
