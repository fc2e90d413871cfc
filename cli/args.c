/* SPDX-License-Identifier: MIT */
/*
 * One parser for every command, driven by its option table: GNU style (--name VALUE,
 * --name=VALUE, -x VALUE, -xVALUE, bundled short flags, unambiguous prefixes of long names,
 * options anywhere among the operands, "--" ending them).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/num.h"

const struct cli_opt cli_common_opts[] = {
	{.name = "json", .short_name = 'j', CLI_FLAG_AT(struct cli_common, json),
	 .help = "write the result, every error and warning as one JSON object on stdout"},
	{.name = "verbose", .short_name = 'v', CLI_COUNT_AT(struct cli_common, verbose),
	 .help = "print bel's informational messages (twice: debug messages too)"},
	{.name = "help", .short_name = 'h', CLI_FLAG_AT(struct cli_common, help),
	 .help = "show this command's options and exit"},
	{0},
};

/* Whether a row belongs to the common table (its field is in struct cli_common). */
static bool is_common(const struct cli_opt *o)
{
	return o >= cli_common_opts &&
	       o < cli_common_opts + sizeof(cli_common_opts) / sizeof(cli_common_opts[0]);
}

const struct cli_opt *cli_find_opt(const struct cli_cmd *cmd, const char *name, size_t len,
				   bool *ambiguous)
{
	const struct cli_opt *tables[2] = {cmd->opts, cli_common_opts}, *found = NULL;
	unsigned int t;

	*ambiguous = false;
	for (t = 0; t < 2; t++)
		for (const struct cli_opt *o = tables[t]; o && o->name; o++)
			if (strlen(o->name) == len && !strncmp(o->name, name, len))
				return o;
	for (t = 0; t < 2; t++)
		for (const struct cli_opt *o = tables[t]; o && o->name; o++) {
			if (strncmp(o->name, name, len))
				continue;
			if (found)
				*ambiguous = true;
			found = o;
		}
	return *ambiguous ? NULL : found;
}

static const struct cli_opt *find_short(const struct cli_cmd *cmd, char c)
{
	const struct cli_opt *tables[2] = {cmd->opts, cli_common_opts};
	unsigned int t;

	for (t = 0; t < 2; t++)
		for (const struct cli_opt *o = tables[t]; o && o->name; o++)
			if (o->short_name == c)
				return o;
	return NULL;
}

static bool takes_value(const struct cli_opt *o)
{
	return o->type == CLI_STRING || o->type == CLI_LIST || o->type == CLI_NUMBER;
}

static int usage_error(const struct cli_cmd *cmd, const char *fmt, const char *what)
{
	cli_error(fmt, what);
	cli_error("try 'bel %s --help'", cmd->name);
	return CLI_USAGE;
}

/* Store value (NULL for flags and counts) in the row's field. */
static int store(const struct cli_cmd *cmd, const struct cli_opt *o, void *args, const char *value,
		 unsigned int max_list)
{
	char *field = (char *)(is_common(o) ? (void *)&cli_common : args) + o->offset;
	struct cli_list *list;
	uint64_t n;

	switch (o->type) {
	case CLI_FLAG:
		*(bool *)field = true;
		return 0;
	case CLI_COUNT:
		(*(int *)field)++;
		return 0;
	case CLI_STRING:
		*(const char **)field = value;
		return 0;
	case CLI_LIST:
		list = (struct cli_list *)field;
		if (!list->v && !(list->v = calloc(max_list, sizeof(*list->v)))) {
			cli_error("out of memory");
			return CLI_FAILED;
		}
		list->v[list->n++] = value;
		return 0;
	case CLI_NUMBER:
		if (bel_parse_u64(value, o->min, o->max, &n)) {
			cli_error("--%s wants a number from %llu to %llu, not '%s'", o->name,
				  (unsigned long long)o->min, (unsigned long long)o->max, value);
			cli_error("try 'bel %s --help'", cmd->name);
			return CLI_USAGE;
		}
		switch (o->size) {
		case 1: *(uint8_t *)field = (uint8_t)n; break;
		case 2: *(uint16_t *)field = (uint16_t)n; break;
		case 4: *(uint32_t *)field = (uint32_t)n; break;
		default: *(uint64_t *)field = n; break;
		}
		return 0;
	}
	return 0;
}

/* One "--name[=value]" word (without its dashes); *i moves past a value in the next word. */
static int parse_long(const struct cli_cmd *cmd, int argc, char **argv, int *i, void *args)
{
	const char *word = argv[*i] + 2, *eq = strchr(word, '=');
	size_t len = eq ? (size_t)(eq - word) : strlen(word);
	const struct cli_opt *o;
	bool ambiguous;

	o = cli_find_opt(cmd, word, len, &ambiguous);
	if (!o)
		return usage_error(cmd, ambiguous ? "ambiguous option '%s'" : "unknown option '%s'",
				   argv[*i]);
	if (!takes_value(o)) {
		if (eq)
			return usage_error(cmd, "option '%s' takes no value", argv[*i]);
		return store(cmd, o, args, NULL, (unsigned int)argc);
	}
	if (eq)
		return store(cmd, o, args, eq + 1, (unsigned int)argc);
	if (*i + 1 >= argc)
		return usage_error(cmd, "option '%s' wants a value", argv[*i]);
	return store(cmd, o, args, argv[++*i], (unsigned int)argc);
}

/* "-abc": flags, until one takes a value (the rest of the word, or the next word). */
static int parse_short(const struct cli_cmd *cmd, int argc, char **argv, int *i, void *args)
{
	const char *p = argv[*i] + 1;
	char opt[3] = "-?";
	int ret;

	for (; *p; p++) {
		const struct cli_opt *o = find_short(cmd, *p);

		opt[1] = *p;
		if (!o)
			return usage_error(cmd, "unknown option '%s'", opt);
		if (!takes_value(o)) {
			ret = store(cmd, o, args, NULL, (unsigned int)argc);
			if (ret)
				return ret;
			continue;
		}
		if (p[1])
			return store(cmd, o, args, p + 1, (unsigned int)argc);
		if (*i + 1 >= argc)
			return usage_error(cmd, "option '%s' wants a value", opt);
		return store(cmd, o, args, argv[++*i], (unsigned int)argc);
	}
	return 0;
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *args, char ***operands,
	      unsigned int *noperands)
{
	char **ops = calloc((size_t)argc + 1, sizeof(*ops));
	unsigned int n = 0;
	bool dashes = false;
	int i, ret = 0;

	*operands = ops;
	*noperands = 0;
	if (!ops) {
		cli_error("out of memory");
		return CLI_FAILED;
	}
	for (i = 0; i < argc && !ret; i++) {
		const char *w = argv[i];

		if (dashes || w[0] != '-' || !w[1])
			ops[n++] = argv[i];
		else if (!strcmp(w, "--"))
			dashes = true;
		else if (w[1] == '-')
			ret = parse_long(cmd, argc, argv, &i, args);
		else
			ret = parse_short(cmd, argc, argv, &i, args);
	}
	*noperands = n;
	if (ret || cli_common.help)
		return ret;
	if (n < cmd->min_operands || n > cmd->max_operands) {
		if (n > cmd->max_operands)
			cli_error("%s: unexpected operand '%s'", cmd->name, ops[cmd->max_operands]);
		else
			cli_error("%s: missing %s", cmd->name, cmd->operands);
		cli_error("try 'bel %s --help'", cmd->name);
		return CLI_USAGE;
	}
	return 0;
}

bool cli_wants_json(const struct cli_cmd *cmd, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc && strcmp(argv[i], "--"); i++) {
		const char *w = argv[i];
		const struct cli_opt *o = NULL;
		bool ambiguous;

		if (w[0] != '-' || !w[1])
			continue;
		if (w[1] == '-') {
			o = cli_find_opt(cmd, w + 2, strcspn(w + 2, "="), &ambiguous);
			if (o && !strcmp(o->name, "json"))
				return true;
			if (o && takes_value(o) && !strchr(w, '='))
				i++; /* its value */
			continue;
		}
		for (w++; *w; w++) {
			o = find_short(cmd, *w);
			if (o && !strcmp(o->name, "json"))
				return true;
			if (!o || takes_value(o)) {
				if (o && !w[1])
					i++;
				break;
			}
		}
	}
	return false;
}

void cli_args_free(const struct cli_cmd *cmd, void *args)
{
	for (const struct cli_opt *o = cmd->opts; o && o->name; o++)
		if (o->type == CLI_LIST)
			free(((struct cli_list *)((char *)args + o->offset))->v);
}
