/* SPDX-License-Identifier: MIT */
/*
 * BTF to C, inside: the names (c_names.c), the layouts as the text writes them (c_layout.c)
 * and the writer (c_dump.c) share these.
 */
#ifndef BEL_BTF_C_INTERNAL_H
#define BEL_BTF_C_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "btf/c_dump.h"

/*
 * A C namespace: each name once, with the next ___N suffix to try for it. A slot whose gen is
 * not the map's is empty, so a member scope is emptied by bumping gen (no deletions otherwise).
 */
struct c_strmap {
	struct c_slot {
		const char *key;
		uint32_t hash, gen, next_suffix;
	} *slots;
	uint32_t mask, count, gen;
};

/* Strings made here (renamed names), freed together. */
struct c_pool {
	char **items;
	uint32_t n, cap;
};

/* Per type id, as the text writes the type. */
struct c_info {
	uint8_t state;       /* C_INFO_* */
	uint8_t align;       /* structs, unions, enums: alignment in bytes */
	uint8_t size;        /* enums: size in bytes */
	uint8_t flags;       /* C_PACKED, C_ENUM_MODE, C_ENUM_SIGNED */
};

enum { C_INFO_NONE, C_INFO_BUSY, C_INFO_DONE };
#define C_PACKED 0x1      /* record: __attribute__((packed)) */
#define C_ENUM_MODE 0x2   /* enum: __attribute__((mode(...))) gives it its BTF size */
#define C_ENUM_SIGNED 0x4 /* enum: C picks a signed type for it (a value is negative) */

struct bel_btf_c_names {
	const struct bel_btf *btf;
	uint32_t ntypes;
	const char **name;          /* per id: tag or typedef name as written; NULL: none */
	uint32_t *canon;            /* per id: the type it stands for (a FWD's struct, ...) */
	struct c_strmap tags, idents;
	struct {                    /* enumerators renamed: key (enum id << 16 | index) */
		uint64_t *keys;
		const char **vals;
		uint32_t mask, count;
	} renamed;
	struct c_pool pool;
	struct c_info *info;        /* layouts, worked out on first need */
};

/* ---- c_names.c ---- */
bool c_is_reserved(const char *s);
/* s unchanged when it is an identifier, else a copy (in pool) with other characters as '_';
 * NULL when out of memory. */
const char *c_sanitize(const char *s, struct c_pool *pool);
/* The first of name, name___2, name___3, ... free in map (and not reserved), now taken; NULL
 * when out of memory. */
const char *c_unique(struct c_strmap *map, const char *name, struct c_pool *pool);
void c_strmap_free(struct c_strmap *map);
char *c_pool_strdup(struct c_pool *pool, const char *s);
void c_pool_free(struct c_pool *pool);
const char *c_enumerator_name(const struct bel_btf_c_names *names, uint32_t id, uint32_t index,
			      const char *raw);
static inline uint32_t c_canon(const struct bel_btf_c_names *names, uint32_t id)
{
	return id < names->ntypes ? names->canon[id] : id;
}

/* ---- c_layout.c ---- */
/* Work out the layout of a struct or union and of every record it holds by value; -ELOOP when
 * one contains itself. */
int c_layout(struct bel_btf_c_names *names, uint32_t id, struct bel_err *err);
/* Size and alignment of a type used by value, as written (records must have their layout). */
int c_size_align(struct bel_btf_c_names *names, uint32_t id, uint64_t *size, uint32_t *align,
		 struct bel_err *err);
/* An enum's size, alignment, mode and signedness as written (into names->info). */
int c_enum_layout(struct bel_btf_c_names *names, uint32_t id, struct bel_err *err);
/* An enum's value at index i, cut to the enum's size (sign-extended when C makes it signed). */
int64_t c_enum_value(const struct btf_type *t, uint32_t i, uint32_t size, bool is_signed);
/* The C spelling of an INT or FLOAT; NULL (err set) for a size C has no type of. */
const char *c_base_spelling(const struct bel_btf *btf, uint32_t id, const struct btf_type *t,
			    struct bel_err *err);
/* The integer type of a size and signedness ("unsigned int"); NULL for other sizes. */
const char *c_int_type(uint32_t size, bool is_signed);
/* A member's bit offset and bit-field width (0: not a bit-field), old-style int bit-fields
 * (no kind_flag, INT with bits or offset) included. */
void c_member_bits(const struct bel_btf *btf, const struct btf_type *rec, uint32_t i,
		   uint64_t *bit_off, uint32_t *bits);
/* A member with a name (an unnamed one is an anonymous struct/union or a bit-field gap). */
static inline bool c_member_named(const struct bel_btf *btf, const struct btf_member *m)
{
	const char *s = bel_btf_str(btf, m->name_off);

	return s && *s;
}
/* "struct", "union", "enum", "typedef", ...: for messages. */
const char *c_kind_word(const struct btf_type *t);

/*
 * Where C puts a member after `pos` bits of its record: a bit-field (bits > 0) of a type of
 * `unit` bytes stays at pos unless it would cross a unit boundary (anywhere, when packed);
 * another member goes to the next multiple of its alignment `unit` (of a byte, when packed).
 */
static inline uint64_t c_place(uint64_t pos, uint32_t bits, uint32_t unit, bool packed)
{
	uint64_t ub = (uint64_t)unit * 8;

	if (bits) {
		if (packed || (pos % ub) + bits <= ub)
			return pos;
	} else if (packed) {
		ub = 8;
	}
	return (pos + ub - 1) / ub * ub;
}

#endif
