/* SPDX-License-Identifier: MIT */
/*
 * CO-RE, candidates: the target types of the local type's kind and essential name, from
 * vmlinux first and the modules only when it has none, through the name index.
 */
#include "core_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"

/* A candidate is sorted, then matched and computed: it costs CANDIDATE_STEPS steps. */
static int cands_add(struct cands *cs, int target, uint32_t id, struct core_ctx *cx)
{
	cx->steps += CANDIDATE_STEPS - 1;
	if (!core_step(cx))
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

int core_find_cands(const struct btf_type *local_t, const char *name,
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
				if (!core_step(cx))
					return -E2BIG;
				if (cand_matches(btf, btf->start_id + i, local_t, name, len) &&
				    (ret = cands_add(cs, t, btf->start_id + i, cx)))
					return ret;
			}
			continue;
		}
		/* a target without a name index is searched whole, a step per type */
		for (i = btf->start_id; i < n; i++) {
			if (!core_step(cx))
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
