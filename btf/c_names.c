/* SPDX-License-Identifier: MIT */
/*
 * BTF to C: the name each type gets in the text. Worked out over the whole BTF in id order, so a
 * dump of some types, a dump of all of them and a single declaration name a type alike.
 */
#include "c_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"

/* Words C (with GNU extensions) will not take as a name, and macros gcc predefines in GNU
 * modes. */
static const char *const reserved_words[] = {
	"auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
	"enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
	"restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
	"union", "unsigned", "void", "volatile", "while", "_Alignas", "_Alignof", "_Atomic",
	"_Bool", "_Complex", "_Generic", "_Imaginary", "_Noreturn", "_Static_assert",
	"_Thread_local", "asm", "typeof", "__asm", "__asm__", "__attribute", "__attribute__",
	"__auto_type", "__alignof", "__alignof__", "__builtin_va_list", "__complex__",
	"__const", "__const__", "__extension__", "__float128", "__imag__", "__inline",
	"__inline__", "__int128", "__label__", "__real__", "__restrict", "__restrict__",
	"__signed", "__signed__", "__thread", "__typeof", "__typeof__", "__volatile",
	"__volatile__", "_Float128", "linux", "unix", "i386",
};

bool c_is_reserved(const char *s)
{
	size_t i;

	/* all of them start with a letter or '_' and are short: a cheap first cut */
	if (strlen(s) > 20)
		return false;
	for (i = 0; i < sizeof(reserved_words) / sizeof(reserved_words[0]); i++)
		if (!strcmp(s, reserved_words[i]))
			return true;
	return false;
}

static bool ident_char(char c, bool first)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (!first && c >= '0' && c <= '9');
}

static char *pool_add(struct c_pool *pool, char *s)
{
	char **grown;

	if (!s)
		return NULL;
	if (pool->n == pool->cap) {
		uint32_t cap = pool->cap ? pool->cap * 2 : 16;

		grown = realloc(pool->items, cap * sizeof(*grown));
		if (!grown) {
			free(s);
			return NULL;
		}
		pool->items = grown;
		pool->cap = cap;
	}
	pool->items[pool->n++] = s;
	return s;
}

char *c_pool_strdup(struct c_pool *pool, const char *s)
{
	return pool_add(pool, strdup(s));
}

void c_pool_free(struct c_pool *pool)
{
	uint32_t i;

	for (i = 0; i < pool->n; i++)
		free(pool->items[i]);
	free(pool->items);
	memset(pool, 0, sizeof(*pool));
}

const char *c_sanitize(const char *s, struct c_pool *pool)
{
	size_t i, n = strlen(s);
	char *copy;

	for (i = 0; i < n && ident_char(s[i], i == 0); i++)
		;
	if (i == n && n)
		return s;
	/* "" cannot happen for names (callers pass only non-empty ones); a leading digit gets '_' */
	copy = malloc(n + 2);
	if (!copy)
		return NULL;
	i = 0;
	if (!n || !ident_char(s[0], true))
		copy[i++] = '_';
	for (size_t j = 0; j < n; j++)
		copy[i++] = ident_char(s[j], false) ? s[j] : '_';
	copy[i] = '\0';
	return pool_add(pool, copy);
}

static struct c_slot *strmap_find(const struct c_strmap *map, const char *key, uint32_t hash)
{
	uint32_t i;

	if (!map->slots)
		return NULL;
	for (i = hash & map->mask;; i = (i + 1) & map->mask) {
		struct c_slot *s = &map->slots[i];

		if (!s->key || s->gen != map->gen)
			return NULL;
		if (s->hash == hash && !strcmp(s->key, key))
			return s;
	}
}

static void strmap_place(struct c_strmap *map, const char *key, uint32_t hash, uint32_t next)
{
	uint32_t i;

	for (i = hash & map->mask; map->slots[i].key && map->slots[i].gen == map->gen;
	     i = (i + 1) & map->mask)
		;
	map->slots[i] = (struct c_slot){.key = key, .hash = hash, .gen = map->gen,
					 .next_suffix = next};
	map->count++;
}

static int strmap_insert(struct c_strmap *map, const char *key, uint32_t hash, uint32_t next)
{
	/* at most half full, so probes stay short and always end */
	if (!map->slots || (map->count + 1) * 2 > map->mask + 1) {
		uint32_t size = map->slots ? (map->mask + 1) * 2 : 64, i;
		struct c_slot *old = map->slots;
		uint32_t old_size = map->slots ? map->mask + 1 : 0;

		if (size > (1u << 30))
			return -ENOMEM;
		map->slots = calloc(size, sizeof(*map->slots));
		if (!map->slots) {
			map->slots = old;
			return -ENOMEM;
		}
		map->mask = size - 1;
		map->count = 0;
		for (i = 0; i < old_size; i++)
			if (old[i].key && old[i].gen == map->gen)
				strmap_place(map, old[i].key, old[i].hash, old[i].next_suffix);
		free(old);
	}
	strmap_place(map, key, hash, next);
	return 0;
}

void c_strmap_free(struct c_strmap *map)
{
	free(map->slots);
	memset(map, 0, sizeof(*map));
}

const char *c_unique(struct c_strmap *map, const char *name, struct c_pool *pool)
{
	uint32_t hash = bel_hash(name, strlen(name)), k;
	struct c_slot *base = strmap_find(map, name, hash);
	char *cand;

	if (!base && !c_is_reserved(name))
		return strmap_insert(map, name, hash, 2) ? NULL : name;
	if (!base) {
		if (strmap_insert(map, name, hash, 2))
			return NULL;
		base = strmap_find(map, name, hash);
	}
	/* the next suffix is kept per name, so N types of one name cost N tries, not N^2 */
	for (k = base->next_suffix;; k++) {
		uint32_t h;

		if (asprintf(&cand, "%s___%u", name, k) < 0)
			return NULL;
		h = bel_hash(cand, strlen(cand));
		if (!strmap_find(map, cand, h))
			break;
		free(cand);
	}
	base->next_suffix = k + 1;
	if (!pool_add(pool, cand) || strmap_insert(map, cand, bel_hash(cand, strlen(cand)), 2))
		return NULL;
	return cand;
}

/* ---- enumerators renamed ---------------------------------------------------------------- */

static int renamed_put(struct bel_btf_c_names *n, uint64_t key, const char *val)
{
	uint32_t i;

	if (!n->renamed.keys || (n->renamed.count + 1) * 2 > n->renamed.mask + 1) {
		uint32_t size = n->renamed.keys ? (n->renamed.mask + 1) * 2 : 16, j;
		uint64_t *keys = calloc(size, sizeof(*keys));
		const char **vals = calloc(size, sizeof(*vals));

		if (!keys || !vals) {
			free(keys);
			free(vals);
			return -ENOMEM;
		}
		for (j = 0; n->renamed.keys && j <= n->renamed.mask; j++) {
			if (!n->renamed.vals[j])
				continue;
			for (i = (uint32_t)bel_hash((const char *)&n->renamed.keys[j], 8) & (size - 1);
			     vals[i]; i = (i + 1) & (size - 1))
				;
			keys[i] = n->renamed.keys[j];
			vals[i] = n->renamed.vals[j];
		}
		free(n->renamed.keys);
		free(n->renamed.vals);
		n->renamed.keys = keys;
		n->renamed.vals = vals;
		n->renamed.mask = size - 1;
	}
	for (i = bel_hash((const char *)&key, 8) & n->renamed.mask; n->renamed.vals[i];
	     i = (i + 1) & n->renamed.mask)
		;
	n->renamed.keys[i] = key;
	n->renamed.vals[i] = val;
	n->renamed.count++;
	return 0;
}

const char *c_enumerator_name(const struct bel_btf_c_names *n, uint32_t id, uint32_t index,
			      const char *raw)
{
	uint64_t key = (uint64_t)id << 16 | index;
	uint32_t i;

	if (!n->renamed.count)
		return raw;
	for (i = bel_hash((const char *)&key, 8) & n->renamed.mask; n->renamed.vals[i];
	     i = (i + 1) & n->renamed.mask)
		if (n->renamed.keys[i] == key)
			return n->renamed.vals[i];
	return raw;
}

static const char *enumerator_raw(const struct bel_btf *btf, const struct btf_type *t, uint32_t i)
{
	const char *s = bel_btf_str(btf, btf_enumerator_name_off(t, i));

	return s ? s : "";
}

/* ---- the pass ------------------------------------------------------------------------- */

static bool is_record(uint32_t kind)
{
	return kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION;
}

static bool is_enum(uint32_t kind)
{
	return kind == BTF_KIND_ENUM || kind == BTF_KIND_ENUM64;
}

/* A tag name or typedef name as written: unique in its namespace. */
static int name_type(struct bel_btf_c_names *n, struct c_strmap *map, uint32_t id,
		     const char *raw, struct bel_err *err)
{
	const char *s = c_sanitize(raw, &n->pool);

	if (s)
		s = c_unique(map, s, &n->pool);
	if (!s)
		return bel_errf(err, ENOMEM, "out of memory naming BTF type [%u]", id);
	n->name[id] = s;
	return 0;
}

/* First struct, first union and first enum with values, by raw name: what FWDs and value-less
 * enums stand for. */
struct first_by_name {
	struct first_slot {
		const char *name;
		uint32_t hash, first[3];
	} *slots;
	uint32_t mask;
};

static struct first_slot *first_slot(struct first_by_name *f, const char *name, bool add)
{
	uint32_t hash = bel_hash(name, strlen(name)), i;

	for (i = hash & f->mask; f->slots[i].name; i = (i + 1) & f->mask)
		if (f->slots[i].hash == hash && !strcmp(f->slots[i].name, name))
			return &f->slots[i];
	if (!add)
		return NULL;
	f->slots[i].name = name;
	f->slots[i].hash = hash;
	return &f->slots[i];
}

static int first_by_name_build(const struct bel_btf_c_names *n, struct first_by_name *f,
			       struct bel_err *err)
{
	uint32_t id, count = 0, size = 16;

	for (id = 1; id < n->ntypes; id++) {
		const struct btf_type *t = bel_btf_type(n->btf, id);

		if (t->name_off && (is_record(btf_kind(t)) || (is_enum(btf_kind(t)) && btf_vlen(t))))
			count++;
	}
	while (size < count * 2 + 2)
		size *= 2;
	f->slots = calloc(size, sizeof(*f->slots));
	if (!f->slots)
		return bel_errf(err, ENOMEM, "out of memory naming BTF types");
	f->mask = size - 1;
	for (id = 1; id < n->ntypes; id++) {
		const struct btf_type *t = bel_btf_type(n->btf, id);
		uint32_t kind = btf_kind(t), which;
		struct first_slot *s;

		/* a struct without members can be the one a FWD stands for; an enum must have values */
		if (!t->name_off || !(is_record(kind) || (is_enum(kind) && btf_vlen(t))))
			continue;
		which = kind == BTF_KIND_STRUCT ? 0 : kind == BTF_KIND_UNION ? 1 : 2;
		s = first_slot(f, bel_btf_type_name(n->btf, t), true);
		if (!s->first[which])
			s->first[which] = id;
	}
	return 0;
}

static int name_all(struct bel_btf_c_names *n, struct bel_err *err)
{
	struct first_by_name first = {0};
	uint32_t id, i;
	int ret;

	/* tags first (struct, union, enum with values), then what stands for them, then the
	 * ordinary identifiers: typedef names and enumerators */
	for (id = 1; id < n->ntypes; id++) {
		const struct btf_type *t = bel_btf_type(n->btf, id);
		uint32_t kind = btf_kind(t);

		n->canon[id] = id;
		if (t->name_off && (is_record(kind) || (is_enum(kind) && btf_vlen(t)))) {
			ret = name_type(n, &n->tags, id, bel_btf_type_name(n->btf, t), err);
			if (ret)
				return ret;
		}
	}
	ret = first_by_name_build(n, &first, err);
	for (id = 1; !ret && id < n->ntypes; id++) {
		const struct btf_type *t = bel_btf_type(n->btf, id);
		uint32_t kind = btf_kind(t);
		const char *raw = bel_btf_type_name(n->btf, t);
		struct first_slot *s;

		if (!*raw)
			;
		else if (kind == BTF_KIND_FWD || (is_enum(kind) && !btf_vlen(t))) {
			s = first_slot(&first, raw, false);
			i = kind == BTF_KIND_FWD ? (btf_kflag(t) ? 1 : 0) : 2;
			if (s && s->first[i]) {
				n->canon[id] = s->first[i];
				n->name[id] = n->name[s->first[i]];
			} else if (kind == BTF_KIND_FWD) {
				ret = name_type(n, &n->tags, id, raw, err);
			}
		} else if (kind == BTF_KIND_TYPEDEF) {
			ret = name_type(n, &n->idents, id, raw, err);
		}
		if (!ret && is_enum(kind)) {
			for (i = 0; i < btf_vlen(t) && !ret; i++) {
				const char *e = enumerator_raw(n->btf, t, i), *s2;

				s2 = c_sanitize(*e ? e : "_", &n->pool);
				if (s2)
					s2 = c_unique(&n->idents, s2, &n->pool);
				if (!s2)
					ret = bel_errf(err, ENOMEM, "out of memory naming BTF types");
				else if (s2 != e && renamed_put(n, (uint64_t)id << 16 | i, s2))
					ret = bel_errf(err, ENOMEM, "out of memory naming BTF types");
			}
		}
	}
	free(first.slots);
	return ret;
}

int bel_btf_c_names_new(const struct bel_btf *btf, struct bel_btf_c_names **out,
			struct bel_err *err)
{
	struct bel_btf_c_names *n;
	int ret;

	*out = NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return bel_errf(err, ENOMEM, "out of memory naming BTF types");
	n->btf = btf;
	n->ntypes = bel_btf_type_count(btf);
	n->name = calloc(n->ntypes, sizeof(*n->name));
	n->canon = calloc(n->ntypes, sizeof(*n->canon));
	n->info = calloc(n->ntypes, sizeof(*n->info));
	if (!n->name || !n->canon || !n->info) {
		bel_btf_c_names_free(n);
		return bel_errf(err, ENOMEM, "out of memory naming %u BTF types", n->ntypes);
	}
	ret = name_all(n, err);
	if (ret) {
		bel_btf_c_names_free(n);
		return ret;
	}
	*out = n;
	return 0;
}

void bel_btf_c_names_free(struct bel_btf_c_names *n)
{
	if (!n)
		return;
	free(n->name);
	free(n->canon);
	free(n->info);
	c_strmap_free(&n->tags);
	c_strmap_free(&n->idents);
	free(n->renamed.keys);
	free(n->renamed.vals);
	c_pool_free(&n->pool);
	free(n);
}

const char *bel_btf_c_name(const struct bel_btf_c_names *n, uint32_t id)
{
	return id && id < n->ntypes ? n->name[id] : NULL;
}
