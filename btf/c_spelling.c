/* SPDX-License-Identifier: MIT */
/*
 * BTF to C: how C spells a kind ("struct", "enum", ...) and a base type: an INT by its own
 * name when that name is a C integer type of its size (LP64), else the standard type of its
 * size and signedness; a FLOAT by its size.
 */
#include "c_internal.h"

#include <errno.h>
#include <string.h>

const char *c_kind_word(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT: return "struct";
	case BTF_KIND_UNION: return "union";
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: return "enum";
	case BTF_KIND_TYPEDEF: return "typedef";
	case BTF_KIND_FWD: return btf_kflag(t) ? "union" : "struct";
	default: return bel_btf_kind_name(btf_kind(t));
	}
}

const char *c_int_type(uint32_t size, bool is_signed)
{
	switch (size) {
	case 1: return is_signed ? "signed char" : "unsigned char";
	case 2: return is_signed ? "short" : "unsigned short";
	case 4: return is_signed ? "int" : "unsigned int";
	case 8: return is_signed ? "long long" : "unsigned long long";
	case 16: return is_signed ? "__int128" : "unsigned __int128";
	default: return NULL;
	}
}

/* The size of an integer type C spells this way (LP64), or 0 when it is not one. */
static uint32_t int_name_size(const char *name)
{
	unsigned int sign = 0, chr = 0, shrt = 0, in = 0, lng = 0, bl = 0, i128 = 0;
	const char *p = name;

	while (*p) {
		size_t n;

		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (!n)
			break;
#define WORD(w) (n == sizeof(w) - 1 && !strncmp(p, w, n))
		if (WORD("signed") || WORD("unsigned"))
			sign++;
		else if (WORD("char"))
			chr++;
		else if (WORD("short"))
			shrt++;
		else if (WORD("int"))
			in++;
		else if (WORD("long"))
			lng++;
		else if (WORD("_Bool"))
			bl++;
		else if (WORD("__int128"))
			i128++;
		else
			return 0;
#undef WORD
		p += n;
	}
	if (sign > 1 || chr > 1 || shrt > 1 || in > 1 || lng > 2 || bl > 1 || i128 > 1)
		return 0;
	if (bl)
		return sign || chr || shrt || in || lng || i128 ? 0 : 1;
	if (i128)
		return chr || shrt || in || lng ? 0 : 16;
	if (chr)
		return shrt || in || lng ? 0 : 1;
	if (shrt)
		return lng ? 0 : 2;
	if (lng)
		return 8;
	return in || sign ? 4 : 0;
}

const char *c_base_spelling(const struct bel_btf *btf, uint32_t id, const struct btf_type *t,
			    struct bel_err *err)
{
	const char *s;

	if (btf_kind(t) == BTF_KIND_FLOAT) {
		/* by size: "long double" is 16 bytes on x86-64 but 8 for BPF */
		switch (t->size) {
		case 4: return "float";
		case 8: return "double";
		case 16: return "long double";
		}
		bel_errf(err, EINVAL, "BTF type [%u] FLOAT '%s': C has no %u-byte floating type", id,
			 bel_btf_type_name(btf, t), t->size);
		return NULL;
	}
	s = bel_btf_type_name(btf, t);
	if (t->size && int_name_size(s) == t->size)
		return s;
	if (t->size == 1 && (btf_int_encoding(t) & BTF_INT_BOOL))
		return "_Bool";
	if (t->size == 1 && (btf_int_encoding(t) & BTF_INT_CHAR))
		return "char";
	s = c_int_type(t->size, btf_int_encoding(t) & BTF_INT_SIGNED);
	if (!s)
		bel_errf(err, EINVAL, "BTF type [%u] INT '%s': C has no %u-byte integer type", id,
			 bel_btf_type_name(btf, t), t->size);
	return s;
}

