/* SPDX-License-Identifier: MIT */
/*
 * Numbers from text someone else wrote (command lines, section names, kernel files): one strict
 * parser, so "abc", "-1", "1x", " 2" and values out of range are refused rather than read as
 * whatever strtoul makes of them.
 */
#ifndef BEL_COMMON_NUM_H
#define BEL_COMMON_NUM_H

#include <stdint.h>

/*
 * Parse the whole of s as an unsigned number: decimal, or hexadecimal after "0x". No sign, no
 * spaces, no trailing characters. 0 and *out set when it is in [min, max]; -EINVAL when s is not
 * such a number, -ERANGE when it is one but out of range.
 */
int bel_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* The same for a signed number: an optional '-', then what bel_parse_u64 takes. */
int bel_parse_s64(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
