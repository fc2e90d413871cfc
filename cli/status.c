/* SPDX-License-Identifier: MIT */
/*
 * bel status DIR/OBJECT [OBJ]: what a tree made by bel load --pin holds, and, given the object
 * file, how each pin compares with what it would load: the judgement `load --pin` acts on when
 * it restarts or upgrades over that tree, made without taking or changing anything.
 */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "loader/names.h"

static const char *kind_name(enum bel_pinned_kind kind)
{
	switch (kind) {
	case BEL_PINNED_MAP: return "map";
	case BEL_PINNED_PROGRAM: return "prog";
	default: return "link";
	}
}

static const char *state_name(enum bel_pinned_state state)
{
	switch (state) {
	case BEL_PINNED_SAME: return "same";
	case BEL_PINNED_CHANGED: return "changed";
	case BEL_PINNED_MISSING: return "missing";
	case BEL_PINNED_EXTRA: return "extra";
	default: return "pinned";
	}
}

static const char *type_name(const struct bel_pinned *p)
{
	if (p->state == BEL_PINNED_MISSING && !p->type)
		return NULL;
	switch (p->kind) {
	case BEL_PINNED_MAP: return ldr_map_type_name(p->type);
	case BEL_PINNED_PROGRAM: return ldr_prog_type_name(p->type);
	default: return ldr_link_type_name(p->type);
	}
}

static void write_item(struct cli_out *o, const struct bel_pinned *p)
{
	cli_out_begin(o, NULL, "");
	cli_out_str(o, "kind", "%-4s", kind_name(p->kind));
	cli_out_str(o, "name", " %-24s", p->name);
	cli_out_str(o, "state", " %-8s", state_name(p->state));
	cli_out_str(o, "type", " %-16s", type_name(p));
	if (p->id)
		cli_out_uint(o, "id", " id %-6llu", p->id);
	if (p->kind == BEL_PINNED_PROGRAM && p->tag[0])
		cli_out_str(o, "tag", " tag %s", p->tag);
	if (p->kind == BEL_PINNED_MAP && p->id) {
		cli_out_uint(o, "key_size", " key %llu", p->key_size);
		cli_out_uint(o, "value_size", " value %llu", p->value_size);
		cli_out_uint(o, "max_entries", " max_entries %llu", p->max_entries);
	}
	if (p->kind == BEL_PINNED_LINK && p->prog_id)
		cli_out_uint(o, "prog_id", " prog %llu", p->prog_id);
	if (p->why[0])
		cli_out_str(o, "why", ": %s", p->why);
	cli_out_end(o);
}

struct status_args {
	const char *name, *maps_root;
	struct cli_config cfg;
};

#define ARGS struct status_args
static const struct cli_opt status_opts[] = {
	{.name = "maps-root", .arg = "DIR", .complete = CLI_C_DIR, CLI_STRING_AT(ARGS, maps_root),
	 .help = "where maps the object pins by name (LIBBPF_PIN_BY_NAME) are pinned and looked "
		 "for (default /sys/fs/bpf)"},
	{.name = "name", .short_name = 'n', .arg = "NAME", CLI_STRING_AT(ARGS, name),
	 .help = "OBJ's name (default: the file name up to its first '.')"},
	{.name = "set", .short_name = 's', .arg = "NAME=VALUE", .complete = CLI_C_VAR,
	 CLI_LIST_AT(ARGS, cfg.sets),
	 .help = "compare as load would with this global variable set (.rodata values count)"},
	{.name = "max-entries", .short_name = 'M', .arg = "MAP=N", .complete = CLI_C_MAP,
	 CLI_LIST_AT(ARGS, cfg.maxes), .help = "compare as load would with this map size"},
	{.name = "type", .short_name = 'T', .arg = "PROGRAM=TYPE", .complete = CLI_C_PROGRAM,
	 .complete_value = CLI_C_PROG_TYPE, CLI_LIST_AT(ARGS, cfg.types),
	 .help = "compare as load would with this program type"},
	{0},
};
#undef ARGS

static int run_status(void *args, char **operands, unsigned int n)
{
	struct status_args *a = args;
	struct cli_out *o = cli_out();
	struct bel_object *obj = NULL;
	struct bel_pin_status *status;
	unsigned int i, count, changed = 0;

	if (n > 1 && cli_open_object(operands[1], &(struct cli_open){.name = a->name, .maps_root = a->maps_root}, &obj))
		return CLI_FAILED;
	if (obj && cli_configure(obj, &a->cfg)) {
		bel_object_close(obj);
		return CLI_FAILED;
	}
	if (bel_pin_status_read(operands[0], obj, &status)) {
		cli_error("status: %s", obj ? bel_object_last_error(obj) : bel_thread_error());
		bel_object_close(obj);
		return CLI_FAILED;
	}
	count = bel_pin_status_count(status);
	cli_out_str(o, "tree", "tree %s", operands[0]);
	cli_out_list(o, "pins", NULL);
	for (i = 0; i < count; i++) {
		struct bel_pinned p = {.sz = sizeof(p)};

		if (bel_pin_status_item(status, i, &p))
			continue;
		changed += p.state != BEL_PINNED_SAME && p.state != BEL_PINNED_LISTED;
		write_item(o, &p);
	}
	cli_out_list_end(o, NULL);
	if (obj) {
		cli_out_begin(o, NULL, "");
		cli_out_uint(o, "differences", "%llu pins differ from ", changed);
		cli_out_str(o, "object", "%s", bel_object_name(obj));
		cli_out_end(o);
	}
	bel_pin_status_free(status);
	bel_object_close(obj);
	return CLI_OK;
}

const struct cli_cmd cli_cmd_status = {
	.name = "status",
	.operands = "DIR/OBJECT [OBJ]",
	.min_operands = 1,
	.max_operands = 2,
	.operand_complete = {CLI_C_DIR, CLI_C_FILE},
	.opts = status_opts,
	.args_size = sizeof(struct status_args),
	.run = run_status,
	.summary = "what a pinned tree holds, and how it compares with an object",
	.description = "Lists the maps, programs and links of the tree DIR/OBJECT made by bel load "
		       "--pin, with their kernel ids, types, program tags and map shapes. Given OBJ, "
		       "says how each pin compares with what OBJ would load: same (load --pin takes "
		       "it as it is), changed (and why: it is replaced), missing (made anew) or extra "
		       "(dropped). Nothing is loaded, taken or changed.",
};
