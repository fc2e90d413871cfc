/* SPDX-License-Identifier: MIT */
/*
 * bel load OBJ: load every program (or those --program names) and the maps they use, configured
 * from the command line, attach them (--attach) and pin the lot (--pin); then report each
 * program's status. Without --keep-going a failure leaves nothing loaded, attached or pinned.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "cli.h"
#include "loader/names.h"

struct load_args {
	const char *pin, *name, *maps_root;
	struct cli_list programs;
	struct cli_config cfg;
	bool attach, migrate;
	struct cli_attach at;
	struct bel_load_opts lopts;
	bool adopted;                   /* --pin over a tree: bel_object_adopt */
	struct bel_adopt_report report;
};

#define ARGS struct load_args
static const struct cli_opt load_opts[] = {
	{.name = "pin", .short_name = 'p', .arg = "DIR", .complete = CLI_C_DIR, CLI_STRING_AT(ARGS, pin),
	 .help = "pin maps, programs and links at DIR/<object>/{maps,programs,links}/<name>; DIR "
		 "must be on bpffs (a missing DIR is made, with its parents, when what exists of it "
		 "is). Over a tree an earlier load pinned, what did not change is taken as it is "
		 "(maps with their contents, programs, links) and the tree is replaced in one rename"},
	{.name = "maps-root", .arg = "DIR", .complete = CLI_C_DIR, CLI_STRING_AT(ARGS, maps_root),
	 .help = "where maps the object pins by name (LIBBPF_PIN_BY_NAME) are pinned and looked "
		 "for (default /sys/fs/bpf)"},
	{.name = "name", .short_name = 'n', .arg = "NAME", CLI_STRING_AT(ARGS, name),
	 .help = "the object's name (default: the file name up to its first '.')"},
	{.name = "program", .short_name = 'P', .arg = "NAME", .complete = CLI_C_PROGRAM,
	 CLI_LIST_AT(ARGS, programs),
	 .help = "load only this program (and the maps it needs); repeatable"},
	{.name = "map", .short_name = 'm', .arg = "NAME=PINNED_PATH", .complete = CLI_C_MAP,
	 .complete_value = CLI_C_FILE, CLI_LIST_AT(ARGS, cfg.maps),
	 .help = "use the map pinned at PINNED_PATH for the object's map NAME, once checked to fit"},
	{.name = "type", .short_name = 'T', .arg = "PROGRAM=TYPE", .complete = CLI_C_PROGRAM,
	 .complete_value = CLI_C_PROG_TYPE, CLI_LIST_AT(ARGS, cfg.types),
	 .help = "the program type of a program whose section does not say it (bpftool's names: "
		 "socket_filter, xdp, sched_cls, kprobe, ...)"},
	{.name = "set", .short_name = 's', .arg = "NAME=VALUE", .complete = CLI_C_VAR,
	 CLI_LIST_AT(ARGS, cfg.sets),
	 .help = "set a global variable before load, VALUE typed by its BTF"},
	{.name = "max-entries", .short_name = 'M', .arg = "MAP=N", .complete = CLI_C_MAP,
	 CLI_LIST_AT(ARGS, cfg.maxes), .help = "size a map"},
	{.name = "keep-going", .short_name = 'k', CLI_FLAG_AT(ARGS, lopts.keep_going),
	 .help = "load what loads and report each failure (default: all or nothing)"},
	{.name = "threads", .short_name = 't', .arg = "N", CLI_NUMBER_AT(ARGS, lopts.threads, 1, 1024),
	 .help = "verify programs on N threads (1 to 1024)"},
	{.name = "attach", .short_name = 'a', CLI_FLAG_AT(ARGS, attach),
	 .help = "attach every program whose section says where (xdp and tcx need --ifname; the "
		 "options below give what a section cannot); links are pinned under links/ with "
		 "--pin"},
	{.name = "migrate", CLI_FLAG_AT(ARGS, migrate),
	 .help = "with --pin over an earlier tree: a pinned map of another shape is replaced by a "
		 "new one its entries are copied into (default: refused)"},
	CLI_ATTACH_OPTS(ARGS, at),
	{0},
};
#undef ARGS

/* The programs --program names, all found before anything is loaded. */
static int find_programs(struct bel_object *obj, const struct load_args *a)
{
	unsigned int i;

	for (i = 0; i < a->programs.n; i++)
		if (!bel_object_find_program(obj, a->programs.v[i])) {
			cli_error("object '%s' has no program '%s'", bel_object_name(obj),
				  a->programs.v[i]);
			return -ENOENT;
		}
	return 0;
}

/* Load the programs asked for: all of them, or those named. */
static int load_programs(struct bel_object *obj, struct load_args *a)
{
	unsigned int i;
	int ret, first = 0;

	a->lopts.sz = sizeof(a->lopts);
	if (!a->programs.n && a->pin) {
		/* restart or upgrade: what an earlier load pinned there is taken where it fits */
		struct bel_adopt_opts ao = {.sz = sizeof(ao), .load = &a->lopts, .migrate = a->migrate};

		a->report.sz = sizeof(a->report);
		ret = bel_object_adopt(obj, a->pin, &ao, &a->report);
		a->adopted = !ret;
		if (ret)
			return ret;
		for (i = 0; i < bel_object_program_count(obj); i++)
			if (bel_program_status(bel_object_program(obj, i)) && !first)
				first = bel_program_status(bel_object_program(obj, i));
		return first;
	}
	if (!a->programs.n)
		return bel_object_load(obj, &a->lopts);
	for (i = 0; i < a->programs.n; i++) {
		ret = bel_program_load(bel_object_find_program(obj, a->programs.v[i]));
		if (ret && !first)
			first = ret;
		if (ret && !a->lopts.keep_going)
			return ret; /* closing the object unloads the others */
	}
	return first;
}

/* Says why an attach failed and keeps the first failure; whether to stop there. */
static bool attach_failed(struct bel_object *obj, const struct load_args *a, int ret, int *first)
{
	cli_error("%s", bel_object_last_error(obj));
	if (!*first)
		*first = ret;
	return !a->lopts.keep_going;
}

/* struct_ops maps (a TCP congestion control, ...) are registered as a whole, their programs
 * loaded. One registered through a link lasts only while bel runs: bel_object_pin pins
 * program links, not map links. */
static int attach_struct_ops(struct bel_object *obj, struct load_args *a)
{
	unsigned int i;
	int first = 0;

	for (i = 0; i < bel_object_map_count(obj); i++) {
		struct bel_map *m = bel_object_map(obj, i);
		int ret;

		if (bel_map_type(m) != BPF_MAP_TYPE_STRUCT_OPS || bel_map_fd(m) < 0)
			continue;
		ret = bel_map_attach_struct_ops(m);
		if (ret < 0) {
			if (attach_failed(obj, a, ret, &first))
				return ret;
		} else if (ret > 0 && a->pin) {
			cli_warn("struct_ops map '%s' is registered through a link, which is not pinned: "
				 "it is unregistered when bel exits", bel_map_name(m));
		}
	}
	return first;
}

static int attach_programs(struct bel_object *obj, struct load_args *a)
{
	unsigned int i;
	int first = 0;

	if (cli_attach_maps(obj, &a->at))
		return -ENOENT;
	for (i = 0; i < bel_object_program_count(obj); i++) {
		struct bel_program *p = bel_object_program(obj, i);
		int ret;

		if (bel_program_fd(p) < 0)
			continue;
		/* taken from a pinned tree with its links: attached already */
		if (bel_program_link_count(p) || bel_program_attachment_count(p)) {
			cli_info("prog '%s' (%s): attached already (its pinned links were taken)",
				 bel_program_name(p), bel_program_section(p));
			continue;
		}
		if (!bel_program_attachable(p, &a->at.o)) {
			cli_info("prog '%s' (%s): not attached: its section does not say where",
				 bel_program_name(p), bel_program_section(p));
			continue;
		}
		ret = bel_program_attach(p, &a->at.o);
		if (ret < 0 && attach_failed(obj, a, ret, &first))
			return ret;
	}
	return first ? first : attach_struct_ops(obj, a);
}

static void write_program(struct cli_out *o, const struct bel_program *p)
{
	struct bel_program_info info = {.sz = sizeof(info)};
	int status = bel_program_status(p);
	unsigned int j;

	cli_out_begin(o, NULL, "prog ");
	cli_out_str(o, "name", "%-24s", bel_program_name(p));
	cli_out_str(o, "section", " %-36s", bel_program_section(p));
	if (bel_program_info(p, &info)) {
		cli_out_str(o, "type", NULL, ldr_prog_type_name(bel_program_type(p)));
		cli_out_str(o, "status", status ? " FAILED:" : " not loaded", status ? "failed" : "not loaded");
		if (status) {
			cli_out_str(o, NULL, " %s", strerror(-status));
			cli_out_int(o, "errno", NULL, -status);
			cli_out_str(o, "error", NULL, bel_program_error(p));
		}
		cli_out_end(o);
		return;
	}
	cli_out_str(o, "type", " %-14s", ldr_prog_type_name(bel_program_type(p)));
	cli_out_str(o, "status", NULL, "loaded");
	cli_out_uint(o, "id", " id %-6llu", info.id);
	cli_out_str(o, "tag", " tag %s", info.tag);
	cli_out_uint(o, "verified_insns", " verified %-6llu", info.verified_insns);
	cli_out_double(o, "load_ms", " %.2f ms", info.load_ns / 1e6);
	cli_out_list(o, "maps", " maps [");
	for (j = 0; j < bel_program_map_count(p); j++)
		cli_out_str(o, NULL, "%s", bel_map_name(bel_program_map(p, j)));
	cli_out_list_end(o, "]");
	cli_out_uint(o, "links", NULL, bel_program_link_count(p));
	cli_out_bool(o, "attached", " attached", bel_program_link_count(p) > 0);
	cli_out_end(o);
}

static void write_map(struct cli_out *o, const struct bel_map *m)
{
	cli_out_begin(o, NULL, "map  ");
	cli_out_str(o, "name", "%-24s", bel_map_name(m));
	cli_out_str(o, "type", " %-16s", ldr_map_type_name(bel_map_type(m)));
	cli_out_uint(o, "id", " id %-6llu", bel_map_id(m));
	cli_out_uint(o, "key_size", " key %llu", bel_map_key_size(m));
	cli_out_uint(o, "value_size", " value %llu", bel_map_value_size(m));
	cli_out_uint(o, "max_entries", " max_entries %llu", bel_map_max_entries(m));
	cli_out_uint(o, "flags", " flags %#llx", bel_map_flags(m));
	cli_out_end(o);
}

/* What --pin took from the tree an earlier load pinned. */
static void write_adoption(struct cli_out *o, const struct bel_adopt_report *r)
{
	cli_out_begin(o, "adopted", "adopted: ");
	cli_out_uint(o, "progs_reused", "programs reused %llu", r->progs_reused);
	cli_out_uint(o, "progs_loaded", " loaded %llu", r->progs_loaded);
	cli_out_uint(o, "progs_dropped", " dropped %llu", r->progs_dropped);
	cli_out_uint(o, "maps_reused", "; maps reused %llu", r->maps_reused);
	cli_out_uint(o, "maps_created", " created %llu", r->maps_created);
	cli_out_uint(o, "maps_migrated", " migrated %llu", r->maps_migrated);
	cli_out_uint(o, "maps_dropped", " dropped %llu", r->maps_dropped);
	cli_out_uint(o, "links_kept", "; links kept %llu", r->links_kept);
	cli_out_uint(o, "links_updated", " updated %llu", r->links_updated);
	cli_out_uint(o, "links_replaced", " replaced %llu", r->links_replaced);
	cli_out_uint(o, "links_lost", " lost %llu", r->links_lost);
	cli_out_uint(o, "links_dropped", " dropped %llu", r->links_dropped);
	cli_out_uint(o, "entries_copied", "; entries copied %llu", r->entries_copied);
	cli_out_uint(o, "entries_lost", " lost %llu", r->entries_lost);
	cli_out_end(o);
}

/* Each program's status, the maps that exist and where the tree is pinned. */
static void write_result(struct cli_out *o, const struct bel_object *obj, const char *pinned,
			 const struct bel_adopt_report *adopted)
{
	unsigned int i;

	cli_out_str(o, "object", NULL, bel_object_name(obj));
	cli_out_list(o, "programs", NULL);
	for (i = 0; i < bel_object_program_count(obj); i++)
		write_program(o, bel_object_program(obj, i));
	cli_out_list_end(o, NULL);
	cli_out_list(o, "maps", NULL);
	for (i = 0; i < bel_object_map_count(obj); i++)
		if (bel_map_fd(bel_object_map(obj, i)) >= 0)
			write_map(o, bel_object_map(obj, i));
	cli_out_list_end(o, NULL);
	if (adopted)
		write_adoption(o, adopted);
	if (pinned) {
		/* where the tree is: its name is the object's with '.' escaped */
		char dir[256], *root = strdup(pinned), *path = NULL;
		size_t len = strlen(pinned);

		while (root && len > 1 && root[len - 1] == '/')
			root[--len] = '\0';
		bel_pin_name(bel_object_name(obj), dir, sizeof(dir));
		if (root && asprintf(&path, "%s%s%s", root, strcmp(root, "/") ? "/" : "", dir) < 0)
			path = NULL;
		cli_out_begin(o, NULL, "pinned at ");
		cli_out_str(o, "pinned", "%s", path ? path : "(out of memory)");
		cli_out_end(o);
		free(path);
		free(root);
	}
}

static int run_load(void *args, char **operands, unsigned int n)
{
	struct load_args *a = args;
	struct bel_object *obj;
	unsigned int i;
	int ret = CLI_FAILED, loaded;

	(void)n;
	if (cli_open_object(operands[0], &(struct cli_open){.name = a->name, .maps_root = a->maps_root}, &obj))
		return CLI_FAILED;
	if (find_programs(obj, a) || cli_configure(obj, &a->cfg))
		goto out;
	if (a->attach && cli_attach_prepare(&a->at, a->pin != NULL)) {
		ret = CLI_USAGE;
		goto out;
	}
	/* names that cannot be pinned are refused before anything is loaded */
	if (a->pin && bel_object_pin_check(obj)) {
		cli_error("%s", bel_object_last_error(obj));
		goto out;
	}
	loaded = load_programs(obj, a);
	if (loaded && !a->lopts.keep_going) {
		cli_error("%s", bel_object_last_error(obj));
		write_result(cli_out(), obj, NULL, NULL);
		goto out;
	}
	for (i = 0; loaded && i < bel_object_program_count(obj); i++) {
		const struct bel_program *p = bel_object_program(obj, i);

		if (bel_program_status(p))
			cli_error("%s", bel_program_error(p));
	}
	if (a->attach && attach_programs(obj, a) && !a->lopts.keep_going)
		goto out;
	if (a->pin && bel_object_pin(obj, a->pin)) {
		cli_error("%s", bel_object_last_error(obj));
		goto out;
	}
	write_result(cli_out(), obj, a->pin, a->adopted ? &a->report : NULL);
	ret = loaded ? CLI_FAILED : CLI_OK;
out:
	cli_attach_done(&a->at);
	bel_object_close(obj);
	return ret;
}

const struct cli_cmd cli_cmd_load = {
	.name = "load",
	.operands = "OBJ",
	.min_operands = 1,
	.max_operands = 1,
	.operand_complete = {CLI_C_FILE},
	.opts = load_opts,
	.args_size = sizeof(struct load_args),
	.run = run_load,
	.summary = "load an object's programs and the maps they use; attach; pin",
	.description = "Loads every program of OBJ (or those --program names) and only the maps "
		       "they use, then reports each program's status (id, tag, verified "
		       "instructions, load time, map table). --attach attaches every program whose "
		       "section says where; --pin pins maps, programs and links at "
		       "DIR/<object>/{maps,programs,links}/<name>, <object> being the file name up "
		       "to its first '.', with every '.' in a name pinned as '_'. Without "
		       "--keep-going, on failure nothing stays loaded, attached or pinned. The "
		       "object's name and every name pinned are checked before anything is loaded.",
};
