/* SPDX-License-Identifier: MIT */
/* --help, the usage and `bel help --json`, all rendered from the command and option tables. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define WIDTH 80

/* One option as the synopsis shows it: "[--pin DIR]", "[--program NAME]...", "[--keep-going]". */
static int synopsis_item(char *buf, size_t size, const struct cli_opt *o)
{
	return snprintf(buf, size, "[--%s%s%s]%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "",
			o->type == CLI_LIST || o->type == CLI_COUNT ? "..." : "");
}

void cli_synopsis(FILE *f, const struct cli_cmd *cmd, const char *lead, unsigned int indent)
{
	unsigned int col;
	char item[256];

	col = (unsigned int)fprintf(f, "%sbel %s%s%s", lead, cmd->name, *cmd->operands ? " " : "",
				    cmd->operands);
	for (const struct cli_opt *o = cmd->opts; o && o->name; o++) {
		unsigned int len = (unsigned int)synopsis_item(item, sizeof(item), o);

		if (col + 1 + len > WIDTH) {
			col = (unsigned int)fprintf(f, "\n%*s", (int)indent, "") - 1;
		} else {
			fputc(' ', f);
			col++;
		}
		col += (unsigned int)fprintf(f, "%s", item);
	}
	fputc('\n', f);
}

/* text wrapped at spaces into lines of at most width bytes, each from column indent; the first
 * line starts at column col (what is already on it). */
static void wrap(FILE *f, const char *text, unsigned int indent, unsigned int col, size_t width)
{
	do {
		size_t n = strlen(text), cut = n;

		if (n > width) {
			cut = width;
			while (cut && text[cut] != ' ')
				cut--;
			if (!cut)
				cut = width;
		}
		fprintf(f, "%*s%.*s\n", (int)(indent > col ? indent - col : 0), "", (int)cut, text);
		col = 0;
		text += cut;
		while (*text == ' ')
			text++;
	} while (*text);
}

/* The option list of --help: "  -p, --pin DIR   what it does", the text wrapped in a column
 * from 30. */
static void option_lines(FILE *f, const struct cli_opt *opts)
{
	for (const struct cli_opt *o = opts; o && o->name; o++) {
		int len;

		if (o->short_name)
			len = fprintf(f, "  -%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
				      o->arg ? o->arg : "");
		else
			len = fprintf(f, "      --%s%s%s", o->name, o->arg ? " " : "",
				      o->arg ? o->arg : "");
		if (len >= 28) {
			fputc('\n', f);
			len = 0;
		}
		wrap(f, o->help, 30, (unsigned int)len, WIDTH - 30);
	}
}

void cli_help_command(FILE *f, const struct cli_cmd *cmd)
{
	cli_synopsis(f, cmd, "usage: ", (unsigned int)(strlen("usage: bel ") + strlen(cmd->name) + 1));
	fputc('\n', f);
	wrap(f, cmd->description ? cmd->description : cmd->summary, 0, 0, WIDTH - 2);
	if (cmd->opts && cmd->opts->name) {
		fputs("\noptions:\n", f);
		option_lines(f, cmd->opts);
	}
	fputs("\ncommon options:\n", f);
	option_lines(f, cli_common_opts);
	fputs("\nexit status: 0 success, 1 failure, 2 usage error\n", f);
}

void cli_help_all(FILE *f)
{
	unsigned int i;

	for (i = 0; cli_commands[i]; i++)
		cli_synopsis(f, cli_commands[i], i ? "       " : "usage: ", 16);
	fputs("       bel --version\n\n", f);
	for (i = 0; cli_commands[i]; i++)
		fprintf(f, "  %-14s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
	fputs("\ncommon options (every command):\n", f);
	option_lines(f, cli_common_opts);
	fputs("\n'bel COMMAND --help' shows a command's options; man bel(1) and bel(3) say more.\n"
	      "exit status: 0 success, 1 failure, 2 usage error\n", f);
}

static const char *type_name(enum cli_type t)
{
	static const char *const names[] = {"flag", "count", "string", "list", "number"};

	return names[t];
}

static void options_json(struct cli_out *out, const char *key, const struct cli_opt *opts)
{
	cli_out_list(out, key, NULL);
	for (const struct cli_opt *o = opts; o && o->name; o++) {
		char s[2] = {o->short_name, 0};

		cli_out_begin(out, NULL, NULL);
		cli_out_str(out, "name", NULL, o->name);
		cli_out_str(out, "short", NULL, o->short_name ? s : NULL);
		cli_out_str(out, "argument", NULL, o->arg);
		cli_out_str(out, "type", NULL, type_name(o->type));
		if (o->type == CLI_NUMBER) {
			cli_out_uint(out, "min", NULL, o->min);
			cli_out_uint(out, "max", NULL, o->max);
		}
		cli_out_str(out, "help", NULL, o->help);
		cli_out_end(out);
	}
	cli_out_list_end(out, NULL);
}

void cli_help_write(struct cli_out *out, const struct cli_cmd *only)
{
	unsigned int i;

	cli_out_str(out, "version", NULL, bel_version());
	cli_out_list(out, "commands", NULL);
	for (i = 0; cli_commands[i]; i++) {
		const struct cli_cmd *c = cli_commands[i];

		if (only && c != only)
			continue;
		cli_out_begin(out, NULL, NULL);
		cli_out_str(out, "name", NULL, c->name);
		cli_out_str(out, "operands", NULL, c->operands);
		cli_out_str(out, "summary", NULL, c->summary);
		options_json(out, "options", c->opts);
		cli_out_end(out);
	}
	cli_out_list_end(out, NULL);
	options_json(out, "common_options", cli_common_opts);
	cli_out_list(out, "exit_status", NULL);
	cli_out_str(out, NULL, NULL, "0 success");
	cli_out_str(out, NULL, NULL, "1 failure");
	cli_out_str(out, NULL, NULL, "2 usage error");
	cli_out_list_end(out, NULL);
}

static int run_help(void *args, char **operands, unsigned int n)
{
	const struct cli_cmd *cmd = NULL;
	int words = 0;

	(void)args;
	if (n) {
		cmd = cli_find_command((int)n, operands, &words);
		if (!cmd || (unsigned int)words != n) {
			cli_error("help: no command '%s%s%s'", operands[0], n > 1 ? " " : "",
				  n > 1 ? operands[1] : "");
			return CLI_USAGE;
		}
	}
	if (cli_out_json(cli_out()))
		cli_help_write(cli_out(), cmd);
	else if (cmd)
		cli_help_command(stdout, cmd);
	else
		cli_help_all(stdout);
	return CLI_OK;
}

const struct cli_cmd cli_cmd_help = {
	.name = "help",
	.operands = "[COMMAND]",
	.max_operands = 2,
	.operand_complete = {CLI_C_COMMAND, CLI_C_COMMAND},
	.run = run_help,
	.summary = "show the commands, or one command's options (as JSON with --json)",
};

static int run_version(void *args, char **operands, unsigned int n)
{
	(void)args, (void)operands, (void)n;
	cli_out_str(cli_out(), "version", "bel %s", bel_version());
	return CLI_OK;
}

const struct cli_cmd cli_cmd_version = {
	.name = "version",
	.operands = "",
	.run = run_version,
	.summary = "show bel's version (also: bel --version)",
};
