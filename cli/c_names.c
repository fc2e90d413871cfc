/* SPDX-License-Identifier: MIT */
/* C identifiers made from the names in an object, for generated headers (c_names.h). */
#include "c_names.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"

/* C and C++ words a member or function name must not be, and lower-case macros gcc predefines
 * or the header's includes define. */
static const char *const keywords[] = {
	"auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
	"enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
	"restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
	"union", "unsigned", "void", "volatile", "while", "bool", "true", "false", "class",
	"delete", "new", "private", "protected", "public", "template", "this", "throw", "try",
	"catch", "namespace", "operator", "virtual", "friend", "mutable", "typename", "using",
	"explicit", "export", "asm", "and", "or", "not", "xor", "nullptr", "alignas", "alignof",
	"static_assert", "thread_local", "decltype", "constexpr", "noexcept", "obj", "and_eq",
	"bitand", "bitor", "compl", "not_eq", "or_eq", "xor_eq", "char8_t", "char16_t", "char32_t",
	"wchar_t", "const_cast", "dynamic_cast", "reinterpret_cast", "static_cast", "typeid",
	"concept", "requires", "co_await", "co_return", "co_yield", "consteval", "constinit",
	"typeof", "typeof_unqual", "errno", "linux", "unix", "i386",
};

void cli_c_names_free(struct cli_c_names *set)
{
	bel_name_map_free(&set->index);
	free(set->next);
	memset(set, 0, sizeof(*set));
}

static int c_names_add(struct cli_c_names *set, const char *name)
{
	if (bel_grow(&set->next, set->n, &set->cap, sizeof(*set->next), 16))
		return -ENOMEM;
	set->next[set->n] = 2;
	if (bel_name_map_add(&set->index, name, set->n))
		return -ENOMEM;
	set->n++;
	return 0;
}

static bool is_upper_macro_like(const char *id)
{
	bool letter = false;

	for (; *id; id++) {
		if (*id >= 'a' && *id <= 'z')
			return false;
		letter |= *id >= 'A' && *id <= 'Z';
	}
	return letter;
}

/*
 * A name as a C identifier: other characters become '_'; a leading digit, "__" or '_' and a
 * capital (reserved to the implementation) get a character added before it, a keyword a '_'
 * after it. Within a set, so does an all-capitals name (a macro's, such as EINVAL or NULL) and
 * `avoid` (a name the header makes next to this one), and the name is unique in the set by a
 * numeric suffix; the set keeps the pointer. set NULL: the skeleton's own name. Caller frees.
 */
char *cli_c_identifier(const char *name, struct cli_c_names *set, const char *avoid)
{
	size_t len = strlen(name), i;
	char *id = malloc(len + 16), *cand;
	uint32_t k, slot;
	int found;

	if (!id)
		return NULL;
	for (i = 0; i < len; i++) {
		char c = name[i];

		id[i] = (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9')) ? c : '_';
	}
	id[len] = '\0';
	if (!len || (id[0] >= '0' && id[0] <= '9') ||
	    (id[0] == '_' && (id[1] == '_' || (id[1] >= 'A' && id[1] <= 'Z')))) {
		memmove(id + 1, id, len + 1);
		id[0] = len && id[0] != '_' ? '_' : 'x';
	}
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (!strcmp(id, keywords[i]))
			strcat(id, "_");
	if (!set)
		return id;
	if (is_upper_macro_like(id) || (avoid && !strcmp(id, avoid)))
		strcat(id, "_");
	found = bel_name_map_get(&set->index, id);
	if (found < 0) {
		if (c_names_add(set, id)) {
			free(id);
			return NULL;
		}
		return id;
	}
	slot = (uint32_t)found;
	cand = malloc(strlen(id) + 16);
	for (k = set->next[slot]; cand; k++) {
		snprintf(cand, strlen(id) + 16, "%s_%u", id, k);
		if (bel_name_map_get(&set->index, cand) < 0)
			break;
	}
	free(id);
	if (!cand)
		return NULL;
	set->next[slot] = k + 1;
	if (c_names_add(set, cand)) {
		free(cand);
		return NULL;
	}
	return cand;
}
