/* SPDX-License-Identifier: MIT */
/*
 * BTF to C (btf/c_dump.h) and the text buffer it writes into (common/strbuf.h). No kernel, no
 * root: the running kernel's BTF is read from /sys/kernel/btf/vmlinux when it is there.
 *
 *   strbuf     append, printf, truncate, take
 *   constructs hand-written BTF for each construct: the exact text, which must also compile
 *   decl       single declarations, as C spells them
 *   hostile    cycles, depth, bad ids, layouts C cannot write, runaway text: -errno + message
 *   real       every fixture object's BTF and the kernel's: the text compiles with clang for BPF
 *              and with gcc for x86-64, and so does a checker generated from the BTF alone
 *              (_Static_assert of every named struct's and union's size, and of every named
 *              non-bit-field member's offset and size); two dumps are the same bytes
 *
 * Compilers: BEL_CLANG and BEL_GCC (from the build), with -Wall -Wextra -Werror.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <linux/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <elf.h>

#include "btf/btf.h"
#include "btf/c_dump.h"
#include "btf/c_internal.h"
#include "common/strbuf.h"
#include "elf/elf.h"
#include "testutil.h"

#include "btf_encode.h"
#include "objgen.h"

#ifndef BEL_CLANG
#define BEL_CLANG "clang"
#endif
#ifndef BEL_GCC
#define BEL_GCC "gcc"
#endif

#define VMLINUX "/sys/kernel/btf/vmlinux"

/* ---- BTF by hand: types are added in order, so ids count from 1 ---------------------------- */

static struct og_btf tb;
static void *tb_blob;   /* the blob of the last tb_btf(), alive until the next tb_reset() */

static void tb_reset(void)
{
	og_btf_free(&tb);
	og_btf_init(&tb);
	free(tb_blob);
	tb_blob = NULL;
}

#define S(s) og_str(&tb, s)
/* One type record (its header and what follows it); returns its id. */
#define ADD(...) og_words(&tb, (const uint32_t[]){__VA_ARGS__}, \
			  sizeof((const uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t))

/* The BTF written so far; checked in full (kernel_like: only its layout, as for the kernel's
 * BTF, so that bad references reach the code under test). */
static struct bel_btf *tb_btf(bool kernel_like)
{
	struct bel_err err = {0};
	struct bel_btf *btf;
	size_t size;
	int ret;

	free(tb_blob);
	tb_blob = og_btf_blob(&tb, &size);
	ret = kernel_like ? bel_btf_parse_kernel(tb_blob, size, NULL, &btf, &err)
			  : bel_btf_parse(tb_blob, size, NULL, true, &btf, &err);
	ck_assert_msg(!ret, "hand-written BTF does not parse: %s", err.msg);
	return btf;
}

/* ---- helpers ------------------------------------------------------------------------------ */

/* The whole dump (roots NULL: every type) as a string; fails the test on error. */
static char *dump(const struct bel_btf *btf, const uint32_t *roots, uint32_t nroots,
		  const struct bel_btf_c_opts *opts)
{
	struct bel_strbuf out = BEL_STRBUF_INIT;
	struct bel_err err = {0};
	int ret = bel_btf_dump_c(btf, roots, nroots, opts, &out, &err);

	ck_assert_msg(!ret, "bel_btf_dump_c: %d %s", ret, err.msg);
	return bel_strbuf_take(&out, NULL);
}

/* A dump that must fail with -errnum and a message holding `needle`. */
static void dump_fails(const struct bel_btf *btf, int errnum, const char *needle)
{
	struct bel_strbuf out = BEL_STRBUF_INIT;
	struct bel_err err = {0};
	int ret;

	bel_strbuf_puts(&out, "kept");
	ret = bel_btf_dump_c(btf, NULL, 0, NULL, &out, &err);
	ck_assert_msg(ret == -errnum, "expected -%d, got %d (%s)", errnum, ret, err.msg);
	ck_assert_msg(strstr(err.msg, needle), "message '%s' lacks '%s'", err.msg, needle);
	ck_assert_str_eq(out.buf, "kept"); /* the caller's text is left as it was */
	bel_strbuf_free(&out);
}

static char tmpdir[64];

static void make_tmpdir(void)
{
	strcpy(tmpdir, "/tmp/bel-btfc-XXXXXX");
	ck_assert(mkdtemp(tmpdir));
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f, "cannot write %s", path);
	fputs(text, f);
	ck_assert(fclose(f) == 0);
}

/* Compile `file` (which includes what it needs) with clang for BPF and gcc for x86-64. */
static void compiles(const char *file)
{
	static const char *const cmds[] = {
		BEL_CLANG " -target bpf",
		BEL_GCC,
	};
	static char out[16384];
	char cmd[1024];
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		/* pipefail: the compiler's exit status, not head's */
		snprintf(cmd, sizeof(cmd), "bash -c 'set -o pipefail; %s -std=gnu11 -Wall -Wextra "
			 "-Werror -fsyntax-only -I%s %s 2>&1 | head -c 16000'", cmds[i], tmpdir, file);
		ck_assert_msg(run_capture(cmd, out, sizeof(out)) == 0, "%s:\n%s", cmd, out);
	}
}

/* The text as tmpdir/name.h, and a C file including it, compiled. */
static void header_compiles(const char *name, const char *text)
{
	char path[256], c[256], inc[300];

	snprintf(path, sizeof(path), "%s/%s.h", tmpdir, name);
	write_text(path, text);
	snprintf(c, sizeof(c), "%s/%s_use.c", tmpdir, name);
	snprintf(inc, sizeof(inc), "#include \"%s.h\"\n", name);
	write_text(c, inc);
	compiles(c);
}

/* ---- the checker: layout facts from the BTF alone ------------------------------------------ */

struct seen {
	const char **names;
	uint32_t n, cap;
};

static bool seen_add(struct seen *s, const char *name)
{
	uint32_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			return false;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 32;
		s->names = realloc(s->names, s->cap * sizeof(*s->names));
		ck_assert(s->names);
	}
	s->names[s->n++] = name;
	return true;
}

static bool plain_ident(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (i && s[i] >= '0' && s[i] <= '9')))
			return false;
	return i && !c_is_reserved(s);
}

/* Asserts for the members of record `rid` at base_bits within `type`, reached by `path`. */
static void check_members(FILE *f, const struct bel_btf *btf, const char *type, uint32_t rid,
			  uint64_t base_bits, const char *path, struct seen *seen, unsigned *count,
			  int depth)
{
	const struct btf_type *t = bel_btf_type(btf, rid);
	uint32_t i;

	if (depth > 8)
		return;
	for (i = 0; i < btf_vlen(t); i++) {
		const struct btf_member *m = &btf_members(t)[i];
		const char *name = bel_btf_str(btf, m->name_off);
		uint32_t mid, bits = btf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(m->offset) : 0;
		uint64_t off = base_bits + btf_member_bit_offset(t, m);
		const struct btf_type *mt = bel_btf_skip_mods(btf, m->type, &mid);
		int64_t size = bel_btf_type_size(btf, m->type);
		char sub[512];

		if (!btf_kflag(t) && mt && btf_kind(mt) == BTF_KIND_INT &&
		    btf_int_bits(mt) != mt->size * 8)
			bits = btf_int_bits(mt);
		if (bits || !mt)
			continue;
		if (!name || !*name) {
			/* an anonymous struct or union: its members are the outer record's */
			if (btf_kind(mt) == BTF_KIND_STRUCT || btf_kind(mt) == BTF_KIND_UNION)
				check_members(f, btf, type, mid, off, path, seen, count, depth + 1);
			continue;
		}
		if (!plain_ident(name) || !seen_add(seen, name))
			continue;
		fprintf(f, "_Static_assert(__builtin_offsetof(%s, %s%s) == %llu, \"%s %s%s\");\n",
			type, path, name, (unsigned long long)(off / 8), type, path, name);
		if (size >= 0)
			fprintf(f, "_Static_assert(sizeof(((%s *)0)->%s%s) == %lld, \"sizeof %s %s%s\");\n",
				type, path, name, (long long)size, type, path, name);
		*count += 2;
		/* a member of an anonymous record type: its members too, by path */
		if ((btf_kind(mt) == BTF_KIND_STRUCT || btf_kind(mt) == BTF_KIND_UNION) &&
		    !mt->name_off && strlen(path) + strlen(name) + 2 < sizeof(sub)) {
			struct seen inner = {0};

			snprintf(sub, sizeof(sub), "%s%s.", path, name);
			check_members(f, btf, type, mid, off, sub, &inner, count, depth + 1);
			free(inner.names);
		}
	}
}

/* A C file that includes `header` and asserts, for every named struct and union (and typedef
 * of an anonymous one) of the BTF, its size and its members' offsets and sizes. Returns the
 * number of asserts. */
static unsigned write_checker(const char *path, const char *header, const struct bel_btf *btf)
{
	struct bel_btf_c_names *names;
	struct bel_err err = {0};
	unsigned count = 0;
	uint32_t id;
	FILE *f = fopen(path, "w");

	ck_assert(f);
	ck_assert_msg(!bel_btf_c_names_new(btf, &names, &err), "%s", err.msg);
	fprintf(f, "#include \"%s\"\n", header);
	for (id = 1; id < bel_btf_type_count(btf); id++) {
		const struct btf_type *t = bel_btf_type(btf, id), *tt;
		const char *name = bel_btf_c_name(names, id);
		struct seen seen = {0};
		uint32_t rid = id;
		char type[512];

		if (!name)
			continue;
		if (btf_kind(t) == BTF_KIND_STRUCT || btf_kind(t) == BTF_KIND_UNION) {
			snprintf(type, sizeof(type), "%s %s",
				 btf_kind(t) == BTF_KIND_UNION ? "union" : "struct", name);
		} else if (btf_kind(t) == BTF_KIND_TYPEDEF) {
			tt = bel_btf_skip_mods(btf, t->type, &rid);
			if (!tt || tt->name_off || (btf_kind(tt) != BTF_KIND_STRUCT &&
						    btf_kind(tt) != BTF_KIND_UNION))
				continue;
			snprintf(type, sizeof(type), "%s", name);
			t = tt;
		} else {
			continue;
		}
		fprintf(f, "_Static_assert(sizeof(%s) == %u, \"sizeof %s\");\n", type, t->size, type);
		count++;
		check_members(f, btf, type, rid, 0, "", &seen, &count, 0);
		free(seen.names);
	}
	bel_btf_c_names_free(names);
	ck_assert(fclose(f) == 0);
	return count;
}

/* ---- strbuf ------------------------------------------------------------------------------ */

START_TEST(strbuf_basics)
{
	struct bel_strbuf sb = BEL_STRBUF_INIT;
	char big[1000], *s;
	size_t len;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(bel_strbuf_puts(&sb, "ab"), 0);
	ck_assert_int_eq(bel_strbuf_putc(&sb, 'c'), 0);
	ck_assert_int_eq(bel_strbuf_printf(&sb, "-%d-%s", 42, "z"), 0);
	ck_assert_str_eq(sb.buf, "abc-42-z");
	ck_assert_int_eq(bel_strbuf_printf(&sb, "%s", big), 0); /* longer than printf's first try */
	ck_assert_uint_eq(sb.len, 8 + 999);
	ck_assert_int_eq(bel_strbuf_append(&sb, "123", 2), 0);
	ck_assert_uint_eq(sb.len, 8 + 999 + 2);
	bel_strbuf_truncate(&sb, 3);
	ck_assert_str_eq(sb.buf, "abc");
	s = bel_strbuf_take(&sb, &len);
	ck_assert_str_eq(s, "abc");
	ck_assert_uint_eq(len, 3);
	ck_assert_ptr_null(sb.buf);
	ck_assert_uint_eq(sb.len, 0);
	free(s);
	s = bel_strbuf_take(&sb, &len); /* empty: "" */
	ck_assert_str_eq(s, "");
	free(s);
	/* after a failed allocation every append fails the same way */
	sb.oom = true;
	ck_assert_int_eq(bel_strbuf_puts(&sb, "x"), -ENOMEM);
	ck_assert_int_eq(bel_strbuf_printf(&sb, "%d", 1), -ENOMEM);
	ck_assert_ptr_null(bel_strbuf_take(&sb, NULL));
	bel_strbuf_free(&sb);
}
END_TEST

/* ---- constructs: hand-written BTF, the exact text, compiled --------------------------------- */

/* The dump of every type equals `want`, compiles, and has the BTF's layout. */
static void dump_is(const struct bel_btf *btf, const char *name, const char *want)
{
	char *got = dump(btf, NULL, 0, NULL), header[128], checker[256];

	ck_assert_msg(!strcmp(got, want), "%s: got:\n%s\nwanted:\n%s", name, got, want);
	make_tmpdir();
	header_compiles(name, got);
	snprintf(header, sizeof(header), "%s.h", name);
	snprintf(checker, sizeof(checker), "%s/%s_check.c", tmpdir, name);
	write_checker(checker, header, btf);
	compiles(checker);
	remove_tree(tmpdir);
	free(got);
}

/* Layout: padding, bit-fields, packed, tail padding, unions that need a filler, anonymous
 * members, flexible arrays. */
START_TEST(constructs_layout)
{
	uint32_t i32, u32, ch, u8, i64, s_anon, u_anon;
	struct bel_btf *btf;

	tb_reset();
	i32 = ADD(T_INT_ENC(S("int"), 4, BTF_INT_SIGNED));
	u32 = ADD(T_INT(S("unsigned int"), 4));
	ch = ADD(T_INT_ENC(S("char"), 1, BTF_INT_SIGNED | BTF_INT_CHAR));
	u8 = ADD(T_INT(S("unsigned char"), 1));
	i64 = ADD(T_INT_ENC(S("long"), 8, BTF_INT_SIGNED));
	/* an int at 8 where C would put it at 4: padding before it */
	ADD(T_STRUCT(S("gap"), 3, 24), T_MEMBER(S("c"), ch, 0), T_MEMBER(S("i"), i32, 64),
	    T_MEMBER(S("l"), i64, 128));
	/* bit-fields with a hole, then a byte member */
	ADD(T_STRUCT_K(S("bits"), 4, 4), T_BITFIELD(S("a"), u32, 0, 3), T_BITFIELD(S("b"), u32, 3, 5),
	    T_BITFIELD(S("c"), u32, 12, 4), T_BITFIELD(S("d"), u8, 16, 8));
	/* an int at byte 1: only packed puts it there */
	ADD(T_STRUCT(S("tight"), 2, 5), T_MEMBER(S("c"), ch, 0), T_MEMBER(S("i"), i32, 8));
	/* larger than its members: tail padding; a union too (8 bytes, then 20) */
	ADD(T_STRUCT(S("tail"), 1, 8), T_MEMBER(S("a"), i32, 0));
	ADD(T_UNION(S("small_u"), 1, 8), T_MEMBER(S("a"), i32, 0));
	ADD(T_UNION(S("big_u"), 2, 20), T_MEMBER(S("a"), i32, 0), T_MEMBER(S("b"), ch, 0));
	/* anonymous members, and a flexible array */
	u_anon = ADD(T_UNION(0, 2, 8), T_MEMBER(S("x"), i64, 0), T_MEMBER(S("y"), u32, 0));
	s_anon = ADD(T_STRUCT(0, 2, 8), T_MEMBER(S("p"), i32, 0), T_MEMBER(S("q"), i32, 32));
	ADD(T_ARRAY(i32, u32, 0));
	ADD(T_STRUCT(S("outer"), 4, 24), T_MEMBER(S("k"), i32, 0), T_MEMBER(0, u_anon, 64),
	    T_MEMBER(0, s_anon, 128), T_MEMBER(S("flex"), tb.ntypes, 192));
	btf = tb_btf(false);
	dump_is(btf, "layout",
		"struct gap {\n\tchar c;\n\tlong: 56;\n\tint i;\n\tlong l;\n};\n\n"
		"struct bits {\n\tunsigned int a: 3;\n\tunsigned int b: 5;\n\tlong: 4;\n"
		"\tunsigned int c: 4;\n\tunsigned char d: 8;\n};\n\n"
		"struct tight {\n\tchar c;\n\tint i;\n} __attribute__((packed));\n\n"
		"struct tail {\n\tint a;\n\tlong: 32;\n};\n\n"
		"union small_u {\n\tint a;\n\tlong: 64;\n};\n\n"
		"union big_u {\n\tint a;\n\tchar b;\n\tstruct {\n\t\tlong: 64;\n\t\tlong: 64;\n"
		"\t\tlong: 32;\n\t};\n};\n\n"
		"struct outer {\n\tint k;\n\tunion {\n\t\tlong x;\n\t\tunsigned int y;\n\t};\n"
		"\tstruct {\n\t\tint p;\n\t\tint q;\n\t};\n\tint flex[0];\n};\n\n");
	bel_btf_free(btf);
}
END_TEST

/* Members without names: a named struct as an anonymous member (-fms-extensions) and one
 * behind a typedef are written in place; an unnamed bit-field stays unnamed; an unnamed member
 * of another type gets a name (made unique in its record, like any member's). */
START_TEST(constructs_anon_members)
{
	uint32_t i32, base, based;
	struct bel_btf *btf;

	tb_reset();
	i32 = ADD(T_INT_ENC(S("int"), 4, BTF_INT_SIGNED));
	base = ADD(T_STRUCT(S("base"), 2, 8), T_MEMBER(S("x"), i32, 0), T_MEMBER(S("y"), i32, 32));
	based = ADD(T_TYPEDEF(S("based_t"), ADD(T_UNION(0, 1, 4), T_MEMBER(S("z"), i32, 0))));
	ADD(T_STRUCT_K(S("derived"), 5, 24), T_BITFIELD(0, base, 0, 0), T_BITFIELD(0, based, 64, 0),
	    T_BITFIELD(0, i32, 96, 3), T_BITFIELD(0, i32, 128, 0), T_BITFIELD(S("w"), i32, 160, 0));
	btf = tb_btf(false);
	dump_is(btf, "anon_members",
		"struct base {\n\tint x;\n\tint y;\n};\n\n"
		"typedef union {\n\tint z;\n} based_t;\n\n"
		"struct derived {\n\tstruct {\n\t\tint x;\n\t\tint y;\n\t};\n\tunion {\n\t\tint z;\n\t};\n"
		"\tint: 3;\n\tint __anon3;\n\tint w;\n};\n\n");
	bel_btf_free(btf);
}
END_TEST

/* Enums: signed and unsigned, 32 and 64 bits, values that need a suffix or a cast, sizes
 * only a mode gives, anonymous ones written where used or alone, a value-less one. */
START_TEST(constructs_enums)
{
	uint32_t e_anon_used, u8;
	struct bel_btf *btf;

	tb_reset();
	ADD(T_ENUM_SIGNED(S("sgn"), 3, 4), T_ENUM_VAL(S("S_NEG"), -5), T_ENUM_VAL(S("S_MIN"), INT32_MIN),
	    T_ENUM_VAL(S("S_MAX"), INT32_MAX));
	ADD(T_ENUM(S("uns"), 2, 4), T_ENUM_VAL(S("U_ZERO"), 0), T_ENUM_VAL(S("U_MAX"), UINT32_MAX));
	ADD(T_ENUM(S("small"), 2, 1), T_ENUM_VAL(S("SM_A"), 1), T_ENUM_VAL(S("SM_B"), 200));
	ADD(T_ENUM64(S("big"), 3, 8), T_ENUM64_VAL(S("B_ONE"), 1), T_ENUM64_VAL(S("B_2_40"), 1ull << 40),
	    T_ENUM64_VAL(S("B_TOP"), UINT64_MAX));
	ADD(T_ENUM64_SIGNED(S("big_signed"), 2, 8), T_ENUM64_VAL(S("BS_MIN"), INT64_MIN),
	    T_ENUM64_VAL(S("BS_NEG"), -3));
	/* 8 bytes, yet its values fit an int: only mode(DI) gives it 8 bytes */
	ADD(T_ENUM64(S("wide"), 1, 8), T_ENUM64_VAL(S("W_ONE"), 1));
	/* anonymous: one alone, one a member uses twice (written in full once) */
	ADD(T_ENUM(0, 1, 4), T_ENUM_VAL(S("ALONE"), 7));
	e_anon_used = ADD(T_ENUM(0, 2, 2), T_ENUM_VAL(S("USED_A"), 0), T_ENUM_VAL(S("USED_B"), 1));
	u8 = ADD(T_INT(S("unsigned char"), 1));
	ADD(T_STRUCT(S("holder"), 3, 8), T_MEMBER(S("first"), e_anon_used, 0),
	    T_MEMBER(S("second"), e_anon_used, 16), T_MEMBER(S("byte"), u8, 32));
	/* an enum without values (a declaration) is the integer it is */
	ADD(T_ENUM(S("opaque"), 0, 4));
	ADD(T_STRUCT(S("uses_opaque"), 1, 4), T_MEMBER(S("o"), tb.ntypes, 0));
	btf = tb_btf(false);
	dump_is(btf, "enums",
		"enum sgn {\n\tS_NEG = -5,\n\tS_MIN = -2147483648,\n\tS_MAX = 2147483647,\n"
		"};\n\n"
		"enum uns {\n\tU_ZERO = 0,\n\tU_MAX = 4294967295,\n};\n\n"
		"enum small {\n\tSM_A = 1,\n\tSM_B = 200,\n} __attribute__((mode(QI)));\n"
		"\n"
		"enum big {\n\tB_ONE = 1,\n\tB_2_40 = 1099511627776,\n\tB_TOP = 18446744073709551615ULL,\n"
		"};\n\n"
		"enum big_signed {\n\tBS_MIN = (-9223372036854775807LL - 1),\n\tBS_NEG = -3,\n"
		"};\n\n"
		"enum wide {\n\tW_ONE = 1,\n} __attribute__((mode(DI)));\n\n"
		"enum {\n\tALONE = 7,\n};\n\n"
		"struct holder {\n\tenum {\n\t\tUSED_A = 0,\n\t\tUSED_B = 1,\n\t} __attribute__((mode(HI))) first;\n"
		"\tunsigned short second;\n\tunsigned char byte;\n\tlong: 24;\n};\n\n"
		"struct uses_opaque {\n\tunsigned int o;\n};\n\n");
	bel_btf_free(btf);
}
END_TEST

/* Declarators: typedefs, multi-dimensional arrays, pointers to arrays and functions, function
 * prototypes (variadic, void), qualifiers, type tags (dropped), FLOAT, __int128, _Bool. */
START_TEST(constructs_declarators)
{
	uint32_t i32, ch, cch, arr4, arr34, p_arr, proto_v, proto_i, pproto, u16, vol, cp, rp, tag,
		 dbl, i128, bl, fp_arr;
	struct bel_btf *btf;

	tb_reset();
	i32 = ADD(T_INT_ENC(S("int"), 4, BTF_INT_SIGNED));
	ch = ADD(T_INT_ENC(S("char"), 1, BTF_INT_SIGNED | BTF_INT_CHAR));
	cch = ADD(T_CONST(ch));
	arr4 = ADD(T_ARRAY(i32, i32, 4));
	arr34 = ADD(T_ARRAY(arr4, i32, 3));
	p_arr = ADD(T_PTR(arr4));
	/* int (int, ...) and void (void) */
	proto_v = ADD(T_FUNC_PROTO(i32, 2), T_PARAM(S("n"), i32), T_PARAM(0, 0));
	proto_i = ADD(T_FUNC_PROTO(0, 0));
	pproto = ADD(T_PTR(proto_v));
	u16 = ADD(T_INT(S("short unsigned int"), 2));
	vol = ADD(T_VOLATILE(u16));
	cp = ADD(T_PTR(cch));
	rp = ADD(T_RESTRICT(cp));
	tag = ADD(T_TYPE_TAG(S("user"), i32));
	dbl = ADD(T_FLOAT(S("double"), 8));
	i128 = ADD(T_INT_ENC(S("__int128"), 16, BTF_INT_SIGNED));
	bl = ADD(T_INT_ENC(S("_Bool"), 1, BTF_INT_BOOL));
	fp_arr = ADD(T_ARRAY(ADD(T_PTR(ADD(T_PTR(proto_i)))), i32, 2));
	ADD(T_TYPEDEF(S("matrix_t"), arr34));
	ADD(T_TYPEDEF(S("handler_t"), pproto));
	ADD(T_TYPEDEF(S("fn_t"), proto_i));
	ADD(T_STRUCT(S("decls"), 10, 144), T_MEMBER(S("m"), arr34, 0), T_MEMBER(S("pa"), p_arr, 384),
	    T_MEMBER(S("cb"), pproto, 448), T_MEMBER(S("v"), vol, 512), T_MEMBER(S("s"), rp, 576),
	    T_MEMBER(S("tagged"), ADD(T_PTR(tag)), 640), T_MEMBER(S("d"), dbl, 704),
	    T_MEMBER(S("flag"), bl, 768), T_MEMBER(S("fps"), fp_arr, 832),
	    T_MEMBER(S("wide"), i128, 1024));
	btf = tb_btf(false);
	dump_is(btf, "declarators",
		"typedef int matrix_t[3][4];\n\n"
		"typedef int (*handler_t)(int, ...);\n\n"
		"typedef void fn_t(void);\n\n"
		"struct decls {\n\tint m[3][4];\n\tint (*pa)[4];\n\tint (*cb)(int, ...);\n"
		"\tvolatile short unsigned int v;\n\tconst char *restrict s;\n\tint *tagged;\n"
		"\tdouble d;\n\t_Bool flag;\n\tvoid (**fps[2])(void);\n\t__int128 wide;\n"
		"};\n\n");
	bel_btf_free(btf);
}
END_TEST

/* Order and names: a cycle through a pointer (forward declaration), a struct named in a
 * prototype, FWDs, two structs and two enums of one name, clashing enumerators, C keywords and
 * names that are not identifiers; DATASEC, VAR, FUNC and DECL_TAG skipped. */
START_TEST(constructs_names)
{
	uint32_t i32, a, b, pa, fwd_c, pc, proto, dup1, ptd;
	struct bel_btf *btf;

	tb_reset();
	i32 = ADD(T_INT_ENC(S("int"), 4, BTF_INT_SIGNED));
	/* struct a { struct b *next; }; struct b { struct a inner; }: a before b, no forward */
	b = tb.ntypes + 3;
	a = ADD(T_STRUCT(S("a"), 1, 8), T_MEMBER(S("next"), b + 1, 0));
	pa = ADD(T_PTR(a));
	ADD(T_STRUCT(S("b"), 2, 16), T_MEMBER(S("inner"), a, 0), T_MEMBER(S("back"), pa, 64));
	ck_assert_uint_eq(tb.ntypes, b);
	ADD(T_PTR(b));
	/* struct c is only declared, and named in a prototype: `struct c;` first */
	fwd_c = ADD(T_FWD(S("c"), false));
	pc = ADD(T_PTR(fwd_c));
	proto = ADD(T_FUNC_PROTO(i32, 1), T_PARAM(S("arg"), pc));
	ADD(T_TYPEDEF(S("visit_t"), ADD(T_PTR(proto))));
	/* two structs "dup", two enums "color" whose RED clash, an enum tag clashing a struct */
	dup1 = ADD(T_STRUCT(S("dup"), 1, 4), T_MEMBER(S("x"), i32, 0));
	ADD(T_STRUCT(S("dup"), 1, 8), T_MEMBER(S("y"), i32, 32));
	ADD(T_ENUM(S("color"), 2, 4), T_ENUM_VAL(S("RED"), 0), T_ENUM_VAL(S("GREEN"), 1));
	ADD(T_ENUM(S("color"), 2, 4), T_ENUM_VAL(S("RED"), 5), T_ENUM_VAL(S("BLUE"), 6));
	ADD(T_ENUM(S("dup"), 1, 4), T_ENUM_VAL(S("DUP_E"), 0));
	/* a FWD stands for the first struct of its name */
	ADD(T_FWD(S("dup"), false));
	ADD(T_STRUCT(S("uses_fwd"), 1, 8), T_MEMBER(S("p"), ADD(T_PTR(tb.ntypes)), 0));
	/* keywords and non-identifiers, as tags, typedefs and members; a duplicate member */
	ADD(T_STRUCT(S("int"), 4, 16), T_MEMBER(S("default"), i32, 0), T_MEMBER(S("a.b"), i32, 32),
	    T_MEMBER(S("x"), i32, 64), T_MEMBER(S("x"), i32, 96));
	ADD(T_TYPEDEF(S("9lives"), i32));
	ptd = ADD(T_TYPEDEF(S("unsigned"), dup1));
	/* not types: skipped */
	ADD(T_VAR(S("global"), ptd, 1));
	ADD(T_DATASEC(S(".data"), 1, 4), T_SECINFO(tb.ntypes, 0, 4));
	ADD(T_FUNC(S("handler"), proto));
	ADD(T_DECL_TAG(S("tag"), a, -1));
	btf = tb_btf(false);
	dump_is(btf, "names",
		"struct a {\n\tstruct b *next;\n};\n\n"
		"struct b {\n\tstruct a inner;\n\tstruct a *back;\n};\n\n"
		"struct c;\n\n"
		"typedef int (*visit_t)(struct c *);\n\n"
		"struct dup {\n\tint x;\n};\n\n"
		"struct dup___2 {\n\tlong: 32;\n\tint y;\n};\n\n"
		"enum color {\n\tRED = 0,\n\tGREEN = 1,\n};\n\n"
		"enum color___2 {\n\tRED___2 = 5,\n\tBLUE = 6,\n};\n\n"
		"enum dup___3 {\n\tDUP_E = 0,\n};\n\n"
		"struct uses_fwd {\n\tstruct dup *p;\n};\n\n"
		"struct int___2 {\n\tint default___2;\n\tint a_b;\n\tint x;\n\tint x___2;\n"
		"};\n\n"
		"typedef int _9lives;\n\n"
		"typedef struct dup unsigned___2;\n\n");
	bel_btf_free(btf);
}
END_TEST

/* Options (guard, preserve_access_index, indent) and roots: a root brings what it needs, in
 * order; a DATASEC root the types of its variables; nothing else. */
START_TEST(constructs_roots_opts)
{
	struct bel_btf_c_opts o = {.sz = sizeof(o), .preserve_access_index = true,
				   .header_guard = "MY_H", .indent = 2};
	uint32_t i32, inner, outer, var, sec, roots[2];
	struct bel_strbuf out = BEL_STRBUF_INIT;
	struct bel_err err = {0};
	struct bel_btf *btf;
	char *got;

	tb_reset();
	i32 = ADD(T_INT_ENC(S("int"), 4, BTF_INT_SIGNED));
	ADD(T_STRUCT(S("unrelated"), 1, 4), T_MEMBER(S("u"), i32, 0));
	inner = ADD(T_STRUCT(S("inner"), 1, 4), T_MEMBER(S("v"), i32, 0));
	outer = ADD(T_STRUCT(S("outer"), 1, 8), T_MEMBER(0, ADD(T_UNION(0, 2, 8),
		    T_MEMBER(S("in"), inner, 0), T_MEMBER(S("l"), ADD(T_TYPEDEF(S("s64"),
		    ADD(T_INT_ENC(S("long long int"), 8, BTF_INT_SIGNED)))), 0)), 0));
	var = ADD(T_VAR(S("cfg"), outer, 1));
	sec = ADD(T_DATASEC(S(".bss"), 1, 8), T_SECINFO(var, 0, 8));
	btf = tb_btf(false);

	roots[0] = sec;
	got = dump(btf, roots, 1, &o);
	ck_assert_str_eq(got,
		"#ifndef MY_H\n#define MY_H\n\n"
		"#if !defined(BPF_NO_PRESERVE_ACCESS_INDEX) && defined(__clang__) && defined(__bpf__)\n"
		"#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n"
		"#endif\n\n"
		"struct inner {\n  int v;\n};\n\n"
		"typedef long long int s64;\n\n"
		"struct outer {\n  union {\n    struct inner in;\n    s64 l;\n  };\n};\n\n"
		"#if !defined(BPF_NO_PRESERVE_ACCESS_INDEX) && defined(__clang__) && defined(__bpf__)\n"
		"#pragma clang attribute pop\n#endif\n\n"
		"#endif /* MY_H */\n");
	make_tmpdir();
	header_compiles("roots", got);
	remove_tree(tmpdir);
	free(got);

	/* two roots, one already written by the other: once each */
	roots[0] = outer;
	roots[1] = inner;
	got = dump(btf, roots, 2, NULL);
	ck_assert_str_eq(got, "struct inner {\n\tint v;\n};\n\ntypedef long long int s64;\n\n"
			      "struct outer {\n\tunion {\n\t\tstruct inner in;\n\t\ts64 l;\n\t};\n};\n\n");
	free(got);

	/* a bad root, bad options: -EINVAL, nothing written */
	roots[0] = 999;
	ck_assert_int_eq(bel_btf_dump_c(btf, roots, 1, NULL, &out, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "999"));
	o.header_guard = "not an identifier";
	ck_assert_int_eq(bel_btf_dump_c(btf, NULL, 0, &o, &out, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "header guard"));
	o.header_guard = NULL;
	o.indent = 17;
	ck_assert_int_eq(bel_btf_dump_c(btf, NULL, 0, &o, &out, &err), -EINVAL);
	o.sz = 3;
	ck_assert_int_eq(bel_btf_dump_c(btf, NULL, 0, &o, &out, &err), -EINVAL);
	ck_assert_uint_eq(out.len, 0);
	bel_strbuf_free(&out);
	bel_btf_free(btf);
}
END_TEST

/* ---- single declarations ------------------------------------------------------------------ */

static void decl_is(const struct bel_btf *btf, uint32_t id, const char *name, const char *want)
{
	struct bel_strbuf out = BEL_STRBUF_INIT;
	struct bel_err err = {0};
	int ret;

	bel_strbuf_puts(&out, "[");
	ret = bel_btf_c_decl(btf, id, name, &out, &err);
	ck_assert_msg(!ret, "bel_btf_c_decl [%u] %s: %d %s", id, name, ret, err.msg);
	ck_assert_str_eq(out.buf + 1, want);
	bel_strbuf_free(&out);
}

START_TEST(decl_spellings)
{
	uint32_t i32, ch, foo, arr4, parr, cch, carr, proto, pproto, fparr, anon, cp, ccp, e_anon;
	struct bel_btf_c_names *names;
	struct bel_strbuf out = BEL_STRBUF_INIT;
	struct bel_err err = {0};
	struct bel_btf *btf;
	char path[128], text[2048];

	tb_reset();
	i32 = ADD(T_INT_ENC(S("int"), 4, BTF_INT_SIGNED));
	ch = ADD(T_INT_ENC(S("char"), 1, BTF_INT_SIGNED | BTF_INT_CHAR));
	foo = ADD(T_STRUCT(S("foo"), 1, 4), T_MEMBER(S("x"), i32, 0));
	ADD(T_STRUCT(S("foo"), 1, 8), T_MEMBER(S("y"), i32, 32)); /* a second foo: foo___2 */
	arr4 = ADD(T_ARRAY(i32, i32, 4));
	parr = ADD(T_PTR(arr4));
	cch = ADD(T_CONST(ch));
	carr = ADD(T_ARRAY(cch, i32, 16));
	proto = ADD(T_FUNC_PROTO(i32, 2), T_PARAM(0, ADD(T_PTR(foo))), T_PARAM(0, 0));
	pproto = ADD(T_PTR(proto));
	fparr = ADD(T_ARRAY(pproto, i32, 3));
	e_anon = ADD(T_ENUM(0, 1, 4), T_ENUM_VAL(S("ONLY"), 1));
	anon = ADD(T_STRUCT(0, 3, 12), T_MEMBER(S("a"), i32, 0), T_MEMBER(S("e"), e_anon, 32),
		   T_MEMBER(S("f"), e_anon, 64));
	cp = ADD(T_PTR(ch));
	ccp = ADD(T_PTR(ADD(T_CONST(cp))));
	btf = tb_btf(false);

	decl_is(btf, parr, "name", "int (*name)[4]");
	decl_is(btf, carr, "name", "const char name[16]");
	decl_is(btf, foo + 1, "name", "struct foo___2 name");
	decl_is(btf, proto - 1, "p", "struct foo *p");
	decl_is(btf, pproto, "cb", "int (*cb)(struct foo *, ...)");
	decl_is(btf, fparr, "table", "int (*table[3])(struct foo *, ...)");
	decl_is(btf, ccp, "argv", "char *const *argv");
	decl_is(btf, parr, NULL, "int (*)[4]");
	decl_is(btf, 0, "nothing", "void nothing");
	/* anonymous types written in full; an anonymous enum once */
	decl_is(btf, anon, "cfg", "struct {\n\tint a;\n\tenum {\n\t\tONLY = 1,\n\t} e;\n"
				  "\tunsigned int f;\n} cfg");

	/* names worked out once, many declarations; each compiles beside the types it needs */
	ck_assert(!bel_btf_c_names_new(btf, &names, &err));
	ck_assert_str_eq(bel_btf_c_name(names, foo + 1), "foo___2");
	ck_assert_ptr_null(bel_btf_c_name(names, anon));
	ck_assert_ptr_null(bel_btf_c_name(names, 12345));
	ck_assert(!bel_btf_c_decl_named(names, fparr, "table", &out, &err));
	ck_assert(!bel_btf_c_decl_named(names, ccp, "argv", &out, &err));
	ck_assert_str_eq(out.buf, "int (*table[3])(struct foo *, ...)char *const *argv");
	/* not identifiers */
	ck_assert_int_eq(bel_btf_c_decl_named(names, i32, "int", &out, &err), -EINVAL);
	ck_assert_int_eq(bel_btf_c_decl_named(names, i32, "a b", &out, &err), -EINVAL);
	ck_assert_int_eq(bel_btf_c_decl_named(names, 999, "x", &out, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "999"));
	bel_btf_c_names_free(names);
	bel_strbuf_free(&out);

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/decl.c", tmpdir);
	bel_strbuf_puts(&out, "#include \"types.h\"\n");
	ck_assert(!bel_btf_c_decl(btf, fparr, "table", &out, &err));
	bel_strbuf_puts(&out, ";\n");
	ck_assert(!bel_btf_c_decl(btf, anon, "cfg", &out, &err));
	bel_strbuf_puts(&out, ";\n");
	snprintf(text, sizeof(text), "%s", out.buf);
	write_text(path, text);
	{
		/* what the declarations need, as a generator would ask for it: their types as roots
		 * (anonymous ones are the declarations' to write) */
		uint32_t roots[] = {fparr, anon};
		char *types = dump(btf, roots, 2, NULL), hp[128];

		snprintf(hp, sizeof(hp), "%s/types.h", tmpdir);
		write_text(hp, types);
		free(types);
	}
	compiles(path);
	remove_tree(tmpdir);
	bel_strbuf_free(&out);
	bel_btf_free(btf);
}
END_TEST

/* ---- hostile BTF ---------------------------------------------------------------------------- */

START_TEST(hostile_cycles)
{
	uint32_t i32, t1;
	struct bel_btf *btf;

	/* struct a holds struct b, which holds struct a */
	tb_reset();
	i32 = ADD(T_INT_ENC(S("int"), 4, BTF_INT_SIGNED));
	ADD(T_STRUCT(S("a"), 2, 8), T_MEMBER(S("i"), i32, 0), T_MEMBER(S("b"), 3, 32));
	ADD(T_STRUCT(S("b"), 1, 4), T_MEMBER(S("a"), 2, 0));
	ADD(T_STRUCT(0, 1, 8), T_MEMBER(S("holds"), 2, 0));
	btf = tb_btf(false);
	dump_fails(btf, ELOOP, "struct 'a' [2] and struct 'b' [3] each need the other written first");
	/* a declaration lays out what it writes: the same cycle, found there */
	{
		struct bel_strbuf out = BEL_STRBUF_INIT;
		struct bel_err err = {0};

		ck_assert_int_eq(bel_btf_c_decl(btf, 4, "v", &out, &err), -ELOOP);
		ck_assert_msg(strstr(err.msg, "contains struct 'a' [2] by value"), "%s", err.msg);
		ck_assert_uint_eq(out.len, 0);
		bel_strbuf_free(&out);
	}
	bel_btf_free(btf);

	/* a struct holding itself, through an array and a typedef */
	tb_reset();
	ADD(T_STRUCT(S("self"), 1, 4), T_MEMBER(S("me"), 3, 0));
	ADD(T_TYPEDEF(S("self_t"), 1));
	ADD(T_ARRAY(2, 2, 1));
	btf = tb_btf(false);
	dump_fails(btf, ELOOP, "struct 'self' [1] must be written before itself");
	bel_btf_free(btf);

	/* typedefs naming each other */
	tb_reset();
	t1 = ADD(T_TYPEDEF(S("t1"), 2));
	ADD(T_TYPEDEF(S("t2"), t1));
	btf = tb_btf(false);
	dump_fails(btf, ELOOP, "typedef 't");
	bel_btf_free(btf);

	/* an anonymous struct naming, through a pointer, the typedef that names it: not C */
	tb_reset();
	ADD(T_TYPEDEF(S("node_t"), 2));
	ADD(T_STRUCT(0, 1, 8), T_MEMBER(S("next"), 3, 0));
	ADD(T_PTR(1));
	btf = tb_btf(false);
	dump_fails(btf, ELOOP, "typedef 'node_t' [1] must be written before itself");
	bel_btf_free(btf);

	/* an anonymous struct pointing to itself: written in place, forever */
	tb_reset();
	ADD(T_STRUCT(S("holder"), 1, 8), T_MEMBER(S("p"), 3, 0));
	ADD(T_STRUCT(0, 1, 8), T_MEMBER(S("self"), 3, 0));
	ADD(T_PTR(2));
	btf = tb_btf(false);
	dump_fails(btf, ELOOP, "deeper than");
	bel_btf_free(btf);

	/* a const of itself (only the kernel's BTF is taken without checking such things) */
	tb_reset();
	ADD(T_STRUCT(S("q"), 1, 8), T_MEMBER(S("p"), 2, 0));
	ADD(T_CONST(2));
	btf = tb_btf(true);
	dump_fails(btf, ELOOP, "deeper than");
	bel_btf_free(btf);
}
END_TEST

START_TEST(hostile_depth)
{
	uint32_t prev, i;
	struct bel_btf *btf;

	/* 300 consts deep: refused, not followed */
	tb_reset();
	prev = ADD(T_INT_ENC(S("int"), 4, BTF_INT_SIGNED));
	for (i = 0; i < 300; i++)
		prev = ADD(T_CONST(prev));
	ADD(T_STRUCT(S("deep"), 1, 4), T_MEMBER(S("x"), prev, 0));
	btf = tb_btf(false);
	dump_fails(btf, ELOOP, "deeper than");
	bel_btf_free(btf);

	/* 200 anonymous structs nested: the same */
	tb_reset();
	prev = ADD(T_INT_ENC(S("int"), 4, BTF_INT_SIGNED));
	for (i = 0; i < 200; i++)
		prev = ADD(T_STRUCT(0, 1, 4), T_MEMBER(S("x"), prev, 0));
	ADD(T_STRUCT(S("nest"), 1, 4), T_MEMBER(S("n"), prev, 0));
	btf = tb_btf(false);
	dump_fails(btf, ELOOP, "deeper than");
	bel_btf_free(btf);

	/* 300 named structs nested by value: fine (the order is worked out without recursion) */
	tb_reset();
	prev = ADD(T_INT_ENC(S("int"), 4, BTF_INT_SIGNED));
	for (i = 0; i < 300; i++) {
		char name[16];

		snprintf(name, sizeof(name), "n%u", i);
		prev = ADD(T_STRUCT(S(name), 1, 4), T_MEMBER(S("x"), prev, 0));
	}
	btf = tb_btf(false);
	free(dump(btf, &prev, 1, NULL));
	bel_btf_free(btf);
}
END_TEST

START_TEST(hostile_refs)
{
	static const struct {
		const char *what, *needle;
	} cases[] = {
		{"member", "999"}, {"pointer", "999"}, {"array", "999"}, {"param", "999"},
		{"typedef", "999"}, {"var member", "not a C type"}, {"void param", "parameter 0 is void"},
	};
	struct bel_btf *btf;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t i32, bad;

		tb_reset();
		i32 = ADD(T_INT_ENC(S("int"), 4, BTF_INT_SIGNED));
		switch (i) {
		case 0: bad = 999; break;
		case 1: bad = ADD(T_PTR(999)); break;
		case 2: bad = ADD(T_ARRAY(999, i32, 2)); break;
		case 3: bad = ADD(T_PTR(ADD(T_FUNC_PROTO(i32, 1), T_PARAM(0, 999)))); break;
		case 4: bad = ADD(T_TYPEDEF(S("bad_t"), 999)); break;
		case 5: bad = ADD(T_VAR(S("v"), i32, 1)); break;
		default: bad = ADD(T_PTR(ADD(T_FUNC_PROTO(i32, 2), T_PARAM(0, 0), T_PARAM(0, i32)))); break;
		}
		ADD(T_STRUCT(S("user"), 1, 8), T_MEMBER(S("m"), bad, 0));
		btf = tb_btf(true);
		dump_fails(btf, EINVAL, cases[i].needle);
		/* the message names the type being written */
		dump_fails(btf, EINVAL, i == 4 ? "typedef 'bad_t'" : "struct 'user'");
		bel_btf_free(btf);
	}
}
END_TEST

START_TEST(hostile_layouts)
{
	static const char *const needles[] = {
		"inside the member before it", "C puts every member of a union at 0",
		"a 40-bit bit-field of a 4-byte type", "not an integer", "more than its 4 bytes",
		"only declared", "no 3-byte integer", "no 3-byte integer", "no 2-byte floating",
		"not a bit-field, yet not at a byte", "no 0-byte integer",
	};
	struct bel_btf *btf;
	uint32_t i;

	for (i = 0; i < sizeof(needles) / sizeof(needles[0]); i++) {
		uint32_t i32, rec;

		tb_reset();
		i32 = ADD(T_INT_ENC(S("int"), 4, BTF_INT_SIGNED));
		rec = ADD(T_STRUCT(S("r"), 1, 4), T_MEMBER(S("z"), i32, 0));
		switch (i) {
		case 0: ADD(T_STRUCT(S("t"), 2, 8), T_MEMBER(S("a"), i32, 0), T_MEMBER(S("b"), i32, 16)); break;
		case 1: ADD(T_UNION(S("t"), 1, 8), T_MEMBER(S("a"), i32, 32)); break;
		case 2: ADD(T_STRUCT_K(S("t"), 1, 8), T_BITFIELD(S("a"), i32, 0, 40)); break;
		case 3: ADD(T_STRUCT_K(S("t"), 1, 8), T_BITFIELD(S("a"), rec, 0, 3)); break;
		case 4: ADD(T_STRUCT(S("t"), 2, 4), T_MEMBER(S("a"), i32, 0), T_MEMBER(S("b"), i32, 32)); break;
		case 5: ADD(T_STRUCT(S("t"), 1, 4), T_MEMBER(S("a"), ADD(T_FWD(S("f"), false)), 0)); break;
		case 6: ADD(T_STRUCT(S("t"), 1, 4), T_MEMBER(S("a"), ADD(T_INT(S("int24"), 3)), 0)); break;
		case 7: ADD(T_STRUCT(S("t"), 1, 4), T_MEMBER(S("a"), ADD(T_ENUM(S("e"), 1, 3),
			    T_ENUM_VAL(S("E"), 1)), 0)); break;
		case 8: ADD(T_STRUCT(S("t"), 1, 4), T_MEMBER(S("a"), ADD(T_FLOAT(S("half"), 2)), 0)); break;
		case 9: ADD(T_STRUCT(S("t"), 1, 8), T_MEMBER(S("a"), i32, 4)); break;
		default: ADD(T_STRUCT(S("t"), 1, 4), T_MEMBER(S("a"), ADD(T_INT(S("x"), 0)), 0)); break;
		}
		btf = tb_btf(false);
		dump_fails(btf, EINVAL, needles[i]);
		bel_btf_free(btf);
	}
}
END_TEST

/* Anonymous structs written in place at every use double the text at every level: 2^20 copies
 * are refused once the text passes its bound, quickly. */
START_TEST(hostile_runaway_text)
{
	uint32_t prev, i;
	struct bel_btf *btf;

	tb_reset();
	prev = ADD(T_INT_ENC(S("int"), 4, BTF_INT_SIGNED));
	for (i = 0; i < 20; i++) {
		uint32_t ptr = ADD(T_PTR(prev));

		prev = ADD(T_STRUCT(0, 2, 16), T_MEMBER(S("l"), ptr, 0), T_MEMBER(S("r"), ptr, 64));
	}
	ADD(T_STRUCT(S("top"), 1, 16), T_MEMBER(S("t"), prev, 0));
	btf = tb_btf(false);
	dump_fails(btf, E2BIG, "would pass");
	bel_btf_free(btf);
}
END_TEST

/* 2000 structs of one name: linear, and each named. */
START_TEST(hostile_same_names)
{
	struct bel_btf_c_names *names;
	struct bel_err err = {0};
	struct bel_btf *btf;
	uint32_t i, i32;
	char *text;

	tb_reset();
	i32 = ADD(T_INT_ENC(S("int"), 4, BTF_INT_SIGNED));
	for (i = 0; i < 2000; i++)
		ADD(T_STRUCT(S("same"), 1, 4), T_MEMBER(S("x"), i32, 0));
	btf = tb_btf(false);
	ck_assert(!bel_btf_c_names_new(btf, &names, &err));
	ck_assert_str_eq(bel_btf_c_name(names, 2), "same");
	ck_assert_str_eq(bel_btf_c_name(names, 2001), "same___2000");
	bel_btf_c_names_free(names);
	text = dump(btf, NULL, 0, NULL);
	ck_assert_ptr_nonnull(strstr(text, "struct same___2000 {"));
	free(text);
	bel_btf_free(btf);
}
END_TEST

/* ---- real BTF: fixture objects and the kernel's ------------------------------------------- */

/* A whole file, read to its end (sysfs hands out its BTF in pieces). */
static void *read_all(const char *path, size_t *size)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	FILE *f = fopen(path, "rb");
	size_t n;

	ck_assert_msg(f && buf, "cannot read %s", path);
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			buf = realloc(buf, cap *= 2);
			ck_assert(buf);
		}
	}
	fclose(f);
	*size = len;
	return buf;
}

/* Dump twice (same bytes), compile the text, and compile the checker against it. */
static void real_btf(const struct bel_btf *btf, const char *name)
{
	struct bel_btf_c_opts o = {.sz = sizeof(o), .preserve_access_index = true,
				   .header_guard = "BEL_TEST_H"};
	char *a = dump(btf, NULL, 0, &o), *b = dump(btf, NULL, 0, &o);
	char header[128], checker[256];
	unsigned n;

	ck_assert_msg(strlen(a) == strlen(b) && !memcmp(a, b, strlen(a)),
		      "%s: two dumps differ", name);
	header_compiles(name, a);
	snprintf(header, sizeof(header), "%s.h", name);
	snprintf(checker, sizeof(checker), "%s/%s_check.c", tmpdir, name);
	n = write_checker(checker, header, btf);
	compiles(checker);
	printf("btf_c: %s: %zu bytes of C, %u layout asserts hold under clang -target bpf and gcc\n",
	       name, strlen(a), n);
	free(a);
	free(b);
}

/* The BTF of a fixture: raw (.btf) or an object's .BTF. */
static struct bel_btf *file_btf(const char *path, void **data)
{
	const struct bel_elf_sec *sec;
	struct bel_err err = {0};
	struct bel_btf *btf = NULL;
	struct bel_elf *elf;
	size_t size;

	*data = read_file(path, &size);
	ck_assert_msg(*data, "cannot read %s", path);
	if (size < 4 || memcmp(*data, "\177ELF", 4)) {
		ck_assert_msg(!bel_btf_parse(*data, size, NULL, true, &btf, &err), "%s: %s", path, err.msg);
		return btf;
	}
	ck_assert_msg(!bel_elf_open(*data, size, false, &elf, &err), "%s: %s", path, err.msg);
	sec = bel_elf_sec_by_name(elf, ".BTF");
	if (sec && sec->data)
		ck_assert_msg(!bel_btf_parse(sec->data, sec->size, NULL, true, &btf, &err), "%s: %s",
			      path, err.msg);
	bel_elf_free(elf);
	return btf;
}

START_TEST(real_fixtures)
{
	char dir[4096], path[4096 + 256], name[256];
	struct dirent *e;
	unsigned count = 0;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s", fixture_path("x"));
	*strrchr(dir, '/') = '\0';
	dp = opendir(dir);
	ck_assert_msg(dp, "cannot list %s", dir);
	make_tmpdir();
	while ((e = readdir(dp))) {
		size_t len = strlen(e->d_name);
		struct bel_btf *btf;
		void *data;

		if (!(len > 6 && !strcmp(e->d_name + len - 6, ".bpf.o")) &&
		    !(len > 4 && !strcmp(e->d_name + len - 4, ".btf")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(e->d_name, "."), e->d_name);
		btf = file_btf(path, &data);
		if (btf) {
			real_btf(btf, name);
			count++;
		}
		bel_btf_free(btf);
		free(data);
	}
	closedir(dp);
	remove_tree(tmpdir);
	ck_assert_msg(count >= 10, "only %u fixtures with BTF in %s", count, dir);
}
END_TEST

START_TEST(real_vmlinux)
{
	struct bel_err err = {0};
	struct bel_btf *btf;
	size_t size;
	void *data;

	if (access(VMLINUX, R_OK)) {
		const char *ci = getenv("CI");

		ck_assert_msg(!(ci && !strcmp(ci, "true")), "no %s under CI=true", VMLINUX);
		printf("btf_c: no %s: skipped\n", VMLINUX);
		return;
	}
	data = read_all(VMLINUX, &size);
	ck_assert_msg(!bel_btf_parse_kernel(data, size, NULL, &btf, &err), "%s", err.msg);
	make_tmpdir();
	real_btf(btf, "vmlinux");
	remove_tree(tmpdir);
	bel_btf_free(btf);
	free(data);
}
END_TEST

/* BTF files named in BEL_BTF_C_FILES (colon-separated; tests/gen_vmlinux_vm.sh passes other
 * kernels' BTF): each checked as the running kernel's is. */
START_TEST(real_files)
{
	char *list = getenv("BEL_BTF_C_FILES") ? strdup(getenv("BEL_BTF_C_FILES")) : NULL, *save;
	const char *path;
	unsigned i = 0;

	if (!list)
		return;
	make_tmpdir();
	for (path = strtok_r(list, ":", &save); path; path = strtok_r(NULL, ":", &save)) {
		struct bel_btf *btf;
		char name[32];
		void *data;

		btf = file_btf(path, &data);
		ck_assert_msg(btf, "%s: no BTF", path);
		snprintf(name, sizeof(name), "file%u", i++);
		printf("btf_c: %s is %s\n", name, path);
		real_btf(btf, name);
		bel_btf_free(btf);
		free(data);
	}
	remove_tree(tmpdir);
	free(list);
}
END_TEST

/* ---- bel gen skeleton: what an object's names and sizes can do to the generated header ---- */

#ifndef BEL_CLI
#error "BEL_CLI must be defined by the build"
#endif

/* argv run without a shell (names with quotes and newlines pass as they are); stdout and stderr
 * into out. Exit status, or -1. */
static int run_argv(char *const argv[], char *out, size_t size)
{
	int fds[2], status;
	size_t n = 0;
	ssize_t got;
	pid_t pid;

	ck_assert(pipe(fds) == 0);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	while ((got = read(fds[0], out + n, size - 1 - n)) > 0 && n + (size_t)got + 1 < size)
		n += (size_t)got;
	out[n] = '\0';
	close(fds[0]);
	ck_assert(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Every occurrence of marker in buf becomes name, padded with '_' to the marker's length. */
static void rename_marker(uint8_t *buf, size_t size, const char *marker, const char *name)
{
	size_t mlen = strlen(marker), nlen = strlen(name), i, hits = 0;

	ck_assert(nlen <= mlen);
	for (i = 0; i + mlen <= size; i++) {
		if (memcmp(buf + i, marker, mlen))
			continue;
		memcpy(buf + i, name, nlen);
		memset(buf + i + nlen, '_', mlen - nlen);
		hits++;
	}
	ck_assert_msg(hits >= 2, "marker %s found %zu times", marker, hits);
}

/* The string literal that starts right after `after` in text, as the bytes it stands for. */
static char *literal_after(const char *text, const char *after)
{
	const char *p = strstr(text, after);
	char *out, *o;

	ck_assert_msg(p, "no '%s' in the header", after);
	p += strlen(after);
	out = o = malloc(strlen(p) + 1);
	while (*p && *p != '"') {
		ck_assert_msg(*p != '\n', "a raw newline in a literal after '%s'", after);
		if (*p != '\\') {
			*o++ = *p++;
		} else if (p[1] >= '0' && p[1] <= '7') {
			ck_assert(p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7');
			*o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 4;
		} else {
			ck_assert_msg(p[1] == '"' || p[1] == '\\' || p[1] == '?', "escape \\%c", p[1]);
			*o++ = p[1];
			p += 2;
		}
	}
	ck_assert_msg(*p == '"', "unterminated literal after '%s'", after);
	*o = '\0';
	return out;
}

/* Compile `use` (tmpdir/name.c) as ISO C (trigraphs on), GNU C, clang's C and C++; the object
 * must define no symbol with "injected" in its name. */
static void skeleton_compiles(const char *name)
{
	static const char *const cmds[] = {
		BEL_GCC " -x c -std=c11", BEL_GCC " -x c -std=gnu11", BEL_CLANG " -x c -std=gnu11",
		"g++ -x c++ -std=gnu++17",
	};
	static char out[16384];
	char cmd[2048];
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(cmd, sizeof(cmd), "bash -c 'set -o pipefail; cd %s || exit 9; %s -Wall -Wextra "
			 "-Werror -I%s -c %s.c -o %s.o 2>&1 | head -c 16000 || exit 9; nm %s.o | "
			 "grep -i injected && exit 8; exit 0'", tmpdir, cmds[i], BEL_INCLUDE, name, name,
			 name);
		ck_assert_msg(run_capture(cmd, out, sizeof(out)) == 0, "%s:\n%.2000s", cmd, out);
	}
}

/* bel gen vmlinux --btf FILE: a BTF file's names reach the terminal only escaped, even in the
 * message of a dump that fails. */
START_TEST(gen_vmlinux_escapes_names)
{
	static char out[8192];
	char path[300], *argv[6];
	struct bel_btf *btf;
	uint32_t i32;
	size_t size;

	tb_reset();
	i32 = ADD(T_INT_ENC(S("int"), 4, BTF_INT_SIGNED));
	/* members that overlap cannot be written: the message names the struct */
	ADD(T_STRUCT(S("e\x1b]0;owned\x07\x1b[2J"), 2, 8), T_MEMBER(S("i"), i32, 0),
	    T_MEMBER(S("j"), i32, 16));
	btf = tb_btf(false);
	bel_btf_free(btf);
	size = sizeof(struct btf_header) + tb.types.len + tb.strs.len;
	make_tmpdir();
	snprintf(path, sizeof(path), "%s/escape.btf", tmpdir);
	ck_assert(og_write_file(path, tb_blob, size) == 0);
	argv[0] = (char *)BEL_CLI;
	argv[1] = (char *)"gen";
	argv[2] = (char *)"vmlinux";
	argv[3] = (char *)"--btf";
	argv[4] = path;
	argv[5] = NULL;
	ck_assert_int_eq(run_argv(argv, out, sizeof(out)), 1);
	ck_assert_msg(strstr(out, "e\\x1b]0;owned\\x07\\x1b[2J"), "%s", out);
	ck_assert_msg(!strchr(out, '\x1b') && !strchr(out, '\x07'), "raw control bytes: %s", out);
	remove_tree(tmpdir);
}
END_TEST

/*
 * Names no C text can hold as they are, in every place the header quotes one: the source path
 * (a directory "d*" makes "*" "/"), the object's name from the file name (a string literal), a
 * program's name (a comment), a variable's and a section's name (the static assertions' text).
 * Each tries to end what it is in and declare something of its own.
 */
START_TEST(skeleton_hostile_names)
{
	static const char prog[] = "p*/ int bel_injected_prog; /*?\?/\n#error prog\n\xff*/";
	static const char var[] = "v\"); int bel_injected_var; _Static_assert(1, \"\\?\?/\n\xfe";
	static const char sec[] = "s\"?\?/\" \\\n#define bel_injected_sec 1\n\x80\x01";
	/* a file name holds no '/': the path's "d*" directory closes the comment instead */
	static const char obj_name[] = "o\"\\?\?=\n\"; int bel_injected_obj; \\\xc3";
	char path[512], dir[256], header[300], use[300], *text, *lit, *want;
	static char out[8192];
	uint8_t *bytes;
	size_t size;

	make_tmpdir();
	bytes = read_file(fixture_path("skel_names"), &size);
	ck_assert(bytes);
	rename_marker(bytes, size, "prog_marker_pppppppppppppppppppppppppppppppppppppppppppppppppppp",
		      prog);
	rename_marker(bytes, size, "var_marker_vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv",
		      var);
	rename_marker(bytes, size, "sec_marker_ssssssssssssssssssssssssssssssssssssssssssssssss",
		      sec);
	snprintf(dir, sizeof(dir), "%s/d*", tmpdir);
	ck_assert(mkdir(dir, 0700) == 0);
	snprintf(path, sizeof(path), "%s/%s.bpf.o", dir, obj_name);
	ck_assert(og_write_file(path, bytes, size) == 0);
	free(bytes);
	snprintf(header, sizeof(header), "%s/hostile.skel.h", tmpdir);
	ck_assert_msg(run_argv((char *[]){(char *)BEL_CLI, (char *)"gen", (char *)"skeleton", path,
					  (char *)"-o", header, NULL}, out, sizeof(out)) == 0,
		      "gen skeleton: %s", out);
	snprintf(use, sizeof(use), "%s/hostile.c", tmpdir);
	write_text(use, "#include \"hostile.skel.h\"\n");
	skeleton_compiles("hostile");

	/* the literals stand for the very bytes of the object */
	text = read_file(header, &size);
	ck_assert(text);
	text = realloc(text, size + 1);
	text[size] = '\0';
	lit = literal_after(text, "o.name = \"");
	ck_assert_msg(!strcmp(lit, obj_name), "object name '%s'", lit);
	free(lit);
	lit = literal_after(text, "== 8, \"");
	want = malloc(strlen(sec) + strlen(var) + 64);
	sprintf(want, ".data.%s: BTF puts '%s' at 0, 8 bytes", sec, var);
	ck_assert_msg(!strncmp(lit, want, strlen(".data.") + strlen(sec)), "message '%s'", lit);
	ck_assert_msg(strstr(lit, var), "message '%s'", lit);
	free(want);
	free(lit);
	/* no comment quotes a name raw: the one with "*" "/" in it is escaped */
	ck_assert_msg(strstr(text, "'p\\x2a/ int bel_injected_prog; /\\x2a\\x3f\\x3f/\\x0a#error prog"),
		      "program comment");
	ck_assert_msg(strstr(text, "/d\\x2a/o\"\\x5c\\x3f\\x3f=\\x0a\"; int bel_injected_obj; "
			      "\\x5c\\xc3.bpf.o. Do not edit. */"), "source comment");
	free(text);
	remove_tree(tmpdir);
}
END_TEST

/*
 * Names C headers use otherwise (a program `threads` beside <name>__load_threads, a map named
 * like the macro ENOENT) still make a header that compiles; and the struct over a section,
 * which ends at its tail padding past the section (12 bytes of .bss, a 16-byte struct), can be
 * copied whole through the pointer the skeleton gives before load: run under ASan.
 */
START_TEST(skeleton_names_and_sizes)
{
	static const char prog_c[] =
		"#include \"names.skel.h\"\n"
		"#include <stdio.h>\n"
		"int main(void)\n{\n"
		"\tstruct names *s = names__open(NULL);\n"
		"\tstruct names__bss bss;\n\n"
		"\tif (!s)\n\t\treturn 2;\n"
		"\tmemset(&bss, 0x5a, sizeof(bss));\n"
		"\t*s->bss = bss;\n"
		"\tbss = *s->bss;\n"
		"\tif (s->bss->tail_int != 0x5a5a5a5a || !s->maps.ENOENT_ || !s->progs.threads_)\n"
		"\t\treturn 3;\n"
		"\tnames__destroy(s);\n"
		"\tputs(\"ok\");\n\treturn 0;\n}\n";
	char header[300], c[300], cmd[2048];
	static char out[16384];

	make_tmpdir();
	snprintf(header, sizeof(header), "%s/names.skel.h", tmpdir);
	ck_assert_msg(run_argv((char *[]){(char *)BEL_CLI, (char *)"gen", (char *)"skeleton",
					  (char *)fixture_path("skel_names"), (char *)"--name",
					  (char *)"names", (char *)"-o", header, NULL},
			       out, sizeof(out)) == 0, "gen skeleton: %s", out);
	snprintf(c, sizeof(c), "%s/names.c", tmpdir);
	write_text(c, prog_c);
	skeleton_compiles("names");
	snprintf(cmd, sizeof(cmd), "bash -c 'set -o pipefail; cd %s && " BEL_GCC " -g "
		 "-fsanitize=address,undefined -fno-sanitize-recover=all -I%s names.c %s -lelf -lz "
		 "-lpthread -o names 2>&1 | head -c 16000 && ./names 2>&1 | head -c 16000'", tmpdir,
		 BEL_INCLUDE, BEL_LIB);
	ck_assert_msg(run_capture(cmd, out, sizeof(out)) == 0 && strstr(out, "ok"), "%s:\n%.2000s",
		      cmd, out);
	remove_tree(tmpdir);
}
END_TEST

/*
 * Work the generator does for names: an object of 4000 programs whose names differ only in
 * bytes C cannot spell (so all become q___, q____2, ...). Each name costs a lookup, not a scan
 * of those before it per suffix tried (cubic: about 40 s here for 4000).
 */
START_TEST(skeleton_many_names)
{
	const uint32_t n = 4000;
	struct og_obj o;
	char path[300], header[300], name[8];
	static char out[8192];
	struct timespec t0, t1;
	uint32_t text, i;
	size_t size;
	void *img;
	double secs;

	og_obj_init(&o);
	og_sec(&o, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, "GPL", 4);
	text = og_sec(&o, "socket", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, NULL, 0);
	for (i = 0; i < n; i++) {
		static const uint8_t ret0[16] = {0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0};
		size_t at = og_sec_put(&o, text, ret0, sizeof(ret0));

		name[0] = 'q';
		name[1] = (char)(0x80 + i % 64);
		name[2] = (char)(0x80 + i / 64);
		name[3] = '\0';
		og_sym(&o, name, STB_GLOBAL, STT_FUNC, (uint16_t)text, at, sizeof(ret0));
	}
	img = og_image(&o, &size);
	og_obj_free(&o);
	make_tmpdir();
	snprintf(path, sizeof(path), "%s/many.bpf.o", tmpdir);
	snprintf(header, sizeof(header), "%s/many.skel.h", tmpdir);
	ck_assert(og_write_file(path, img, size) == 0);
	free(img);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_msg(run_argv((char *[]){(char *)BEL_CLI, (char *)"gen", (char *)"skeleton", path,
					  (char *)"-o", header, NULL}, out, sizeof(out)) == 0,
		      "gen skeleton: %s", out);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("btf_c: gen skeleton of %u programs named alike in C: %.2f s\n", n, secs);
	ck_assert_msg(secs < 10, "%.1f s for %u names", secs, n);
	snprintf(path, sizeof(path), "%s/many.c", tmpdir);
	write_text(path, "#include \"many.skel.h\"\n");
	skeleton_compiles("many");
	remove_tree(tmpdir);
}
END_TEST

int main(void)
{
	const struct {
		const char *name;
		const TTest *tests[8];
	} cases[] = {
		{"strbuf", {strbuf_basics}},
		{"constructs", {constructs_layout, constructs_anon_members, constructs_enums, constructs_declarators,
				constructs_names, constructs_roots_opts}},
		{"decl", {decl_spellings}},
		{"hostile", {hostile_cycles, hostile_depth, hostile_refs, hostile_layouts,
			     hostile_runaway_text, hostile_same_names}},
		{"real", {real_fixtures, real_vmlinux}},
		{"files", {real_files}},
		{"skeleton", {skeleton_hostile_names, skeleton_names_and_sizes, skeleton_many_names,
			      gen_vmlinux_escapes_names}},
	};
	Suite *s = suite_create("btf_c");
	SRunner *sr;
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TCase *tc = tcase_create(cases[i].name);

		tcase_set_timeout(tc, 300);
		for (j = 0; cases[i].tests[j]; j++)
			tcase_add_test(tc, cases[i].tests[j]);
		suite_add_tcase(s, tc);
	}
	sr = srunner_create(s);
	return run_srunner(sr);
}
