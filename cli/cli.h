/* SPDX-License-Identifier: MIT */
/*
 * The `bel` command: a table of commands (main.c), each with one table of options from which its
 * parser, its --help, the man page check and the shell completion all come (args.c, help.c,
 * complete.c), and one walk of its result written as text or JSON (out.h).
 *
 * Adding an option is one row in its command's table and a field in its args struct; adding a
 * command is one struct cli_cmd and a line in main.c's table.
 */
#ifndef BEL_CLI_CLI_H
#define BEL_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bel/bel.h"
#include "out.h"

/* Exit statuses of every command (bel(1), EXIT STATUS). */
enum {
	CLI_OK = 0,
	CLI_FAILED = 1,
	CLI_USAGE = 2,
};

/* A repeatable option's values, in command-line order. */
struct cli_list {
	const char **v;
	unsigned int n;
};

enum cli_type {
	CLI_FLAG,               /* bool: present or not */
	CLI_COUNT,              /* int: how many times given (-v -v) */
	CLI_STRING,             /* const char *: the last one given */
	CLI_LIST,               /* struct cli_list: every one given */
	CLI_NUMBER,             /* an integer field, range-checked by bel_parse_u64 */
};

/* What completes a value or an operand. For NAME=VALUE values (an arg with '='), `complete`
 * completes the NAME part (followed by '=') and `complete_value` what comes after the '='. */
enum cli_complete {
	CLI_C_NONE,
	CLI_C_FILE,
	CLI_C_DIR,
	CLI_C_PROGRAM,          /* a program of the command's object (its first operand) */
	CLI_C_MAP,              /* a map of the object */
	CLI_C_VAR,              /* a global variable of the object */
	CLI_C_PROG_TYPE,        /* a program type name ("xdp", "socket_filter", ...) */
	CLI_C_IFNAME,           /* a network interface */
	CLI_C_COMMAND,          /* a command of bel (help's operand) */
};

struct cli_opt {
	const char *name;       /* long name, without "--" */
	char short_name;        /* 0: none */
	const char *arg;        /* what the value is ("DIR", "NAME=VALUE"); NULL for flags and counts */
	enum cli_complete complete, complete_value;
	enum cli_type type;
	size_t offset, size;    /* the field in the command's args struct */
	uint64_t min, max;      /* CLI_NUMBER's range */
	const char *help;
};

/* The field an option fills, type-checked at compile time (a mismatch is a negative array size). */
#define CLI_FIELD_CHECK_(st, field, want)                                                        \
	(0 * sizeof(char[__builtin_types_compatible_p(__typeof__(((st *)0)->field), want) ? 1 : -1]))
#define CLI_AT_(st, field, want)                                                                 \
	.offset = offsetof(st, field) + CLI_FIELD_CHECK_(st, field, want),                       \
	.size = sizeof(((st *)0)->field)
#define CLI_FLAG_AT(st, field) .type = CLI_FLAG, CLI_AT_(st, field, bool)
#define CLI_COUNT_AT(st, field) .type = CLI_COUNT, CLI_AT_(st, field, int)
#define CLI_STRING_AT(st, field) .type = CLI_STRING, CLI_AT_(st, field, const char *)
#define CLI_LIST_AT(st, field) .type = CLI_LIST, CLI_AT_(st, field, struct cli_list)
/* an integer field of 1, 2, 4 or 8 bytes (a pid_t, an unsigned int, a uint64_t...): values from
 * lo to hi, both non-negative and fitting the field */
#define CLI_NUMBER_AT(st, field, lo, hi)                                                         \
	.type = CLI_NUMBER, .offset = offsetof(st, field) +                                      \
		(0 * sizeof(char[(__typeof__(((st *)0)->field))0.5 == 0 ? 1 : -1])),             \
	.size = sizeof(((st *)0)->field), .min = (lo), .max = (hi)

struct cli_cmd {
	const char *name;       /* "load", or two words: "gen vmlinux" */
	const char *operands;   /* as the synopsis shows them: "OBJ", "OBJ PROG", "[COMMAND]" */
	unsigned int min_operands, max_operands;
	enum cli_complete operand_complete[2]; /* the first operands' completion (then: none) */
	const struct cli_opt *opts; /* ends with an empty row */
	size_t args_size;       /* the struct the options fill, zeroed before parsing */
	/* the command itself: CLI_OK, CLI_FAILED or CLI_USAGE */
	int (*run)(void *args, char **operands, unsigned int noperands);
	const char *summary;    /* one line */
	const char *description; /* a paragraph, for --help */
};

/* Options every command takes, besides its own. */
struct cli_common {
	bool json;
	bool help;
	int verbose;
};
extern const struct cli_opt cli_common_opts[];

/* The commands, in help order; NULL-terminated. */
extern const struct cli_cmd *const cli_commands[];
const struct cli_cmd *cli_find_command(int argc, char **argv, int *words);

/* This run's common options and output. */
extern struct cli_common cli_common;
struct cli_out *cli_out(void);

/*
 * Parse argv (the words after the command's name) into args (cmd->args_size bytes) and
 * cli_common: operands in *operands (pointers into argv). Options and operands may come in any
 * order; "--" ends the options. Returns 0, or CLI_USAGE after saying what is wrong.
 */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *args, char ***operands,
	      unsigned int *noperands);
/* Whether --json is among the options, so that even a usage error is reported as JSON. */
bool cli_wants_json(const struct cli_cmd *cmd, int argc, char **argv);
/* Free what cli_parse allocated in args (its lists). */
void cli_args_free(const struct cli_cmd *cmd, void *args);
/* The row of an option of cmd (or a common one) by long name, exact or an unambiguous prefix;
 * NULL if none (*ambiguous set when several rows start so). */
const struct cli_opt *cli_find_opt(const struct cli_cmd *cmd, const char *name, size_t len,
				   bool *ambiguous);

/* --help of one command, the whole usage, and `bel help --json`'s walk of the tables. */
void cli_help_command(FILE *f, const struct cli_cmd *cmd);
void cli_help_all(FILE *f);
void cli_help_write(struct cli_out *out, const struct cli_cmd *only);
/* "bel load OBJ [--pin DIR] ..." wrapped at width, continuation lines indented by indent */
void cli_synopsis(FILE *f, const struct cli_cmd *cmd, const char *lead, unsigned int indent);

/* bel __complete WORD...: candidates for the last word (complete.c); main() hands it the raw
 * words, which are not parsed as options. */
int cli_complete(int argc, char **argv);

/* "bel: <message>" on stderr, escaped (text.h), or an entry of "errors" under --json: names in
 * it come from objects. cli_warn and cli_info (shown with --verbose only) are the same for
 * "warnings" and "info". Each may be called from any thread. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* How the command line opens an object: --name, --btf, --maps-root; a trial (verify) pins
 * nothing by name and reuses nothing pinned, so bpffs is left as it was. */
struct cli_open {
	const char *name, *btf_path, *maps_root;
	bool trial;
};
/* Open an object with the CLI's message callback; on failure say why and return -errno. */
int cli_open_object(const char *path, const struct cli_open *how, struct bel_object **obj);

/* --set NAME=VALUE, --max-entries MAP=N, --type PROGRAM=TYPE, --map NAME=PINNED_PATH, and the
 * programs --program names: each says what is wrong itself (config.c). */
int cli_set_var(struct bel_object *obj, const char *assignment);
int cli_set_max_entries(struct bel_object *obj, const char *assignment);
int cli_set_type(struct bel_object *obj, const char *assignment);
int cli_reuse_map(struct bel_object *obj, const char *assignment);
/* The configuration options load and run share, applied in that order; -errno after saying why. */
struct cli_config {
	struct cli_list sets, maxes, types, maps;
};
int cli_configure(struct bel_object *obj, const struct cli_config *cfg);

/* Whole files: a regular file of at most max bytes read in full (NULL after saying why), and
 * text written to path through a temporary name in its directory renamed over it (files.c). */
void *cli_read_file(const char *path, size_t max, size_t *size, const char *what);
int cli_write_file(const char *path, const char *text, size_t len, const char *what);

/* The commands (one file each). */
extern const struct cli_cmd cli_cmd_inspect, cli_cmd_load, cli_cmd_verify, cli_cmd_run,
	cli_cmd_unpin, cli_cmd_status, cli_cmd_gen_vmlinux, cli_cmd_gen_skeleton, cli_cmd_help, cli_cmd_version;

#endif
