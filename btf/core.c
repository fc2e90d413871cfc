/* SPDX-License-Identifier: MIT */
/*
 * CO-RE: resolving one relocation record (core.h says what it means; core_internal.h which
 * file does which step).
 */
#include "core_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"


const char *bel_core_kind_name(uint32_t kind)
{
	static const char *const names[] = {
		"byte_off", "byte_sz", "field_exists", "signed", "lshift_u64", "rshift_u64",
		"local_type_id", "target_type_id", "type_exists", "type_size", "enumval_exists",
		"enumval_value", "type_matches",
	};

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}



size_t bel_core_essential_len(const char *name)
{
	return bel_btf_essential_len(name);
}

int bel_core_resolve(const struct bel_btf *local, const struct bel_core_relo *relo,
		     const struct bel_core_target *targets, int ntargets,
		     struct bel_core_result *res, struct bel_err *err)
{
	return bel_core_resolve_bounded(local, relo, targets, ntargets, BEL_CORE_MAX_STEPS, res, err);
}

/* The local side: the record's type and access string, checked, parsed and described. */
static int resolve_local(const struct bel_btf *local, const struct bel_core_relo *relo,
			 const struct btf_type *root, struct access_path *lpath,
			 struct bel_core_result *res, struct bel_err *err)
{
	const char *access = bel_btf_str(local, relo->access_str_off);
	int ret;

	if (!root || !access)
		return bel_errf(err, EINVAL, "relocation (%s) names type [%u] or access string %u "
				"that does not exist", bel_core_kind_name(relo->kind), relo->type_id,
				relo->access_str_off);
	/* parsed and printed once per relocation: bounded, as many relocations can share one */
	if (strnlen(access, BEL_CORE_ACCESS_MAX + 1) > BEL_CORE_ACCESS_MAX)
		return bel_errf(err, EINVAL, "%s relocation on [%u]: access string longer than %u bytes",
				bel_core_kind_name(relo->kind), relo->type_id, BEL_CORE_ACCESS_MAX);
	ret = core_parse_access_path(local, relo->type_id, access, relo->kind, lpath, err);
	if (ret)
		return bel_err_prefix(err, "%s relocation on [%u] %s", bel_core_kind_name(relo->kind),
				      relo->type_id, bel_btf_type_name(local, root));
	core_describe(lpath, root, res->what, sizeof(res->what));
	return 0;
}

static int check_searchable(const struct bel_btf *local, const struct bel_core_relo *relo,
			    const struct btf_type *root, struct bel_err *err)
{
	const char *root_name = bel_btf_type_name(local, root);

	/* Candidates are found by the type's own name, so the type must have one. */
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
	return 0;
}

/* Candidate i matched and gave cand: the first sets the result, the others must agree. */
static int add_match(const struct access_path *lpath, const struct btf_type *root,
		     const struct cands *cs, uint32_t i, const struct access_path *tpath,
		     const struct bel_core_result *cand, struct access_path *first,
		     struct bel_core_result *res, struct bel_err *err)
{
	if (res->matched == 0) {
		*res = *cand;
		res->target = cs->c[i].target;
		res->target_type_id = cs->c[i].id;
		res->candidates = cs->n;
		core_describe(lpath, root, res->what, sizeof(res->what));
		*first = *tpath;
	} else if (is_field_kind(lpath->kind) && tpath->bit_offset != first->bit_offset) {
		return bel_errf(err, EINVAL, "%s: ambiguous: candidates [%u] and [%u] put the field "
				"at bit %llu and %llu", res->what, res->target_type_id, cs->c[i].id,
				(unsigned long long)first->bit_offset,
				(unsigned long long)tpath->bit_offset);
	} else if (cand->poison != res->poison || cand->new_val != res->new_val) {
		return bel_errf(err, EINVAL, "%s: ambiguous: candidates [%u] and [%u] give %llu and "
				"%llu", res->what, res->target_type_id, cs->c[i].id,
				(unsigned long long)res->new_val, (unsigned long long)cand->new_val);
	}
	res->matched++;
	return 0;
}

/* Match the local path in every candidate and compute what each gives. */
static int match_cands(const struct access_path *lpath, const struct btf_type *root,
		       const struct bel_core_target *targets, const struct cands *cs,
		       struct core_ctx *cx, struct bel_core_result *res, struct bel_err *err)
{
	struct access_path tpath, first = {0};
	struct bel_core_result cand = {0};
	uint32_t i;
	int ret;

	for (i = 0; i < cs->n; i++) {
		const struct bel_core_target *target = &targets[cs->c[i].target];

		ret = core_match_access_path(lpath, target->btf, cs->c[i].id, &tpath, cx);
		if (ret < 0 && cx->exhausted) {
			bel_errf(err, E2BIG, "%s: gave up after %llu steps of type matching, at candidate "
				 "[%u] in %s (%u of %u)", res->what, (unsigned long long)cx->max_steps,
				 cs->c[i].id, target->name, i + 1, cs->n);
			return -E2BIG;
		}
		if (ret < 0)
			return bel_errf(err, -ret, "%s: matching candidate [%u] in %s failed", res->what,
					cs->c[i].id, target->name);
		if (!ret)
			continue;
		ret = core_calc(lpath, &tpath, &cand);
		if (ret)
			return bel_errf(err, -ret, "%s: cannot compute %s against [%u] in %s", res->what,
					bel_core_kind_name(lpath->kind), cs->c[i].id, target->name);
		ret = add_match(lpath, root, cs, i, &tpath, &cand, &first, res, err);
		if (ret)
			return ret;
	}
	return 0;
}

int bel_core_resolve_bounded(const struct bel_btf *local, const struct bel_core_relo *relo,
			     const struct bel_core_target *targets, int ntargets, uint64_t max_steps,
			     struct bel_core_result *res, struct bel_err *err)
{
	const struct btf_type *root = bel_btf_type(local, relo->type_id);
	struct core_ctx cx = {.max_steps = max_steps};
	struct cands cs = {0};
	struct access_path lpath;
	int ret;

	memset(res, 0, sizeof(*res));
	res->target = -1;
	ret = resolve_local(local, relo, root, &lpath, res, err);
	if (ret)
		return ret;
	if (relo->kind == BEL_CORE_TYPE_ID_LOCAL) {
		res->orig_val = res->new_val = relo->type_id;
		return 0;
	}
	ret = check_searchable(local, relo, root, err);
	if (ret)
		return ret;
	ret = core_find_cands(root, bel_btf_type_name(local, root), targets, ntargets, &cs, &cx);
	if (ret) {
		free(cs.c);
		res->steps = cx.steps;
		if (cx.exhausted)
			return bel_errf(err, E2BIG, "%s: gave up looking for candidates after %llu steps",
					res->what, (unsigned long long)max_steps);
		return bel_errf(err, -ret, "out of memory");
	}
	res->candidates = cs.n;
	ret = match_cands(&lpath, root, targets, &cs, &cx, res, err);
	if (!ret && res->matched == 0) {
		ret = core_calc(&lpath, NULL, res);
		if (ret)
			bel_errf(err, -ret, "%s: cannot compute %s", res->what,
				 bel_core_kind_name(relo->kind));
	}
	res->steps = cx.steps;
	free(cx.memo);
	free(cs.c);
	return ret;
}
