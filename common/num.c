/* SPDX-License-Identifier: MIT */
#include "num.h"

#include <errno.h>
#include <stdbool.h>

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int bel_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0, base = 10;
	bool overflow = false;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return -EINVAL;
	}
	for (; *s; s++) {
		int d = digit_value(*s);

		if (d < 0 || (uint64_t)d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			overflow = true; /* keep going: "1x" after many digits is still not a number */
		else
			v = v * base + (uint64_t)d;
	}
	if (overflow || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int bel_parse_s64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	bool neg = s && s[0] == '-';
	uint64_t mag;
	int64_t v;
	int ret;

	/* the magnitude of INT64_MIN is one more than INT64_MAX */
	ret = bel_parse_u64(s ? s + neg : s, 0, neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX, &mag);
	if (ret)
		return ret;
	v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}
