/* SPDX-License-Identifier: MIT */
/*
 * BTF: parse and validate a raw blob, look types up, resolve sizes. Pure; no syscalls.
 *
 * A struct bel_btf either owns a private, writable copy of the blob (object BTF, which bel fixes
 * up before loading it) or borrows read-only memory (kernel BTF mapped from /sys/kernel/btf).
 * Split BTF (kernel modules) is parsed on top of a base: ids and string offsets continue the
 * base's.
 */
#ifndef BEL_BTF_BTF_H
#define BEL_BTF_BTF_H

#include <linux/btf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#ifndef BTF_KIND_ENUM64
#define BTF_KIND_ENUM64 19
#endif

/* Deepest chain of modifiers/typedefs/arrays bel follows before calling a type a cycle. */
#define BEL_BTF_MAX_DEPTH 32

struct bel_btf {
	uint8_t *raw;             /* header + types + strings */
	size_t raw_size;
	bool owned;
	const struct bel_btf *base;
	uint32_t start_id;        /* first id of this blob: 1, or the base's type count */
	uint32_t start_str;       /* first string offset of this blob: 0, or the base's strings size */
	struct btf_header *hdr;
	uint8_t *types;
	const char *strs;
	uint32_t *type_offs;      /* type_offs[id - start_id]: offset of the type within types */
	uint32_t nr_types;        /* types in this blob */
	struct {                  /* by essential name (btf/core.c), built on demand */
		uint32_t mask;
		uint32_t *heads;      /* per bucket: first id - start_id, or UINT32_MAX */
		uint32_t *next;       /* per type: next in the bucket */
	} names;
};

static inline uint32_t btf_kind(const struct btf_type *t) { return BTF_INFO_KIND(t->info); }
static inline uint32_t btf_vlen(const struct btf_type *t) { return BTF_INFO_VLEN(t->info); }
static inline bool btf_kflag(const struct btf_type *t) { return BTF_INFO_KFLAG(t->info); }
static inline struct btf_member *btf_members(const struct btf_type *t) { return (void *)(t + 1); }
static inline struct btf_array *btf_array(const struct btf_type *t) { return (void *)(t + 1); }
static inline struct btf_var *btf_var(const struct btf_type *t) { return (void *)(t + 1); }
static inline struct btf_var_secinfo *btf_secinfos(const struct btf_type *t) { return (void *)(t + 1); }
static inline struct btf_param *btf_params(const struct btf_type *t) { return (void *)(t + 1); }
static inline struct btf_enum *btf_enums(const struct btf_type *t) { return (void *)(t + 1); }
static inline uint32_t btf_int_encoding(const struct btf_type *t) { return BTF_INT_ENCODING(*(uint32_t *)(t + 1)); }
static inline uint32_t btf_int_bits(const struct btf_type *t) { return BTF_INT_BITS(*(uint32_t *)(t + 1)); }
/* An ENUM64 record is struct btf_enum64 (name_off, val_lo32, val_hi32), read here as three
 * words since older uapi headers do not have it. */
static inline const uint32_t *btf_enum64_rec(const struct btf_type *t, uint32_t i)
{
	return (const uint32_t *)(t + 1) + 3 * (size_t)i;
}
static inline uint32_t btf_enum64_name_off(const struct btf_type *t, uint32_t i) { return btf_enum64_rec(t, i)[0]; }
static inline uint64_t btf_enum64_value(const struct btf_type *t, uint32_t i)
{
	return (uint64_t)btf_enum64_rec(t, i)[2] << 32 | btf_enum64_rec(t, i)[1];
}
/* The name of enumerator i of an ENUM or ENUM64. */
static inline uint32_t btf_enumerator_name_off(const struct btf_type *t, uint32_t i)
{
	return btf_kind(t) == BTF_KIND_ENUM64 ? btf_enum64_name_off(t, i) : btf_enums(t)[i].name_off;
}
static inline uint32_t btf_member_bit_offset(const struct btf_type *t, const struct btf_member *m)
{
	return btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(m->offset) : m->offset;
}

/* Parse and validate. copy=true makes a private writable copy; otherwise data must outlive
 * the result. base is NULL except for split BTF. */
int bel_btf_parse(const void *data, size_t size, const struct bel_btf *base, bool copy,
		  struct bel_btf **out, struct bel_err *err);
/* The same on a malloc'd blob the result takes as its own (freed here on failure). */
int bel_btf_parse_owned(void *data, size_t size, struct bel_btf **out, struct bel_err *err);
/* The kernel's own BTF (/sys/kernel/btf): checked for layout (header, type records within
 * bounds) but not reference by reference, since every accessor checks ids and string offsets
 * anyway; borrowed, not copied. Several times faster on vmlinux's 100k+ types. */
int bel_btf_parse_kernel(const void *data, size_t size, const struct bel_btf *base,
			 struct bel_btf **out, struct bel_err *err);
void bel_btf_free(struct bel_btf *btf);

/* Total number of type ids, including void (id 0) and the base's types. */
uint32_t bel_btf_type_count(const struct bel_btf *btf);
/* The type with this id; NULL for void (0) and for ids out of range. */
const struct btf_type *bel_btf_type(const struct bel_btf *btf, uint32_t id);
struct btf_type *bel_btf_type_mut(struct bel_btf *btf, uint32_t id);
/* The string at this offset; NULL when out of range. */
const char *bel_btf_str(const struct bel_btf *btf, uint32_t off);
const char *bel_btf_type_name(const struct bel_btf *btf, const struct btf_type *t);
/* The id of the first type with this name and kind, or -ENOENT. */
int bel_btf_find(const struct bel_btf *btf, const char *name, uint32_t kind);
/* Follow typedef, const, volatile, restrict and type tags; *out_id gets the final id. */
const struct btf_type *bel_btf_skip_mods(const struct bel_btf *btf, uint32_t id, uint32_t *out_id);
/* Byte size of a type, following modifiers and arrays; -errno on a bad or unsized type, and
 * -E2BIG for 4 GiB or more (sizes are u32 wherever the kernel takes them). */
int64_t bel_btf_type_size(const struct bel_btf *btf, uint32_t id);
/* The raw blob as it stands (after any fix-up). */
const void *bel_btf_raw(const struct bel_btf *btf, uint32_t *size);
const char *bel_btf_kind_name(uint32_t kind);

/*
 * Names up to any "___flavor" suffix (CO-RE's essential names), hashed: an index of the named
 * types of the kinds CO-RE looks for (struct, union, enum, fwd, typedef, int, float). Kernel
 * BTF is indexed while it is parsed; other BTF on demand. Chains run from the highest id.
 */
size_t bel_btf_essential_len(const char *name);
uint32_t bel_btf_name_hash(const char *name, size_t len);
bool bel_btf_name_indexed_kind(uint32_t kind);
int bel_btf_index_names(struct bel_btf *btf, struct bel_err *err);

#endif
