/* SPDX-License-Identifier: MIT */
/*
 * bel inspect OBJ: the object as parsed, without loading anything: programs (section, type,
 * instructions, func/line info, map table), maps and BTF; with --core, how each program's CO-RE
 * relocations and the object's externs resolve against the running kernel (or --btf FILE).
 */
#include <stdlib.h>

#include "cli.h"
#include "loader/names.h"

struct inspect_args {
	const char *name, *btf;
	bool core;
};

static const struct cli_opt inspect_opts[] = {
	{.name = "name", .short_name = 'n', .arg = "NAME", CLI_STRING_AT(struct inspect_args, name),
	 .help = "the object's name (default: the file name up to its first '.')"},
	{.name = "core", .short_name = 'c', CLI_FLAG_AT(struct inspect_args, core),
	 .help = "show how each CO-RE relocation and extern resolves against the running kernel"},
	{.name = "btf", .short_name = 'b', .arg = "FILE", .complete = CLI_C_FILE,
	 CLI_STRING_AT(struct inspect_args, btf),
	 .help = "resolve CO-RE relocations against FILE's BTF instead of the running kernel's"},
	{0},
};

static void write_program(struct cli_out *o, const struct bel_program *p)
{
	unsigned int n, j;
	uint32_t fi, li;

	bel_program_insns(p, &n);
	bel_program_btf_ext_counts(p, &fi, &li);
	cli_out_begin(o, NULL, "prog ");
	cli_out_str(o, "name", "%-24s", bel_program_name(p));
	cli_out_str(o, "section", " sec %-36s", bel_program_section(p));
	cli_out_str(o, "type", " type %-16s", ldr_prog_type_name(bel_program_type(p)));
	cli_out_uint(o, "expected_attach_type", NULL, bel_program_expected_attach_type(p));
	cli_out_uint(o, "flags", NULL, bel_program_flags(p));
	cli_out_uint(o, "insns", " insns %-6llu", n);
	cli_out_uint(o, "func_info", " func_info %llu", fi);
	cli_out_uint(o, "line_info", " line_info %llu", li);
	cli_out_list(o, "maps", " maps [");
	for (j = 0; j < bel_program_map_count(p); j++)
		cli_out_str(o, NULL, "%s", bel_map_name(bel_program_map(p, j)));
	cli_out_list_end(o, "]");
	cli_out_end(o);
}

static void write_map(struct cli_out *o, const struct bel_map *m)
{
	cli_out_begin(o, NULL, "map  ");
	cli_out_str(o, "name", "%-24s", bel_map_name(m));
	cli_out_str(o, "kernel_name", " kname %-16s", bel_map_kernel_name(m));
	cli_out_str(o, "type", " type %-16s", ldr_map_type_name(bel_map_type(m)));
	cli_out_uint(o, "key_size", " key %-4llu", bel_map_key_size(m));
	cli_out_uint(o, "value_size", " value %-6llu", bel_map_value_size(m));
	cli_out_uint(o, "max_entries", " max_entries %-8llu", bel_map_max_entries(m));
	cli_out_uint(o, "flags", " flags %#llx", bel_map_flags(m));
	cli_out_bool(o, "global_data", " global-data", bel_map_data_section(m) != NULL);
	cli_out_bool(o, "metadata", " metadata", bel_map_has_metadata(m));
	cli_out_end(o);
}

/* One program's CO-RE relocations as resolved; false if they could not be. */
static bool write_core(struct cli_out *o, struct bel_object *obj, const struct bel_program *p)
{
	struct bel_core_report *rep = NULL;
	int n = bel_program_core_report(p, NULL, 0), j;

	if (n > 0 && (rep = calloc((size_t)n, sizeof(*rep)))) {
		rep[0].sz = sizeof(*rep);
		n = bel_program_core_report(p, rep, (unsigned int)n);
	}
	if (n < 0 || (n > 0 && !rep)) {
		cli_error("%s", n < 0 ? bel_object_last_error(obj) : "out of memory");
		free(rep);
		return false;
	}
	/* text shows the programs that have some; JSON every program */
	if (!n && !cli_out_json(o))
		return true;
	cli_out_begin(o, NULL, "prog ");
	cli_out_str(o, "name", "%s", bel_program_name(p));
	cli_out_str(o, "section", " (%s)", bel_program_section(p));
	cli_out_uint(o, NULL, ": %llu CO-RE relocations", (unsigned int)n);
	cli_out_list(o, "core_relocations", NULL);
	for (j = 0; j < n; j++) {
		cli_out_begin(o, NULL, "  insn ");
		cli_out_uint(o, "insn", "%-5llu", rep[j].insn);
		cli_out_str(o, "kind", " %-14s", rep[j].kind);
		cli_out_str(o, "what", " %-60s", rep[j].what);
		cli_out_bool(o, "poisoned", " POISONED", rep[j].poisoned);
		cli_out_bool(o, NULL, " ok", !rep[j].poisoned);
		cli_out_uint(o, "local_value", " %llu", rep[j].local_value);
		cli_out_uint(o, "target_value", " -> %llu", rep[j].target_value);
		cli_out_uint(o, "matched", " (%llu of", rep[j].matched);
		cli_out_uint(o, "candidates", " %llu candidates", rep[j].candidates);
		cli_out_uint(o, "target_type_id", ", target [%llu])", rep[j].target_type_id);
		cli_out_end(o);
	}
	cli_out_list_end(o, NULL);
	cli_out_end(o);
	free(rep);
	return true;
}

static void write_extern(struct cli_out *o, struct bel_object *obj, unsigned int i)
{
	struct bel_extern_info e = {.sz = sizeof(e)};

	if (bel_object_extern(obj, i, &e))
		return;
	cli_out_begin(o, NULL, "extern ");
	cli_out_str(o, "name", "%-32s", e.name);
	cli_out_str(o, "kind", " %-7s", e.kind);
	cli_out_bool(o, "weak", " weak", e.weak);
	cli_out_bool(o, "typeless", " typeless", e.typeless);
	cli_out_bool(o, "resolved", NULL, e.resolved);
	if (!e.resolved)
		cli_out_str(o, "error", " UNRESOLVED: %s", e.error);
	else if (e.string[0])
		cli_out_str(o, "string", " = \"%s\"", e.string);
	else
		cli_out_uint(o, "value", " = %llu", e.value);
	cli_out_end(o);
}

static int run_inspect(void *args, char **operands, unsigned int n)
{
	struct inspect_args *a = args;
	struct cli_out *o = cli_out();
	struct bel_object *obj;
	unsigned int i;
	int ret = CLI_OK;

	(void)n;
	if (cli_open_object(operands[0], &(struct cli_open){.name = a->name, .btf_path = a->btf}, &obj))
		return CLI_FAILED;
	cli_out_str(o, "object", "object %s:", bel_object_name(obj));
	cli_out_str(o, "license", " license \"%s\"", bel_object_license(obj));
	cli_out_uint(o, NULL, ", %llu programs", bel_object_program_count(obj));
	cli_out_uint(o, NULL, ", %llu maps", bel_object_map_count(obj));
	cli_out_begin(o, "btf", NULL);
	cli_out_uint(o, "types", ", BTF: %llu types", bel_object_btf_type_count(obj));
	cli_out_end(o);
	cli_out_list(o, "programs", NULL);
	for (i = 0; i < bel_object_program_count(obj); i++) {
		if (!a->core)
			write_program(o, bel_object_program(obj, i));
		else if (!write_core(o, obj, bel_object_program(obj, i)))
			ret = CLI_FAILED;
	}
	cli_out_list_end(o, NULL);
	if (a->core) {
		cli_out_list(o, "externs", NULL);
		for (i = 0; i < bel_object_extern_count(obj); i++)
			write_extern(o, obj, i);
		cli_out_list_end(o, NULL);
	} else {
		cli_out_list(o, "maps", NULL);
		for (i = 0; i < bel_object_map_count(obj); i++)
			write_map(o, bel_object_map(obj, i));
		cli_out_list_end(o, NULL);
	}
	bel_object_close(obj);
	return ret;
}

const struct cli_cmd cli_cmd_inspect = {
	.name = "inspect",
	.operands = "OBJ",
	.min_operands = 1,
	.max_operands = 1,
	.operand_complete = {CLI_C_FILE},
	.opts = inspect_opts,
	.args_size = sizeof(struct inspect_args),
	.run = run_inspect,
	.summary = "show an object's programs, maps, global data and BTF without loading it",
	.description = "Parses OBJ without loading anything and shows its programs (name, section, "
		       "type, instructions, func and line info, map table), its maps (name, kernel "
		       "name, type, key and value size, max_entries, flags, global data, metadata) "
		       "and its BTF. With --core, how each CO-RE relocation and extern resolves "
		       "against the running kernel's BTF (or --btf FILE's).",
};
