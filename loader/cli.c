/* SPDX-License-Identifier: MIT */
/*
 * bel, the command line:
 *   bel inspect OBJ [--json] [--name NAME] [--core [--btf FILE]]
 *   bel load OBJ [--pin DIR] [--name NAME] [--program NAME]... [--map NAME=PINNED_PATH]...
 *                [--keep-going] [--threads N] [--attach [--ifname IF] [--cgroup DIR]] [--verbose]
 *   bel verify OBJ [--name NAME]
 *   bel run OBJ PROG [--data FILE]... [--ctx FILE] [--data-out FILE] [--repeat N] [--json]
 *   bel unpin DIR/OBJECT
 *   bel gen vmlinux [--btf FILE] [-o FILE]
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bel.h"
#include "cli.h"
#include "cli_text.h"
#include "common/num.h"
#include "cli_gen.h"
#include "names.h"

static int verbose;

/*
 * s escaped for the terminal (cli_text.h). The copies live in a small ring, so a printf may
 * take several; the oldest goes when the ring turns.
 */
static const char *esc(const char *s)
{
	static char *ring[16];
	static unsigned int next;
	char **slot = &ring[next++ % 16];

	free(*slot);
	*slot = cli_text_escape(s ? s : "");
	return *slot ? *slot : "(out of memory)";
}

/* "bel: <message>" on stderr, the message escaped as a whole. */
void cli_error(const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "bel: %s\n", n < 0 ? "(out of memory)" : esc(msg));
	free(n < 0 ? NULL : msg);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bel inspect OBJ [--json] [--name NAME] [--core [--btf FILE]]\n"
		"       bel load OBJ [--pin DIR] [--name NAME] [--program NAME]...\n"
		"                [--map NAME=PINNED_PATH]... [--type PROGRAM=TYPE]...\n"
		"                [--set NAME=VALUE]... [--max-entries MAP=N]...\n"
		"                [--keep-going] [--threads N]\n"
		"                [--attach [--ifname IF] [--cgroup DIR]] [--verbose]\n"
		"       bel verify OBJ [--name NAME]\n"
		"       bel run OBJ PROG [--data FILE]... [--ctx FILE] [--data-out FILE] [--repeat N]\n"
		"                [--set NAME=VALUE]... [--max-entries MAP=N]... [--json]\n"
		"       bel unpin DIR/OBJECT\n"
		"       bel gen vmlinux [--btf FILE] [-o FILE]\n"
		"       bel gen skeleton OBJ [--name NAME] [-o FILE]\n"
		"\n"
		"inspect  show programs (section, type, instructions, map table), maps, global data\n"
		"         and BTF of an object, without loading anything; --core shows how each\n"
		"         CO-RE relocation and extern resolves against the running kernel (or FILE)\n"
		"load     load every program (or those named by --program) and the maps they use;\n"
		"         --map reuses a pinned map for a map of the object; --type sets the type of a\n"
		"         program whose section name does not say it; --set sets a global variable\n"
		"         before load (typed by its BTF), --max-entries sizes a map; --attach attaches every\n"
		"         program whose section says how (xdp/tcx need --ifname); --pin pins maps,\n"
		"         programs and links at DIR/<object>/{maps,programs,links}/<name>, <object>\n"
		"         being the file name up to its first '.'. Without --keep-going, on failure\n"
		"         nothing stays loaded, attached or pinned\n"
		"verify   load every program on its own and report, per program, the verifier's\n"
		"         result, verified instructions, time and on failure its last lines\n"
		"run      load one program and the maps it uses, run it on each --data file\n"
		"         (BPF_PROG_TEST_RUN), print its return value (XDP/tc verdicts named)\n"
		"unpin    remove a tree made by load --pin (pinned links go: programs detach)\n"
		"gen vmlinux  the kernel's BTF (or FILE's) as a C header for CO-RE programs\n"
		"gen skeleton a C header embedding OBJ, with typed handles and global data\n");
}

static void on_msg(enum bel_msg_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level == BEL_MSG_ERROR)
		return; /* printed once, by the command that failed */
	if (level <= BEL_MSG_WARN || verbose >= (int)level)
		cli_error("%s: %s", level == BEL_MSG_WARN ? "warning" : "info", msg);
}

static void json_str(const char *s)
{
	cli_json_string(stdout, s);
}

static void inspect_text(const struct bel_object *obj)
{
	unsigned int i, j, n;
	uint32_t fi, li;

	printf("object %s: license \"%s\", %u programs, %u maps, BTF: %u types\n",
	       esc(bel_object_name(obj)), esc(bel_object_license(obj)), bel_object_program_count(obj),
	       bel_object_map_count(obj), bel_object_btf_type_count(obj));
	for (i = 0; i < bel_object_program_count(obj); i++) {
		const struct bel_program *p = bel_object_program(obj, i);

		bel_program_insns(p, &n);
		bel_program_btf_ext_counts(p, &fi, &li);
		printf("prog %-24s sec %-36s type %-16s insns %-6u func_info %u line_info %u maps [",
		       esc(bel_program_name(p)), esc(bel_program_section(p)),
		       bel_prog_type_name(bel_program_type(p)), n, fi, li);
		for (j = 0; j < bel_program_map_count(p); j++)
			printf("%s%s", j ? " " : "", esc(bel_map_name(bel_program_map(p, j))));
		printf("]\n");
	}
	for (i = 0; i < bel_object_map_count(obj); i++) {
		const struct bel_map *m = bel_object_map(obj, i);

		printf("map  %-24s kname %-16s type %-16s key %-4u value %-6u max_entries %-8u flags %#x%s%s\n",
		       esc(bel_map_name(m)), esc(bel_map_kernel_name(m)), bel_map_type_name(bel_map_type(m)),
		       bel_map_key_size(m), bel_map_value_size(m), bel_map_max_entries(m), bel_map_flags(m),
		       bel_map_data_section(m) ? " global-data" : "",
		       bel_map_has_metadata(m) ? " metadata" : "");
	}
}

static void inspect_json(const struct bel_object *obj)
{
	unsigned int i, j, n;
	uint32_t fi, li;

	printf("{\"object\":");
	json_str(bel_object_name(obj));
	printf(",\"license\":");
	json_str(bel_object_license(obj));
	printf(",\"btf\":{\"types\":%u},\"programs\":[", bel_object_btf_type_count(obj));
	for (i = 0; i < bel_object_program_count(obj); i++) {
		const struct bel_program *p = bel_object_program(obj, i);

		bel_program_insns(p, &n);
		bel_program_btf_ext_counts(p, &fi, &li);
		printf("%s{\"name\":", i ? "," : "");
		json_str(bel_program_name(p));
		printf(",\"section\":");
		json_str(bel_program_section(p));
		printf(",\"type\":");
		json_str(bel_prog_type_name(bel_program_type(p)));
		printf(",\"expected_attach_type\":%u,\"flags\":%u,\"insns\":%u,\"func_info\":%u,"
		       "\"line_info\":%u,\"maps\":[", bel_program_expected_attach_type(p),
		       bel_program_flags(p), n, fi, li);
		for (j = 0; j < bel_program_map_count(p); j++) {
			printf("%s", j ? "," : "");
			json_str(bel_map_name(bel_program_map(p, j)));
		}
		printf("]}");
	}
	printf("],\"maps\":[");
	for (i = 0; i < bel_object_map_count(obj); i++) {
		const struct bel_map *m = bel_object_map(obj, i);

		printf("%s{\"name\":", i ? "," : "");
		json_str(bel_map_name(m));
		printf(",\"kernel_name\":");
		json_str(bel_map_kernel_name(m));
		printf(",\"type\":");
		json_str(bel_map_type_name(bel_map_type(m)));
		printf(",\"key_size\":%u,\"value_size\":%u,\"max_entries\":%u,\"flags\":%u,"
		       "\"global_data\":%s,\"metadata\":%s}", bel_map_key_size(m), bel_map_value_size(m),
		       bel_map_max_entries(m), bel_map_flags(m), bel_map_data_section(m) ? "true" : "false",
		       bel_map_has_metadata(m) ? "true" : "false");
	}
	printf("]}\n");
}

static bool trial_only; /* verify: pinned-by-name maps neither reused nor pinned */

static int open_obj(const char *path, const char *name, struct bel_object **obj)
{
	struct bel_open_opts opts = {.sz = sizeof(opts), .name = name, .msg = on_msg,
				     .ignore_pinning = trial_only};
	int ret = bel_object_open_file(path, &opts, obj);

	if (ret)
		cli_error("%s", bel_thread_error());
	return ret;
}

static void print_loaded(const struct bel_object *obj, const char *pinned)
{
	unsigned int i, j;

	for (i = 0; i < bel_object_program_count(obj); i++) {
		const struct bel_program *p = bel_object_program(obj, i);
		struct bel_program_info info;

		if (bel_program_info(p, &info)) {
			printf("prog %-24s %-36s %s%s\n", esc(bel_program_name(p)), esc(bel_program_section(p)),
			       bel_program_status(p) ? "FAILED: " : "not loaded",
			       bel_program_status(p) ? strerror(-bel_program_status(p)) : "");
			continue;
		}
		printf("prog %-24s %-36s %-14s id %-6u tag %s verified %-6u %.2f ms maps [",
		       esc(bel_program_name(p)), esc(bel_program_section(p)),
		       bel_prog_type_name(bel_program_type(p)), info.id, info.tag,
		       info.verified_insns, info.load_ns / 1e6);
		for (j = 0; j < bel_program_map_count(p); j++)
			printf("%s%s", j ? " " : "", esc(bel_map_name(bel_program_map(p, j))));
		printf("]%s\n", bel_program_link_count(p) ? " attached" : "");
	}
	for (i = 0; i < bel_object_map_count(obj); i++) {
		const struct bel_map *m = bel_object_map(obj, i);

		if (bel_map_fd(m) < 0)
			continue;
		printf("map  %-24s %-16s id %-6u key %u value %u max_entries %u flags %#x\n",
		       esc(bel_map_name(m)), bel_map_type_name(bel_map_type(m)), bel_map_id(m),
		       bel_map_key_size(m), bel_map_value_size(m), bel_map_max_entries(m),
		       bel_map_flags(m));
	}
	if (pinned) {
		/* where the tree is: its name is the object's with '.' escaped */
		char dir[256], *root = strdup(pinned);
		size_t len = strlen(pinned);

		while (root && len > 1 && root[len - 1] == '/')
			root[--len] = '\0';
		bel_pin_name(bel_object_name(obj), dir, sizeof(dir));
		printf("pinned at %s%s%s\n", esc(root ? root : pinned),
		       root && !strcmp(root, "/") ? "" : "/", esc(dir));
		free(root);
	}
}

/* Each program's CO-RE relocations and the object's externs, resolved against the target. */
static int inspect_core(struct bel_object *obj)
{
	unsigned int i, j, n;
	int ret = 0;

	for (i = 0; i < bel_object_program_count(obj); i++) {
		const struct bel_program *p = bel_object_program(obj, i);
		struct bel_core_report *rep;

		if (bel_program_core_report(p, &rep, &n)) {
			cli_error("%s", bel_object_last_error(obj));
			ret = 1;
			continue;
		}
		if (!n)
			continue;
		printf("prog %s (%s): %u CO-RE relocations\n", esc(bel_program_name(p)),
		       esc(bel_program_section(p)), n);
		for (j = 0; j < n; j++)
			printf("  insn %-5u %-14s %-60s %s %llu -> %llu (%u of %u candidates, target [%u])\n",
			       rep[j].insn, rep[j].kind, esc(rep[j].what),
			       rep[j].poisoned ? "POISONED" : "ok", (unsigned long long)rep[j].local_value,
			       (unsigned long long)rep[j].target_value, rep[j].matched, rep[j].candidates,
			       rep[j].target_type_id);
		free(rep);
	}
	for (i = 0; i < bel_object_extern_count(obj); i++) {
		struct bel_extern_info e;

		bel_object_extern(obj, i, &e);
		printf("extern %-32s %-7s %s%s ", esc(e.name), e.kind, e.weak ? "weak " : "",
		       e.typeless ? "typeless " : "");
		if (!e.resolved)
			printf("UNRESOLVED: %s\n", esc(e.error));
		else if (e.string[0])
			printf("= \"%s\"\n", esc(e.string));
		else
			printf("= %llu\n", (unsigned long long)e.value);
	}
	return ret;
}

static int cmd_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"name", required_argument, NULL, 'n'},
		{"core", no_argument, NULL, 'c'},
		{"btf", required_argument, NULL, 'b'},
		{0},
	};
	struct bel_open_opts opts = {.sz = sizeof(opts), .msg = on_msg};
	struct bel_object *obj;
	int json = 0, core = 0, c, ret = 0;

	while ((c = getopt_long(argc, argv, "jn:cb:", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'n': opts.name = optarg; break;
		case 'c': core = 1; break;
		case 'b': opts.btf_path = optarg; break;
		default: return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	if (bel_object_open_file(argv[optind], &opts, &obj)) {
		cli_error("%s", bel_thread_error());
		return 1;
	}
	if (core)
		ret = inspect_core(obj);
	else if (json)
		inspect_json(obj);
	else
		inspect_text(obj);
	bel_object_close(obj);
	return ret;
}

struct load_args {
	const char *pin, *name;
	const char **programs;
	int nprograms;
	char **maps; /* NAME=PATH */
	int nmaps;
	char **types; /* PROGRAM=TYPE */
	int ntypes;
	char **sets; /* NAME=VALUE */
	int nsets;
	char **maxes; /* MAP=N */
	int nmaxes;
	bool attach;
	struct bel_attach_opts attach_opts;
	struct bel_load_opts lopts;
};

static int set_types(struct bel_object *obj, const struct load_args *a)
{
	int i;

	for (i = 0; i < a->ntypes; i++) {
		char *eq = strchr(a->types[i], '=');
		struct bel_program *p;
		int type;

		if (!eq) {
			cli_error("--type wants PROGRAM=TYPE, not '%s'", a->types[i]);
			return -EINVAL;
		}
		*eq = '\0';
		p = bel_object_find_program(obj, a->types[i]);
		type = bel_prog_type_by_name(eq + 1);
		if (!p || type < 0) {
			cli_error("--type %s=%s: %s", a->types[i], eq + 1, !p ? "no such program" :
			    "unknown program type (bpftool's names: socket_filter, xdp, sched_cls, "
			    "kprobe, ...)");
			return -EINVAL;
		}
		bel_program_set_type(p, (uint32_t)type, 0);
	}
	return 0;
}

static int reuse_maps(struct bel_object *obj, const struct load_args *a)
{
	int i;

	for (i = 0; i < a->nmaps; i++) {
		char *eq = strchr(a->maps[i], '=');
		struct bel_map *m;

		if (!eq) {
			cli_error("--map wants NAME=PINNED_PATH, not '%s'", a->maps[i]);
			return -EINVAL;
		}
		*eq = '\0';
		m = bel_object_find_map(obj, a->maps[i]);
		if (!m) {
			cli_error("object '%s' has no map '%s'", bel_object_name(obj), a->maps[i]);
			return -ENOENT;
		}
		if (bel_map_reuse_pinned(m, eq + 1)) {
			cli_error("%s", bel_object_last_error(obj));
			return -EINVAL;
		}
	}
	return 0;
}

static int configure(struct bel_object *obj, const struct load_args *a)
{
	int i;

	for (i = 0; i < a->nsets; i++)
		if (cli_set_var(obj, a->sets[i]))
			return -EINVAL;
	for (i = 0; i < a->nmaxes; i++)
		if (cli_set_max_entries(obj, a->maxes[i]))
			return -EINVAL;
	return 0;
}

/* The programs named by --program, all found before anything is loaded. */
static int find_programs(struct bel_object *obj, const struct load_args *a)
{
	int i;

	for (i = 0; i < a->nprograms; i++)
		if (!bel_object_find_program(obj, a->programs[i])) {
			cli_error("object '%s' has no program '%s'", bel_object_name(obj), a->programs[i]);
			return -ENOENT;
		}
	return 0;
}

/* Load the programs asked for: all of them, or those named. */
static int load_programs(struct bel_object *obj, struct load_args *a)
{
	int i, ret, first = 0;

	if (!a->nprograms)
		return bel_object_load(obj, &a->lopts);
	for (i = 0; i < a->nprograms; i++) {
		ret = bel_program_load(bel_object_find_program(obj, a->programs[i]));
		if (ret && !first)
			first = ret;
		if (ret && !a->lopts.keep_going)
			return ret; /* closing the object unloads the others */
	}
	return first;
}

static int attach_programs(struct bel_object *obj, const struct load_args *a)
{
	unsigned int i;
	int first = 0;

	for (i = 0; i < bel_object_program_count(obj); i++) {
		struct bel_program *p = bel_object_program(obj, i);
		int ret;

		if (bel_program_fd(p) < 0)
			continue;
		if (!bel_program_attachable(p, &a->attach_opts)) {
			if (verbose)
				cli_error("info: prog '%s' (%s): not attached: its section does not say where",
				    bel_program_name(p), bel_program_section(p));
			continue;
		}
		ret = bel_program_attach(p, &a->attach_opts);
		if (ret < 0) {
			cli_error("%s", bel_object_last_error(obj));
			if (!first)
				first = ret;
			if (!a->lopts.keep_going)
				return ret;
		}
	}
	return first;
}

static int cmd_load(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"pin", required_argument, NULL, 'p'},
		{"name", required_argument, NULL, 'n'},
		{"program", required_argument, NULL, 'P'},
		{"map", required_argument, NULL, 'm'},
		{"type", required_argument, NULL, 'T'},
		{"keep-going", no_argument, NULL, 'k'},
		{"threads", required_argument, NULL, 't'},
		{"attach", no_argument, NULL, 'a'},
		{"ifname", required_argument, NULL, 'i'},
		{"cgroup", required_argument, NULL, 'c'},
		{"verbose", no_argument, NULL, 'v'},
		{"set", required_argument, NULL, 's'},
		{"max-entries", required_argument, NULL, 'M'},
		{0},
	};
	struct load_args a = {.lopts.sz = sizeof(a.lopts), .attach_opts.sz = sizeof(a.attach_opts)};
	struct bel_object *obj;
	unsigned int i;
	int c, ret;

	a.programs = calloc((size_t)argc, sizeof(*a.programs));
	a.maps = calloc((size_t)argc, sizeof(*a.maps));
	a.types = calloc((size_t)argc, sizeof(*a.types));
	a.sets = calloc((size_t)argc, sizeof(*a.sets));
	a.maxes = calloc((size_t)argc, sizeof(*a.maxes));
	if (!a.programs || !a.maps || !a.types || !a.sets || !a.maxes) {
		ret = 1;
		goto out_args;
	}
	while ((c = getopt_long(argc, argv, "p:n:P:m:T:kt:ai:c:vs:M:", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': a.pin = optarg; break;
		case 'n': a.name = optarg; break;
		case 'P': a.programs[a.nprograms++] = optarg; break;
		case 'm': a.maps[a.nmaps++] = optarg; break;
		case 'T': a.types[a.ntypes++] = optarg; break;
		case 'k': a.lopts.keep_going = true; break;
		case 't': {
			uint64_t n;

			if (bel_parse_u64(optarg, 1, 1024, &n)) {
				cli_error("--threads wants a number from 1 to 1024, not '%s'", optarg);
				ret = 2;
				goto out_args;
			}
			a.lopts.threads = (unsigned int)n;
			break;
		}
		case 'a': a.attach = true; break;
		case 'i': a.attach_opts.ifname = optarg; break;
		case 'c': a.attach_opts.cgroup = optarg; break;
		case 'v': verbose++; break;
		case 's': a.sets[a.nsets++] = optarg; break;
		case 'M': a.maxes[a.nmaxes++] = optarg; break;
		default: ret = 2; goto out_args;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		ret = 2;
		goto out_args;
	}
	ret = 1;
	if (open_obj(argv[optind], a.name, &obj))
		goto out_args;
	if (find_programs(obj, &a) || set_types(obj, &a) || configure(obj, &a) ||
	    reuse_maps(obj, &a))
		goto out;
	/* names that cannot be pinned are refused before anything is loaded */
	if (a.pin && bel_object_pin_check(obj)) {
		cli_error("%s", bel_object_last_error(obj));
		goto out;
	}
	c = load_programs(obj, &a);
	if (c && !a.lopts.keep_going) {
		cli_error("%s", bel_object_last_error(obj));
		goto out;
	}
	for (i = 0; c && i < bel_object_program_count(obj); i++) {
		const struct bel_program *p = bel_object_program(obj, i);

		if (bel_program_status(p))
			cli_error("%s", bel_program_error(p));
	}
	if (a.attach && attach_programs(obj, &a) && !a.lopts.keep_going)
		goto out;
	if (a.pin && bel_object_pin(obj, a.pin)) {
		cli_error("%s", bel_object_last_error(obj));
		goto out;
	}
	print_loaded(obj, a.pin);
	ret = c ? 1 : 0;
out:
	bel_object_close(obj);
out_args:
	free(a.programs);
	free(a.maps);
	free(a.types);
	free(a.sets);
	free(a.maxes);
	return ret;
}

/* Every program alone: load, report, unload; so one failure says nothing about the others. */
static int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"name", required_argument, NULL, 'n'},
		{0},
	};
	const char *name = NULL;
	struct bel_object *obj;
	unsigned int i, ok = 0;
	int c;

	while ((c = getopt_long(argc, argv, "n:", longopts, NULL)) != -1) {
		if (c == 'n')
			name = optarg;
		else
			return 2;
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	trial_only = true;
	if (open_obj(argv[optind], name, &obj))
		return 1;
	printf("%-24s %-36s %-6s %10s %10s  %s\n", "program", "section", "result", "verified",
	       "time_ms", "detail");
	for (i = 0; i < bel_object_program_count(obj); i++) {
		struct bel_program *p = bel_object_program(obj, i);
		struct bel_program_info info = {0};
		int ret = bel_program_load(p);

		if (!ret) {
			bel_program_info(p, &info);
			ok++;
			printf("%-24s %-36s %-6s %10u %10.3f\n", esc(bel_program_name(p)),
			       esc(bel_program_section(p)), "ok", info.verified_insns, info.load_ns / 1e6);
			bel_program_unload(p);
			continue;
		}
		printf("%-24s %-36s %-6s %10s %10s  %s\n", esc(bel_program_name(p)),
		       esc(bel_program_section(p)), "FAIL", "-", "-", esc(bel_program_error(p)));
	}
	printf("%u of %u programs verified\n", ok, bel_object_program_count(obj));
	c = ok == bel_object_program_count(obj) ? 0 : 1;
	bel_object_close(obj);
	return c;
}

static int cmd_unpin(int argc, char **argv)
{
	char err[1024];

	if (argc != 2) {
		usage(stderr);
		return 2;
	}
	if (bel_unpin(argv[1], err, sizeof(err))) {
		cli_error("unpin: %s", err);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "inspect"))
		return cmd_inspect(argc - 1, argv + 1);
	if (!strcmp(argv[1], "load"))
		return cmd_load(argc - 1, argv + 1);
	if (!strcmp(argv[1], "verify"))
		return cmd_verify(argc - 1, argv + 1);
	if (!strcmp(argv[1], "unpin"))
		return cmd_unpin(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cli_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "gen") && argc > 2 && !strcmp(argv[2], "vmlinux"))
		return cli_gen_vmlinux(argc - 2, argv + 2);
	if (!strcmp(argv[1], "gen") && argc > 2 && !strcmp(argv[2], "skeleton"))
		return cli_gen_skeleton(argc - 2, argv + 2);
	cli_error("unknown command '%s'", argv[1]);
	usage(stderr);
	return 2;
}
