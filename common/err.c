/* SPDX-License-Identifier: MIT */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int bel_errf(struct bel_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (errnum < 0)
		errnum = -errnum;
	if (!err)
		return -errnum;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->code = -errnum;
	return -errnum;
}

int bel_err_prefix(struct bel_err *err, const char *fmt, ...)
{
	char head[BEL_ERR_MSG_MAX], tail[BEL_ERR_MSG_MAX];
	va_list ap;

	if (!err)
		return 0;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(tail, err->msg, sizeof(tail));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", head, tail);
	return err->code;
}

void bel_err_clear(struct bel_err *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}
