/* SPDX-License-Identifier: MIT */
/*
 * CO-RE, inside: resolving one relocation (core.c) parses the local access path
 * (core_path.c), finds candidates by name (core_cands.c), matches each against the path
 * (core_match.c, with the memo of core_memo.c) and computes the value on both sides
 * (core_value.c). These files share what follows.
 */
#ifndef BEL_BTF_CORE_INTERNAL_H
#define BEL_BTF_CORE_INTERNAL_H

#include "core.h"

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

/* One step of work; false once the relocation has used its steps (the caller returns
 * -E2BIG, and bel_core_resolve says why). */
static inline bool core_step(struct core_ctx *cx)
{
	if (++cx->steps <= cx->max_steps)
		return true;
	cx->exhausted = true;
	return false;
}

static inline bool is_field_kind(uint32_t k) { return k <= BEL_CORE_FIELD_RSHIFT_U64; }
static inline bool is_enumval_kind(uint32_t k)
{
	return k == BEL_CORE_ENUMVAL_EXISTS || k == BEL_CORE_ENUMVAL_VALUE;
}
static inline bool is_type_kind(uint32_t k)
{
	return (k >= BEL_CORE_TYPE_ID_LOCAL && k <= BEL_CORE_TYPE_SIZE) || k == BEL_CORE_TYPE_MATCHES;
}

static inline bool is_composite(const struct btf_type *t)
{
	return t && (btf_kind(t) == BTF_KIND_STRUCT || btf_kind(t) == BTF_KIND_UNION);
}

static inline bool is_any_enum(const struct btf_type *t)
{
	return t && (btf_kind(t) == BTF_KIND_ENUM || btf_kind(t) == BTF_KIND_ENUM64);
}

/* Same kind, where ENUM and ENUM64 count as one. */
static inline bool kinds_compat(const struct btf_type *a, const struct btf_type *b)
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

#define POISON (-EUCLEAN) /* internal: this relocation poisons its instruction */

/* core_memo.c: results remembered for the candidate being matched. */
struct memo_slot *core_memo_find(struct core_ctx *cx, uint8_t tag, uint32_t a, uint32_t b,
				 uint8_t extra);
void core_memo_put(struct core_ctx *cx, uint8_t tag, uint32_t a, uint32_t b, uint8_t extra,
		   int result, int depth);
void core_memo_next(struct core_ctx *cx);

/* core_cands.c */
int core_find_cands(const struct btf_type *local_t, const char *name,
		    const struct bel_core_target *targets, int ntargets, struct cands *cs,
		    struct core_ctx *cx);

/* core_path.c */
int core_parse_access_path(const struct bel_btf *btf, uint32_t type_id, const char *access,
			   uint32_t kind, struct access_path *path, struct bel_err *err);
bool core_is_flex_arr(const struct bel_btf *btf, const struct accessor *prev,
		      const struct btf_array *arr);
void core_describe(const struct access_path *local, const struct btf_type *root, char *out,
		   size_t size);

/* core_match.c: does the candidate satisfy the local path? 1 yes (targ filled in), 0 no,
 * <0 error. */
int core_match_access_path(const struct access_path *local, const struct bel_btf *tb,
			   uint32_t tid, struct access_path *targ, struct core_ctx *cx);

/* core_value.c: one side's result; targ NULL: no candidate matched. */
int core_calc(const struct access_path *local, const struct access_path *targ,
	      struct bel_core_result *res);

#endif
