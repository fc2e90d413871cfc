/* SPDX-License-Identifier: MIT */
/*
 * Configuration from the command line: `--set NAME=VALUE` types VALUE by the variable's BTF
 * (integers of its size and signedness, bools, chars, char arrays, floats) and refuses names it
 * does not know and values that do not fit; `--max-entries MAP=N` sizes a map; `--type
 * PROGRAM=TYPE` sets a program's type; `--map NAME=PINNED_PATH` reuses a pinned map.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/num.h"
#include "loader/names.h"

static int parse_bool(const char *text, uint8_t *out)
{
	static const char *const yes[] = {"true", "1", "yes", "on"}, *const no[] = {"false", "0", "no", "off"};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcmp(text, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcmp(text, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *kind_name(enum bel_var_kind kind)
{
	switch (kind) {
	case BEL_VAR_INT: return "an integer";
	case BEL_VAR_BOOL: return "a bool";
	case BEL_VAR_CHAR: return "a char";
	case BEL_VAR_ENUM: return "an enum";
	case BEL_VAR_FLOAT: return "a floating-point number";
	case BEL_VAR_POINTER: return "a pointer";
	case BEL_VAR_CHAR_ARRAY: return "a char array";
	default: return "a struct, union or array";
	}
}

/* VALUE as the bytes of the variable; *why says what is wrong. */
static int encode(const struct bel_var_info *v, const char *text, uint8_t *buf, const char **why)
{
	uint64_t u;
	int64_t s;
	uint8_t b;

	switch (v->kind) {
	case BEL_VAR_BOOL:
		*why = "not a bool (true/false, 1/0, yes/no, on/off)";
		if (v->size != 1 || parse_bool(text, &b))
			return -EINVAL;
		buf[0] = b;
		return 0;
	case BEL_VAR_CHAR:
		if (strlen(text) == 1 && v->size == 1) {
			buf[0] = (uint8_t)text[0];
			return 0;
		}
		__attribute__((fallthrough)); /* a number */
	case BEL_VAR_INT:
	case BEL_VAR_ENUM:
		if (v->size != 1 && v->size != 2 && v->size != 4 && v->size != 8) {
			*why = "an integer of an unusual size";
			return -EINVAL;
		}
		if (v->is_signed) {
			int64_t max = v->size == 8 ? INT64_MAX : (int64_t)((1ull << (v->size * 8 - 1)) - 1);

			*why = "not an integer that fits";
			if (bel_parse_s64(text, -max - 1, max, &s))
				return -ERANGE;
			memcpy(buf, &s, v->size); /* little-endian: the low bytes */
			return 0;
		}
		*why = "not a non-negative integer that fits";
		if (bel_parse_u64(text, 0, v->size == 8 ? UINT64_MAX : (1ull << (v->size * 8)) - 1, &u))
			return -ERANGE;
		memcpy(buf, &u, v->size);
		return 0;
	case BEL_VAR_FLOAT: {
		char *end;
		double d;

		errno = 0;
		d = strtod(text, &end);
		*why = "not a number";
		/* strtod skips leading white space; the integers do not, nor does this */
		if (errno || *end || !*text || isspace((unsigned char)*text) ||
		    (v->size != 4 && v->size != 8))
			return -EINVAL;
		if (v->size == 4) {
			float f = (float)d;

			memcpy(buf, &f, 4);
		} else {
			memcpy(buf, &d, 8);
		}
		return 0;
	}
	case BEL_VAR_CHAR_ARRAY:
		*why = "a string longer than the array (with its terminating NUL)";
		if (strlen(text) >= v->size)
			return -ERANGE;
		memset(buf, 0, v->size);
		memcpy(buf, text, strlen(text));
		return 0;
	default:
		*why = "of a type the command line cannot set";
		return -EINVAL;
	}
}

/* NAME of NAME=VALUE into name (at most size - 1 bytes), or NULL when there is no '=' or no NAME. */
static const char *split(const char *assignment, char *name, size_t size)
{
	const char *eq = strchr(assignment, '=');

	if (!eq || eq == assignment || (size_t)(eq - assignment) >= size)
		return NULL;
	snprintf(name, size, "%.*s", (int)(eq - assignment), assignment);
	return eq + 1;
}

int cli_set_var(struct bel_object *obj, const char *assignment)
{
	struct bel_var_info v = {.sz = sizeof(v)};
	const char *value, *why = "";
	char name[256];
	uint8_t *buf;
	int i, ret;

	value = split(assignment, name, sizeof(name));
	if (!value) {
		cli_error("--set wants NAME=VALUE, not '%s'", assignment);
		return -EINVAL;
	}
	i = bel_object_find_var(obj, name);
	if (i < 0 || bel_object_var(obj, (unsigned int)i, &v)) {
		cli_error("--set %s: object '%s' has no global variable '%s'", assignment,
			  bel_object_name(obj), name);
		return -ENOENT;
	}
	buf = calloc(1, v.size ? v.size : 1);
	if (!buf)
		return -ENOMEM;
	ret = encode(&v, value, buf, &why);
	if (ret) {
		cli_error("--set %s: '%s' is %s (%u bytes, in %s): the value is %s", assignment, name,
			  kind_name(v.kind), v.size, v.section, why);
		free(buf);
		return ret;
	}
	ret = bel_object_set_var(obj, name, buf, v.size);
	free(buf);
	if (ret)
		cli_error("%s", bel_object_last_error(obj));
	return ret;
}

int cli_set_max_entries(struct bel_object *obj, const char *assignment)
{
	char name[256];
	const char *value = split(assignment, name, sizeof(name));
	struct bel_map *map;
	uint64_t n;

	if (!value || bel_parse_u64(value, 1, UINT32_MAX, &n)) {
		cli_error("--max-entries wants MAP=N (1 to %u), not '%s'", UINT32_MAX, assignment);
		return -EINVAL;
	}
	map = bel_object_find_map(obj, name);
	if (!map) {
		cli_error("--max-entries %s: object '%s' has no map '%s'", assignment,
			  bel_object_name(obj), name);
		return -ENOENT;
	}
	if (bel_map_set_max_entries(map, (uint32_t)n)) {
		cli_error("%s", bel_object_last_error(obj));
		return -EINVAL;
	}
	return 0;
}

int cli_set_type(struct bel_object *obj, const char *assignment)
{
	char name[256];
	const char *type_name = split(assignment, name, sizeof(name));
	struct bel_program *p;
	int type;

	if (!type_name) {
		cli_error("--type wants PROGRAM=TYPE, not '%s'", assignment);
		return -EINVAL;
	}
	p = bel_object_find_program(obj, name);
	type = ldr_prog_type_by_name(type_name);
	if (!p || type < 0) {
		cli_error("--type %s: %s", assignment, !p ? "no such program" :
			  "unknown program type (bpftool's names: socket_filter, xdp, sched_cls, "
			  "kprobe, ...)");
		return -EINVAL;
	}
	if (bel_program_set_type(p, (uint32_t)type, 0)) {
		cli_error("%s", bel_object_last_error(obj));
		return -EINVAL;
	}
	return 0;
}

int cli_reuse_map(struct bel_object *obj, const char *assignment)
{
	char name[256];
	const char *path = split(assignment, name, sizeof(name));
	struct bel_map *m;

	if (!path) {
		cli_error("--map wants NAME=PINNED_PATH, not '%s'", assignment);
		return -EINVAL;
	}
	m = bel_object_find_map(obj, name);
	if (!m) {
		cli_error("object '%s' has no map '%s'", bel_object_name(obj), name);
		return -ENOENT;
	}
	if (bel_map_reuse_pinned(m, path)) {
		cli_error("%s", bel_object_last_error(obj));
		return -EINVAL;
	}
	return 0;
}

int cli_configure(struct bel_object *obj, const struct cli_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->types.n; i++)
		if (cli_set_type(obj, cfg->types.v[i]))
			return -EINVAL;
	for (i = 0; i < cfg->sets.n; i++)
		if (cli_set_var(obj, cfg->sets.v[i]))
			return -EINVAL;
	for (i = 0; i < cfg->maxes.n; i++)
		if (cli_set_max_entries(obj, cfg->maxes.v[i]))
			return -EINVAL;
	for (i = 0; i < cfg->maps.n; i++)
		if (cli_reuse_map(obj, cfg->maps.v[i]))
			return -EINVAL;
	return 0;
}
