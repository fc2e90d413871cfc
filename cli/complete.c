/* SPDX-License-Identifier: MIT */
/*
 * bel __complete WORD...: what the shell may put in place of the last word, from the same
 * tables the parser uses (cli/bel.bash calls it). The words are those after "bel", the last one
 * the partial word (maybe empty). Output: one line saying what to complete ("words", or "files"
 * and "dirs" for the shell to complete itself), then one candidate per line. Names from an
 * object with a character a shell line could not carry (controls, newlines) are left out.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "loader/names.h"

struct candidates {
	const char *partial;
	const char *prefix;     /* put before each candidate ("--set=" or "NAME=") */
	const char *suffix;     /* put after ("=" after a NAME) */
};

static void offer(const struct candidates *c, const char *word)
{
	char line[1024];
	size_t i;

	if (snprintf(line, sizeof(line), "%s%s%s", c->prefix, word, c->suffix) >= (int)sizeof(line))
		return;
	if (strncmp(line, c->partial, strlen(c->partial)))
		return;
	for (i = 0; line[i]; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			return;
	puts(line);
}

static void offer_commands(const struct candidates *c, const char *first)
{
	const char *last = NULL;
	unsigned int i;

	for (i = 0; cli_commands[i]; i++) {
		const char *name = cli_commands[i]->name, *sp = strchr(name, ' ');
		char word[64];

		if (first) { /* the second word of "gen vmlinux" */
			if (sp && !strncmp(name, first, (size_t)(sp - name)) && !first[sp - name])
				offer(c, sp + 1);
			continue;
		}
		snprintf(word, sizeof(word), "%.*s", (int)(sp ? (size_t)(sp - name) : strlen(name)), name);
		if (!last || strcmp(last, word)) /* "gen" once */
			offer(c, word);
		last = sp ? "gen" : name;
	}
}

static void offer_object_names(const struct candidates *c, enum cli_complete kind, const char *path)
{
	struct bel_open_opts opts = {.sz = sizeof(opts)};
	struct bel_object *obj;
	unsigned int i;

	if (!path || bel_object_open_file(path, &opts, &obj))
		return;
	if (kind == CLI_C_PROGRAM)
		for (i = 0; i < bel_object_program_count(obj); i++)
			offer(c, bel_program_name(bel_object_program(obj, i)));
	if (kind == CLI_C_MAP)
		for (i = 0; i < bel_object_map_count(obj); i++)
			offer(c, bel_map_name(bel_object_map(obj, i)));
	if (kind == CLI_C_VAR)
		for (i = 0; i < bel_object_var_count(obj); i++) {
			struct bel_var_info v = {.sz = sizeof(v)};

			if (!bel_object_var(obj, i, &v))
				offer(c, v.name);
		}
	bel_object_close(obj);
}

static void offer_interfaces(const struct candidates *c)
{
	DIR *d = opendir("/sys/class/net");
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			offer(c, e->d_name);
	if (d)
		closedir(d);
}

/* The candidates of one kind; object names come from obj_path. */
static void offer_kind(struct candidates *c, enum cli_complete kind, const char *obj_path)
{
	unsigned int t;

	switch (kind) {
	case CLI_C_FILE:
		puts("files");
		return;
	case CLI_C_DIR:
		puts("dirs");
		return;
	default:
		break;
	}
	puts("words");
	switch (kind) {
	case CLI_C_PROGRAM:
	case CLI_C_MAP:
	case CLI_C_VAR:
		offer_object_names(c, kind, obj_path);
		break;
	case CLI_C_PROG_TYPE:
		for (t = 1; t < 256; t++)
			if (strcmp(ldr_prog_type_name(t), "unknown"))
				offer(c, ldr_prog_type_name(t));
		break;
	case CLI_C_IFNAME:
		offer_interfaces(c);
		break;
	case CLI_C_COMMAND:
		offer_commands(c, NULL);
		break;
	default:
		break;
	}
}

/* An option's value (the partial word is lead and value: lead is "--name=" or empty).
 * NAME=VALUE values complete NAME (then '='), or VALUE after the '='. */
static void offer_value(const struct cli_opt *o, const char *partial, size_t lead,
			const char *obj_path)
{
	struct candidates c = {.partial = partial, .prefix = "", .suffix = ""};
	const char *eq = strchr(partial + lead, '=');
	char prefix[512];

	snprintf(prefix, sizeof(prefix), "%.*s", (int)lead, partial);
	c.prefix = prefix;
	if (o->arg && strchr(o->arg, '=')) {
		if (!eq) {
			c.suffix = "=";
			offer_kind(&c, o->complete, obj_path);
			return;
		}
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(eq + 1 - partial), partial);
		offer_kind(&c, o->complete_value, obj_path);
		return;
	}
	offer_kind(&c, o->complete, obj_path);
}

static bool takes_value(const struct cli_opt *o)
{
	return o->type == CLI_STRING || o->type == CLI_LIST || o->type == CLI_NUMBER;
}

static void offer_options(const struct candidates *c, const struct cli_cmd *cmd)
{
	const struct cli_opt *tables[2] = {cmd->opts, cli_common_opts};
	char word[128];
	unsigned int t;

	for (t = 0; t < 2; t++)
		for (const struct cli_opt *o = tables[t]; o && o->name; o++) {
			snprintf(word, sizeof(word), "--%s", o->name);
			offer(c, word);
		}
}

int cli_complete(int argc, char **argv)
{
	const char *partial = argc ? argv[argc - 1] : "";
	struct candidates c = {.partial = partial, .prefix = "", .suffix = ""};
	const struct cli_opt *expect = NULL;
	const struct cli_cmd *cmd;
	const char *operands[2] = {NULL, NULL};
	unsigned int nops = 0;
	bool dashes = false, amb;
	int words = 0, i;

	if (argc <= 1) {
		puts("words");
		if (partial[0] == '-') {
			offer(&c, "--help");
			offer(&c, "--version");
		} else {
			offer_commands(&c, NULL);
		}
		return CLI_OK;
	}
	cmd = cli_find_command(argc - 1, argv, &words);
	if (!cmd) {
		puts("words");
		if (argc == 2)
			offer_commands(&c, argv[0]);
		return CLI_OK;
	}
	/* where the words before the partial one leave it: an option's value, or an operand */
	for (i = words; i < argc - 1; i++) {
		const char *w = argv[i];

		if (expect) {
			expect = NULL;
		} else if (dashes || w[0] != '-' || !w[1]) {
			if (nops < 2)
				operands[nops] = w;
			nops++;
		} else if (!strcmp(w, "--")) {
			dashes = true;
		} else if (w[1] == '-') {
			const struct cli_opt *o = cli_find_opt(cmd, w + 2, strcspn(w + 2, "="), &amb);

			if (o && takes_value(o) && !strchr(w, '='))
				expect = o;
		} else {
			for (w++; *w; w++) {
				const struct cli_opt *o = NULL;

				for (const struct cli_opt *r = cmd->opts; r && r->name && !o; r++)
					if (r->short_name == *w)
						o = r;
				if (o && takes_value(o)) {
					expect = w[1] ? NULL : o;
					break;
				}
			}
		}
	}
	if (expect) {
		offer_value(expect, partial, 0, operands[0]);
	} else if (!dashes && !strncmp(partial, "--", 2) && strchr(partial, '=')) {
		const char *eq = strchr(partial, '=');
		const struct cli_opt *o = cli_find_opt(cmd, partial + 2, (size_t)(eq - partial - 2), &amb);

		if (o && takes_value(o))
			offer_value(o, partial, (size_t)(eq + 1 - partial), operands[0]);
		else
			puts("words");
	} else if (!dashes && partial[0] == '-') {
		puts("words");
		offer_options(&c, cmd);
	} else if (nops == 1 && cmd->operand_complete[1] == CLI_C_COMMAND) {
		puts("words"); /* help gen <TAB> */
		offer_commands(&c, operands[0]);
	} else {
		offer_kind(&c, nops < 2 ? cmd->operand_complete[nops] : CLI_C_NONE, operands[0]);
	}
	return CLI_OK;
}
