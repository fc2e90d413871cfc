/* SPDX-License-Identifier: MIT */
/*
 * bel, the command line: finds the command, parses its options from its table, runs it with
 * its result going to a text or a JSON writer, and under --json wraps the result, the errors and
 * warnings and the exit status in one JSON object on stdout (one line), whatever happened.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "text.h"

const struct cli_cmd *const cli_commands[] = {
	&cli_cmd_inspect,
	&cli_cmd_load,
	&cli_cmd_verify,
	&cli_cmd_run,
	&cli_cmd_unpin,
	&cli_cmd_status,
	&cli_cmd_gen_vmlinux,
	&cli_cmd_gen_skeleton,
	&cli_cmd_help,
	&cli_cmd_version,
	NULL,
};

struct cli_common cli_common;
static struct cli_out *out;

/* Under --json, messages wait here for the end of the result (loads may add them from their
 * threads). */
struct messages {
	char **v;
	size_t n;
};
static struct messages errors, warnings, infos;
static pthread_mutex_t messages_lock = PTHREAD_MUTEX_INITIALIZER;

struct cli_out *cli_out(void)
{
	return out;
}

static void message(struct messages *list, const char *prefix, const char *fmt, va_list ap)
{
	char *msg = NULL, *e;
	char **grown;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	if (!cli_common.json) {
		e = msg ? cli_text_escape(msg) : NULL;
		fprintf(stderr, "bel: %s%s\n", prefix, e ? e : "(out of memory)");
		free(e);
		free(msg);
		return;
	}
	pthread_mutex_lock(&messages_lock);
	grown = realloc(list->v, (list->n + 1) * sizeof(*list->v));
	if (grown) {
		list->v = grown;
		list->v[list->n++] = msg ? msg : strdup("(out of memory)");
	} else {
		free(msg);
	}
	pthread_mutex_unlock(&messages_lock);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message(&errors, "", fmt, ap);
	va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message(&warnings, "warning: ", fmt, ap);
	va_end(ap);
}

void cli_info(const char *fmt, ...)
{
	va_list ap;

	if (!cli_common.verbose)
		return;
	va_start(ap, fmt);
	message(&infos, "info: ", fmt, ap);
	va_end(ap);
}

static void on_msg(enum bel_msg_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level == BEL_MSG_ERROR)
		return; /* reported once, by the command that failed */
	/* -v shows bel's informational messages, -vv its debug messages too */
	if (level == BEL_MSG_WARN)
		cli_warn("%s", msg);
	else if (cli_common.verbose + 1 >= (int)level)
		cli_info("%s%s", level == BEL_MSG_DEBUG ? "debug: " : "", msg);
}

int cli_open_object(const char *path, const struct cli_open *how, struct bel_object **obj)
{
	struct bel_open_opts opts = {.sz = sizeof(opts), .name = how->name, .msg = on_msg,
				     .btf_path = how->btf_path, .pin_root = how->maps_root,
				     .ignore_pinning = how->trial};
	int ret = bel_object_open_file(path, &opts, obj);

	if (ret)
		cli_error("%s", bel_thread_error());
	return ret;
}

const struct cli_cmd *cli_find_command(int argc, char **argv, int *words)
{
	unsigned int i;

	for (i = 0; cli_commands[i]; i++) {
		const char *name = cli_commands[i]->name, *sp = strchr(name, ' ');

		if (!sp && argc >= 1 && !strcmp(argv[0], name)) {
			*words = 1;
			return cli_commands[i];
		}
		if (sp && argc >= 2 && !strncmp(argv[0], name, (size_t)(sp - name)) &&
		    !argv[0][sp - name] && !strcmp(argv[1], sp + 1)) {
			*words = 2;
			return cli_commands[i];
		}
	}
	return NULL;
}

static void write_messages(const char *key, struct messages *list)
{
	size_t i;

	if (list->n) {
		cli_out_list(out, key, NULL);
		for (i = 0; i < list->n; i++)
			cli_out_str(out, NULL, NULL, list->v[i]);
		cli_out_list_end(out, NULL);
	}
	for (i = 0; i < list->n; i++)
		free(list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

/* Say what is wrong with the command words: none, unknown, or the first of two ("gen"). */
static void unknown_command(int argc, char **argv)
{
	size_t len = argc ? strlen(argv[0]) : 0;
	char which[256] = "";
	unsigned int i;

	for (i = 0; argc && cli_commands[i]; i++) {
		const char *name = cli_commands[i]->name;

		if (!strncmp(name, argv[0], len) && name[len] == ' ' &&
		    strlen(which) + strlen(name) + 3 < sizeof(which))
			snprintf(which + strlen(which), sizeof(which) - strlen(which), "%s'%s'",
				 *which ? ", " : "", name);
	}
	if (!argc)
		cli_error("no command given; 'bel --help' lists them");
	else if (*which)
		cli_error("'%s' wants one more word: %s", argv[0], which);
	else
		cli_error("unknown command '%s'; 'bel --help' lists the commands", argv[0]);
}

static int run_command(const struct cli_cmd *cmd, int argc, char **argv)
{
	void *args = calloc(1, cmd->args_size ? cmd->args_size : 1);
	unsigned int noperands = 0;
	char **operands = NULL;
	int ret;

	if (!args) {
		cli_error("out of memory");
		return CLI_FAILED;
	}
	ret = cli_parse(cmd, argc, argv, args, &operands, &noperands);
	if (!ret && cli_common.help) {
		if (cli_common.json)
			cli_help_write(out, cmd);
		else
			cli_help_command(stdout, cmd);
	} else if (!ret) {
		ret = cmd->run(args, operands, noperands);
	}
	cli_args_free(cmd, args);
	free(operands);
	free(args);
	return ret;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *cmd = NULL;
	int words = 0, ret;

	if (argc >= 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		printf("bel %s\n", bel_version());
		return CLI_OK;
	}
	if (argc >= 2 && !strcmp(argv[1], "__complete"))
		return cli_complete(argc - 2, argv + 2);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		cli_help_all(stdout);
		return CLI_OK;
	}
	if (argc >= 2)
		cmd = cli_find_command(argc - 1, argv + 1, &words);
	if (cmd) {
		cli_common.json = cli_wants_json(cmd, argc - 1 - words, argv + 1 + words);
	} else {
		/* no command to say which words are options: any --json or -j will do */
		for (words = 1; words < argc; words++)
			if (!strcmp(argv[words], "--json") || !strcmp(argv[words], "-j"))
				cli_common.json = true;
	}
	out = cli_out_new(stdout, cli_common.json);
	if (!out) {
		fprintf(stderr, "bel: out of memory\n");
		return CLI_FAILED;
	}
	/* the whole result is one record: one JSON object; in text, lines of its own */
	cli_out_begin(out, NULL, "");
	if (!cmd) {
		unknown_command(argc - 1, argv + 1);
		ret = CLI_USAGE;
	} else {
		ret = run_command(cmd, argc - 1 - words, argv + 1 + words);
	}
	cli_out_close_all(out);
	if (cli_common.json) {
		write_messages("errors", &errors);
		write_messages("warnings", &warnings);
		write_messages("info", &infos);
		cli_out_int(out, "exit", NULL, ret);
	}
	cli_out_end(out);
	if (cli_common.json)
		putchar('\n');
	free(out);
	if (fflush(stdout) && ret == CLI_OK) {
		fprintf(stderr, "bel: cannot write the output: %s\n", strerror(errno));
		ret = CLI_FAILED;
	}
	return ret;
}
