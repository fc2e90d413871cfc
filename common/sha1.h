/* SPDX-License-Identifier: MIT */
/* SHA-1 (FIPS 180-4), for one thing: the kernel names programs by the SHA-1 of their
 * instructions (the program tag), and bel must compute the same name without the kernel. */
#ifndef BEL_COMMON_SHA1_H
#define BEL_COMMON_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define BEL_SHA1_SIZE 20

void bel_sha1(const void *data, size_t size, uint8_t digest[BEL_SHA1_SIZE]);

#endif
