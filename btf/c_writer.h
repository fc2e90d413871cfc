/* SPDX-License-Identifier: MIT */
/*
 * BTF to C, the writer's inside, shared by its files (one job each):
 *   c_dump.c   the entry points: options, header guard, preserve_access_index around it all;
 *   c_order.c  what each type needs written first, and the order that follows;
 *   c_decl.c   declarations (C's inside-out declarators);
 *   c_body.c   struct, union and enum bodies;
 *   c_text.c   messages, words and spacing, member-name scopes.
 */
#ifndef BEL_BTF_C_WRITER_H
#define BEL_BTF_C_WRITER_H

#include "c_internal.h"
#include "common/strbuf.h"

/* per type id */
#define S_DECLARED 0x1      /* `struct foo;` written */
#define S_DEFINED 0x2       /* its definition written */
#define S_ON_STACK 0x4      /* waiting for what it needs */
#define S_ENUM_WRITTEN 0x8  /* anonymous enum written in full */
#define S_ENUM_INLINE 0x10  /* anonymous enum a member or typedef writes in full */

/* how a type is used where the walk meets it */
#define W_COMPLETE 0x1      /* by value: must be defined */
#define W_PROTO 0x2         /* in a function prototype's parameters */
#define W_THROUGH 0x4       /* behind a typedef used by value: only what it needs complete */

/* where a declaration is written */
#define CTX_PROTO 0x1       /* a prototype's parameters: no enum written in full here */

struct dep {
	uint32_t id;
	bool declare;           /* a forward declaration is enough */
};

struct frame {
	uint32_t id, dep_begin, dep_end, next;
	bool pseudo;            /* a root that is not a named type: its needs only */
};

struct dumper {
	struct bel_btf_c_names *n;
	const struct bel_btf *btf;
	struct bel_strbuf *out;
	size_t start, limit;    /* out->len was start; may grow by limit */
	struct bel_err *err;
	unsigned int indent;    /* spaces per level; 0: a tab */
	uint8_t *state;
	uint32_t *stamp;        /* per id: the frame serial that last walked its body */
	uint32_t serial;
	struct dep *deps;
	uint32_t ndeps, capdeps;
	struct frame *frames;
	uint32_t nframes, capframes;
	uint32_t cur;           /* the type being written, for messages */
	bool no_quals;          /* const, volatile and restrict left out (user-space copies) */
	uint32_t records;       /* struct and union bodies written */
	struct c_strmap *scopes; /* member names, one map per nested record scope */
	uint32_t nscopes, capscopes;
	struct c_pool pool;
};

/* c_text.c */
int c_fail(struct dumper *d, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int c_bad_ref(struct dumper *d, uint32_t id);
int c_too_deep(struct dumper *d);
int c_not_c_type(struct dumper *d, uint32_t id, const struct btf_type *t);
/* Out of memory, or past the text limit. */
int c_check_out(struct dumper *d);
void c_put(struct dumper *d, const char *s);
void c_word(struct dumper *d, const char *s);
void c_punct(struct dumper *d, char c);
void c_indent(struct dumper *d, uint32_t lvl);
int c_scope_push(struct dumper *d);
void c_scope_pop(struct dumper *d);
const char *c_member_name(struct dumper *d, const char *raw, uint32_t index);
bool c_named(const struct dumper *d, uint32_t id);

/* c_decl.c */
int c_decl(struct dumper *d, uint32_t id, const char *name, uint32_t lvl, unsigned int ctx,
	   uint32_t depth);
bool c_is_qual(uint32_t kind);

/* c_body.c */
int c_record_body(struct dumper *d, uint32_t id, uint32_t lvl, unsigned int ctx, uint32_t depth);
int c_enum_body(struct dumper *d, uint32_t id, uint32_t lvl);
int c_members(struct dumper *d, uint32_t id, uint32_t lvl, unsigned int ctx, uint32_t depth);
uint32_t c_anon_member_record(const struct dumper *d, uint32_t id);

/* c_order.c */
int c_dump_root(struct dumper *d, uint32_t id, uint32_t depth);
int c_dump_all(struct dumper *d);

#endif
