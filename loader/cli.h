/* SPDX-License-Identifier: MIT */
/* What the parts of the `bel` command share. */
#ifndef BEL_LOADER_CLI_H
#define BEL_LOADER_CLI_H

#include <stdint.h>

#include "bel.h"

/* "bel: <message>" on stderr, escaped (cli_text.h): names in it come from objects. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* --set NAME=VALUE and --max-entries MAP=N; each says what is wrong itself. */
int cli_set_var(struct bel_object *obj, const char *assignment);
int cli_set_max_entries(struct bel_object *obj, const char *assignment);
/* bel run; bel gen skeleton */
int cli_run(int argc, char **argv);
int cli_gen_skeleton(int argc, char **argv);

#endif
