/* SPDX-License-Identifier: MIT */
/*
 * The fuzz targets' entry points, shared by the libFuzzer executables (fuzz_object.c and
 * fuzz_btf.c each define LLVMFuzzerTestOneInput around their entry point) and by replay.c,
 * which compiles both with -DBEL_FUZZ_NO_MAIN and runs them over saved inputs in a plain
 * `meson test`.
 *
 * Besides running the parsers, the targets read every byte of what they hand out (so ASan
 * sees any out-of-bounds or freed memory) and check the invariants the loader relies on
 * (reloc/spec.h, btf/btf.h); a broken invariant aborts, which libFuzzer reports as a crash.
 */
#ifndef BEL_TESTS_FUZZ_H
#define BEL_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 when the input parsed (and its result was walked), 0 when it was refused. */
int bel_fuzz_object(const uint8_t *data, size_t size);
int bel_fuzz_btf(const uint8_t *data, size_t size);
int bel_fuzz_binary(const uint8_t *data, size_t size);

/* Everything read ends up here, so no read can be optimised away. */
static volatile uint64_t bel_fuzz_sink;

static inline void fuzz_touch(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0;
	size_t i;

	for (i = 0; i < n; i++)
		h = h * 31 + b[i];
	bel_fuzz_sink += h;
}

static inline void fuzz_touch_str(const char *s)
{
	if (s)
		fuzz_touch(s, strlen(s) + 1);
}

#define fuzz_check(cond, ...)                                                       \
	do {                                                                        \
		if (!(cond)) {                                                      \
			fprintf(stderr, "%s:%d: invariant broken: %s: ", __FILE__,  \
				__LINE__, #cond);                                   \
			fprintf(stderr, __VA_ARGS__);                               \
			fputc('\n', stderr);                                        \
			abort();                                                    \
		}                                                                   \
	} while (0)

#endif
