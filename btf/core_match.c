/* SPDX-License-Identifier: MIT */
/*
 * CO-RE, the candidate matcher: is a target type compatible with the local one (field,
 * type and enum relocations), does it match it (TYPE_MATCHES), and where does the local
 * access path lead in it. Recursive and bounded by steps and depth; its long functions
 * follow the rules case by case and stay whole.
 */
#include "core_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Field types compatible for reading one as the other. */
static int fields_compat(const struct bel_btf *lb, uint32_t lid, const struct bel_btf *tb,
			 uint32_t tid, int depth, struct core_ctx *cx)
{
	const struct btf_type *lt = bel_btf_skip_mods(lb, lid, &lid);
	const struct btf_type *tt = bel_btf_skip_mods(tb, tid, &tid);

	if (!lt || !tt || depth > COMPAT_DEPTH)
		return -EINVAL;
	if (!core_step(cx))
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
	const struct memo_slot *m = core_memo_find(cx, MEMO_COMPAT, lid, tid, 0);
	int r;

	if (m && m->gen == cx->gen && depth >= m->depth)
		return m->result;
	r = types_compat_walk(lb, lid, tb, tid, depth, cx);
	if (r == 0 || r == 1)
		core_memo_put(cx, MEMO_COMPAT, lid, tid, 0, r, depth < 0 ? 0 : depth);
	return r;
}

static int types_compat_walk(const struct bel_btf *lb, uint32_t lid, const struct bel_btf *tb,
			     uint32_t tid, int depth, struct core_ctx *cx)
{
	const struct btf_type *lt, *tt;

	for (;;) {
		if (depth-- < 0)
			return -EINVAL;
		if (!core_step(cx))
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
	if (!core_step(cx))
		return -E2BIG;
	lt = bel_btf_skip_mods(lb, lid, &lid);
	tt = bel_btf_skip_mods(tb, tid, &tid);
	if (!lt || !tt)
		return lid == 0 && tid == 0;
	m = core_memo_find(cx, MEMO_MATCH, lid, tid, behind_ptr);
	if (m && m->gen == cx->gen && depth >= m->depth)
		return m->result;
	r = types_match_walk(lb, lid, lt, tb, tid, tt, behind_ptr, depth, cx);
	if (r == 0 || r == 1)
		core_memo_put(cx, MEMO_MATCH, lid, tid, behind_ptr, r, depth);
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

				if (!core_step(cx))
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

				if (!core_step(cx))
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
	if (!core_step(cx))
		return -E2BIG;
	if (!is_composite(tt))
		return 0;
	m = core_memo_find(cx, MEMO_MEMBER, tid, (uint32_t)acc_index, 0);
	if (m && m->gen == cx->gen && depth <= m->depth)
		return 0;
	for (i = 0; i < btf_vlen(tt); i++) {
		const struct btf_member *mem = &btf_members(tt)[i];
		uint32_t bit_off = btf_member_bit_offset(tt, mem);
		const char *tname = bel_btf_str(tb, mem->name_off);
		int found;

		if (targ->raw_len == PATH_MAX_ACCESSORS)
			return -E2BIG;
		if (!core_step(cx))
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
	core_memo_put(cx, MEMO_MEMBER, tid, (uint32_t)acc_index, 0, 0, depth);
	return 0;
}

/* Does the candidate satisfy the local path? 1 yes (targ filled in), 0 no, <0 error. */
int core_match_access_path(const struct access_path *local, const struct bel_btf *tb,
			   uint32_t tid, struct access_path *targ, struct core_ctx *cx)
{
	int i;

	memset(targ, 0, sizeof(*targ));
	targ->btf = tb;
	targ->root_type_id = tid;
	targ->kind = local->kind;
	core_memo_next(cx);
	if (!core_step(cx))
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

			if (!core_step(cx))
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
			if (!core_is_flex_arr(tb, &targ->acc[targ->len - 1], a) && lacc->idx >= a->nelems)
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
