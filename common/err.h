/* SPDX-License-Identifier: MIT */
/*
 * Error reporting shared by every layer.
 *
 * Functions return 0 (or an fd) on success and -errno on failure. The message that explains a
 * failure is written where the context is known into a caller-owned struct bel_err; outer layers
 * prepend their own context (object, program, map) with bel_err_prefix(), so the final text reads
 * from the outside in: "obj 'x': prog 'y' (sec): cause".
 */
#ifndef BEL_COMMON_ERR_H
#define BEL_COMMON_ERR_H

#include <stddef.h>

#define BEL_ERR_MSG_MAX 1024

struct bel_err {
	int code;                   /* negative errno of the last failure, 0 if none */
	char msg[BEL_ERR_MSG_MAX];
};

/* Record "fmt..." as the message and return -errnum (errnum is positive). */
int bel_errf(struct bel_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepend "fmt...: " to the current message; returns err->code. */
int bel_err_prefix(struct bel_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void bel_err_clear(struct bel_err *err);

#endif
