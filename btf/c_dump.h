/* SPDX-License-Identifier: MIT */
/*
 * BTF to C: declarations a C compiler accepts for BTF types, for vmlinux.h and skeleton
 * headers. Pure: memory in, text out.
 *
 * What the text promises, for BTF that C can express:
 * - Order: every type is declared before it is used, and defined before it is used by value;
 *   forward declarations break the cycles that pointers make.
 * - Layout: every struct and union has exactly its BTF size and every member its BTF offset,
 *   under the x86-64 and BPF ABIs (pointers 8 bytes). Gaps become unnamed bit-fields
 *   (`long: 24;`); a record that natural alignment cannot reproduce is
 *   `__attribute__((packed))`. BTF does not record alignment, so none is invented: an
 *   `aligned` attribute is never needed, since every gap is explicit.
 * - Enums get their BTF size: `__attribute__((mode(QI/HI/SI/DI)))` when the values alone
 *   would give another; values outside int range carry the suffix or cast C needs.
 * - Names: C's namespaces hold each name once. A second struct/union/enum tag, typedef or
 *   enumerator of a name already taken becomes `name___2`, `name___3`, ... (the suffix CO-RE
 *   ignores), in type id order; the same goes for C keywords and names that are not
 *   identifiers (their other characters become '_'). A FWD names the first struct or union of
 *   its name, an enum without values the first enum with them. Member names are made unique
 *   within their record the same way.
 * - Anonymous structs and unions are written where they are used; an anonymous enum is written
 *   in full where it is first used outside a function prototype, elsewhere as the integer type
 *   it has, and alone (`enum { ... };`) when nothing uses it.
 * - Type tags are dropped (the kernel reads them from its own BTF, never from a program's),
 *   and so are qualifiers C cannot put where BTF has them (on a function, restrict on a
 *   non-pointer). Function prototypes have no parameter names: a parameter named like a typedef
 *   would hide it.
 * - DATASEC, VAR, FUNC and DECL_TAG are not types: a whole-BTF dump skips them; as explicit
 *   roots they bring in the types they use.
 *
 * Bounds on hostile BTF: every id is checked; type chains (modifiers, typedefs, arrays,
 * anonymous nesting) deeper than BEL_BTF_C_MAX_NEST fail with -ELOOP; a type that contains
 * itself other than through a pointer fails with -ELOOP naming it; a layout C cannot reproduce
 * (overlapping members, a bit-field wider than its type, ...) fails with -EINVAL naming the
 * record and member; the text is at most BEL_BTF_C_MAX_TEXT(raw BTF size) bytes (-E2BIG), which
 * bounds what anonymous types repeated inline can cost. Work is linear in the BTF plus the text.
 */
#ifndef BEL_BTF_C_DUMP_H
#define BEL_BTF_C_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "btf/btf.h"
#include "common/err.h"
#include "common/strbuf.h"

#define BEL_BTF_C_MAX_NEST (4 * BEL_BTF_MAX_DEPTH)
/* Real BTF writes less text than its own size (vmlinux: half); only anonymous types written
 * again at each use multiply it. */
#define BEL_BTF_C_MAX_TEXT(btf_size) ((size_t)8 * (btf_size) + ((size_t)1 << 20))

struct bel_btf_c_opts {
	size_t sz;
	/* Wrap the types in `#pragma clang attribute push(__attribute__((preserve_access_index)),
	 * apply_to = record)` ... pop, as CO-RE programs expect of vmlinux.h; only when compiled by
	 * clang for BPF, and not when BPF_NO_PRESERVE_ACCESS_INDEX is defined. */
	bool preserve_access_index;
	/* `#ifndef GUARD / #define GUARD ... #endif` around the text; NULL: none. */
	const char *header_guard;
	/* Spaces per level of indentation; 0: a tab. At most 16. */
	unsigned int indent;
};

/*
 * Append to *out the C declarations of the root types and of every type they need, in an order
 * a C compiler accepts. roots NULL: every type of the BTF (in id order, each after what it
 * needs). On failure *out is as it was, and err says which type and why.
 */
int bel_btf_dump_c(const struct bel_btf *btf, const uint32_t *roots, uint32_t nroots,
		   const struct bel_btf_c_opts *opts, struct bel_strbuf *out, struct bel_err *err);

/*
 * Append one declaration of `name` with type type_id, as C spells it: `int (*name)[4]`,
 * `const char name[16]`, `struct foo *name`; anonymous structs, unions and enums written in
 * full. No trailing ';'. name NULL or "": the abstract type (`int (*)[4]`). Types are named as
 * bel_btf_dump_c names them, and what the declaration needs is what bel_btf_dump_c writes for
 * type_id as a root (which leaves anonymous types to the declaration). -EINVAL when name is not
 * a C identifier.
 */
int bel_btf_c_decl(const struct bel_btf *btf, uint32_t type_id, const char *name,
		   struct bel_strbuf *out, struct bel_err *err);

/*
 * The names bel_btf_dump_c gives a BTF's types, worked out once (a pass over every type) and
 * shared by any number of declarations: what a generator declaring many variables wants.
 */
struct bel_btf_c_names;
int bel_btf_c_names_new(const struct bel_btf *btf, struct bel_btf_c_names **out,
			struct bel_err *err);
void bel_btf_c_names_free(struct bel_btf_c_names *names);
/* The C name of a struct, union, enum, fwd or typedef (without "struct "); NULL for anonymous
 * types, other kinds and bad ids. */
const char *bel_btf_c_name(const struct bel_btf_c_names *names, uint32_t id);
/* bel_btf_c_decl with names worked out before. */
int bel_btf_c_decl_named(struct bel_btf_c_names *names, uint32_t type_id, const char *name,
			 struct bel_strbuf *out, struct bel_err *err);
/* The same without const, volatile and restrict anywhere in the declarator (named types keep
 * theirs): the copy user space writes of what a BPF program reads as `const volatile`. */
int bel_btf_c_decl_unqualified(struct bel_btf_c_names *names, uint32_t type_id,
			       const char *name, struct bel_strbuf *out, struct bel_err *err);

#endif
