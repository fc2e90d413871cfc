/* SPDX-License-Identifier: MIT */
/*
 * The kernel's verifier logs, of programs and of BTF: the error is at their end. Loading a
 * program with a log, and what its log says when the load failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/*
 * Verifier logs. A failing load is run again once with a log, in a buffer of LOG_BUF_SIZE: the
 * kernel (6.4 and later) keeps the log's tail there, where the error is. Older kernels keep the
 * head, so on those a log that did not fit gets one more run with LOG_OLD_KERNEL_SIZE. A log the
 * caller asked for (log_level) must fit whole, or the load fails with ENOSPC: that one grows up to
 * LOG_ASKED_MAX. Whatever the run, a program keeps at most the last BEL_LOG_KEEP bytes.
 */
#define LOG_BUF_SIZE (1u << 20)
#define LOG_OLD_KERNEL_SIZE (16u << 20)
#define LOG_ASKED_MAX (256u << 20)
#define LOG_TAIL_LINES 6

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

/* The last few non-empty lines of a verifier log, joined with " | ". */
static void log_tail(const char *log, char *out, size_t size)
{
	const char *start = ldr_log_tail(log, LOG_TAIL_LINES);
	size_t n = 0;

	out[0] = '\0';
	for (; *start && n + 4 < size; start++) {
		if (*start == '\n') {
			if (start[1] && n)
				n += (size_t)snprintf(out + n, size - n, " | ");
			continue;
		}
		out[n++] = *start;
		out[n] = '\0';
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int timed_load(struct bel_program *prog, struct bel_prog_load_args *args)
{
	uint64_t t0 = now_ns();
	int fd = bel_sys_prog_load(args);

	prog->load_ns = now_ns() - t0;
	return fd;
}

/* Keep the last BEL_LOG_KEEP bytes of a log, from a line start; frees buf. */
static char *log_keep_tail(char *buf)
{
	size_t len = strlen(buf);
	const char *start;
	char *tail;

	if (len <= BEL_LOG_KEEP)
		return buf;
	start = buf + len - BEL_LOG_KEEP;
	if (strchr(start, '\n') && strchr(start, '\n')[1])
		start = strchr(start, '\n') + 1;
	tail = strdup(start);
	free(buf);
	return tail;
}

/* One run with a log of `size` bytes at `level`; the log goes to prog->log. */
static int load_logged(struct bel_program *prog, struct bel_prog_load_args *args, uint32_t size,
		       uint32_t level)
{
	/* zeroed: memory checkers cannot see the kernel write the log */
	char *buf = calloc(1, size);
	int fd;

	if (!buf)
		return -ENOMEM;
	args->log_buf = buf;
	args->log_size = size;
	args->log_level = level;
	fd = timed_load(prog, args);
	args->log_buf = NULL;
	args->log_size = 0;
	args->log_level = 0;
	free(prog->log);
	prog->log = log_keep_tail(buf);
	return fd;
}

/*
 * PROG_LOAD without a log (verification is faster without one); after a failure, once more with
 * one to tell why. The errno reported is the first run's: a truncated log makes the kernel say
 * ENOSPC instead.
 */
int ldr_prog_load_logged(struct bel_program *prog, struct bel_prog_load_args *args)
{
	uint32_t level = prog->cfg.log_level ?: __atomic_load_n(&prog->obj->log_level, __ATOMIC_RELAXED);
	uint32_t size = LOG_BUF_SIZE;
	int fd, first;

	free(prog->log);
	prog->log = NULL;
	prog->log_head_only = false;
	if (level) {
		/* asked for: the log must fit, or the kernel fails the load */
		for (;;) {
			fd = load_logged(prog, args, size, level);
			if (fd != -ENOSPC || size >= LOG_ASKED_MAX)
				return fd;
			size = args->log_true_size > size ? args->log_true_size + 1 : size * 4;
			if (size > LOG_ASKED_MAX)
				size = LOG_ASKED_MAX;
		}
	}
	first = timed_load(prog, args);
	if (first >= 0 || first == -ENOMEM || first == -EPERM)
		return first;
	fd = load_logged(prog, args, size, 1);
	/* a kernel before 6.4 kept the head of a log that did not fit */
	if (fd == -ENOSPC && !args->log_true_size) {
		fd = load_logged(prog, args, LOG_OLD_KERNEL_SIZE, 1);
		prog->log_head_only = fd == -ENOSPC;
	}
	/* loaded this time (the first failure was transient): that is the fd to keep */
	return fd >= 0 ? fd : first;
}

/* Why a load failed, from its log: the verifier's verdict, its limits, or a refusal before it. */
int ldr_prog_load_failure(struct bel_program *prog, int fd, struct bel_err *err)
{
	char tail[512];

	log_tail(prog->log ? prog->log : "", tail, sizeof(tail));
	/* the verifier ran into its own limits: the program may be right, but too complex for it
	 * to prove so (processed instructions, branch depth, states) */
	if (*tail && (strstr(tail, "is too large") || strstr(tail, "too complex")))
		return bel_errf(err, -fd, "too complex for the verifier (%s): it gave up at its "
				"limit of %s: %s", strerror(-fd), strstr(tail, "jumps") ?
				"pending branches" : "1,000,000 processed instructions", tail);
	/* E2BIG is the verifier's own limit; its verdict is past the head kept */
	if (prog->log_head_only && fd == -E2BIG)
		return bel_errf(err, -fd, "too complex for the verifier (%s): it gave up at its "
				"limit (this kernel kept only the first %u MiB of the log, which "
				"is too large for the verdict to fit; it ends: %s)", strerror(-fd),
				LOG_OLD_KERNEL_SIZE >> 20, tail);
	if (*tail)
		return bel_errf(err, -fd, "verifier rejected (%s): %s", strerror(-fd), tail);
	/* No log: the kernel refused before verifying (capabilities, lockdown, memlock, an attach
	 * target it will not trace, ...). */
	return bel_errf(err, -fd, "BPF_PROG_LOAD failed before verification: %s%s",
			strerror(-fd), fd == -EPERM ? " (missing capability, or kernel "
			"lockdown refusing this program type?)" : "");
}
