/* SPDX-License-Identifier: MIT */
#include "core.h"

#include "common/array.h"
#include "common/limits.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_ACCESSORS 64 /* accessors in one access string */
#define COMPAT_DEPTH 32  /* type compatibility recursion */

/*
 * The work of one relocation. Matching recurses into members, parameters and anonymous
 * members; a type graph that reuses one type many times (a struct of many same-named members
 * of one struct type, nested) would make that exponential in the depth. So results of
 * comparisons that recurse are remembered for the candidate being matched (memo), and the
 * whole relocation is cut off after BEL_CORE_MAX_STEPS steps (steps: see common/limits.h).
 * Depth bounds stay as they were (COMPAT_DEPTH, PATH_MAX_ACCESSORS): a remembered result is
 * reused only where at least as much depth is left as when it was found, so answers do not
 * change.
 */
enum memo_tag { MEMO_MATCH, MEMO_COMPAT, MEMO_MEMBER };

struct memo_slot {
	uint32_t gen;        /* the candidate it belongs to; another generation is empty */
	uint32_t a, b;       /* the type ids compared (member: target type, accessor index) */
	uint8_t tag, extra;  /* enum memo_tag; MATCH: behind a pointer */
	int8_t result;       /* 0 or 1 */
	uint8_t depth;       /* MATCH/COMPAT: depth left; MEMBER: depth reached */
};

#define CANDIDATE_STEPS 32

struct core_ctx {
	uint64_t steps, max_steps;
	bool exhausted;
	struct memo_slot *memo;
	uint32_t memo_mask, memo_count, gen;
};

/* One step of work; false once the relocation has used its steps (the caller returns
 * -E2BIG, and bel_core_resolve says why). */
static bool step(struct core_ctx *cx)
{
	if (++cx->steps <= cx->max_steps)
		return true;
	cx->exhausted = true;
	return false;
}

static uint32_t memo_hash(uint8_t tag, uint32_t a, uint32_t b, uint8_t extra)
{
	uint64_t h = ((uint64_t)a << 32 | b) * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32) ^ (uint32_t)(tag * 0x85ebca6bu) ^ (uint32_t)(extra * 0xc2b2ae35u);
}

static struct memo_slot *memo_find(struct core_ctx *cx, uint8_t tag, uint32_t a, uint32_t b,
				   uint8_t extra)
{
	uint32_t i;

	if (!cx->memo)
		return NULL;
	for (i = memo_hash(tag, a, b, extra) & cx->memo_mask; cx->memo[i].gen == cx->gen;
	     i = (i + 1) & cx->memo_mask) {
		struct memo_slot *m = &cx->memo[i];

		if (m->tag == tag && m->a == a && m->b == b && m->extra == extra)
			return m;
	}
	return &cx->memo[i]; /* empty: where it would go */
}

/* Remember a result (memory permitting: forgetting only costs time). */
static void memo_put(struct core_ctx *cx, uint8_t tag, uint32_t a, uint32_t b, uint8_t extra,
		     int result, int depth)
{
	struct memo_slot *m;

	if (!cx->memo || (cx->memo_count + 1) * 2 > cx->memo_mask + 1) {
		uint32_t size = cx->memo ? (cx->memo_mask + 1) * 2 : 64, i, j;
		struct memo_slot *bigger;

		/* the table never outgrows the steps that filled it */
		if (size > 4 * (cx->max_steps + 16) || !(bigger = calloc(size, sizeof(*bigger))))
			return;
		for (i = 0; cx->memo && i <= cx->memo_mask; i++) {
			if (cx->memo[i].gen != cx->gen)
				continue;
			for (j = memo_hash(cx->memo[i].tag, cx->memo[i].a, cx->memo[i].b,
					   cx->memo[i].extra) & (size - 1);
			     bigger[j].gen == cx->gen; j = (j + 1) & (size - 1))
				;
			bigger[j] = cx->memo[i];
		}
		free(cx->memo);
		cx->memo = bigger;
		cx->memo_mask = size - 1;
		if (cx->gen == 0) /* calloc'd slots are generation 0: never the current one */
			cx->gen = 1;
	}
	m = memo_find(cx, tag, a, b, extra);
	if (m->gen != cx->gen) {
		cx->memo_count++;
		m->gen = cx->gen;
		m->tag = tag;
		m->a = a;
		m->b = b;
		m->extra = extra;
	} else if (tag == MEMO_MEMBER ? m->depth >= depth : m->depth <= depth) {
		return; /* what is there is reusable at least as widely */
	}
	m->result = (int8_t)result;
	m->depth = (uint8_t)depth;
}

/* A new candidate: forget what the last one taught (ids are per target BTF). */
static void memo_next(struct core_ctx *cx)
{
	if (++cx->gen == 0) { /* wrapped: clear for real */
		if (cx->memo)
			memset(cx->memo, 0, (cx->memo_mask + 1) * sizeof(*cx->memo));
		cx->gen = 1;
	}
	cx->memo_count = 0;
}

struct accessor {
	uint32_t type_id;    /* the composite or array the accessor indexes */
	uint32_t idx;        /* member or element index */
	const char *name;    /* member name; NULL for array elements */
};

/* A CO-RE access path: an access string ("0:1:2") resolved on the local or a target BTF,
 * from the root type through members and array elements to the field. */
struct access_path {
	const struct bel_btf *btf;
	uint32_t root_type_id;
	uint32_t kind;
	struct accessor acc[PATH_MAX_ACCESSORS]; /* named members and array elements */
	int len;
	uint32_t raw[PATH_MAX_ACCESSORS];        /* every index, anonymous members included */
	int raw_len;
	uint64_t bit_offset;
};

const char *bel_core_kind_name(uint32_t kind)
{
	static const char *const names[] = {
		"byte_off", "byte_sz", "field_exists", "signed", "lshift_u64", "rshift_u64",
		"local_type_id", "target_type_id", "type_exists", "type_size", "enumval_exists",
		"enumval_value", "type_matches",
	};

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}

static bool is_field_kind(uint32_t k) { return k <= BEL_CORE_FIELD_RSHIFT_U64; }
static bool is_enumval_kind(uint32_t k) { return k == BEL_CORE_ENUMVAL_EXISTS || k == BEL_CORE_ENUMVAL_VALUE; }
static bool is_type_kind(uint32_t k)
{
	return (k >= BEL_CORE_TYPE_ID_LOCAL && k <= BEL_CORE_TYPE_SIZE) || k == BEL_CORE_TYPE_MATCHES;
}

static bool is_composite(const struct btf_type *t)
{
	return t && (btf_kind(t) == BTF_KIND_STRUCT || btf_kind(t) == BTF_KIND_UNION);
}

static bool is_any_enum(const struct btf_type *t)
{
	return t && (btf_kind(t) == BTF_KIND_ENUM || btf_kind(t) == BTF_KIND_ENUM64);
}

size_t bel_core_essential_len(const char *name)
{
	return bel_btf_essential_len(name);
}

/* Same kind, where ENUM and ENUM64 count as one. */
static bool kinds_compat(const struct btf_type *a, const struct btf_type *b)
{
	return btf_kind(a) == btf_kind(b) || (is_any_enum(a) && is_any_enum(b));
}

/* Candidate targets for a local type: same kind, same essential name. Calls add() for each. */
struct cands {
	struct {
		int target;
		uint32_t id;
	} *c;
	uint32_t n, cap;
};

/* A candidate is sorted, then matched and computed: it costs CANDIDATE_STEPS steps. */
static int cands_add(struct cands *cs, int target, uint32_t id, struct core_ctx *cx)
{
	cx->steps += CANDIDATE_STEPS - 1;
	if (!step(cx))
		return -E2BIG;
	if (bel_grow(&cs->c, cs->n, &cs->cap, sizeof(*cs->c), 8))
		return -ENOMEM;
	cs->c[cs->n].target = target;
	cs->c[cs->n].id = id;
	cs->n++;
	return 0;
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cands *dummy = NULL;
	const __typeof__(dummy->c[0]) *x = a, *y = b;

	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static bool cand_matches(const struct bel_btf *btf, uint32_t id, const struct btf_type *local_t,
			 const char *name, size_t len)
{
	const struct btf_type *t = bel_btf_type(btf, id);
	const char *tname = bel_btf_type_name(btf, t);

	return t && *tname && kinds_compat(t, local_t) && bel_core_essential_len(tname) == len &&
	       !strncmp(tname, name, len);
}

static int find_cands(const struct btf_type *local_t, const char *name,
		      const struct bel_core_target *targets, int ntargets, struct cands *cs,
		      struct core_ctx *cx)
{
	size_t len = bel_core_essential_len(name);
	int t, ret;

	for (t = 0; t < ntargets; t++) {
		const struct bel_btf *btf = targets[t].btf;
		uint32_t i, n = bel_btf_type_count(btf);

		/* modules only when vmlinux has nothing */
		if (t > 0 && cs->n)
			break;
		if (btf->names.heads && bel_btf_name_indexed_kind(btf_kind(local_t))) {
			for (i = btf->names.heads[bel_btf_name_hash(name, len) & btf->names.mask];
			     i != UINT32_MAX; i = btf->names.next[i]) {
				if (!step(cx))
					return -E2BIG;
				if (cand_matches(btf, btf->start_id + i, local_t, name, len) &&
				    (ret = cands_add(cs, t, btf->start_id + i, cx)))
					return ret;
			}
			continue;
		}
		/* a target without a name index is searched whole, a step per type */
		for (i = btf->start_id; i < n; i++) {
			if (!step(cx))
				return -E2BIG;
			if (cand_matches(btf, i, local_t, name, len) && (ret = cands_add(cs, t, i, cx)))
				return ret;
		}
	}
	/* index chains run backwards: take candidates in id order, as a scan would */
	if (cs->n > 1)
		qsort(cs->c, cs->n, sizeof(*cs->c), cmp_cand);
	return 0;
}

static int parse_access(const char *str, struct access_path *path)
{
	const char *p = str;

	path->raw_len = 0;
	if (!*p)
		return -EINVAL;
	while (*p) {
		unsigned long v;
		char *end;

		if (*p < '0' || *p > '9' || path->raw_len == PATH_MAX_ACCESSORS)
			return -EINVAL;
		v = strtoul(p, &end, 10);
		if (v > INT32_MAX)
			return -EINVAL;
		path->raw[path->raw_len++] = (uint32_t)v;
		p = end;
		if (*p == ':')
			p++;
		else if (*p)
			return -EINVAL;
	}
	return 0;
}

/* A zero-length array that is the last member of the struct before it. */
static bool is_flex_arr(const struct bel_btf *btf, const struct accessor *prev,
			const struct btf_array *arr)
{
	const struct btf_type *t;

	if (!prev->name || arr->nelems > 0)
		return false;
	t = bel_btf_type(btf, prev->type_id);
	return t && prev->idx == btf_vlen(t) - 1;
}

/* The local side: walk the access string over the local type. */
static int parse_access_path(const struct bel_btf *btf, uint32_t type_id, const char *access,
			     uint32_t kind, struct access_path *path, struct bel_err *err)
{
	const struct btf_type *t;
	uint32_t id;
	int64_t sz;
	int i;

	memset(path, 0, sizeof(*path));
	path->btf = btf;
	path->root_type_id = type_id;
	path->kind = kind;
	if (parse_access(access, path))
		return bel_errf(err, EINVAL, "bad access string '%s'", access);
	if (is_type_kind(kind)) {
		if (strcmp(access, "0"))
			return bel_errf(err, EINVAL, "type relocation with access string '%s'", access);
		return 0;
	}
	t = bel_btf_skip_mods(btf, type_id, &id);
	if (!t)
		return bel_errf(err, EINVAL, "type [%u] does not resolve", type_id);
	path->acc[0].type_id = id;
	path->acc[0].idx = path->raw[0];
	path->len = 1;
	if (is_enumval_kind(kind)) {
		if (!is_any_enum(t) || path->raw_len > 1 || path->raw[0] >= btf_vlen(t))
			return bel_errf(err, EINVAL, "enum value relocation on [%u] '%s' with access '%s'",
					type_id, bel_btf_type_name(btf, t), access);
		path->acc[0].name = bel_btf_str(btf, btf_enumerator_name_off(t, path->raw[0]));
		return path->acc[0].name ? 0 : bel_errf(err, EINVAL, "enumerator without a name");
	}
	if (!is_field_kind(kind))
		return bel_errf(err, EOPNOTSUPP, "unknown relocation kind %u", kind);
	sz = bel_btf_type_size(btf, id);
	if (sz < 0)
		return bel_errf(err, EINVAL, "cannot size type [%u]", id);
	path->bit_offset = (uint64_t)path->raw[0] * (uint64_t)sz * 8;
	for (i = 1; i < path->raw_len; i++) {
		uint32_t idx = path->raw[i];

		t = bel_btf_skip_mods(btf, id, &id);
		if (!t)
			return bel_errf(err, EINVAL, "type [%u] does not resolve", id);
		if (is_composite(t)) {
			const struct btf_member *m;

			if (idx >= btf_vlen(t))
				return bel_errf(err, EINVAL, "member %u of a %u-member '%s'", idx,
						btf_vlen(t), bel_btf_type_name(btf, t));
			m = &btf_members(t)[idx];
			path->bit_offset += btf_member_bit_offset(t, m);
			if (m->name_off) {
				const char *name = bel_btf_str(btf, m->name_off);

				if (!name || !*name)
					return bel_errf(err, EINVAL, "bad member name");
				path->acc[path->len].type_id = id;
				path->acc[path->len].idx = idx;
				path->acc[path->len].name = name;
				path->len++;
			}
			id = m->type;
		} else if (btf_kind(t) == BTF_KIND_ARRAY) {
			const struct btf_array *a = btf_array(t);

			t = bel_btf_skip_mods(btf, a->type, &id);
			if (!t)
				return bel_errf(err, EINVAL, "array element type does not resolve");
			if (!is_flex_arr(btf, &path->acc[path->len - 1], a) && idx >= a->nelems)
				return bel_errf(err, EINVAL, "index %u of a %u-element array", idx, a->nelems);
			path->acc[path->len].type_id = id;
			path->acc[path->len].idx = idx;
			path->acc[path->len].name = NULL;
			path->len++;
			sz = bel_btf_type_size(btf, id);
			if (sz < 0)
				return bel_errf(err, EINVAL, "cannot size type [%u]", id);
			path->bit_offset += (uint64_t)idx * (uint64_t)sz * 8;
		} else {
			return bel_errf(err, EINVAL, "access index %d goes into a %s", i,
					bel_btf_kind_name(btf_kind(t)));
		}
	}
	return 0;
}

/* Field types compatible for reading one as the other. */
static int fields_compat(const struct bel_btf *lb, uint32_t lid, const struct bel_btf *tb,
			 uint32_t tid, int depth, struct core_ctx *cx)
{
	const struct btf_type *lt = bel_btf_skip_mods(lb, lid, &lid);
	const struct btf_type *tt = bel_btf_skip_mods(tb, tid, &tid);

	if (!lt || !tt || depth > COMPAT_DEPTH)
		return -EINVAL;
	if (!step(cx))
		return -E2BIG;
	if (is_composite(lt) && is_composite(tt))
		return 1;
	if (!kinds_compat(lt, tt))
		return 0;
	switch (btf_kind(lt)) {
	case BTF_KIND_PTR:
	case BTF_KIND_FLOAT:
		return 1;
	case BTF_KIND_FWD:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: {
		const char *ln = bel_btf_type_name(lb, lt), *tn = bel_btf_type_name(tb, tt);
		size_t ll = bel_core_essential_len(ln), tl = bel_core_essential_len(tn);

		return !ll || !tl || (ll == tl && !strncmp(ln, tn, ll));
	}
	case BTF_KIND_INT:
		/* old bitfield-like integers are refused; any other integers read as each other */
		return BTF_INT_OFFSET(*(const uint32_t *)(lt + 1)) == 0 &&
		       BTF_INT_OFFSET(*(const uint32_t *)(tt + 1)) == 0;
	case BTF_KIND_ARRAY:
		return fields_compat(lb, btf_array(lt)->type, tb, btf_array(tt)->type, depth + 1, cx);
	default:
		return 0;
	}
}

static int types_compat_walk(const struct bel_btf *lb, uint32_t lid, const struct bel_btf *tb,
			     uint32_t tid, int depth, struct core_ctx *cx);

/* Types compatible for TYPE_EXISTS/TYPE_SIZE/TYPE_ID_TARGET; remembered per pair, since
 * function prototypes can share parameter types any number of times. */
static int types_compat(const struct bel_btf *lb, uint32_t lid, const struct bel_btf *tb,
			uint32_t tid, int depth, struct core_ctx *cx)
{
	const struct memo_slot *m = memo_find(cx, MEMO_COMPAT, lid, tid, 0);
	int r;

	if (m && m->gen == cx->gen && depth >= m->depth)
		return m->result;
	r = types_compat_walk(lb, lid, tb, tid, depth, cx);
	if (r == 0 || r == 1)
		memo_put(cx, MEMO_COMPAT, lid, tid, 0, r, depth < 0 ? 0 : depth);
	return r;
}

static int types_compat_walk(const struct bel_btf *lb, uint32_t lid, const struct bel_btf *tb,
			     uint32_t tid, int depth, struct core_ctx *cx)
{
	const struct btf_type *lt, *tt;

	for (;;) {
		if (depth-- < 0)
			return -EINVAL;
		if (!step(cx))
			return -E2BIG;
		lt = bel_btf_skip_mods(lb, lid, &lid);
		tt = bel_btf_skip_mods(tb, tid, &tid);
		if (!lt || !tt)
			return lid == 0 && tid == 0; /* void matches void */
		if (!kinds_compat(lt, tt))
			return 0;
		switch (btf_kind(lt)) {
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_FWD:
			return 1;
		case BTF_KIND_INT:
			return BTF_INT_OFFSET(*(const uint32_t *)(lt + 1)) == 0 &&
			       BTF_INT_OFFSET(*(const uint32_t *)(tt + 1)) == 0;
		case BTF_KIND_PTR:
			lid = lt->type;
			tid = tt->type;
			continue;
		case BTF_KIND_ARRAY:
			lid = btf_array(lt)->type;
			tid = btf_array(tt)->type;
			continue;
		case BTF_KIND_FUNC_PROTO: {
			uint32_t i;

			if (btf_vlen(lt) != btf_vlen(tt))
				return 0;
			for (i = 0; i < btf_vlen(lt); i++) {
				int r = types_compat(lb, btf_params(lt)[i].type, tb, btf_params(tt)[i].type,
						     depth, cx);

				if (r <= 0)
					return r;
			}
			lid = lt->type;
			tid = tt->type;
			continue;
		}
		default:
			return 0;
		}
	}
}

/* The name of enumerator i of an ENUM or ENUM64, or NULL. */
static const char *enumerator_name(const struct bel_btf *btf, const struct btf_type *t, uint32_t i)
{
	return bel_btf_str(btf, btf_enumerator_name_off(t, i));
}

static int types_match_walk(const struct bel_btf *lb, uint32_t lid, const struct btf_type *lt,
			    const struct bel_btf *tb, uint32_t tid, const struct btf_type *tt,
			    bool behind_ptr, int depth, struct core_ctx *cx);

/* TYPE_MATCHES: stricter than compatible: names, sizes, members and enumerators must agree.
 * Results are remembered per pair: a struct may hold one struct type as many members. */
static int types_match(const struct bel_btf *lb, uint32_t lid, const struct bel_btf *tb,
		       uint32_t tid, bool behind_ptr, int depth, struct core_ctx *cx)
{
	const struct btf_type *lt, *tt;
	const struct memo_slot *m;
	int r;

	if (depth < 0)
		return -EINVAL;
	if (!step(cx))
		return -E2BIG;
	lt = bel_btf_skip_mods(lb, lid, &lid);
	tt = bel_btf_skip_mods(tb, tid, &tid);
	if (!lt || !tt)
		return lid == 0 && tid == 0;
	m = memo_find(cx, MEMO_MATCH, lid, tid, behind_ptr);
	if (m && m->gen == cx->gen && depth >= m->depth)
		return m->result;
	r = types_match_walk(lb, lid, lt, tb, tid, tt, behind_ptr, depth, cx);
	if (r == 0 || r == 1)
		memo_put(cx, MEMO_MATCH, lid, tid, behind_ptr, r, depth);
	return r;
}

static int types_match_walk(const struct bel_btf *lb, uint32_t lid, const struct btf_type *lt,
			    const struct bel_btf *tb, uint32_t tid, const struct btf_type *tt,
			    bool behind_ptr, int depth, struct core_ctx *cx)
{
	const char *ln, *tn;
	uint32_t i, j;

	(void)lid;
	(void)tid;
	ln = bel_btf_type_name(lb, lt);
	tn = bel_btf_type_name(tb, tt);
	if (*ln && (bel_core_essential_len(ln) != bel_core_essential_len(tn) ||
		    strncmp(ln, tn, bel_core_essential_len(ln))))
		return 0;
	/* A forward declaration matches another of the same flavor (struct or union), and behind a
	 * pointer also a struct or union of that flavor. */
	if (btf_kind(lt) == BTF_KIND_FWD || btf_kind(tt) == BTF_KIND_FWD) {
		bool lu = btf_kind(lt) == BTF_KIND_FWD ? btf_kflag(lt) : btf_kind(lt) == BTF_KIND_UNION;
		bool tu = btf_kind(tt) == BTF_KIND_FWD ? btf_kflag(tt) : btf_kind(tt) == BTF_KIND_UNION;

		if (btf_kind(lt) == btf_kind(tt))
			return lu == tu;
		return behind_ptr && (is_composite(lt) || is_composite(tt)) && lu == tu;
	}
	if (!kinds_compat(lt, tt))
		return 0;
	/* behind a pointer, a struct or union matches by name and kind alone */
	if (behind_ptr && is_composite(lt))
		return btf_kind(lt) == btf_kind(tt);
	switch (btf_kind(lt)) {
	case BTF_KIND_INT:
		return lt->size == tt->size &&
		       (btf_int_encoding(lt) & BTF_INT_SIGNED) == (btf_int_encoding(tt) & BTF_INT_SIGNED);
	case BTF_KIND_FLOAT:
		return lt->size == tt->size;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (lt->size != tt->size)
			return 0;
		/* every local enumerator exists in the target, by name */
		for (i = 0; i < btf_vlen(lt); i++) {
			const char *en = enumerator_name(lb, lt, i);
			bool found = false;

			for (j = 0; en && j < btf_vlen(tt) && !found; j++) {
				const char *tn2 = enumerator_name(tb, tt, j);

				if (!step(cx))
					return -E2BIG;
				found = tn2 && !strcmp(en, tn2);
			}
			if (!found)
				return 0;
		}
		return 1;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		/* every local member exists in the target, by name, with a matching type */
		if (btf_vlen(lt) > btf_vlen(tt))
			return 0;
		for (i = 0; i < btf_vlen(lt); i++) {
			const char *mn = bel_btf_str(lb, btf_members(lt)[i].name_off);
			int r = 0;

			/* a named member: the target member of that name; an anonymous one: any
			 * anonymous target member that matches it */
			for (j = 0; mn && j < btf_vlen(tt) && r == 0; j++) {
				const char *tm = bel_btf_str(tb, btf_members(tt)[j].name_off);

				if (!step(cx))
					return -E2BIG;
				if (!tm || strcmp(mn, tm))
					continue;
				r = types_match(lb, btf_members(lt)[i].type, tb, btf_members(tt)[j].type,
						false, depth - 1, cx);
				if (*mn)
					break;
			}
			if (r <= 0)
				return r;
		}
		return 1;
	case BTF_KIND_PTR:
		return types_match(lb, lt->type, tb, tt->type, true, depth - 1, cx);
	case BTF_KIND_ARRAY: {
		int r;

		if (btf_array(lt)->nelems != btf_array(tt)->nelems)
			return 0;
		r = types_match(lb, btf_array(lt)->type, tb, btf_array(tt)->type, behind_ptr,
				depth - 1, cx);
		return r < 0 ? r : r != 0;
	}
	case BTF_KIND_FUNC_PROTO:
		if (btf_vlen(lt) != btf_vlen(tt))
			return 0;
		for (i = 0; i < btf_vlen(lt); i++) {
			int r = types_match(lb, btf_params(lt)[i].type, tb, btf_params(tt)[i].type,
					    behind_ptr, depth - 1, cx);

			if (r <= 0)
				return r;
		}
		return types_match(lb, lt->type, tb, tt->type, behind_ptr, depth - 1, cx);
	default:
		return 0;
	}
}

/* Find the member named like the local accessor (number acc_index of the local path) in a
 * target composite, looking inside anonymous members; extends the target path on success.
 * An anonymous member whose subtree does not hold the name is remembered as such: members
 * can share one anonymous type any number of times. */
static int match_member(const struct access_path *local, int acc_index, const struct bel_btf *tb,
			uint32_t tid, struct access_path *targ, uint32_t *next_id, int depth,
			struct core_ctx *cx)
{
	const struct accessor *lacc = &local->acc[acc_index];
	const struct btf_type *lt = bel_btf_type(local->btf, lacc->type_id);
	const struct btf_member *lm = &btf_members(lt)[lacc->idx];
	const struct btf_type *tt = bel_btf_skip_mods(tb, tid, &tid);
	const struct memo_slot *m;
	uint32_t i;

	if (!tt || depth > COMPAT_DEPTH)
		return -EINVAL;
	if (!step(cx))
		return -E2BIG;
	if (!is_composite(tt))
		return 0;
	m = memo_find(cx, MEMO_MEMBER, tid, (uint32_t)acc_index, 0);
	if (m && m->gen == cx->gen && depth <= m->depth)
		return 0;
	for (i = 0; i < btf_vlen(tt); i++) {
		const struct btf_member *mem = &btf_members(tt)[i];
		uint32_t bit_off = btf_member_bit_offset(tt, mem);
		const char *tname = bel_btf_str(tb, mem->name_off);
		int found;

		if (targ->raw_len == PATH_MAX_ACCESSORS)
			return -E2BIG;
		if (!step(cx))
			return -E2BIG;
		targ->bit_offset += bit_off;
		targ->raw[targ->raw_len++] = i;
		if (!tname || !*tname) {
			found = match_member(local, acc_index, tb, mem->type, targ, next_id, depth + 1, cx);
			if (found)
				return found;
		} else if (!strcmp(lacc->name, tname)) {
			struct accessor *a = &targ->acc[targ->len++];

			a->type_id = tid;
			a->idx = i;
			a->name = tname;
			*next_id = mem->type;
			found = fields_compat(local->btf, lm->type, tb, mem->type, 0, cx);
			if (found <= 0)
				targ->len--;
			return found;
		}
		targ->bit_offset -= bit_off;
		targ->raw_len--;
	}
	memo_put(cx, MEMO_MEMBER, tid, (uint32_t)acc_index, 0, 0, depth);
	return 0;
}

/* Does the candidate satisfy the local path? 1 yes (targ filled in), 0 no, <0 error. */
static int match_access_path(const struct access_path *local, const struct bel_btf *tb,
			     uint32_t tid, struct access_path *targ, struct core_ctx *cx)
{
	int i;

	memset(targ, 0, sizeof(*targ));
	targ->btf = tb;
	targ->root_type_id = tid;
	targ->kind = local->kind;
	memo_next(cx);
	if (!step(cx))
		return -E2BIG;
	if (is_type_kind(local->kind)) {
		if (local->kind == BEL_CORE_TYPE_MATCHES)
			return types_match(local->btf, local->root_type_id, tb, tid, false, COMPAT_DEPTH,
					   cx);
		return types_compat(local->btf, local->root_type_id, tb, tid, COMPAT_DEPTH, cx);
	}
	if (is_enumval_kind(local->kind)) {
		const struct btf_type *tt = bel_btf_skip_mods(tb, tid, &tid);
		size_t llen = bel_core_essential_len(local->acc[0].name);
		uint32_t j;

		if (!is_any_enum(tt))
			return 0;
		for (j = 0; j < btf_vlen(tt); j++) {
			const char *en = enumerator_name(tb, tt, j);

			if (!step(cx))
				return -E2BIG;
			if (en && bel_core_essential_len(en) == llen && !strncmp(en, local->acc[0].name, llen)) {
				targ->acc[0].type_id = tid;
				targ->acc[0].idx = j;
				targ->acc[0].name = en;
				targ->len = 1;
				targ->raw[0] = j;
				targ->raw_len = 1;
				return 1;
			}
		}
		return 0;
	}
	for (i = 0; i < local->len; i++) {
		const struct accessor *lacc = &local->acc[i];
		const struct btf_type *tt = bel_btf_skip_mods(tb, tid, &tid);
		int64_t sz;

		if (!tt)
			return -EINVAL;
		if (lacc->name) {
			int m = match_member(local, i, tb, tid, targ, &tid, 0, cx);

			if (m <= 0)
				return m;
			continue;
		}
		if (i > 0) {
			const struct btf_array *a;

			if (btf_kind(tt) != BTF_KIND_ARRAY)
				return 0;
			a = btf_array(tt);
			if (!is_flex_arr(tb, &targ->acc[targ->len - 1], a) && lacc->idx >= a->nelems)
				return 0;
			if (!bel_btf_skip_mods(tb, a->type, &tid))
				return -EINVAL;
		}
		if (targ->raw_len == PATH_MAX_ACCESSORS)
			return -E2BIG;
		targ->acc[targ->len].type_id = tid;
		targ->acc[targ->len].idx = lacc->idx;
		targ->acc[targ->len].name = NULL;
		targ->len++;
		targ->raw[targ->raw_len++] = lacc->idx;
		sz = bel_btf_type_size(tb, tid);
		if (sz < 0)
			return (int)sz;
		targ->bit_offset += (uint64_t)lacc->idx * (uint64_t)sz * 8;
	}
	return 1;
}

#define POISON (-EUCLEAN) /* internal: this relocation poisons its instruction */

/* Value of a field relocation on one side; path NULL: no target found. */
static int field_value(uint32_t kind, const struct access_path *path, uint64_t *val,
		       uint32_t *field_sz, uint32_t *field_type, bool *validate)
{
	const struct accessor *acc;
	const struct btf_type *t, *mt;
	uint32_t mt_id, bit_sz, byte_sz, byte_off;
	uint64_t bit_off;
	bool bitfield;
	int64_t sz;

	if (kind == BEL_CORE_FIELD_EXISTS) {
		*val = path ? 1 : 0;
		return 0;
	}
	if (!path)
		return POISON;
	acc = &path->acc[path->len - 1];
	t = bel_btf_type(path->btf, acc->type_id);
	if (!acc->name) { /* the last step was an array element */
		sz = bel_btf_type_size(path->btf, acc->type_id);
		if (sz < 0)
			return -EINVAL;
		if (kind == BEL_CORE_FIELD_BYTE_OFFSET) {
			*val = path->bit_offset / 8;
			*field_sz = (uint32_t)sz;
			*field_type = acc->type_id;
		} else if (kind == BEL_CORE_FIELD_BYTE_SIZE) {
			*val = (uint64_t)sz;
		} else {
			return -EINVAL;
		}
		if (validate)
			*validate = true;
		return 0;
	}
	mt_id = btf_members(t)[acc->idx].type;
	mt = bel_btf_skip_mods(path->btf, mt_id, &mt_id);
	if (!mt)
		return -EINVAL;
	bit_off = path->bit_offset;
	bit_sz = btf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(btf_members(t)[acc->idx].offset) : 0;
	bitfield = bit_sz > 0;
	if (bitfield) {
		byte_sz = mt->size;
		if (!byte_sz)
			return -EINVAL;
		byte_off = (uint32_t)(bit_off / 8 / byte_sz * byte_sz);
		/* the smallest load that covers the bitfield */
		while (bit_off + bit_sz - (uint64_t)byte_off * 8 > (uint64_t)byte_sz * 8) {
			if (byte_sz >= 8)
				return -E2BIG;
			byte_sz *= 2;
			byte_off = (uint32_t)(bit_off / 8 / byte_sz * byte_sz);
		}
	} else {
		sz = bel_btf_type_size(path->btf, mt_id);
		if (sz < 0)
			return -EINVAL;
		byte_sz = (uint32_t)sz;
		byte_off = (uint32_t)(bit_off / 8);
		bit_sz = byte_sz * 8;
	}
	/* the compiler's idea of a bitfield load may differ from ours: check only signedness */
	if (validate)
		*validate = !bitfield;
	switch (kind) {
	case BEL_CORE_FIELD_BYTE_OFFSET:
		*val = byte_off;
		if (!bitfield) {
			*field_sz = byte_sz;
			*field_type = mt_id;
		}
		break;
	case BEL_CORE_FIELD_BYTE_SIZE:
		*val = byte_sz;
		break;
	case BEL_CORE_FIELD_SIGNED:
		*val = (is_any_enum(mt) && btf_kflag(mt)) ||
		       (btf_kind(mt) == BTF_KIND_INT && (btf_int_encoding(mt) & BTF_INT_SIGNED));
		if (validate)
			*validate = true;
		break;
	case BEL_CORE_FIELD_LSHIFT_U64:
		*val = 64 - (bit_off + bit_sz - (uint64_t)byte_off * 8);
		break;
	case BEL_CORE_FIELD_RSHIFT_U64:
		*val = 64 - bit_sz;
		if (validate)
			*validate = true;
		break;
	default:
		return -EOPNOTSUPP;
	}
	return 0;
}

static int type_value(uint32_t kind, const struct access_path *path, uint64_t *val, bool *validate)
{
	int64_t sz;

	if (validate)
		*validate = true;
	if (!path) { /* type relocations are 0 when there is no target */
		*val = 0;
		return 0;
	}
	switch (kind) {
	case BEL_CORE_TYPE_ID_TARGET:
		*val = path->root_type_id;
		if (validate)
			*validate = false; /* ids in the object change when objects are linked */
		return 0;
	case BEL_CORE_TYPE_EXISTS:
	case BEL_CORE_TYPE_MATCHES:
		*val = 1;
		return 0;
	case BEL_CORE_TYPE_SIZE:
		sz = bel_btf_type_size(path->btf, path->root_type_id);
		if (sz < 0)
			return -EINVAL;
		*val = (uint64_t)sz;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int enum_value(uint32_t kind, const struct access_path *path, uint64_t *val)
{
	const struct btf_type *t;

	if (kind == BEL_CORE_ENUMVAL_EXISTS) {
		*val = path ? 1 : 0;
		return 0;
	}
	if (!path)
		return POISON;
	t = bel_btf_type(path->btf, path->acc[0].type_id);
	if (btf_kind(t) == BTF_KIND_ENUM) {
		/* signed, as libbpf reads it (clang 14 marks no enum signed, yet sign-extends
		 * negative enumerators into ldimm64); patching accepts the zero-extended form too */
		*val = (uint64_t)(int64_t)btf_enums(t)[path->acc[0].idx].val;
	} else {
		*val = btf_enum64_value(t, path->acc[0].idx);
	}
	return 0;
}

/* One side's result; targ NULL: no candidate matched. */
static int calc(const struct access_path *local, const struct access_path *targ,
		struct bel_core_result *res)
{
	uint32_t orig_type = 0, new_type = 0;
	int ret;

	res->orig_val = res->new_val = 0;
	res->orig_sz = res->new_sz = 0;
	res->poison = res->fail_memsz_adjust = false;
	res->validate = true; /* the instruction must hold the local value, unless a kind says not */
	if (is_field_kind(local->kind)) {
		ret = field_value(local->kind, local, &res->orig_val, &res->orig_sz, &orig_type,
				  &res->validate);
		if (!ret)
			ret = field_value(local->kind, targ, &res->new_val, &res->new_sz, &new_type, NULL);
		if (!ret && targ && res->orig_sz != res->new_sz) {
			const struct btf_type *ot = bel_btf_type(local->btf, orig_type);
			const struct btf_type *nt = bel_btf_type(targ->btf, new_type);

			/* A load may change size only for pointers (32-bit kernels) and unsigned
			 * integers, which zero extension keeps right. */
			if (!(ot && nt && btf_kind(ot) == BTF_KIND_PTR && btf_kind(nt) == BTF_KIND_PTR) &&
			    !(ot && nt && btf_kind(ot) == BTF_KIND_INT && btf_kind(nt) == BTF_KIND_INT &&
			      !(btf_int_encoding(ot) & BTF_INT_SIGNED) &&
			      !(btf_int_encoding(nt) & BTF_INT_SIGNED)))
				res->fail_memsz_adjust = true;
		}
	} else if (is_type_kind(local->kind)) {
		ret = type_value(local->kind, local, &res->orig_val, &res->validate);
		if (!ret)
			ret = type_value(local->kind, targ, &res->new_val, NULL);
	} else {
		const struct btf_type *et = bel_btf_type(local->btf, local->acc[0].type_id);

		res->validate = true;
		res->enum32 = et && btf_kind(et) == BTF_KIND_ENUM;
		ret = enum_value(local->kind, local, &res->orig_val);
		if (!ret)
			ret = enum_value(local->kind, targ, &res->new_val);
	}
	if (ret == POISON) {
		res->poison = true;
		ret = 0;
	}
	return ret;
}

/* "struct task_struct.real_parent->tgid"-like text for the local side of a relocation. */
static void describe(const struct access_path *local, const struct btf_type *root, char *out,
		     size_t size)
{
	size_t n;
	int i;

	static const char *const c_kinds[] = {
		[BTF_KIND_STRUCT] = "struct", [BTF_KIND_UNION] = "union", [BTF_KIND_ENUM] = "enum",
		[BTF_KIND_ENUM64] = "enum", [BTF_KIND_TYPEDEF] = "typedef", [BTF_KIND_FWD] = "struct",
	};
	const char *kind = btf_kind(root) < sizeof(c_kinds) / sizeof(c_kinds[0]) &&
			   c_kinds[btf_kind(root)] ? c_kinds[btf_kind(root)] : bel_btf_kind_name(btf_kind(root));

	n = (size_t)snprintf(out, size, "%s %s", kind, bel_btf_type_name(local->btf, root));
	if (is_enumval_kind(local->kind) && local->acc[0].name)
		n += (size_t)snprintf(out + n, n < size ? size - n : 0, "::%s", local->acc[0].name);
	else if (is_field_kind(local->kind))
		for (i = 1; i < local->len && n < size; i++)
			n += local->acc[i].name
				? (size_t)snprintf(out + n, size - n, ".%s", local->acc[i].name)
				: (size_t)snprintf(out + n, size - n, "[%u]", local->acc[i].idx);
	if (n < size && local->raw_len)
		n += (size_t)snprintf(out + n, size - n, " (access ");
	for (i = 0; i < local->raw_len && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%u", i ? ":" : "", local->raw[i]);
	if (n < size && local->raw_len)
		snprintf(out + n, size - n, ")");
}

int bel_core_resolve(const struct bel_btf *local, const struct bel_core_relo *relo,
		     const struct bel_core_target *targets, int ntargets,
		     struct bel_core_result *res, struct bel_err *err)
{
	return bel_core_resolve_bounded(local, relo, targets, ntargets, BEL_CORE_MAX_STEPS, res, err);
}

int bel_core_resolve_bounded(const struct bel_btf *local, const struct bel_core_relo *relo,
			     const struct bel_core_target *targets, int ntargets, uint64_t max_steps,
			     struct bel_core_result *res, struct bel_err *err)
{
	const struct btf_type *root = bel_btf_type(local, relo->type_id);
	const char *access = bel_btf_str(local, relo->access_str_off);
	struct core_ctx cx = {.max_steps = max_steps};
	struct cands cs = {0};
	struct access_path lpath, tpath, first = {0};
	struct bel_core_result cand = {0};
	const char *root_name;
	uint32_t i;
	int ret;

	memset(res, 0, sizeof(*res));
	res->target = -1;
	if (!root || !access)
		return bel_errf(err, EINVAL, "relocation (%s) names type [%u] or access string %u "
				"that does not exist", bel_core_kind_name(relo->kind), relo->type_id,
				relo->access_str_off);
	/* parsed and printed once per relocation: bounded, as many relocations can share one */
	if (strnlen(access, BEL_CORE_ACCESS_MAX + 1) > BEL_CORE_ACCESS_MAX)
		return bel_errf(err, EINVAL, "%s relocation on [%u]: access string longer than %u bytes",
				bel_core_kind_name(relo->kind), relo->type_id, BEL_CORE_ACCESS_MAX);
	ret = parse_access_path(local, relo->type_id, access, relo->kind, &lpath, err);
	if (ret)
		return bel_err_prefix(err, "%s relocation on [%u] %s", bel_core_kind_name(relo->kind),
				      relo->type_id, bel_btf_type_name(local, root));
	describe(&lpath, root, res->what, sizeof(res->what));
	if (relo->kind == BEL_CORE_TYPE_ID_LOCAL) {
		res->orig_val = res->new_val = relo->type_id;
		return 0;
	}
	/* Candidates are found by the type's own name, so the type must have one. */
	root_name = bel_btf_type_name(local, root);
	if (!*root_name)
		return bel_errf(err, EOPNOTSUPP, "%s relocation on anonymous type [%u]: nothing to look "
				"for", bel_core_kind_name(relo->kind), relo->type_id);
	/* ... and be of a kind a candidate can have (what compilers emit relocations on), which
	 * is also what kernel BTF is indexed by: no relocation searches every kernel type */
	if (!bel_btf_name_indexed_kind(btf_kind(root)))
		return bel_errf(err, EOPNOTSUPP, "%s relocation on %s '%s' [%u]: candidates are structs, "
				"unions, enums, typedefs, forward declarations, ints and floats",
				bel_core_kind_name(relo->kind), bel_btf_kind_name(btf_kind(root)),
				root_name, relo->type_id);
	ret = find_cands(root, root_name, targets, ntargets, &cs, &cx);
	if (ret) {
		free(cs.c);
		res->steps = cx.steps;
		if (cx.exhausted)
			return bel_errf(err, E2BIG, "%s: gave up looking for candidates after %llu steps",
					res->what, (unsigned long long)max_steps);
		return bel_errf(err, -ret, "out of memory");
	}
	res->candidates = cs.n;
	for (i = 0; i < cs.n; i++) {
		ret = match_access_path(&lpath, targets[cs.c[i].target].btf, cs.c[i].id, &tpath, &cx);
		if (ret < 0 && cx.exhausted) {
			bel_errf(err, E2BIG, "%s: gave up after %llu steps of type matching, at candidate "
				 "[%u] in %s (%u of %u)", res->what, (unsigned long long)max_steps,
				 cs.c[i].id, targets[cs.c[i].target].name, i + 1, cs.n);
			ret = -E2BIG;
			goto out;
		}
		if (ret < 0) {
			bel_errf(err, -ret, "%s: matching candidate [%u] in %s failed", res->what,
				 cs.c[i].id, targets[cs.c[i].target].name);
			goto out;
		}
		if (!ret)
			continue;
		ret = calc(&lpath, &tpath, &cand);
		if (ret) {
			bel_errf(err, -ret, "%s: cannot compute %s against [%u] in %s", res->what,
				 bel_core_kind_name(relo->kind), cs.c[i].id, targets[cs.c[i].target].name);
			goto out;
		}
		if (res->matched == 0) {
			*res = cand;
			res->target = cs.c[i].target;
			res->target_type_id = cs.c[i].id;
			res->candidates = cs.n;
			describe(&lpath, root, res->what, sizeof(res->what));
			first = tpath;
		} else if (is_field_kind(relo->kind) && tpath.bit_offset != first.bit_offset) {
			ret = bel_errf(err, EINVAL, "%s: ambiguous: candidates [%u] and [%u] put the field "
				       "at bit %llu and %llu", res->what, res->target_type_id, cs.c[i].id,
				       (unsigned long long)first.bit_offset,
				       (unsigned long long)tpath.bit_offset);
			goto out;
		} else if (cand.poison != res->poison || cand.new_val != res->new_val) {
			ret = bel_errf(err, EINVAL, "%s: ambiguous: candidates [%u] and [%u] give %llu and "
				       "%llu", res->what, res->target_type_id, cs.c[i].id,
				       (unsigned long long)res->new_val, (unsigned long long)cand.new_val);
			goto out;
		}
		res->matched++;
	}
	if (res->matched == 0) {
		ret = calc(&lpath, NULL, res);
		if (ret)
			bel_errf(err, -ret, "%s: cannot compute %s", res->what,
				 bel_core_kind_name(relo->kind));
	}
out:
	res->steps = cx.steps;
	free(cx.memo);
	free(cs.c);
	return ret;
}
