/* SPDX-License-Identifier: MIT */
/*
 * BTF parsing: the header, the type records indexed by id (and, for kernel BTF, by essential
 * name in the same walk), and for object BTF every name and reference checked up front.
 * Lookups on the result are in btf_lookup.c.
 */
#include "btf.h"

#include "common/hash.h"
#include "common/limits.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>


/* Bytes after struct btf_type, per kind: fixed + vlen * per_member (-1: unknown kind). */
static const struct {
	int8_t fixed, per_member;
} extra_sizes[32] = {
	[0] = {-1, 0},
	[BTF_KIND_INT] = {4, 0}, [BTF_KIND_PTR] = {0, 0},
	[BTF_KIND_ARRAY] = {sizeof(struct btf_array), 0},
	[BTF_KIND_STRUCT] = {0, sizeof(struct btf_member)},
	[BTF_KIND_UNION] = {0, sizeof(struct btf_member)},
	[BTF_KIND_ENUM] = {0, sizeof(struct btf_enum)}, [BTF_KIND_FWD] = {0, 0},
	[BTF_KIND_TYPEDEF] = {0, 0}, [BTF_KIND_VOLATILE] = {0, 0}, [BTF_KIND_CONST] = {0, 0},
	[BTF_KIND_RESTRICT] = {0, 0}, [BTF_KIND_FUNC] = {0, 0},
	[BTF_KIND_FUNC_PROTO] = {0, sizeof(struct btf_param)}, [BTF_KIND_VAR] = {4, 0},
	[BTF_KIND_DATASEC] = {0, sizeof(struct btf_var_secinfo)}, [BTF_KIND_FLOAT] = {0, 0},
	[BTF_KIND_DECL_TAG] = {4, 0}, [BTF_KIND_TYPE_TAG] = {0, 0}, [BTF_KIND_ENUM64] = {0, 12},
	[20 ... 31] = {-1, 0},
};

/* Bytes of kind-specific data that follow struct btf_type, or -1 for an unknown kind. */
static inline int64_t type_extra_size(const struct btf_type *t)
{
	int fixed = extra_sizes[btf_kind(t)].fixed;

	return fixed < 0 ? -1 : fixed + (int64_t)btf_vlen(t) * extra_sizes[btf_kind(t)].per_member;
}


/* A name at this offset that is no longer than BEL_BTF_NAME_MAX. */
static bool name_ok(const struct bel_btf *btf, uint32_t off)
{
	const char *name = bel_btf_str(btf, off);

	return name && strnlen(name, BEL_BTF_NAME_MAX + 1) <= BEL_BTF_NAME_MAX;
}

/* Every string offset a type holds, checked against the string section, and its length. */
static int check_names(const struct bel_btf *btf, uint32_t id, const struct btf_type *t,
		       struct bel_err *err)
{
	uint32_t i, vlen = btf_vlen(t);

	if (!name_ok(btf, t->name_off))
		return bel_errf(err, EINVAL, "BTF type [%u] %s: name offset %u outside the string section "
				"or name longer than %u bytes", id, bel_btf_kind_name(btf_kind(t)),
				t->name_off, BEL_BTF_NAME_MAX);
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FUNC_PROTO:
		for (i = 0; i < vlen; i++) {
			uint32_t off;

			if (btf_kind(t) == BTF_KIND_STRUCT || btf_kind(t) == BTF_KIND_UNION)
				off = btf_members(t)[i].name_off;
			else if (btf_kind(t) == BTF_KIND_ENUM)
				off = btf_enums(t)[i].name_off;
			else if (btf_kind(t) == BTF_KIND_ENUM64)
				off = btf_enum64_name_off(t, i);
			else
				off = btf_params(t)[i].name_off;
			if (!name_ok(btf, off))
				return bel_errf(err, EINVAL,
						"BTF type [%u] %s: member %u name offset %u outside the string section "
						"or name longer than %u bytes", id,
						bel_btf_kind_name(btf_kind(t)), i, off, BEL_BTF_NAME_MAX);
		}
		break;
	default:
		break;
	}
	return 0;
}

static int check_ref(const struct bel_btf *btf, uint32_t id, uint32_t ref, const char *what,
		     struct bel_err *err)
{
	if (ref >= bel_btf_type_count(btf))
		return bel_errf(err, EINVAL, "BTF type [%u]: %s refers to type [%u], but only %u types exist",
				id, what, ref, bel_btf_type_count(btf));
	return 0;
}

/* Every type id a type holds, checked against the number of types. */
static int check_refs(const struct bel_btf *btf, uint32_t id, const struct btf_type *t,
		      struct bel_err *err)
{
	uint32_t i, vlen = btf_vlen(t);
	int ret = 0;

	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_FUNC:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
	case BTF_KIND_FUNC_PROTO:
		ret = check_ref(btf, id, t->type, "its type", err);
		break;
	case BTF_KIND_ARRAY:
		ret = check_ref(btf, id, btf_array(t)->type, "its element type", err);
		if (!ret)
			ret = check_ref(btf, id, btf_array(t)->index_type, "its index type", err);
		break;
	default:
		break;
	}
	if (ret)
		return ret;
	for (i = 0; i < vlen && !ret; i++) {
		switch (btf_kind(t)) {
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			ret = check_ref(btf, id, btf_members(t)[i].type, "a member", err);
			break;
		case BTF_KIND_FUNC_PROTO:
			ret = check_ref(btf, id, btf_params(t)[i].type, "a parameter", err);
			break;
		case BTF_KIND_DATASEC:
			ret = check_ref(btf, id, btf_secinfos(t)[i].type, "a variable", err);
			break;
		default:
			break;
		}
	}
	return ret;
}

static int parse_header(struct bel_btf *btf, struct bel_err *err)
{
	struct btf_header *h = (struct btf_header *)btf->raw;
	uint64_t types_end, strs_end;

	if (btf->raw_size < sizeof(*h))
		return bel_errf(err, EINVAL, "BTF: %zu bytes is shorter than its header", btf->raw_size);
	if (h->magic != BTF_MAGIC)
		return bel_errf(err, h->magic == 0x9FeB ? ENOTSUP : EINVAL,
				"BTF: bad magic 0x%04x%s", h->magic,
				h->magic == 0x9FeB ? " (other byte order)" : "");
	if (h->version != BTF_VERSION)
		return bel_errf(err, ENOTSUP, "BTF: version %u not supported", h->version);
	if (h->hdr_len < sizeof(*h) || h->hdr_len > btf->raw_size)
		return bel_errf(err, EINVAL, "BTF: header length %u out of range", h->hdr_len);
	/* Types are read in place: they must stay 4-byte aligned. */
	if (h->hdr_len % 4)
		return bel_errf(err, EINVAL, "BTF: header length %u is not a multiple of 4", h->hdr_len);
	/* Fields of a longer header than we know must be zero, as the kernel requires. */
	for (uint32_t i = sizeof(*h); i < h->hdr_len; i++)
		if (btf->raw[i])
			return bel_errf(err, ENOTSUP, "BTF: unknown non-zero header field at byte %u", i);
	types_end = (uint64_t)h->hdr_len + h->type_off + h->type_len;
	strs_end = (uint64_t)h->hdr_len + h->str_off + h->str_len;
	if (types_end > btf->raw_size || strs_end > btf->raw_size)
		return bel_errf(err, EINVAL,
				"BTF: type section [%u, +%u) or string section [%u, +%u) beyond %zu bytes",
				h->type_off, h->type_len, h->str_off, h->str_len, btf->raw_size);
	if (h->type_off % 4 || h->type_len % 4)
		return bel_errf(err, EINVAL, "BTF: type section not 4-byte aligned");
	if (h->type_off < h->str_off ? (uint64_t)h->type_off + h->type_len > h->str_off
				     : (uint64_t)h->str_off + h->str_len > h->type_off)
		return bel_errf(err, EINVAL, "BTF: type and string sections overlap");
	if (!btf->base && (h->str_len == 0 || btf->raw[h->hdr_len + h->str_off] != '\0'))
		return bel_errf(err, EINVAL, "BTF: string section must start with an empty string");
	if (h->str_len && btf->raw[strs_end - 1] != '\0')
		return bel_errf(err, EINVAL, "BTF: string section is not NUL-terminated");
	btf->hdr = h;
	btf->types = btf->raw + h->hdr_len + h->type_off;
	btf->strs = (const char *)btf->raw + h->hdr_len + h->str_off;
	return 0;
}

/* X___Y with X and Y not underscores: the flavor separator. */
static bool flavor_sep(const char *s)
{
	return s[0] != '_' && s[1] == '_' && s[2] == '_' && s[3] == '_' && s[4] != '_';
}

size_t bel_btf_essential_len(const char *name)
{
	size_t n = strlen(name);
	ssize_t i;

	for (i = (ssize_t)n - 5; i >= 0; i--)
		if (flavor_sep(name + i))
			return (size_t)i + 1;
	return n;
}


/* The kinds a CO-RE candidate can have (relocations are on named types of these kinds). */
static bool candidate_kind(uint32_t kind)
{
	switch (kind) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
		return true;
	default:
		return false;
	}
}

uint32_t bel_btf_name_hash(const char *name, size_t len)
{
	return bel_hash(name, len);
}

bool bel_btf_name_indexed_kind(uint32_t kind)
{
	return candidate_kind(kind);
}

static int names_alloc(struct bel_btf *btf, uint32_t max_types, struct bel_err *err)
{
	uint32_t buckets = 16;

	/* named candidate kinds are about a tenth of a kernel's types: chains stay short */
	while (buckets < max_types / 8 && buckets < (1u << 30))
		buckets *= 2;
	btf->names.heads = malloc(buckets * sizeof(uint32_t));
	btf->names.next = malloc((max_types ? max_types : 1) * sizeof(uint32_t));
	if (!btf->names.heads || !btf->names.next) {
		free(btf->names.heads);
		free(btf->names.next);
		btf->names.heads = btf->names.next = NULL;
		return bel_errf(err, ENOMEM, "out of memory indexing BTF names");
	}
	btf->names.mask = buckets - 1;
	memset(btf->names.heads, 0xff, buckets * sizeof(uint32_t));
	return 0;
}

/* Put type i (counted from start_id) on its name's chain; chains run from the highest id. */
static inline void names_add(struct bel_btf *btf, uint32_t i, const struct btf_type *t)
{
	uint32_t name_off = t->name_off - btf->start_str, b;
	const char *name;
	size_t len;

	btf->names.next[i] = UINT32_MAX;
	if (!candidate_kind(btf_kind(t)) || !t->name_off || t->name_off < btf->start_str ||
	    name_off >= btf->hdr->str_len)
		return;
	name = btf->strs + name_off;
	/* one pass: length, and whether a "___" (a flavor separator, rare in kernels) occurs */
	{
		const char *p = name;
		unsigned int run = 0;
		bool triple = false;

		for (; *p; p++) {
			run = *p == '_' ? run + 1 : 0;
			triple |= run == 3;
		}
		len = (size_t)(p - name);
		if (triple) /* only the part before the ___flavor */
			len = bel_btf_essential_len(name);
	}
	b = bel_hash(name, len) & btf->names.mask;
	btf->names.next[i] = btf->names.heads[b];
	btf->names.heads[b] = i;
}

int bel_btf_index_names(struct bel_btf *btf, struct bel_err *err)
{
	uint32_t i;
	int ret;

	if (btf->names.heads)
		return 0;
	ret = names_alloc(btf, btf->nr_types, err);
	for (i = 0; !ret && i < btf->nr_types; i++)
		names_add(btf, i, (const struct btf_type *)(btf->types + btf->type_offs[i]));
	return ret;
}

static int index_types(struct bel_btf *btf, bool with_names, struct bel_err *err)
{
	/* the smallest type record is 12 bytes: a bound on the count, so one allocation */
	uint32_t len = btf->hdr->type_len, off = 0, cap = len / 12 + 1, n = 0;
	uint32_t *offs = malloc(cap * sizeof(*offs));

	if (!offs)
		return bel_errf(err, ENOMEM, "out of memory indexing BTF");
	if (with_names && names_alloc(btf, cap, err)) {
		free(offs);
		return err ? err->code : -ENOMEM;
	}
	while (off < len) {
		const struct btf_type *t = (const struct btf_type *)(btf->types + off);
		int64_t extra;

		if (len - off < sizeof(*t))
			goto truncated;
		extra = type_extra_size(t);
		if (extra < 0) {
			free(offs);
			return bel_errf(err, ENOTSUP, "BTF type [%u]: unknown kind %u",
					btf->start_id + n, btf_kind(t));
		}
		if ((uint64_t)len - off - sizeof(*t) < (uint64_t)extra)
			goto truncated;
		offs[n] = off; /* n < cap: every record is at least 12 bytes */
		/* the kernel's BTF is indexed by name in the same walk: it is walked only once */
		if (with_names)
			names_add(btf, n, t);
		n++;
		off += sizeof(*t) + (uint32_t)extra;
		if (btf->start_id + (uint64_t)n > BTF_MAX_TYPE) {
			free(offs);
			return bel_errf(err, E2BIG, "BTF: more than %u types", BTF_MAX_TYPE);
		}
	}
	btf->type_offs = offs;
	btf->nr_types = n;
	return 0;
truncated:
	free(offs);
	return bel_errf(err, EINVAL, "BTF type [%u]: truncated at byte %u of the type section",
			btf->start_id + n, off);
}

static int parse(const void *data, size_t size, const struct bel_btf *base, bool copy,
		 bool deep, struct bel_btf **out, struct bel_err *err)
{
	struct bel_btf *btf;
	uint32_t id;
	int ret;

	*out = NULL;
	btf = calloc(1, sizeof(*btf));
	if (!btf)
		return bel_errf(err, ENOMEM, "out of memory");
	if (copy) {
		btf->raw = malloc(size ? size : 1);
		if (!btf->raw) {
			free(btf);
			return bel_errf(err, ENOMEM, "out of memory for %zu bytes of BTF", size);
		}
		memcpy(btf->raw, data, size);
		btf->owned = true;
	} else {
		btf->raw = (uint8_t *)data;
	}
	btf->raw_size = size;
	btf->base = base;
	btf->start_id = base ? bel_btf_type_count(base) : 1;
	btf->start_str = base ? base->start_str + base->hdr->str_len : 0;

	ret = parse_header(btf, err);
	if (!ret)
		ret = index_types(btf, !deep, err);
	for (id = btf->start_id; deep && !ret && id < bel_btf_type_count(btf); id++) {
		const struct btf_type *t = bel_btf_type(btf, id);

		ret = check_names(btf, id, t, err);
		if (!ret)
			ret = check_refs(btf, id, t, err);
	}
	if (ret) {
		bel_btf_free(btf);
		return ret;
	}
	*out = btf;
	return 0;
}

int bel_btf_parse(const void *data, size_t size, const struct bel_btf *base, bool copy,
		  struct bel_btf **out, struct bel_err *err)
{
	return parse(data, size, base, copy, true, out, err);
}

int bel_btf_parse_owned(void *data, size_t size, struct bel_btf **out, struct bel_err *err)
{
	int ret = parse(data, size, NULL, false, true, out, err);

	if (ret)
		free(data);
	else
		(*out)->owned = true;
	return ret;
}

int bel_btf_parse_kernel(const void *data, size_t size, const struct bel_btf *base,
			 struct bel_btf **out, struct bel_err *err)
{
	return parse(data, size, base, false, false, out, err);
}

void bel_btf_free(struct bel_btf *btf)
{
	if (!btf)
		return;
	if (btf->owned)
		free(btf->raw);
	free(btf->type_offs);
	free(btf->names.heads);
	free(btf->names.next);
	free(btf);
}
