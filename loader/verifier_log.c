/* SPDX-License-Identifier: MIT */
/*
 * The kernel's verifier logs, of programs and of BTF: the error is at their end.
 */
#include <string.h>

#include "internal.h"

const char *ldr_log_tail(const char *log, unsigned int lines)
{
	const char *end = log + strlen(log), *start = end;
	unsigned int n = 0;

	while (start > log && n < lines) {
		start--;
		if (*start == '\n' && start + 1 < end && start[1] != '\n')
			n++;
	}
	if (*start == '\n')
		start++;
	return start;
}
