/* SPDX-License-Identifier: MIT */
#include "opts.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

int bel_opts_check(const void *opts, size_t known_size, const char *what, struct bel_err *err)
{
	const uint8_t *bytes = opts;
	size_t sz, i;

	if (!opts)
		return 0;
	memcpy(&sz, opts, sizeof(sz));
	if (sz < sizeof(size_t))
		return bel_errf(err, EINVAL, "%s: sz is %zu; set it to sizeof the struct", what, sz);
	/* a newer caller's fields this version does not know must be unused (zero) */
	for (i = known_size; i < sz; i++)
		if (bytes[i])
			return bel_errf(err, EINVAL, "%s: byte %zu is set, but this version of bel knows "
					"only the first %zu bytes of the struct", what, i, known_size);
	return 0;
}

int bel_out_size(const void *out, size_t known_size, const char *what, struct bel_err *err)
{
	size_t sz;

	if (!out)
		return bel_errf(err, EINVAL, "%s: NULL", what);
	memcpy(&sz, out, sizeof(sz));
	if (sz < sizeof(size_t))
		return bel_errf(err, EINVAL, "%s: sz is %zu; set it to sizeof the struct", what, sz);
	return (int)(sz < known_size ? sz : known_size);
}
