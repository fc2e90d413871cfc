/* SPDX-License-Identifier: MIT */
/* What the parts of the `bel` command share. */
#ifndef BEL_LOADER_CLI_H
#define BEL_LOADER_CLI_H

#include <stdint.h>

#include "bel.h"

/* "bel: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A whole string as an unsigned number (decimal, 0x hex, 0 octal) no larger than max:
 * 0, -EINVAL (not a number) or -ERANGE. */
int cli_parse_u64(const char *text, uint64_t max, uint64_t *out);
/* --set NAME=VALUE and --max-entries MAP=N; each says what is wrong itself. */
int cli_set_var(struct bel_object *obj, const char *assignment);
int cli_set_max_entries(struct bel_object *obj, const char *assignment);
/* bel run */
int cli_run(int argc, char **argv);

#endif
