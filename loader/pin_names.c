/* SPDX-License-Identifier: MIT */
#include "pin_names.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bel/bel.h"

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

const char *ldr_name_quote(const char *name, char *out, size_t size)
{
	size_t n = 0;

	if (!size)
		return out;
	for (; *name && n + 1 < size; name++) {
		unsigned char c = (unsigned char)*name;

		if (n + 8 >= size) { /* room for "..." and the NUL, whatever comes next */
			snprintf(out + n, size - n, "...");
			return out;
		}
		if (is_control(c) || c == '\\')
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
	return out;
}

int ldr_name_check(const char *name, size_t suffix_len, struct bel_err *err)
{
	char quoted[96];
	size_t len, i;

	if (!name || !*name)
		return bel_errf(err, EINVAL, "the name is empty (%s)", BEL_NAME_RULE);
	ldr_name_quote(name, quoted, sizeof(quoted));
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return bel_errf(err, EINVAL, "'%s' names a directory, not an entry of one (%s)", quoted,
				BEL_NAME_RULE);
	len = strlen(name);
	for (i = 0; i < len; i++) {
		if (name[i] == '/')
			return bel_errf(err, EINVAL, "'%s' contains '/' (%s)", quoted, BEL_NAME_RULE);
		if (is_control((unsigned char)name[i]))
			return bel_errf(err, EINVAL, "'%s' contains the control character 0x%02x (%s)",
					quoted, (unsigned char)name[i], BEL_NAME_RULE);
	}
	if (len > BEL_NAME_MAX)
		return bel_errf(err, ENAMETOOLONG, "'%s' is %zu bytes long: over NAME_MAX (255)", quoted,
				len);
	if (suffix_len > BEL_NAME_MAX - len)
		return bel_errf(err, ENAMETOOLONG, "'%s' is %zu bytes long, and with the %zu bytes bel "
				"appends it would be over NAME_MAX (255)", quoted, len, suffix_len);
	return 0;
}

void bel_pin_name(const char *name, char *out, size_t size)
{
	size_t i;

	if (!size)
		return;
	/* bpffs refuses '.'; '/' cannot happen for names that passed ldr_name_check, but callers
	 * of this public function get one component whatever they pass */
	for (i = 0; name[i] && i + 1 < size; i++)
		out[i] = name[i] == '.' || name[i] == '/' ? '_' : name[i];
	out[i] = '\0';
}
