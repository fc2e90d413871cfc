/* SPDX-License-Identifier: MIT */
/*
 * CO-RE unit tests (btf/core.c, reloc/core.c): no kernel, no root.
 *
 *   resolve  bel_core_resolve() for every relocation kind: a hand-written local BTF (the
 *            program's view, with the access strings the tests need) against core_kernel.btf,
 *            a target BTF compiled from tests/progs/core_kernel.c. Moved, nested, anonymous,
 *            array, flexible array, pointer, resized and missing fields; bitfields; flavors;
 *            ambiguous candidates; kind mismatches; enum values (enum64 against a hand-written
 *            target); TYPE_MATCHES, which clang 14 cannot emit, by hand; module targets.
 *   patch    bel_core_patch_insn() on hand-written instructions: ALU imm, LDX/ST/STX offsets
 *            and sizes, ldimm64, poisoning, validation of the original value, ERANGE.
 *   e2e      bel_spec_build() of tests/progs/core_reads.bpf.o (BPF_CORE_READ & co.), then
 *            bel_core_apply() against core_kernel.btf, checking every patched instruction;
 *            core_fail.bpf.o for the failures and their messages.
 *
 * The meaning of each kind follows libbpf's relo_core.c and the kernel's BTF documentation.
 * Expected offsets and sizes come from core_kernel.h through the host compiler's offsetof() and
 * sizeof() (the BPF target lays these types out alike), bitfield positions from the C layout
 * rules written out below. Tests marked "Regression" state what libbpf does where bel once
 * differed.
 */
#include <check.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf.h"
#include "btf/core.h"
#include "core_kernel.h"
#include "reloc/core.h"
#include "reloc/spec.h"
#include "objgen.h"
#include "testutil.h"

#ifndef BEL_CORE_TARGET_BTF
#error "BEL_CORE_TARGET_BTF must be defined by the build"
#endif

#define POISON_IMM 0xbad2310 /* libbpf's "bad relo" helper id */

/* ---- BTF by hand -------------------------------------------------------------------------- */

/* An old-style bitfield integer: BTF_INT_OFFSET != 0, which CO-RE refuses to relocate. */
static uint32_t int_with_offset(struct og_btf *b, const char *name, uint32_t bytes, uint32_t off,
				uint32_t bits)
{
	uint32_t id = og_type(b, name, BTF_KIND_INT, 0, false, bytes);

	og_put_u32(&b->types, off << 16 | bits);
	return id;
}

static struct bel_btf *parse_btf(const struct og_btf *b)
{
	size_t size;
	void *blob = og_btf_blob(b, &size);
	struct bel_btf *btf = NULL;
	struct bel_err err = {0};
	int ret;

	ret = bel_btf_parse(blob, size, NULL, true, &btf, &err);
	free(blob);
	ck_assert_msg(ret == 0, "hand-made BTF does not parse: %s", err.msg);
	return btf;
}

/* ---- the program's view (local BTF) ------------------------------------------------------ */

/* Type ids of the local BTF. */
struct loc {
	uint32_t int_, uint_, ll, ull, ch, uch, shrt, lng;
	uint32_t inner, state, task, task_ptr, arr8, items2, data0, anon_u;
	uint32_t packed, amb, same, only, kind, td, td_ok, absent, anon, modonly;
	uint32_t oldbf, oldbf_int;
	uint32_t m_inner, m_inner_long, m_inner_extra, m_inner_z, m_ptr, m_anon, m_anon_u;
	uint32_t m_enum, m_enum_c, m_enum_8, m_kind;
	uint32_t big, sig, uns, state64;
	uint32_t fu, fwdp, fwd;
};

/* Member indices of the local struct core_task___v1. */
enum {
	T_PID, T_FLAGS, T_PRIO, T_INNER, T_ANON_A, T_ANON_D, T_ARR, T_ITEMS, T_PARENT, T_ST,
	T_KIND_MISMATCH, T_MISSING, T_TAIL_LEN, T_LEAD, T_BF_PAD, T_BF_X, T_BF_Y, T_BF_S, T_BF_WIDE,
	T_ANON_U, T_DATA, T_NMEMBERS,
};

/* Local bit offsets of the bitfields (a kflag struct, so written explicitly). */
#define L_LEAD 1152
#define L_BF_Y 1167
#define L_BF_S 1184
#define L_BF_WIDE 1216

static void build_local(struct og_btf *b, struct loc *L)
{
	og_btf_init(b);
	L->int_ = og_int(b, "int", 4, BTF_INT_SIGNED);
	L->uint_ = og_int(b, "unsigned int", 4, 0);
	L->ll = og_int(b, "long long", 8, BTF_INT_SIGNED);
	L->ull = og_int(b, "unsigned long long", 8, 0);
	L->ch = og_int(b, "char", 1, BTF_INT_SIGNED);
	L->uch = og_int(b, "unsigned char", 1, 0);
	L->shrt = og_int(b, "short", 2, BTF_INT_SIGNED);
	L->lng = og_int(b, "long", 8, BTF_INT_SIGNED);

	L->inner = og_struct(b, "core_inner", 16, 2, 0);
	og_member(b, "a", L->int_, 0);
	og_member(b, "b", L->lng, 64);

	/* the program's enum: other values, an enumerator the kernel lacks, a flavored one */
	L->state = og_enum(b, "core_state", 4, 5, 0);
	og_enumerator(b, "CORE_RUNNING", 0);
	og_enumerator(b, "CORE_SLEEPING", 1);
	og_enumerator(b, "CORE_GONE", 2);
	og_enumerator(b, "CORE_NEW___v2", 3);
	og_enumerator(b, "CORE_RUNNING___x", 4);

	L->arr8 = og_array(b, L->int_, L->int_, 8);
	L->items2 = og_array(b, L->inner, L->int_, 2);
	L->data0 = og_array(b, L->ch, L->int_, 0);
	L->anon_u = og_union(b, NULL, 4, 1);
	og_member(b, "anon_b", L->uint_, 0);

	/* struct core_task___v1: a flavor of the kernel's core_task, laid out differently */
	L->task = og_struct(b, "core_task___v1", 168, T_NMEMBERS, 1);
	L->task_ptr = L->task + 1;
	og_member(b, "pid", L->int_, 0);
	og_member(b, "flags", L->uint_, 32);       /* kernel: unsigned long long */
	og_member(b, "prio", L->int_, 64);         /* kernel: long long */
	og_member(b, "inner", L->inner, 128);
	og_member(b, "anon_a", L->int_, 256);      /* kernel: in an anonymous union */
	og_member(b, "anon_d", L->shrt, 288);      /* kernel: in an anonymous struct */
	og_member(b, "arr", L->arr8, 320);         /* kernel: int[4] */
	og_member(b, "items", L->items2, 576);
	og_member(b, "parent", L->task_ptr, 832);
	og_member(b, "st", L->state, 896);
	og_member(b, "kind_mismatch", L->inner, 960); /* kernel: int */
	og_member(b, "missing", L->int_, 1088);    /* not in the kernel */
	og_member(b, "tail_len", L->int_, 1120);
	og_bitfield(b, "lead", L->uint_, L_LEAD, 7); /* not in the kernel */
	og_bitfield(b, "bf_pad", L->uint_, L_LEAD + 7, 3);
	og_bitfield(b, "bf_x", L->uint_, L_LEAD + 10, 5);
	og_bitfield(b, "bf_y", L->uint_, L_BF_Y, 12);
	og_bitfield(b, "bf_s", L->int_, L_BF_S, 7);
	og_bitfield(b, "bf_wide", L->ull, L_BF_WIDE, 40);
	og_member(b, NULL, L->anon_u, 1280);
	og_member(b, "data", L->data0, 1312);
	ck_assert_uint_eq(og_ptr(b, L->task), L->task_ptr);

	L->packed = og_struct(b, "core_packed", 9, 3, 1);
	og_bitfield(b, "c1", L->uch, 0, 6);
	og_bitfield(b, "c2", L->uch, 6, 4);
	og_bitfield(b, "huge", L->ull, 10, 60);

	L->amb = og_struct(b, "core_amb", 4, 1, 0);
	og_member(b, "x", L->int_, 0);
	L->same = og_struct(b, "core_same", 8, 2, 0);
	og_member(b, "x", L->int_, 0);
	og_member(b, "y", L->int_, 32);
	L->only = og_struct(b, "core_only", 4, 1, 0);
	og_member(b, "v", L->int_, 0);
	L->kind = og_struct(b, "core_kind", 4, 1, 0); /* the kernel's is a union */
	og_member(b, "a", L->int_, 0);
	L->td = og_typedef(b, "core_td", L->int_);     /* the kernel's is a struct */
	L->td_ok = og_typedef(b, "core_td___ok", L->inner);
	L->absent = og_struct(b, "core_absent", 4, 1, 0);
	og_member(b, "x", L->int_, 0);
	L->anon = og_struct(b, NULL, 4, 1, 0);
	og_member(b, "x", L->int_, 0);
	L->modonly = og_struct(b, "core_modonly", 4, 1, 0);
	og_member(b, "m", L->int_, 0);
	/* core_task seen with an old-style bitfield int for pid */
	L->oldbf_int = int_with_offset(b, "int", 4, 2, 8);
	L->oldbf = og_struct(b, "core_task___oldbf", 4, 1, 0);
	og_member(b, "pid", L->oldbf_int, 0);

	/* TYPE_MATCHES material (kernel: core_m_inner {int x}, core_m_ptr {core_m_inner *p; int y},
	 * core_m_anon {struct {long q}; union {int a; int b}}, core_m_enum {A = 1, B = 2}) */
	L->m_inner = og_struct(b, "core_m_inner", 4, 1, 0);
	og_member(b, "x", L->int_, 0);
	L->m_inner_long = og_struct(b, "core_m_inner___long", 8, 1, 0);
	og_member(b, "x", L->lng, 0);
	L->m_inner_extra = og_struct(b, "core_m_inner___extra", 8, 2, 0);
	og_member(b, "x", L->int_, 0);
	og_member(b, "extra", L->int_, 32);
	L->m_inner_z = og_struct(b, "core_m_inner___z", 8, 1, 0);
	og_member(b, "z", L->lng, 0);
	L->m_ptr = og_struct(b, "core_m_ptr", 16, 2, 0);
	og_member(b, "p", L->m_ptr + 1, 0);
	og_member(b, "y", L->int_, 64);
	ck_assert_uint_eq(og_ptr(b, L->m_inner_z), L->m_ptr + 1);
	L->m_anon_u = og_union(b, NULL, 4, 1);
	og_member(b, "a", L->int_, 0);
	L->m_anon = og_struct(b, "core_m_anon", 4, 1, 0);
	og_member(b, NULL, L->m_anon_u, 0);
	L->m_enum = og_enum(b, "core_m_enum", 4, 1, 0);
	og_enumerator(b, "CORE_M_A", 10);
	L->m_enum_c = og_enum(b, "core_m_enum___c", 4, 1, 0);
	og_enumerator(b, "CORE_M_C", 3);
	L->m_enum_8 = og_enum64(b, "core_m_enum___8", 8, 1);
	og_enumerator64(b, "CORE_M_A", 1);
	L->m_kind = og_type(b, "core_kind", BTF_KIND_UNION, 1, 0, 8);
	og_member(b, "a", L->int_, 0);

	/* enum values against the hand-made target (t64) */
	L->big = og_enum(b, "core_big", 4, 2, 0);
	og_enumerator(b, "CORE_SMALL", 1);
	og_enumerator(b, "CORE_BIG", 2);
	L->sig = og_enum(b, "core_sig", 4, 1, 1);
	og_enumerator(b, "CORE_MINUS", 0);
	L->uns = og_enum(b, "core_uns", 4, 1, 0);
	og_enumerator(b, "CORE_HI", 0);
	L->state64 = og_enum64(b, "core_state___64", 8, 1);
	og_enumerator64(b, "CORE_NEW", 1);

	/* forward declarations, for TYPE_MATCHES against the hand-made target (t64) */
	L->fu = og_struct(b, "core_fu", 4, 1, 0);
	og_member(b, "a", L->int_, 0);
	L->fwdp = og_struct(b, "core_fwdp", 8, 1, 0);
	og_member(b, "u", L->fwdp + 1, 0);
	ck_assert_uint_eq(og_ptr(b, L->fu), L->fwdp + 1);
	L->fwd = og_type(b, "core_fwd", BTF_KIND_FWD, 0, 0, 0);
}

/* A hand-made second target: enum64 and signedness, and a "module". */
struct t64 {
	uint32_t big, sig, uns, modonly, same, fwdp, fwd;
};

static struct bel_btf *build_t64(struct t64 *T)
{
	struct og_btf b;
	struct bel_btf *btf;
	uint32_t int_, lng;

	og_btf_init(&b);
	int_ = og_int(&b, "int", 4, BTF_INT_SIGNED);
	lng = og_int(&b, "long", 8, BTF_INT_SIGNED);
	T->big = og_enum64(&b, "core_big", 8, 2);
	og_enumerator64(&b, "CORE_BIG", 0x100000000ull);
	og_enumerator64(&b, "CORE_SMALL", 7);
	T->sig = og_enum(&b, "core_sig", 4, 1, 1);
	og_enumerator(&b, "CORE_MINUS", -2);
	T->uns = og_enum(&b, "core_uns", 4, 1, 0);
	og_enumerator(&b, "CORE_HI", (int32_t)0x80000000u);
	T->modonly = og_struct(&b, "core_modonly", 8, 2, 0);
	og_member(&b, "pad", int_, 0);
	og_member(&b, "m", int_, 32);
	/* core_same with x elsewhere than the kernel's: never looked at when the kernel has one */
	T->same = og_struct(&b, "core_same", 16, 2, 0);
	og_member(&b, "z", lng, 0);
	og_member(&b, "x", int_, 64);
	/* core_fwdp points to a forward-declared union; core_fwd is a forward-declared struct */
	T->fwdp = og_struct(&b, "core_fwdp", 8, 1, 0);
	og_member(&b, "u", T->fwdp + 1, 0);
	ck_assert_uint_eq(og_ptr(&b, T->fwdp + 2), T->fwdp + 1);
	og_type(&b, "core_fu", BTF_KIND_FWD, 0, 1, 0);
	T->fwd = og_type(&b, "core_fwd", BTF_KIND_FWD, 0, 0, 0);
	btf = parse_btf(&b);
	og_btf_free(&b);
	return btf;
}

/* ---- the world: local types, the kernel --------------------------------------------------- */

static struct og_btf local_bb;
static struct loc L;
static struct bel_btf *kernel;
static struct bel_core_target ktarget[1];

static struct bel_btf *load_btf_file(const char *path)
{
	struct bel_btf *btf = NULL;
	struct bel_err err = {0};
	size_t size;
	void *raw = read_file(path, &size);
	int ret;

	ck_assert_msg(raw, "cannot read %s", path);
	ret = bel_btf_parse(raw, size, NULL, true, &btf, &err);
	free(raw);
	ck_assert_msg(ret == 0, "%s: %s", path, err.msg);
	return btf;
}

static void world_setup(void)
{
	build_local(&local_bb, &L);
	kernel = load_btf_file(BEL_CORE_TARGET_BTF);
	ktarget[0].btf = kernel;
	ktarget[0].name = "core_kernel.btf";
}

static void world_teardown(void)
{
	bel_btf_free(kernel);
	kernel = NULL;
	og_btf_free(&local_bb);
}

static uint32_t kernel_id(const char *name, uint32_t kind)
{
	int id = bel_btf_find(kernel, name, kind);

	ck_assert_msg(id > 0, "no %s '%s' in the kernel BTF", bel_btf_kind_name(kind), name);
	return (uint32_t)id;
}

/* Resolve one record on the local BTF, with its access string added to the local strings. */
static int resolve_on(uint32_t type_id, const char *access, uint32_t kind,
		      const struct bel_core_target *targets, int ntargets,
		      struct bel_core_result *res, struct bel_err *err)
{
	struct og_btf b = {.ntypes = local_bb.ntypes};
	struct bel_core_relo relo = {.insn_off = 0, .type_id = type_id, .kind = kind};
	struct bel_btf *local;
	int ret;

	og_put(&b.types, local_bb.types.p, local_bb.types.len);
	og_put(&b.strs, local_bb.strs.p, local_bb.strs.len);
	relo.access_str_off = og_str(&b, access);
	local = parse_btf(&b);
	og_btf_free(&b);
	memset(res, 0x5a, sizeof(*res)); /* every field is the resolver's to set */
	bel_err_clear(err);
	ret = bel_core_resolve(local, &relo, targets, ntargets, res, err);
	bel_btf_free(local);
	return ret;
}

static int resolve(uint32_t type_id, const char *access, uint32_t kind,
		   struct bel_core_result *res, struct bel_err *err)
{
	return resolve_on(type_id, access, kind, ktarget, 1, res, err);
}

/* Resolve and require success; returns the result. */
static struct bel_core_result ok(uint32_t type_id, const char *access, uint32_t kind)
{
	struct bel_core_result res;
	struct bel_err err = {0};
	int ret = resolve(type_id, access, kind, &res, &err);

	ck_assert_msg(ret == 0, "%s on [%u] '%s': %d %s", bel_core_kind_name(kind), type_id, access,
		      ret, err.msg);
	return res;
}

/* A value, not a poisoned instruction. */
static void expect_val(uint32_t type_id, const char *access, uint32_t kind, uint64_t want)
{
	struct bel_core_result res = ok(type_id, access, kind);

	ck_assert_msg(!res.poison, "%s of %s: poisoned, want %llu", bel_core_kind_name(kind), res.what,
		      (unsigned long long)want);
	ck_assert_msg(res.new_val == want, "%s of %s: %llu, want %llu", bel_core_kind_name(kind),
		      res.what, (unsigned long long)res.new_val, (unsigned long long)want);
}

static void expect_poison(uint32_t type_id, const char *access, uint32_t kind)
{
	struct bel_core_result res = ok(type_id, access, kind);

	ck_assert_msg(res.poison, "%s of %s: %llu, want a poisoned instruction",
		      bel_core_kind_name(kind), res.what, (unsigned long long)res.new_val);
}

static void expect_fail(uint32_t type_id, const char *access, uint32_t kind, int code,
			const char *needle)
{
	struct bel_core_result res;
	struct bel_err err = {0};
	int ret = resolve(type_id, access, kind, &res, &err);

	ck_assert_msg(ret == code, "%s on [%u] '%s': %d (%s), want %d", bel_core_kind_name(kind),
		      type_id, access, ret, err.msg, code);
	ck_assert_msg(strstr(err.msg, needle), "message '%s' lacks '%s'", err.msg, needle);
}

/* Fill the stack below us with a pattern, so that a value the code under test leaves
 * uninitialized shows up as that pattern rather than as a lucky zero. */
static void __attribute__((noinline)) scribble_stack(int byte)
{
	char buf[32768];

	memset(buf, byte, sizeof(buf));
	__asm__ volatile("" : : "r"(buf) : "memory");
}

#define OFF(member) ((uint64_t)offsetof(struct core_task, member))
/* The kernel's bitfields: after `st` (4 bytes) the unsigned int unit at BF_UNIT holds bf_pad
 * (bits 0..2), bf_x (3..7), bf_y (8..19) and the int bf_s (20..26), all in one 4-byte unit;
 * bf_wide (40 bits) does not fit in the 8-byte unit that holds the others, so it starts the
 * next one, at byte BF_UNIT + 4. */
#define BF_UNIT (OFF(st) + 4)
#define K_BF_PAD (BF_UNIT * 8)
#define K_BF_X (K_BF_PAD + 3)
#define K_BF_Y (K_BF_PAD + 8)
#define K_BF_S (K_BF_PAD + 20)
#define K_BF_WIDE ((BF_UNIT + 4) * 8)

static char access_buf[64];

/* "0:<member>[:<more>...]" */
static const char *acc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *acc(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(access_buf, sizeof(access_buf), fmt, ap);
	va_end(ap);
	return access_buf;
}

/* ---- resolve: fields ----------------------------------------------------------------------- */

/* The compiled kernel is what core_kernel.h says (a check of the fixture, not of bel). */
START_TEST(kernel_fixture)
{
	const struct btf_type *t = bel_btf_type(kernel, kernel_id("core_task", BTF_KIND_STRUCT));

	ck_assert_uint_eq(t->size, sizeof(struct core_task));
	ck_assert_uint_eq(btf_member_bit_offset(t, &btf_members(t)[12]), K_BF_PAD);
	ck_assert_uint_eq(btf_member_bit_offset(t, &btf_members(t)[14]), K_BF_Y);
	ck_assert_uint_eq(btf_member_bit_offset(t, &btf_members(t)[15]), K_BF_S);
	ck_assert_uint_eq(btf_member_bit_offset(t, &btf_members(t)[16]), K_BF_WIDE);
	ck_assert_int_gt(bel_btf_find(kernel, "core_amb___x", BTF_KIND_STRUCT), 0);
	ck_assert_int_lt(bel_btf_find(kernel, "core_absent", BTF_KIND_STRUCT), 0);
}
END_TEST

START_TEST(field_moved)
{
	struct bel_core_result res = ok(L.task, acc("0:%d", T_PID), BEL_CORE_FIELD_BYTE_OFFSET);

	ck_assert(!res.poison);
	ck_assert_uint_eq(res.orig_val, 0);          /* local: first member */
	ck_assert_uint_eq(res.new_val, OFF(pid));
	ck_assert_uint_eq(res.orig_sz, 4);
	ck_assert_uint_eq(res.new_sz, 4);
	ck_assert(res.validate);
	ck_assert(!res.fail_memsz_adjust);
	ck_assert_int_eq(res.target, 0);
	ck_assert_uint_eq(res.target_type_id, kernel_id("core_task", BTF_KIND_STRUCT));
	ck_assert_str_eq(res.what, "struct core_task___v1.pid (access 0:0)");
	expect_val(L.task, acc("0:%d", T_PID), BEL_CORE_FIELD_BYTE_SIZE, 4);
	expect_val(L.task, acc("0:%d", T_PID), BEL_CORE_FIELD_EXISTS, 1);
	expect_val(L.task, acc("0:%d", T_PID), BEL_CORE_FIELD_SIGNED, 1);
	expect_val(L.task, acc("0:%d", T_TAIL_LEN), BEL_CORE_FIELD_BYTE_OFFSET, OFF(tail_len));
	/* a non-bitfield is a whole-bytes load: shifts of a full-width value */
	expect_val(L.task, acc("0:%d", T_PID), BEL_CORE_FIELD_LSHIFT_U64, 32);
	expect_val(L.task, acc("0:%d", T_PID), BEL_CORE_FIELD_RSHIFT_U64, 32);
	expect_val(L.task, acc("0:%d", T_FLAGS), BEL_CORE_FIELD_LSHIFT_U64, 0);
	expect_val(L.task, acc("0:%d", T_FLAGS), BEL_CORE_FIELD_RSHIFT_U64, 0);
}
END_TEST

/* Element n of the root pointer: &t[1].pid. */
START_TEST(field_root_index)
{
	expect_val(L.task, acc("1:%d", T_PID), BEL_CORE_FIELD_BYTE_OFFSET,
		   sizeof(struct core_task) + OFF(pid));
	/* "0" alone: the whole struct, as an array element */
	expect_val(L.task, "0", BEL_CORE_FIELD_BYTE_OFFSET, 0);
	expect_val(L.task, "0", BEL_CORE_FIELD_BYTE_SIZE, sizeof(struct core_task));
	expect_val(L.task, "2", BEL_CORE_FIELD_BYTE_OFFSET, 2 * sizeof(struct core_task));
}
END_TEST

START_TEST(field_nested)
{
	struct bel_core_result res = ok(L.task, acc("0:%d:1", T_INNER), BEL_CORE_FIELD_BYTE_OFFSET);

	ck_assert_uint_eq(res.orig_val, 16 + 8);
	ck_assert_uint_eq(res.new_val, OFF(inner) + offsetof(struct core_inner, b));
	ck_assert_str_eq(res.what, "struct core_task___v1.inner.b (access 0:3:1)");
	expect_val(L.task, acc("0:%d", T_INNER), BEL_CORE_FIELD_BYTE_OFFSET, OFF(inner));
	expect_val(L.task, acc("0:%d", T_INNER), BEL_CORE_FIELD_BYTE_SIZE, sizeof(struct core_inner));
	expect_val(L.task, acc("0:%d:0", T_INNER), BEL_CORE_FIELD_BYTE_SIZE, 4);
}
END_TEST

/* Plain members locally, inside anonymous unions/structs in the kernel; and the other way. */
START_TEST(field_anonymous_in_target)
{
	expect_val(L.task, acc("0:%d", T_ANON_A), BEL_CORE_FIELD_BYTE_OFFSET, OFF(anon_a));
	expect_val(L.task, acc("0:%d", T_ANON_D), BEL_CORE_FIELD_BYTE_OFFSET, OFF(anon_d));
	expect_val(L.task, acc("0:%d", T_ANON_D), BEL_CORE_FIELD_BYTE_SIZE, 2);
	expect_val(L.task, acc("0:%d", T_ANON_A), BEL_CORE_FIELD_EXISTS, 1);
	/* anonymous locally too: the access string goes through the anonymous union */
	expect_val(L.task, acc("0:%d:0", T_ANON_U), BEL_CORE_FIELD_BYTE_OFFSET, OFF(anon_b));
	expect_val(L.task, acc("0:%d:0", T_ANON_U), BEL_CORE_FIELD_SIGNED, 0);
}
END_TEST

START_TEST(field_array)
{
	struct bel_core_result res;

	/* element access */
	res = ok(L.task, acc("0:%d:2", T_ARR), BEL_CORE_FIELD_BYTE_OFFSET);
	ck_assert_uint_eq(res.orig_val, 40 + 8);
	ck_assert_uint_eq(res.new_val, OFF(arr) + 2 * sizeof(int));
	ck_assert_uint_eq(res.new_sz, 4);
	ck_assert(res.validate);
	ck_assert_str_eq(res.what, "struct core_task___v1.arr[2] (access 0:6:2)");
	expect_val(L.task, acc("0:%d:3", T_ARR), BEL_CORE_FIELD_BYTE_OFFSET, OFF(arr) + 12);
	expect_val(L.task, acc("0:%d:2", T_ARR), BEL_CORE_FIELD_BYTE_SIZE, 4);
	expect_val(L.task, acc("0:%d:2", T_ARR), BEL_CORE_FIELD_EXISTS, 1);
	/* the whole array: the kernel's is smaller */
	expect_val(L.task, acc("0:%d", T_ARR), BEL_CORE_FIELD_BYTE_OFFSET, OFF(arr));
	expect_val(L.task, acc("0:%d", T_ARR), BEL_CORE_FIELD_BYTE_SIZE,
		   sizeof(((struct core_task *)0)->arr));
	/* an index the local array has and the kernel's does not: no match */
	res = ok(L.task, acc("0:%d:6", T_ARR), BEL_CORE_FIELD_BYTE_OFFSET);
	ck_assert(res.poison);
	ck_assert_uint_eq(res.candidates, 1);
	expect_val(L.task, acc("0:%d:6", T_ARR), BEL_CORE_FIELD_EXISTS, 0);
	/* arrays of structs */
	expect_val(L.task, acc("0:%d:1:1", T_ITEMS), BEL_CORE_FIELD_BYTE_OFFSET,
		   OFF(items) + sizeof(struct core_inner) + offsetof(struct core_inner, b));
	expect_val(L.task, acc("0:%d:1", T_ITEMS), BEL_CORE_FIELD_BYTE_SIZE, sizeof(struct core_inner));
	/* beyond the local array: a bad access string, not a missing field */
	expect_fail(L.task, acc("0:%d:8", T_ARR), BEL_CORE_FIELD_BYTE_OFFSET, -EINVAL, "index 8");
}
END_TEST

/* Bit shifts and signedness make no sense for an array element: an error, as in libbpf. */
START_TEST(field_array_element_kinds)
{
	expect_fail(L.task, acc("0:%d:2", T_ARR), BEL_CORE_FIELD_LSHIFT_U64, -EINVAL, "lshift_u64");
	expect_fail(L.task, acc("0:%d:2", T_ARR), BEL_CORE_FIELD_RSHIFT_U64, -EINVAL, "rshift_u64");
	expect_fail(L.task, acc("0:%d:2", T_ARR), BEL_CORE_FIELD_SIGNED, -EINVAL, "signed");
}
END_TEST

/* A zero-length array as the last member: any index, locally and in the kernel. */
START_TEST(field_flexible_array)
{
	struct bel_core_result res = ok(L.task, acc("0:%d:100", T_DATA), BEL_CORE_FIELD_BYTE_OFFSET);

	ck_assert_uint_eq(res.orig_val, 164 + 100);
	ck_assert_uint_eq(res.new_val, OFF(data) + 100);
	ck_assert_uint_eq(res.new_sz, 1);
	expect_val(L.task, acc("0:%d:0", T_DATA), BEL_CORE_FIELD_BYTE_OFFSET, OFF(data));
	expect_val(L.task, acc("0:%d:7", T_DATA), BEL_CORE_FIELD_BYTE_SIZE, 1);
	expect_val(L.task, acc("0:%d", T_DATA), BEL_CORE_FIELD_BYTE_SIZE, 0);
}
END_TEST

START_TEST(field_pointer)
{
	struct bel_core_result res = ok(L.task, acc("0:%d", T_PARENT), BEL_CORE_FIELD_BYTE_OFFSET);

	ck_assert_uint_eq(res.new_val, OFF(parent));
	ck_assert_uint_eq(res.orig_sz, 8);
	ck_assert_uint_eq(res.new_sz, 8);
	ck_assert(!res.fail_memsz_adjust);
	expect_val(L.task, acc("0:%d", T_PARENT), BEL_CORE_FIELD_BYTE_SIZE, 8);
	expect_val(L.task, acc("0:%d", T_PARENT), BEL_CORE_FIELD_SIGNED, 0);
	/* an enum field */
	expect_val(L.task, acc("0:%d", T_ST), BEL_CORE_FIELD_BYTE_OFFSET, OFF(st));
	expect_val(L.task, acc("0:%d", T_ST), BEL_CORE_FIELD_SIGNED, 0);
}
END_TEST

/* u32 locally, u64 in the kernel: unsigned, so the load may widen. */
START_TEST(field_size_unsigned)
{
	struct bel_core_result res = ok(L.task, acc("0:%d", T_FLAGS), BEL_CORE_FIELD_BYTE_OFFSET);

	ck_assert(!res.poison);
	ck_assert_uint_eq(res.orig_val, 4);
	ck_assert_uint_eq(res.new_val, OFF(flags));
	ck_assert_uint_eq(res.orig_sz, 4);
	ck_assert_uint_eq(res.new_sz, 8);
	ck_assert(!res.fail_memsz_adjust);
	expect_val(L.task, acc("0:%d", T_FLAGS), BEL_CORE_FIELD_BYTE_SIZE, 8);
	expect_val(L.task, acc("0:%d", T_FLAGS), BEL_CORE_FIELD_SIGNED, 0);
}
END_TEST

/* int locally, long long in the kernel: a load cannot follow a signed size change. */
START_TEST(field_size_signed)
{
	struct bel_core_result res = ok(L.task, acc("0:%d", T_PRIO), BEL_CORE_FIELD_BYTE_OFFSET);

	ck_assert(!res.poison);  /* only loads and stores are poisoned, when patched */
	ck_assert_uint_eq(res.new_val, OFF(prio));
	ck_assert_uint_eq(res.orig_sz, 4);
	ck_assert_uint_eq(res.new_sz, 8);
	ck_assert(res.fail_memsz_adjust);
	expect_val(L.task, acc("0:%d", T_PRIO), BEL_CORE_FIELD_BYTE_SIZE, 8);
	expect_val(L.task, acc("0:%d", T_PRIO), BEL_CORE_FIELD_SIGNED, 1);
}
END_TEST

START_TEST(field_missing)
{
	struct bel_core_result res = ok(L.task, acc("0:%d", T_MISSING), BEL_CORE_FIELD_BYTE_OFFSET);

	ck_assert(res.poison);
	ck_assert_int_eq(res.target, -1);
	ck_assert_uint_eq(res.candidates, 1);
	ck_assert_uint_eq(res.matched, 0);
	ck_assert_str_eq(res.what, "struct core_task___v1.missing (access 0:11)");
	expect_val(L.task, acc("0:%d", T_MISSING), BEL_CORE_FIELD_EXISTS, 0);
	expect_poison(L.task, acc("0:%d", T_MISSING), BEL_CORE_FIELD_BYTE_SIZE);
	expect_poison(L.task, acc("0:%d", T_MISSING), BEL_CORE_FIELD_SIGNED);
	expect_poison(L.task, acc("0:%d", T_MISSING), BEL_CORE_FIELD_LSHIFT_U64);
	expect_poison(L.task, acc("0:%d", T_MISSING), BEL_CORE_FIELD_RSHIFT_U64);
	/* a missing bitfield */
	expect_val(L.task, acc("0:%d", T_LEAD), BEL_CORE_FIELD_EXISTS, 0);
	expect_poison(L.task, acc("0:%d", T_LEAD), BEL_CORE_FIELD_BYTE_OFFSET);
}
END_TEST

/* A missing field: FIELD_EXISTS is 0, and the instruction must hold the local value (1), which
 * libbpf checks (bpf_core_calc_relo() starts from validate = true, and FIELD_EXISTS never turns
 * it off). */
START_TEST(field_exists_validates)
{
	struct bel_core_result res = ok(L.task, acc("0:%d", T_MISSING), BEL_CORE_FIELD_EXISTS);

	ck_assert_uint_eq(res.orig_val, 1);
	ck_assert_uint_eq(res.new_val, 0);
	/* (bel once left validate unset for FIELD_EXISTS: false here, uninitialized when a
	 * candidate matched) */
	ck_assert_msg(res.validate, "FIELD_EXISTS result does not validate the instruction");
}
END_TEST

/* The same through the patch step, with a candidate that matches and a stack full of zeros
 * (what an uninitialized bool would read as): libbpf refuses the instruction with "unexpected
 * insn #N (ALU/ALU64) value: got 5, exp 1 -> 1". */
START_TEST(field_exists_validates_matched)
{
	struct bel_core_result res;
	struct bel_core_applied a = {0};
	struct bel_err err = {0};
	struct bpf_insn insn = {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 1, .imm = 5};
	int ret;

	scribble_stack(0);
	ret = resolve(L.task, acc("0:%d", T_PID), BEL_CORE_FIELD_EXISTS, &res, &err);
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(res.new_val, 1);
	a.res = res;
	ret = bel_core_patch_insn(&insn, 1, 0, &a, &err);
	ck_assert_msg(ret == -EINVAL, "imm 5 patched to %d for a FIELD_EXISTS whose local value "
		      "is 1", insn.imm);
	ck_assert_msg(strstr(err.msg, "insn 0 holds 5, expected 1"), "%s", err.msg);
}
END_TEST

/* A member of the right name but of another kind (struct locally, int in the kernel), an
 * old-style bitfield int: not a match, so as if missing. */
START_TEST(field_kind_mismatch)
{
	struct bel_core_result res = ok(L.task, acc("0:%d", T_KIND_MISMATCH), BEL_CORE_FIELD_BYTE_OFFSET);

	ck_assert(res.poison);
	ck_assert_uint_eq(res.candidates, 1);
	ck_assert_uint_eq(res.matched, 0);
	expect_val(L.task, acc("0:%d", T_KIND_MISMATCH), BEL_CORE_FIELD_EXISTS, 0);
	expect_val(L.oldbf, "0:0", BEL_CORE_FIELD_EXISTS, 0);
	expect_poison(L.oldbf, "0:0", BEL_CORE_FIELD_BYTE_OFFSET);
}
END_TEST

/* The kernel's bitfields are elsewhere than the local ones. Values per libbpf's
 * bpf_core_calc_field_relo(): the smallest load of the member's type size (doubled as needed)
 * that covers the field, aligned to that size; lshift = 64 - (end bit within the load), rshift
 * = 64 - bits. Only SIGNED and RSHIFT are validated against the instruction. */
START_TEST(field_bitfield)
{
	struct bel_core_result res;

	res = ok(L.task, acc("0:%d", T_BF_Y), BEL_CORE_FIELD_BYTE_OFFSET);
	ck_assert_uint_eq(res.orig_val, L_BF_Y / 8 / 4 * 4);
	ck_assert_uint_eq(res.new_val, BF_UNIT);
	ck_assert(!res.validate);
	ck_assert_uint_eq(res.orig_sz, 0); /* a bitfield's load size is never adjusted */
	ck_assert_uint_eq(res.new_sz, 0);
	expect_val(L.task, acc("0:%d", T_BF_Y), BEL_CORE_FIELD_BYTE_SIZE, 4);
	res = ok(L.task, acc("0:%d", T_BF_Y), BEL_CORE_FIELD_LSHIFT_U64);
	ck_assert_uint_eq(res.orig_val, 64 - (L_BF_Y + 12 - L_BF_Y / 32 * 32));
	ck_assert_uint_eq(res.new_val, 64 - (K_BF_Y + 12 - BF_UNIT * 8));
	ck_assert(!res.validate);
	res = ok(L.task, acc("0:%d", T_BF_Y), BEL_CORE_FIELD_RSHIFT_U64);
	ck_assert_uint_eq(res.orig_val, 64 - 12);
	ck_assert_uint_eq(res.new_val, 64 - 12);
	ck_assert(res.validate);
	res = ok(L.task, acc("0:%d", T_BF_Y), BEL_CORE_FIELD_SIGNED);
	ck_assert_uint_eq(res.new_val, 0);
	ck_assert(res.validate);
	expect_val(L.task, acc("0:%d", T_BF_Y), BEL_CORE_FIELD_EXISTS, 1);

	expect_val(L.task, acc("0:%d", T_BF_PAD), BEL_CORE_FIELD_BYTE_OFFSET, BF_UNIT);
	expect_val(L.task, acc("0:%d", T_BF_PAD), BEL_CORE_FIELD_LSHIFT_U64, 64 - 3);
	expect_val(L.task, acc("0:%d", T_BF_PAD), BEL_CORE_FIELD_RSHIFT_U64, 64 - 3);
	expect_val(L.task, acc("0:%d", T_BF_X), BEL_CORE_FIELD_LSHIFT_U64, 64 - (3 + 5));
	expect_val(L.task, acc("0:%d", T_BF_X), BEL_CORE_FIELD_RSHIFT_U64, 64 - 5);

	/* signed bitfield */
	expect_val(L.task, acc("0:%d", T_BF_S), BEL_CORE_FIELD_BYTE_OFFSET, BF_UNIT);
	expect_val(L.task, acc("0:%d", T_BF_S), BEL_CORE_FIELD_BYTE_SIZE, 4);
	expect_val(L.task, acc("0:%d", T_BF_S), BEL_CORE_FIELD_LSHIFT_U64, 64 - (K_BF_S + 7 - K_BF_PAD));
	expect_val(L.task, acc("0:%d", T_BF_S), BEL_CORE_FIELD_RSHIFT_U64, 64 - 7);
	expect_val(L.task, acc("0:%d", T_BF_S), BEL_CORE_FIELD_SIGNED, 1);

	/* a 40-bit field of an 8-byte type */
	expect_val(L.task, acc("0:%d", T_BF_WIDE), BEL_CORE_FIELD_BYTE_OFFSET, K_BF_WIDE / 8);
	expect_val(L.task, acc("0:%d", T_BF_WIDE), BEL_CORE_FIELD_BYTE_SIZE, 8);
	expect_val(L.task, acc("0:%d", T_BF_WIDE), BEL_CORE_FIELD_LSHIFT_U64, 64 - 40);
	expect_val(L.task, acc("0:%d", T_BF_WIDE), BEL_CORE_FIELD_RSHIFT_U64, 64 - 40);
}
END_TEST

/* A bitfield straddling its type's size needs a wider load; one no 8-byte load covers fails. */
START_TEST(field_bitfield_straddling)
{
	/* c2: bits 6..9 of an unsigned char: a 2-byte load at 0 */
	expect_val(L.packed, "0:1", BEL_CORE_FIELD_BYTE_OFFSET, 0);
	expect_val(L.packed, "0:1", BEL_CORE_FIELD_BYTE_SIZE, 2);
	expect_val(L.packed, "0:1", BEL_CORE_FIELD_LSHIFT_U64, 64 - 10);
	expect_val(L.packed, "0:1", BEL_CORE_FIELD_RSHIFT_U64, 64 - 4);
	expect_val(L.packed, "0:0", BEL_CORE_FIELD_BYTE_SIZE, 1);
	expect_val(L.packed, "0:0", BEL_CORE_FIELD_LSHIFT_U64, 64 - 6);
	/* huge: bits 10..69: libbpf fails with -E2BIG ("can't be satisfied for bitfield") */
	expect_fail(L.packed, "0:2", BEL_CORE_FIELD_BYTE_OFFSET, -E2BIG, "core_packed.huge");
	/* existence needs no load */
	expect_val(L.packed, "0:2", BEL_CORE_FIELD_EXISTS, 1);
}
END_TEST

/* ---- resolve: flavors, candidates, ambiguity ----------------------------------------------- */

START_TEST(flavor_names)
{
	ck_assert_uint_eq(bel_core_essential_len("task___v1"), 4);
	ck_assert_uint_eq(bel_core_essential_len("task"), 4);
	ck_assert_uint_eq(bel_core_essential_len("a___b___c"), 5);  /* the last separator */
	ck_assert_uint_eq(bel_core_essential_len("a____b"), 6);     /* four underscores: none */
	ck_assert_uint_eq(bel_core_essential_len("___a"), 4);       /* nothing before it */
	ck_assert_uint_eq(bel_core_essential_len("abc___"), 6);     /* nothing after it */
	ck_assert_uint_eq(bel_core_essential_len("x___y"), 1);
	ck_assert_uint_eq(bel_core_essential_len(""), 0);
}
END_TEST

/* local core_task___v1 matches the kernel's core_task; local core_only matches the kernel's
 * core_only___a and core_only___b, which agree. */
START_TEST(flavor_match)
{
	struct bel_core_result res = ok(L.task, acc("0:%d", T_PID), BEL_CORE_FIELD_EXISTS);

	ck_assert_uint_eq(res.new_val, 1);
	ck_assert_uint_eq(res.target_type_id, kernel_id("core_task", BTF_KIND_STRUCT));
	res = ok(L.only, "0:0", BEL_CORE_FIELD_BYTE_OFFSET);
	ck_assert_uint_eq(res.new_val, 0);
	ck_assert_uint_eq(res.candidates, 2);
	ck_assert_uint_eq(res.target_type_id, kernel_id("core_only___a", BTF_KIND_STRUCT));
	expect_val(L.only, "0", BEL_CORE_FIELD_BYTE_SIZE, 4);
	expect_val(L.only, "0", BEL_CORE_TYPE_SIZE, 4);
	expect_val(L.only, "0", BEL_CORE_TYPE_EXISTS, 1);
	/* enumerators have flavors too: CORE_NEW___v2 is the kernel's CORE_NEW */
	expect_val(L.state, "3", BEL_CORE_ENUMVAL_VALUE, CORE_NEW);
	/* typedefs: core_td___ok is the kernel's core_td */
	expect_val(L.td_ok, "0", BEL_CORE_TYPE_EXISTS, 1);
	expect_val(L.td_ok, "0", BEL_CORE_TYPE_SIZE, sizeof(core_td));
}
END_TEST

/* res.matched counts the candidates that matched (bel once copied it from an uninitialized
 * per-candidate result: a stack full of a pattern shows that). */
START_TEST(candidates_matched_count)
{
	struct bel_core_result res;
	struct bel_err err = {0};

	scribble_stack(0xa5);
	ck_assert_int_eq(resolve(L.task, acc("0:%d", T_PID), BEL_CORE_FIELD_BYTE_OFFSET, &res, &err), 0);
	ck_assert_msg(res.matched == 1, "matched = %u with one matching candidate", res.matched);
	scribble_stack(0xa5);
	ck_assert_int_eq(resolve(L.only, "0:0", BEL_CORE_FIELD_BYTE_OFFSET, &res, &err), 0);
	ck_assert_msg(res.matched == 2, "matched = %u with two matching candidates", res.matched);
}
END_TEST

START_TEST(ambiguous_offsets)
{
	struct bel_core_result res;
	struct bel_err err = {0};
	int ret = resolve(L.amb, "0:0", BEL_CORE_FIELD_BYTE_OFFSET, &res, &err);

	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_msg(strstr(err.msg, "ambiguous"), "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "struct core_amb.x"), "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "bit 0 and 32") || strstr(err.msg, "bit 32 and 0"), "%s", err.msg);
	/* every field kind compares offsets first, as libbpf does */
	expect_fail(L.amb, "0:0", BEL_CORE_FIELD_EXISTS, -EINVAL, "ambiguous");
	expect_fail(L.amb, "0:0", BEL_CORE_FIELD_BYTE_SIZE, -EINVAL, "ambiguous");
	/* type kinds agree: both exist, same size */
	expect_val(L.amb, "0", BEL_CORE_TYPE_EXISTS, 1);
	expect_val(L.amb, "0", BEL_CORE_TYPE_SIZE, 8);
}
END_TEST

/* core_same and core_same___v2 agree on x; y is at the same offset with another size. */
START_TEST(ambiguous_agreeing)
{
	struct bel_core_result res = ok(L.same, "0:0", BEL_CORE_FIELD_BYTE_OFFSET);

	ck_assert_uint_eq(res.new_val, 0);
	ck_assert_uint_eq(res.candidates, 2);
	ck_assert_uint_eq(res.target_type_id, kernel_id("core_same", BTF_KIND_STRUCT));
	expect_val(L.same, "0:0", BEL_CORE_FIELD_BYTE_SIZE, 4);
	expect_val(L.same, "0:1", BEL_CORE_FIELD_BYTE_OFFSET, 4);
	expect_fail(L.same, "0:1", BEL_CORE_FIELD_BYTE_SIZE, -EINVAL, "ambiguous");
	expect_val(L.same, "0:1", BEL_CORE_FIELD_SIGNED, 1); /* int and (signed) char agree */
	expect_fail(L.same, "0", BEL_CORE_TYPE_SIZE, -EINVAL, "ambiguous");
	expect_val(L.same, "0", BEL_CORE_TYPE_EXISTS, 1);
}
END_TEST

/* The name index finds the same candidates as the scan, flavors included. */
START_TEST(candidates_indexed)
{
	struct bel_err err = {0};
	struct bel_core_result res;

	ck_assert_int_eq(bel_btf_index_names(kernel, &err), 0);
	ck_assert_int_eq(bel_btf_index_names(kernel, &err), 0); /* idempotent */
	expect_val(L.task, acc("0:%d", T_PID), BEL_CORE_FIELD_BYTE_OFFSET, OFF(pid));
	res = ok(L.only, "0:0", BEL_CORE_FIELD_BYTE_OFFSET);
	ck_assert_uint_eq(res.candidates, 2);
	expect_fail(L.amb, "0:0", BEL_CORE_FIELD_BYTE_OFFSET, -EINVAL, "ambiguous");
	expect_val(L.absent, "0", BEL_CORE_TYPE_EXISTS, 0);
	expect_val(L.state, "1", BEL_CORE_ENUMVAL_VALUE, CORE_SLEEPING);
}
END_TEST

/* The loader parses kernel BTF with bel_btf_parse_kernel(), which indexes names as it goes:
 * the same answers; and an index over enum64 finds it for a 32-bit local enum. */
START_TEST(candidates_kernel_parse)
{
	struct bel_core_target targets[1];
	struct bel_btf *kbtf = NULL, *t64;
	struct bel_core_result res;
	struct bel_err err = {0};
	struct t64 T;
	size_t size;
	void *raw = read_file(BEL_CORE_TARGET_BTF, &size);

	ck_assert_ptr_nonnull(raw);
	ck_assert_msg(bel_btf_parse_kernel(raw, size, NULL, &kbtf, &err) == 0, "%s", err.msg);
	targets[0].btf = kbtf;
	targets[0].name = "vmlinux";
	ck_assert_int_eq(resolve_on(L.task, acc("0:%d", T_ANON_D), BEL_CORE_FIELD_BYTE_OFFSET,
				    targets, 1, &res, &err), 0);
	ck_assert_uint_eq(res.new_val, OFF(anon_d));
	ck_assert_int_eq(resolve_on(L.only, "0:0", BEL_CORE_FIELD_BYTE_OFFSET, targets, 1, &res,
				    &err), 0);
	ck_assert_uint_eq(res.candidates, 2);
	ck_assert_uint_eq(res.matched, 2);
	ck_assert_uint_eq(res.target_type_id, kernel_id("core_only___a", BTF_KIND_STRUCT));
	ck_assert_int_eq(resolve_on(L.amb, "0:0", BEL_CORE_FIELD_BYTE_OFFSET, targets, 1, &res,
				    &err), -EINVAL);
	ck_assert_int_eq(resolve_on(L.td_ok, "0", BEL_CORE_TYPE_SIZE, targets, 1, &res, &err), 0);
	ck_assert_uint_eq(res.new_val, sizeof(core_td));
	ck_assert_int_eq(resolve_on(L.state, "3", BEL_CORE_ENUMVAL_VALUE, targets, 1, &res, &err), 0);
	ck_assert_uint_eq(res.new_val, CORE_NEW);
	ck_assert_int_eq(resolve_on(L.kind, "0", BEL_CORE_TYPE_EXISTS, targets, 1, &res, &err), 0);
	ck_assert_uint_eq(res.new_val, 0);
	bel_btf_free(kbtf);
	free(raw);

	t64 = build_t64(&T);
	ck_assert_int_eq(bel_btf_index_names(t64, &err), 0);
	targets[0].btf = t64;
	ck_assert_int_eq(resolve_on(L.big, "1", BEL_CORE_ENUMVAL_VALUE, targets, 1, &res, &err), 0);
	ck_assert_uint_eq(res.new_val, 0x100000000ull);
	bel_btf_free(t64);
}
END_TEST

/* Modules are searched only when vmlinux has no candidate. */
START_TEST(candidates_modules)
{
	struct t64 T;
	struct bel_btf *mod = build_t64(&T);
	struct bel_core_target targets[2] = {{kernel, "vmlinux"}, {mod, "mod"}};
	struct bel_core_result res;
	struct bel_err err = {0};

	ck_assert_int_eq(resolve_on(L.modonly, "0:0", BEL_CORE_FIELD_BYTE_OFFSET, targets, 2, &res,
				    &err), 0);
	ck_assert_uint_eq(res.new_val, 4);
	ck_assert_int_eq(res.target, 1);
	ck_assert_uint_eq(res.target_type_id, T.modonly);
	ck_assert_int_eq(resolve_on(L.same, "0:0", BEL_CORE_FIELD_BYTE_OFFSET, targets, 2, &res,
				    &err), 0);
	ck_assert_uint_eq(res.new_val, 0);
	ck_assert_int_eq(res.target, 0);
	ck_assert_uint_eq(res.candidates, 2); /* vmlinux's two; the module's is not looked at */
	bel_btf_free(mod);
}
END_TEST

/* ---- resolve: types ---------------------------------------------------------------------- */

START_TEST(type_kinds)
{
	struct bel_core_result res;
	uint32_t ktask = kernel_id("core_task", BTF_KIND_STRUCT);

	expect_val(L.task, "0", BEL_CORE_TYPE_EXISTS, 1);
	expect_val(L.task, "0", BEL_CORE_TYPE_SIZE, sizeof(struct core_task));
	expect_val(L.packed, "0", BEL_CORE_TYPE_SIZE, CORE_PACKED_SIZE);
	expect_val(L.state, "0", BEL_CORE_TYPE_SIZE, sizeof(enum core_state));
	res = ok(L.task, "0", BEL_CORE_TYPE_SIZE);
	ck_assert_uint_eq(res.orig_val, 168);
	ck_assert(res.validate);
	ck_assert_str_eq(res.what, "struct core_task___v1 (access 0)");
	res = ok(L.task, "0", BEL_CORE_TYPE_ID_TARGET);
	ck_assert_uint_eq(res.orig_val, L.task);
	ck_assert_uint_eq(res.new_val, ktask);
	ck_assert(!res.validate); /* ids change when objects are linked */
	res = ok(L.task, "0", BEL_CORE_TYPE_ID_LOCAL);
	ck_assert_uint_eq(res.orig_val, L.task);
	ck_assert_uint_eq(res.new_val, L.task);
	ck_assert(!res.validate);
	ck_assert(!res.poison);
	/* pointers, typedefs and enums are types too */
	expect_val(L.task_ptr, "0", BEL_CORE_TYPE_ID_LOCAL, L.task_ptr);
	expect_val(L.state, "0", BEL_CORE_TYPE_EXISTS, 1);
	expect_val(L.state, "0", BEL_CORE_TYPE_ID_TARGET, kernel_id("core_state", BTF_KIND_ENUM));
}
END_TEST

START_TEST(type_missing)
{
	struct bel_core_result res = ok(L.absent, "0", BEL_CORE_TYPE_EXISTS);

	ck_assert_uint_eq(res.orig_val, 1);
	ck_assert_uint_eq(res.new_val, 0);
	ck_assert(!res.poison);
	ck_assert_uint_eq(res.candidates, 0);
	ck_assert_int_eq(res.target, -1);
	expect_val(L.absent, "0", BEL_CORE_TYPE_SIZE, 0);
	expect_val(L.absent, "0", BEL_CORE_TYPE_ID_TARGET, 0);
	expect_val(L.absent, "0", BEL_CORE_TYPE_MATCHES, 0);
	expect_val(L.absent, "0", BEL_CORE_TYPE_ID_LOCAL, L.absent);
	/* fields of a missing type */
	expect_val(L.absent, "0:0", BEL_CORE_FIELD_EXISTS, 0);
	expect_poison(L.absent, "0:0", BEL_CORE_FIELD_BYTE_OFFSET);
	expect_poison(L.absent, "0:0", BEL_CORE_FIELD_BYTE_SIZE);
}
END_TEST

/* Same name, another kind: a struct here, a union there (not even a candidate); a typedef of
 * an int here, of a struct there (a candidate, not compatible). */
START_TEST(type_kind_mismatch)
{
	struct bel_core_result res = ok(L.kind, "0", BEL_CORE_TYPE_EXISTS);

	ck_assert_uint_eq(res.new_val, 0);
	ck_assert_uint_eq(res.candidates, 0);
	expect_val(L.kind, "0:0", BEL_CORE_FIELD_EXISTS, 0);
	expect_val(L.m_kind, "0", BEL_CORE_TYPE_EXISTS, 1);  /* the union view of it */
	expect_val(L.m_kind, "0:0", BEL_CORE_FIELD_BYTE_OFFSET, 0);
	res = ok(L.td, "0", BEL_CORE_TYPE_EXISTS);
	ck_assert_uint_eq(res.new_val, 0);
	ck_assert_uint_eq(res.candidates, 1);
	ck_assert_uint_eq(res.matched, 0);
	expect_val(L.td, "0", BEL_CORE_TYPE_SIZE, 0);
	expect_val(L.td, "0", BEL_CORE_TYPE_ID_TARGET, 0);
}
END_TEST

START_TEST(type_anonymous)
{
	/* nothing to look the type up by: an error, as libbpf's "doesn't support anonymous types" */
	expect_fail(L.anon, "0:0", BEL_CORE_FIELD_BYTE_OFFSET, -EOPNOTSUPP, "anonymous");
	expect_fail(L.anon, "0", BEL_CORE_TYPE_EXISTS, -EOPNOTSUPP, "anonymous");
	expect_fail(L.anon_u, "0:0", BEL_CORE_FIELD_EXISTS, -EOPNOTSUPP, "anonymous");
	/* ...except for the local type id, which needs no lookup */
	expect_val(L.anon, "0", BEL_CORE_TYPE_ID_LOCAL, L.anon);
}
END_TEST

/* TYPE_MATCHES (bpf_core_type_matches(), which clang 14 cannot emit), per libbpf's
 * __bpf_core_types_match(): names agree up to flavors, kinds agree (enum ~ enum64), ints by
 * size and signedness, every local member/enumerator exists in the target with a matching
 * type; behind a pointer a struct is compared by name and kind only. */
START_TEST(type_matches)
{
	struct bel_core_result res = ok(L.m_inner, "0", BEL_CORE_TYPE_MATCHES);

	ck_assert_uint_eq(res.orig_val, 1);
	ck_assert_uint_eq(res.new_val, 1);
	ck_assert(res.validate);
	expect_val(L.m_inner_long, "0", BEL_CORE_TYPE_MATCHES, 0);  /* int vs long */
	expect_val(L.m_inner_extra, "0", BEL_CORE_TYPE_MATCHES, 0); /* extra member */
	expect_val(L.task, "0", BEL_CORE_TYPE_MATCHES, 0);          /* 'missing' is not there */
	expect_val(L.m_enum, "0", BEL_CORE_TYPE_MATCHES, 1);        /* names, not values */
	expect_val(L.m_enum_c, "0", BEL_CORE_TYPE_MATCHES, 0);      /* CORE_M_C is not there */
	expect_val(L.m_kind, "0", BEL_CORE_TYPE_MATCHES, 1);
	expect_val(L.kind, "0", BEL_CORE_TYPE_MATCHES, 0);          /* struct vs union */
	expect_val(L.inner, "0", BEL_CORE_TYPE_MATCHES, 1);
	/* compatible, but not a match */
	expect_val(L.m_inner_long, "0", BEL_CORE_TYPE_EXISTS, 1);
}
END_TEST

/* libbpf: a struct behind a pointer matches by name and kind only
 * ("unless it is already behind a pointer, in which case we only check matching names and
 * compatible kind"): the kernel's core_m_ptr.p points to a core_m_inner without member z,
 * and local core_m_ptr still matches. */
START_TEST(type_matches_behind_pointer)
{
	/* Regression (was a bug, fixed): bel compares the pointed-to struct member by member */
	struct bel_core_result res = ok(L.m_ptr, "0", BEL_CORE_TYPE_MATCHES);

	ck_assert_msg(res.new_val == 1, "regression: core_m_ptr does not match (struct behind a pointer "
		      "compared member by member)");
}
END_TEST

/* libbpf: each local member is looked for among all target members of the same name; an
 * anonymous union matches the kernel's second anonymous member even though its first (an
 * anonymous struct) does not. */
START_TEST(type_matches_anonymous_members)
{
	struct bel_core_result res = ok(L.m_anon, "0", BEL_CORE_TYPE_MATCHES);

	/* Regression (was a bug, fixed): bel stops at the first target member of the same (empty) name */
	ck_assert_msg(res.new_val == 1, "regression: core_m_anon does not match (only the first anonymous "
		      "member of the target is tried)");
}
END_TEST

/* libbpf's bpf_core_enums_match(): sizes must agree (an 8-byte enum64 does not match the
 * kernel's 4-byte enum, although enum and enum64 otherwise match each other). */
START_TEST(type_matches_enum_size)
{
	struct bel_core_result res = ok(L.m_enum_8, "0", BEL_CORE_TYPE_MATCHES);

	/* Regression (was a bug, fixed): bel ignores the enum's size */
	ck_assert_msg(res.new_val == 0, "regression: an 8-byte enum matches a 4-byte one");
	expect_val(L.m_enum_8, "0", BEL_CORE_TYPE_EXISTS, 1);
}
END_TEST

/* libbpf on forward declarations: behind a pointer a struct matches a forward declaration of
 * a struct, not of a union (the fwd's kflag); a fwd matches a fwd of the same kflag, pointer
 * or not. Here the local core_fwdp points to a struct core_fu, the target's to a union
 * core_fu (fwd, kflag 1): libbpf says 0; the local fwd core_fwd against the target's
 * (both struct fwds): libbpf says 1. */
START_TEST(type_matches_fwd)
{
	struct t64 T;
	struct bel_btf *t64 = build_t64(&T);
	struct bel_core_target targets[1] = {{t64, "t64"}};
	struct bel_core_result res;
	struct bel_err err = {0};
	uint64_t fwdp, fwd;

	ck_assert_int_eq(resolve_on(L.fwdp, "0", BEL_CORE_TYPE_MATCHES, targets, 1, &res, &err), 0);
	fwdp = res.new_val;
	ck_assert_int_eq(resolve_on(L.fwd, "0", BEL_CORE_TYPE_MATCHES, targets, 1, &res, &err), 0);
	fwd = res.new_val;
	ck_assert_uint_eq(res.candidates, 1);
	bel_btf_free(t64);
	/* Regression (was a bug, fixed): bel ignores the fwd's kflag behind a pointer, and never matches a fwd that is not
	 * behind one */
	ck_assert_msg(fwdp == 0 && fwd == 1, "regression: core_fwdp (struct vs union fwd behind a pointer) "
		      "matches %llu, want 0; core_fwd (fwd vs fwd) matches %llu, want 1",
		      (unsigned long long)fwdp, (unsigned long long)fwd);
}
END_TEST

/* ---- resolve: enum values ---------------------------------------------------------------- */

START_TEST(enumval)
{
	struct bel_core_result res = ok(L.state, "1", BEL_CORE_ENUMVAL_VALUE);

	ck_assert_uint_eq(res.orig_val, 1);
	ck_assert_uint_eq(res.new_val, CORE_SLEEPING);
	ck_assert(res.validate);
	ck_assert(!res.poison);
	ck_assert_str_eq(res.what, "enum core_state::CORE_SLEEPING (access 1)");
	ck_assert_uint_eq(res.target_type_id, kernel_id("core_state", BTF_KIND_ENUM));
	expect_val(L.state, "1", BEL_CORE_ENUMVAL_EXISTS, 1);
	expect_val(L.state, "0", BEL_CORE_ENUMVAL_VALUE, CORE_RUNNING);
	/* CORE_RUNNING___x is a flavor of CORE_RUNNING */
	expect_val(L.state, "4", BEL_CORE_ENUMVAL_VALUE, CORE_RUNNING);
}
END_TEST

START_TEST(enumval_missing)
{
	struct bel_core_result res = ok(L.state, "2", BEL_CORE_ENUMVAL_VALUE);

	ck_assert(res.poison);
	ck_assert_uint_eq(res.candidates, 1);
	res = ok(L.state, "2", BEL_CORE_ENUMVAL_EXISTS);
	ck_assert(!res.poison);
	ck_assert_uint_eq(res.orig_val, 1);
	ck_assert_uint_eq(res.new_val, 0);
	ck_assert(res.validate);
	/* no such enum at all */
	expect_val(L.big, "0", BEL_CORE_ENUMVAL_EXISTS, 0);
	expect_poison(L.big, "0", BEL_CORE_ENUMVAL_VALUE);
	/* bad access: one index, within the local enum */
	expect_fail(L.state, "5", BEL_CORE_ENUMVAL_VALUE, -EINVAL, "enum value relocation");
	expect_fail(L.state, "0:1", BEL_CORE_ENUMVAL_VALUE, -EINVAL, "enum value relocation");
	expect_fail(L.task, "0", BEL_CORE_ENUMVAL_EXISTS, -EINVAL, "enum value relocation");
}
END_TEST

/* enum64 in the target, a 32-bit enum locally (and the other way); signedness. */
START_TEST(enumval_enum64)
{
	struct t64 T;
	struct bel_btf *t64 = build_t64(&T);
	struct bel_core_target targets[1] = {{t64, "t64"}};
	struct bel_core_result res;
	struct bel_err err = {0};

	ck_assert_int_eq(resolve_on(L.big, "1", BEL_CORE_ENUMVAL_VALUE, targets, 1, &res, &err), 0);
	ck_assert_uint_eq(res.orig_val, 2);
	ck_assert_uint_eq(res.new_val, 0x100000000ull);
	ck_assert_uint_eq(res.target_type_id, T.big);
	ck_assert_int_eq(resolve_on(L.big, "0", BEL_CORE_ENUMVAL_VALUE, targets, 1, &res, &err), 0);
	ck_assert_uint_eq(res.new_val, 7);
	ck_assert_int_eq(resolve_on(L.big, "0", BEL_CORE_ENUMVAL_EXISTS, targets, 1, &res, &err), 0);
	ck_assert_uint_eq(res.new_val, 1);
	ck_assert_int_eq(resolve_on(L.big, "0", BEL_CORE_TYPE_SIZE, targets, 1, &res, &err), 0);
	ck_assert_uint_eq(res.new_val, 8);
	/* a signed (kflag) enum: sign-extended */
	ck_assert_int_eq(resolve_on(L.sig, "0", BEL_CORE_ENUMVAL_VALUE, targets, 1, &res, &err), 0);
	ck_assert_uint_eq(res.new_val, (uint64_t)-2);
	/* a 32-bit enumerator with the top bit set is read signed, as libbpf reads every 32-bit
	 * enumerator (clang 14 never sets kflag); an instruction holding it zero-extended is
	 * still accepted and keeps that form (see enum32 in bel_core_patch_insn) */
	ck_assert_int_eq(resolve_on(L.uns, "0", BEL_CORE_ENUMVAL_VALUE, targets, 1, &res, &err), 0);
	ck_assert_uint_eq(res.new_val, 0xffffffff80000000ull);
	ck_assert(res.enum32);
	/* an enum64 locally, a 32-bit enum in the kernel */
	expect_val(L.state64, "0", BEL_CORE_ENUMVAL_VALUE, CORE_NEW);
	expect_val(L.state64, "0", BEL_CORE_TYPE_EXISTS, 1);
	bel_btf_free(t64);
}
END_TEST

/* ---- resolve: malformed records ---------------------------------------------------------- */

START_TEST(bad_records)
{
	struct bel_core_result res;
	struct bel_err err = {0};
	struct bel_core_relo relo = {.type_id = 100000, .access_str_off = 0, .kind = 0};
	struct bel_btf *local = parse_btf(&local_bb);

	ck_assert_int_eq(bel_core_resolve(local, &relo, ktarget, 1, &res, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "does not exist"), "%s", err.msg);
	bel_btf_free(local);
	expect_fail(L.task, "0:99", BEL_CORE_FIELD_BYTE_OFFSET, -EINVAL, "member 99");
	expect_fail(L.task, "x", BEL_CORE_FIELD_BYTE_OFFSET, -EINVAL, "bad access string");
	expect_fail(L.task, "0::1", BEL_CORE_FIELD_BYTE_OFFSET, -EINVAL, "bad access string");
	expect_fail(L.task, "", BEL_CORE_FIELD_BYTE_OFFSET, -EINVAL, "bad access string");
	expect_fail(L.task, "0:0:1", BEL_CORE_FIELD_BYTE_OFFSET, -EINVAL, "goes into a INT");
	expect_fail(L.task, "1", BEL_CORE_TYPE_EXISTS, -EINVAL, "type relocation with access");
	expect_fail(L.task, "0", 13, -EOPNOTSUPP, "unknown relocation kind 13");
	ck_assert_str_eq(bel_core_kind_name(13), "unknown");
	ck_assert_str_eq(bel_core_kind_name(BEL_CORE_TYPE_MATCHES), "type_matches");
}
END_TEST

/* ---- patch ------------------------------------------------------------------------------- */

static struct bel_core_applied applied(uint64_t orig, uint64_t new_val, bool validate)
{
	struct bel_core_applied a;

	memset(&a, 0, sizeof(a));
	a.res.orig_val = orig;
	a.res.new_val = new_val;
	a.res.validate = validate;
	a.res.target = 0;
	return a;
}

static void assert_poisoned(const struct bpf_insn *insn)
{
	ck_assert_uint_eq(insn->code, BPF_JMP | BPF_CALL);
	ck_assert_uint_eq(insn->dst_reg, 0);
	ck_assert_uint_eq(insn->src_reg, 0);
	ck_assert_int_eq(insn->off, 0);
	ck_assert_int_eq(insn->imm, POISON_IMM);
}

#define INSN(...) ((struct bpf_insn){__VA_ARGS__})
#define ALU64_IMM(op, dst, v) INSN(.code = BPF_ALU64 | (op) | BPF_K, .dst_reg = (dst), .imm = (v))
#define ALU32_IMM(op, dst, v) INSN(.code = BPF_ALU | (op) | BPF_K, .dst_reg = (dst), .imm = (v))
#define LDX(sz, dst, src, o) \
	INSN(.code = BPF_LDX | BPF_MEM | (sz), .dst_reg = (dst), .src_reg = (src), .off = (o))
#define STX(sz, dst, src, o) \
	INSN(.code = BPF_STX | BPF_MEM | (sz), .dst_reg = (dst), .src_reg = (src), .off = (o))
#define ST(sz, dst, o, v) \
	INSN(.code = BPF_ST | BPF_MEM | (sz), .dst_reg = (dst), .off = (o), .imm = (v))
/* two instructions */
#define LD64(dst, v) \
	INSN(.code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = (dst), .imm = (int32_t)(uint32_t)(v)), \
	INSN(.imm = (int32_t)(uint32_t)((uint64_t)(v) >> 32))
#define EXIT() INSN(.code = BPF_JMP | BPF_EXIT)

START_TEST(patch_alu)
{
	struct bpf_insn insns[] = {ALU64_IMM(BPF_MOV, 1, 4), ALU32_IMM(BPF_ADD, 2, 4),
				   ALU64_IMM(BPF_LSH, 3, 20), EXIT()};
	struct bel_core_applied a = applied(4, 12, true);
	struct bel_err err = {0};

	ck_assert_int_eq(bel_core_patch_insn(insns, 4, 0, &a, &err), 0);
	ck_assert_int_eq(insns[0].imm, 12);
	ck_assert_uint_eq(insns[0].code, BPF_ALU64 | BPF_MOV | BPF_K);
	ck_assert_uint_eq(insns[0].dst_reg, 1);
	ck_assert_int_eq(bel_core_patch_insn(insns, 4, 1, &a, &err), 0);
	ck_assert_int_eq(insns[1].imm, 12);
	a = applied(20, 44, false);
	ck_assert_int_eq(bel_core_patch_insn(insns, 4, 2, &a, &err), 0);
	ck_assert_int_eq(insns[2].imm, 44);
	/* the resolver said a signed load cannot widen: ALU instructions do not care */
	a = applied(12, 16, true);
	a.res.fail_memsz_adjust = true;
	ck_assert_int_eq(bel_core_patch_insn(insns, 4, 0, &a, &err), 0);
	ck_assert_int_eq(insns[0].imm, 16);
}
END_TEST

START_TEST(patch_alu_errors)
{
	struct bpf_insn insns[] = {ALU64_IMM(BPF_MOV, 1, 4), ALU64_IMM(BPF_MOV, 1, 7), EXIT()};
	struct bel_core_applied a = applied(4, 12, true);
	struct bel_err err = {0};

	/* the instruction does not hold the local value */
	ck_assert_int_eq(bel_core_patch_insn(insns, 3, 1, &a, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "insn 1 holds 7, expected 4"), "%s", err.msg);
	ck_assert_int_eq(insns[1].imm, 7);
	/* not validated: anything goes */
	a.res.validate = false;
	ck_assert_int_eq(bel_core_patch_insn(insns, 3, 1, &a, &err), 0);
	ck_assert_int_eq(insns[1].imm, 12);
	/* a register operand has no immediate */
	insns[0].code = BPF_ALU64 | BPF_ADD | BPF_X;
	ck_assert_int_eq(bel_core_patch_insn(insns, 3, 0, &a, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "register operand"), "%s", err.msg);
	/* a jump is no relocatable instruction */
	ck_assert_int_eq(bel_core_patch_insn(insns, 3, 2, &a, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "cannot be relocated"), "%s", err.msg);
	/* outside the program */
	ck_assert_int_eq(bel_core_patch_insn(insns, 3, 3, &a, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "outside the program"), "%s", err.msg);
}
END_TEST

START_TEST(patch_mem)
{
	struct bpf_insn insns[] = {LDX(BPF_W, 0, 1, 4), STX(BPF_W, 1, 2, 4), ST(BPF_W, 1, 4, 99),
				   LDX(BPF_DW, 0, 1, 8), LDX(BPF_W, 0, 1, 0), EXIT()};
	struct bel_core_applied a = applied(4, 16, true);
	struct bel_err err = {0};
	int i;

	/* same size: only the offset changes */
	a.res.orig_sz = a.res.new_sz = 4;
	for (i = 0; i < 3; i++) {
		uint8_t code = insns[i].code;

		ck_assert_int_eq(bel_core_patch_insn(insns, 6, (uint32_t)i, &a, &err), 0);
		ck_assert_int_eq(insns[i].off, 16);
		ck_assert_uint_eq(insns[i].code, code);
	}
	ck_assert_int_eq(insns[2].imm, 99);
	ck_assert_uint_eq(insns[0].dst_reg, 0);
	ck_assert_uint_eq(insns[0].src_reg, 1);
	/* 8 -> 4 (a 32-bit kernel's pointer) */
	a = applied(8, 24, true);
	a.res.orig_sz = 8;
	a.res.new_sz = 4;
	ck_assert_int_eq(bel_core_patch_insn(insns, 6, 3, &a, &err), 0);
	ck_assert_int_eq(insns[3].off, 24);
	ck_assert_uint_eq(insns[3].code, BPF_LDX | BPF_MEM | BPF_W);
	/* 4 -> 8 (u32 -> u64) */
	a = applied(0, 16, true);
	a.res.orig_sz = 4;
	a.res.new_sz = 8;
	ck_assert_int_eq(bel_core_patch_insn(insns, 6, 4, &a, &err), 0);
	ck_assert_int_eq(insns[4].off, 16);
	ck_assert_uint_eq(insns[4].code, BPF_LDX | BPF_MEM | BPF_DW);
}
END_TEST

START_TEST(patch_mem_errors)
{
	struct bpf_insn insns[] = {LDX(BPF_W, 0, 1, 5), LDX(BPF_H, 0, 1, 4), LDX(BPF_W, 0, 1, 4),
				   EXIT()};
	struct bel_core_applied a = applied(4, 16, true);
	struct bel_err err = {0};

	a.res.orig_sz = a.res.new_sz = 4;
	ck_assert_int_eq(bel_core_patch_insn(insns, 4, 0, &a, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "insn 0 holds offset 5, expected 4"), "%s", err.msg);
	ck_assert_int_eq(insns[0].off, 5);
	/* the load's size is not the local field's */
	a.res.new_sz = 8;
	ck_assert_int_eq(bel_core_patch_insn(insns, 4, 1, &a, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "loads 2 bytes, expected 4"), "%s", err.msg);
	/* no load of 3 bytes */
	a.res.new_sz = 3;
	ck_assert_int_eq(bel_core_patch_insn(insns, 4, 2, &a, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "cannot load 3 bytes"), "%s", err.msg);
}
END_TEST

/* Offsets are 16-bit signed: INT16_MAX fits, one more is -ERANGE (libbpf: "value too big"). */
START_TEST(patch_mem_range)
{
	struct bpf_insn insns[] = {LDX(BPF_W, 0, 1, 4), LDX(BPF_W, 0, 1, 4), EXIT()};
	struct bel_core_applied a = applied(4, INT16_MAX, true);
	struct bel_err err = {0};

	ck_assert_int_eq(bel_core_patch_insn(insns, 3, 0, &a, &err), 0);
	ck_assert_int_eq(insns[0].off, INT16_MAX);
	a.res.new_val = (uint64_t)INT16_MAX + 1;
	ck_assert_int_eq(bel_core_patch_insn(insns, 3, 1, &a, &err), -ERANGE);
	ck_assert_msg(strstr(err.msg, "32768"), "%s", err.msg);
	ck_assert_int_eq(insns[1].off, 4);
	a.res.new_val = 1ull << 32;
	ck_assert_int_eq(bel_core_patch_insn(insns, 3, 1, &a, &err), -ERANGE);
}
END_TEST

/* A field whose size changed in a way the load cannot follow: the load is poisoned. */
START_TEST(patch_mem_fail_memsz_adjust)
{
	struct bpf_insn insns[] = {LDX(BPF_W, 2, 1, 8), STX(BPF_W, 1, 2, 8), EXIT()};
	struct bel_core_applied a = applied(8, 24, true);
	struct bel_err err = {0};

	a.res.orig_sz = 4;
	a.res.new_sz = 8;
	a.res.fail_memsz_adjust = true;
	ck_assert_int_eq(bel_core_patch_insn(insns, 3, 0, &a, &err), 0);
	assert_poisoned(&insns[0]);
	ck_assert_int_eq(bel_core_patch_insn(insns, 3, 1, &a, &err), 0);
	assert_poisoned(&insns[1]);
	ck_assert_uint_eq(insns[2].code, BPF_JMP | BPF_EXIT);
}
END_TEST

START_TEST(patch_ldimm64)
{
	struct bpf_insn insns[] = {LD64(1, 1), LD64(2, 5), LD64(3, 0xdeadbeefcafeull), EXIT()};
	struct bel_core_applied a = applied(1, 0x100000005ull, true);
	struct bel_err err = {0};

	ck_assert_int_eq(bel_core_patch_insn(insns, 7, 0, &a, &err), 0);
	ck_assert_int_eq(insns[0].imm, 5);
	ck_assert_int_eq(insns[1].imm, 1);
	ck_assert_uint_eq(insns[0].code, BPF_LD | BPF_IMM | BPF_DW);
	ck_assert_uint_eq(insns[0].dst_reg, 1);
	ck_assert_uint_eq(insns[1].code, 0);
	/* validation is of all 64 bits */
	a = applied(0x100000005ull, 6, true);
	ck_assert_int_eq(bel_core_patch_insn(insns, 7, 2, &a, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "insn 2 holds 5, expected 4294967301"), "%s", err.msg);
	a.res.orig_val = 5;
	ck_assert_int_eq(bel_core_patch_insn(insns, 7, 2, &a, &err), 0);
	ck_assert_int_eq(insns[2].imm, 6);
	ck_assert_int_eq(insns[3].imm, 0);
	/* a value with the top bit set */
	a = applied(0, (uint64_t)-3, false);
	ck_assert_int_eq(bel_core_patch_insn(insns, 7, 4, &a, &err), 0);
	ck_assert_int_eq(insns[4].imm, -3);
	ck_assert_int_eq(insns[5].imm, -1);
}
END_TEST

START_TEST(patch_ldimm64_errors)
{
	struct bpf_insn insns[] = {LD64(1, 0), LD64(2, 0), EXIT(), LD64(3, 0)};
	struct bel_core_applied a = applied(0, 1, false);
	struct bel_err err = {0};

	insns[0].src_reg = BPF_PSEUDO_MAP_FD; /* a map reference is no CO-RE constant */
	ck_assert_int_eq(bel_core_patch_insn(insns, 7, 0, &a, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "unexpected ldimm64 form"), "%s", err.msg);
	insns[3].off = 1;
	ck_assert_int_eq(bel_core_patch_insn(insns, 7, 2, &a, &err), -EINVAL);
	/* the second half is missing */
	ck_assert_int_eq(bel_core_patch_insn(insns, 6, 5, &a, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "outside the program"), "%s", err.msg);
}
END_TEST

START_TEST(patch_poison)
{
	struct bpf_insn insns[] = {ALU64_IMM(BPF_MOV, 1, 4), LDX(BPF_W, 0, 1, 4), LD64(1, 5),
				   ALU64_IMM(BPF_MOV, 2, 1), EXIT()};
	struct bel_core_applied a = applied(4, 0, true);
	struct bel_err err = {0};

	a.res.poison = true;
	ck_assert_int_eq(bel_core_patch_insn(insns, 6, 0, &a, &err), 0);
	assert_poisoned(&insns[0]);
	ck_assert_uint_eq(insns[1].code, BPF_LDX | BPF_MEM | BPF_W);
	ck_assert_int_eq(bel_core_patch_insn(insns, 6, 1, &a, &err), 0);
	assert_poisoned(&insns[1]);
	/* both halves of an ldimm64, and nothing after it */
	ck_assert_int_eq(bel_core_patch_insn(insns, 6, 2, &a, &err), 0);
	assert_poisoned(&insns[2]);
	assert_poisoned(&insns[3]);
	ck_assert_uint_eq(insns[4].code, BPF_ALU64 | BPF_MOV | BPF_K);
	ck_assert_int_eq(insns[4].imm, 1);
	/* poisoning needs no validation: the value in the instruction does not matter */
	insns[4].imm = 12345;
	ck_assert_int_eq(bel_core_patch_insn(insns, 6, 4, &a, &err), 0);
	assert_poisoned(&insns[4]);
}
END_TEST

/* ---- end to end -------------------------------------------------------------------------- */

struct obj {
	uint8_t *buf;
	size_t size;
	struct bel_spec *spec;
};

static struct obj open_obj(const char *name)
{
	struct obj o;
	struct bel_err err = {0};
	int ret;

	o.buf = read_file(fixture_path(name), &o.size);
	ck_assert_msg(o.buf, "cannot read %s", fixture_path(name));
	ret = bel_spec_build(o.buf, o.size, true, name, &o.spec, &err);
	ck_assert_msg(ret == 0, "%s: bel_spec_build: %d %s", name, ret, err.msg);
	return o;
}

static void close_obj(struct obj *o)
{
	bel_spec_free(o->spec);
	free(o->buf);
}

static struct bel_prog_def *prog_of(struct obj *o, const char *name)
{
	int i = bel_spec_find_prog(o->spec, name);

	ck_assert_msg(i >= 0, "no program '%s'", name);
	return &o->spec->progs[i];
}

/* Apply to one program (as the loader's prepare step does, on a copy of its instructions),
 * then store the result in this test's own spec, so checks can read prog->insns. */
static int apply_one(struct obj *o, const char *name, struct bel_err *err)
{
	struct bel_prog_def *prog = prog_of(o, name);
	size_t size = prog->insn_cnt * sizeof(*prog->insns);
	struct bpf_insn *copy = malloc(size);
	int ret;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, prog->insns, size);
	bel_err_clear(err);
	ret = bel_core_apply(o->spec, prog, ktarget, 1, copy, err);
	if (ret)
		bel_err_prefix(err, "prog '%s' (%s)", prog->name, prog->sec_name);
	else
		memcpy(prog->insns, copy, size);
	free(copy);
	return ret;
}

#define E_POISON UINT64_MAX

struct expect {
	const char *prog;
	uint32_t kind;
	const char *what;   /* res.what up to " (access" */
	uint64_t val;       /* E_POISON: the instruction is poisoned */
	int hits;
};

/* For every record of every program: the instruction, after bel_core_apply(), holds the
 * expected value for its class (ALU: imm; LDX/ST/STX: off; ldimm64: both imms), or the poison
 * call (both halves of an ldimm64). Every record must be expected, and every expectation met. */
static void check_applied(struct obj *o, struct expect *ex, int nex)
{
	struct bel_err err = {0};
	uint32_t p, i;
	int e;

	for (p = 0; p < o->spec->nprogs; p++) {
		struct bel_prog_def *prog = &o->spec->progs[p];
		struct bel_core_applied *rel;
		struct bpf_insn *before;

		if (!prog->core_relo_cnt)
			continue;
		ck_assert_int_eq(bel_prog_core_resolve(o->spec, prog, ktarget, 1, &rel, &err), 0);
		before = malloc(prog->insn_cnt * sizeof(*before));
		ck_assert_ptr_nonnull(before);
		memcpy(before, prog->insns, prog->insn_cnt * sizeof(*before));
		ck_assert_msg(apply_one(o, prog->name, &err) == 0, "%s", err.msg);
		for (i = 0; i < prog->core_relo_cnt; i++) {
			const struct bel_core_applied *a = &rel[i];
			const struct bpf_insn *in = &prog->insns[a->insn], *was = &before[a->insn];
			char what[256];
			char *cut;

			snprintf(what, sizeof(what), "%s", a->res.what);
			cut = strstr(what, " (access");
			if (cut)
				*cut = '\0';
			for (e = 0; e < nex; e++)
				if (!strcmp(ex[e].prog, prog->name) && ex[e].kind == a->relo.kind &&
				    !strcmp(ex[e].what, what))
					break;
			ck_assert_msg(e < nex, "prog %s: unexpected %s relocation of '%s' at insn %u",
				      prog->name, bel_core_kind_name(a->relo.kind), what, a->insn);
			ex[e].hits++;
			if (ex[e].val == E_POISON) {
				assert_poisoned(in);
				if (was->code == (BPF_LD | BPF_IMM | BPF_DW))
					assert_poisoned(in + 1);
				continue;
			}
			switch (BPF_CLASS(was->code)) {
			case BPF_ALU:
			case BPF_ALU64:
				ck_assert_msg(in->imm == (int32_t)ex[e].val, "%s %s of %s: imm %d, want %llu",
					      prog->name, bel_core_kind_name(a->relo.kind), what, in->imm,
					      (unsigned long long)ex[e].val);
				break;
			case BPF_LDX:
			case BPF_ST:
			case BPF_STX:
				ck_assert_msg(in->off == (int16_t)ex[e].val, "%s %s of %s: off %d, want %llu",
					      prog->name, bel_core_kind_name(a->relo.kind), what, in->off,
					      (unsigned long long)ex[e].val);
				break;
			case BPF_LD:
				ck_assert_msg(((uint64_t)(uint32_t)in[1].imm << 32 | (uint32_t)in[0].imm) ==
					      ex[e].val, "%s %s of %s: ldimm64 %#x:%#x, want %#llx",
					      prog->name, bel_core_kind_name(a->relo.kind), what, in[1].imm,
					      in[0].imm, (unsigned long long)ex[e].val);
				break;
			default:
				ck_abort_msg("%s: relocation on insn %u of class %#x", prog->name, a->insn,
					     BPF_CLASS(was->code));
			}
		}
		free(rel);
		free(before);
	}
	for (e = 0; e < nex; e++)
		ck_assert_msg(ex[e].hits > 0, "prog %s: no %s relocation of '%s'", ex[e].prog,
			      bel_core_kind_name(ex[e].kind), ex[e].what);
}

#define LT "struct core_task___local"

/* clang 14 emits every kind but TYPE_MATCHES from bpf_core_read.h's macros. */
START_TEST(e2e_every_kind)
{
	struct obj o = open_obj("core_reads");
	struct bel_err err = {0};
	unsigned int kinds = 0;
	uint32_t p, i;

	for (p = 0; p < o.spec->nprogs; p++) {
		struct bel_prog_def *prog = &o.spec->progs[p];
		struct bel_core_applied *rel;

		ck_assert_msg(prog->core_relo_cnt > 0, "%s has no CO-RE relocations", prog->name);
		ck_assert_uint_ge(prog->core_relo_rec_size, sizeof(struct bel_core_relo));
		ck_assert_int_eq(bel_prog_core_resolve(o.spec, prog, ktarget, 1, &rel, &err), 0);
		for (i = 0; i < prog->core_relo_cnt; i++) {
			ck_assert_uint_lt(rel[i].insn, prog->insn_cnt);
			kinds |= 1u << rel[i].relo.kind;
		}
		free(rel);
	}
	ck_assert_uint_eq(kinds, (1u << BEL_CORE_TYPE_MATCHES) - 1);
	close_obj(&o);
}
END_TEST

START_TEST(e2e_apply)
{
	struct obj o = open_obj("core_reads");
	const struct bel_btf *local = o.spec->btf;
	int ltask = bel_btf_find(local, "core_task___local", BTF_KIND_STRUCT);
	struct expect ex[] = {
		/* moved, nested, anonymous in the kernel, arrays, pointer, flexible array */
		{"fields", BEL_CORE_FIELD_BYTE_OFFSET, LT ".pid", OFF(pid), 0},
		{"fields", BEL_CORE_FIELD_BYTE_OFFSET, LT ".inner.b",
		 OFF(inner) + offsetof(struct core_inner, b), 0},
		{"fields", BEL_CORE_FIELD_BYTE_OFFSET, LT ".anon_a", OFF(anon_a), 0},
		{"fields", BEL_CORE_FIELD_BYTE_OFFSET, LT ".anon_d", OFF(anon_d), 0},
		{"fields", BEL_CORE_FIELD_BYTE_OFFSET, LT ".arr[2]", OFF(arr) + 2 * sizeof(int), 0},
		{"fields", BEL_CORE_FIELD_BYTE_OFFSET, LT ".items[1].b",
		 OFF(items) + sizeof(struct core_inner) + offsetof(struct core_inner, b), 0},
		{"fields", BEL_CORE_FIELD_BYTE_OFFSET, LT ".parent", OFF(parent), 0},
		{"fields", BEL_CORE_FIELD_BYTE_OFFSET, LT ".tail_len", OFF(tail_len), 0},
		{"fields", BEL_CORE_FIELD_BYTE_OFFSET, LT ".data[5]", OFF(data) + 5, 0},
		/* direct loads: moved; widened; signed and resized (poisoned) */
		{"sizes", BEL_CORE_FIELD_BYTE_OFFSET, LT ".pid", OFF(pid), 0},
		{"sizes", BEL_CORE_FIELD_BYTE_OFFSET, LT ".flags", OFF(flags), 0},
		{"sizes", BEL_CORE_FIELD_BYTE_OFFSET, LT ".prio", E_POISON, 0},
		/* existence, sizes, signedness, type ids */
		{"exists", BEL_CORE_FIELD_EXISTS, LT ".tail_len", 1, 0},
		{"exists", BEL_CORE_FIELD_EXISTS, LT ".missing", 0, 0},
		{"exists", BEL_CORE_FIELD_BYTE_OFFSET, LT ".missing", E_POISON, 0},
		{"exists", BEL_CORE_FIELD_BYTE_SIZE, LT ".flags", 8, 0},
		{"exists", BEL_CORE_FIELD_SIGNED, LT ".prio", 1, 0},
		{"exists", BEL_CORE_FIELD_SIGNED, LT ".flags", 0, 0},
		{"exists", BEL_CORE_TYPE_EXISTS, LT, 1, 0},
		{"exists", BEL_CORE_TYPE_SIZE, LT, sizeof(struct core_task), 0},
		{"exists", BEL_CORE_TYPE_EXISTS, "struct core_absent", 0, 0},
		{"exists", BEL_CORE_TYPE_SIZE, "struct core_absent", 0, 0},
		{"exists", BEL_CORE_TYPE_ID_LOCAL, LT, (uint64_t)ltask, 0},
		{"exists", BEL_CORE_TYPE_ID_TARGET, LT, kernel_id("core_task", BTF_KIND_STRUCT), 0},
		{"exists", BEL_CORE_TYPE_ID_TARGET, "struct core_absent", 0, 0},
		/* bitfields */
		{"bits", BEL_CORE_FIELD_BYTE_OFFSET, LT ".bf_y", BF_UNIT, 0},
		{"bits", BEL_CORE_FIELD_BYTE_SIZE, LT ".bf_y", 4, 0},
		{"bits", BEL_CORE_FIELD_LSHIFT_U64, LT ".bf_y", 64 - (K_BF_Y + 12 - K_BF_PAD), 0},
		{"bits", BEL_CORE_FIELD_RSHIFT_U64, LT ".bf_y", 64 - 12, 0},
		{"bits", BEL_CORE_FIELD_SIGNED, LT ".bf_y", 0, 0},
		{"bits", BEL_CORE_FIELD_BYTE_OFFSET, LT ".bf_s", BF_UNIT, 0},
		{"bits", BEL_CORE_FIELD_BYTE_SIZE, LT ".bf_s", 4, 0},
		{"bits", BEL_CORE_FIELD_LSHIFT_U64, LT ".bf_s", 64 - (K_BF_S + 7 - K_BF_PAD), 0},
		{"bits", BEL_CORE_FIELD_RSHIFT_U64, LT ".bf_s", 64 - 7, 0},
		{"bits", BEL_CORE_FIELD_SIGNED, LT ".bf_s", 1, 0},
		/* enumerators */
		{"enums", BEL_CORE_ENUMVAL_EXISTS, "enum core_state::CORE_SLEEPING", 1, 0},
		{"enums", BEL_CORE_ENUMVAL_EXISTS, "enum core_state::CORE_GONE", 0, 0},
		{"enums", BEL_CORE_ENUMVAL_VALUE, "enum core_state::CORE_SLEEPING", CORE_SLEEPING, 0},
		{"enums", BEL_CORE_ENUMVAL_VALUE, "enum core_state::CORE_GONE", E_POISON, 0},
	};
	struct bel_prog_def *sizes;

	ck_assert_int_gt(ltask, 0);
	check_applied(&o, ex, (int)(sizeof(ex) / sizeof(ex[0])));
	/* the widened load is a u64 load now; the moved one keeps its size */
	sizes = prog_of(&o, "sizes");
	ck_assert_uint_eq(sizes->insns[0].code, BPF_LDX | BPF_MEM | BPF_W);
	ck_assert_uint_eq(sizes->insns[1].code, BPF_LDX | BPF_MEM | BPF_DW);
	close_obj(&o);
}
END_TEST

/* Applying writes only the buffer it is given: the spec's instructions stay as parsed, and two
 * applications give the same instructions; an object without CO-RE is left alone. */
START_TEST(e2e_apply_leaves_spec)
{
	struct obj o = open_obj("core_reads");
	struct obj plain = open_obj("hello");
	struct bel_err err = {0};
	uint32_t p;

	for (p = 0; p < o.spec->nprogs; p++) {
		const struct bel_prog_def *prog = &o.spec->progs[p];
		size_t size = prog->insn_cnt * sizeof(*prog->insns);
		struct bpf_insn *orig = malloc(size), *a = malloc(size), *b = malloc(size);

		ck_assert(orig && a && b);
		memcpy(orig, prog->insns, size);
		memcpy(a, prog->insns, size);
		memcpy(b, prog->insns, size);
		ck_assert_int_eq(bel_core_apply(o.spec, prog, ktarget, 1, a, &err), 0);
		ck_assert_int_eq(bel_core_apply(o.spec, prog, ktarget, 1, b, &err), 0);
		ck_assert_mem_eq(a, b, size);
		ck_assert_mem_eq(orig, prog->insns, size);
		ck_assert_msg(memcmp(a, orig, size) != 0, "prog %s: nothing patched", prog->name);
		free(orig);
		free(a);
		free(b);
	}
	for (p = 0; p < plain.spec->nprogs; p++) {
		const struct bel_prog_def *prog = &plain.spec->progs[p];
		size_t size = prog->insn_cnt * sizeof(*prog->insns);
		struct bpf_insn *a = malloc(size);

		ck_assert_ptr_nonnull(a);
		memcpy(a, prog->insns, size);
		ck_assert_int_eq(bel_core_apply(plain.spec, prog, ktarget, 1, a, &err), 0);
		ck_assert_mem_eq(a, prog->insns, size);
		free(a);
	}
	close_obj(&plain);
	close_obj(&o);
}
END_TEST

/* The instruction does not hold what the local BTF says: the message names the program, the
 * instruction, the relocation kind and the type path. */
START_TEST(e2e_error_validation)
{
	struct obj o = open_obj("core_reads");
	struct bel_prog_def *prog = prog_of(&o, "sizes");
	struct bel_err err = {0};

	ck_assert_int_eq(prog->insns[0].off, 0); /* t->pid, local offset 0 */
	prog->insns[0].off = 2;
	ck_assert_int_eq(apply_one(&o, "sizes", &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "prog 'sizes'"), "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "insn 0"), "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "byte_off"), "%s", err.msg);
	ck_assert_msg(strstr(err.msg, LT ".pid"), "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "holds offset 2, expected 0"), "%s", err.msg);
	ck_assert_int_eq(prog->insns[0].off, 2); /* a failed application stored nothing */
	close_obj(&o);
}
END_TEST

/* Ambiguous candidates: the same four things named. */
START_TEST(e2e_error_ambiguous)
{
	struct obj o = open_obj("core_fail");
	struct bel_err err = {0};

	ck_assert_int_eq(apply_one(&o, "amb", &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "prog 'amb'"), "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "insn "), "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "struct core_amb.x"), "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "ambiguous"), "%s", err.msg);
	/* Regression (was a bug, fixed): a resolution failure does not name the kind (a patch failure does) */
	ck_assert_msg(strstr(err.msg, "byte_off"), "regression: no relocation kind in '%s'", err.msg);
	close_obj(&o);
}
END_TEST

/* A relocation on an anonymous struct. */
START_TEST(e2e_error_anonymous)
{
	struct obj o = open_obj("core_fail");
	struct bel_prog_def *prog = prog_of(&o, "anon");
	struct bel_err err = {0};

	ck_assert_uint_gt(prog->core_relo_cnt, 0);
	ck_assert_int_eq(apply_one(&o, "anon", &err), -EOPNOTSUPP); /* as libbpf */
	ck_assert_msg(strstr(err.msg, "prog 'anon'"), "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "insn 0"), "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "byte_off"), "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "anonymous"), "%s", err.msg);
	close_obj(&o);
}
END_TEST

/* clang 14 writes enumerators without the signedness flag (kflag 0) and puts a negative value
 * sign-extended in the ldimm64 (here CORE_NEG = -3: 0xfffffffffffffffd). libbpf reads a
 * 32-bit enumerator as a signed 32-bit value, sign-extended (bpf_core_calc_enumval_relo():
 * `*val = btf_enum(t)[idx].val`, an __s32), so both the instruction and the kernel's value
 * agree and the program gets -3. */
START_TEST(e2e_negative_enumerator)
{
	struct obj o = open_obj("core_fail");
	struct bel_prog_def *prog = prog_of(&o, "neg_enum");
	struct bel_err err = {0};
	int ret;

	ck_assert_uint_eq(prog->insns[0].code, BPF_LD | BPF_IMM | BPF_DW);
	ck_assert_int_eq(prog->insns[0].imm, -3);
	ck_assert_int_eq(prog->insns[1].imm, -1);
	ret = apply_one(&o, "neg_enum", &err);
	/* Regression (was a bug, fixed): bel zero-extends a kflag-0 enumerator: the local value 0xfffffffd does not match
	 * the instruction and the program is refused */
	ck_assert_msg(ret == 0, "regression: %s", err.msg);
	ck_assert_int_eq(prog->insns[0].imm, CORE_NEG);
	ck_assert_int_eq(prog->insns[1].imm, -1);
	close_obj(&o);
}
END_TEST

/* ---- runner ------------------------------------------------------------------------------ */

static Suite *resolve_suite(void)
{
	Suite *s = suite_create("resolve");
	TCase *tc = tcase_create("resolve");

	tcase_add_checked_fixture(tc, world_setup, world_teardown);
	tcase_add_test(tc, kernel_fixture);
	tcase_add_test(tc, field_moved);
	tcase_add_test(tc, field_root_index);
	tcase_add_test(tc, field_nested);
	tcase_add_test(tc, field_anonymous_in_target);
	tcase_add_test(tc, field_array);
	tcase_add_test(tc, field_array_element_kinds);
	tcase_add_test(tc, field_flexible_array);
	tcase_add_test(tc, field_pointer);
	tcase_add_test(tc, field_size_unsigned);
	tcase_add_test(tc, field_size_signed);
	tcase_add_test(tc, field_missing);
	tcase_add_test(tc, field_exists_validates);
	tcase_add_test(tc, field_exists_validates_matched);
	tcase_add_test(tc, field_kind_mismatch);
	tcase_add_test(tc, field_bitfield);
	tcase_add_test(tc, field_bitfield_straddling);
	tcase_add_test(tc, flavor_names);
	tcase_add_test(tc, flavor_match);
	tcase_add_test(tc, candidates_matched_count);
	tcase_add_test(tc, ambiguous_offsets);
	tcase_add_test(tc, ambiguous_agreeing);
	tcase_add_test(tc, candidates_indexed);
	tcase_add_test(tc, candidates_kernel_parse);
	tcase_add_test(tc, candidates_modules);
	tcase_add_test(tc, type_kinds);
	tcase_add_test(tc, type_missing);
	tcase_add_test(tc, type_kind_mismatch);
	tcase_add_test(tc, type_anonymous);
	tcase_add_test(tc, type_matches);
	tcase_add_test(tc, type_matches_behind_pointer);
	tcase_add_test(tc, type_matches_anonymous_members);
	tcase_add_test(tc, type_matches_enum_size);
	tcase_add_test(tc, type_matches_fwd);
	tcase_add_test(tc, enumval);
	tcase_add_test(tc, enumval_missing);
	tcase_add_test(tc, enumval_enum64);
	tcase_add_test(tc, bad_records);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *patch_suite(void)
{
	Suite *s = suite_create("patch");
	TCase *tc = tcase_create("patch");

	tcase_add_test(tc, patch_alu);
	tcase_add_test(tc, patch_alu_errors);
	tcase_add_test(tc, patch_mem);
	tcase_add_test(tc, patch_mem_errors);
	tcase_add_test(tc, patch_mem_range);
	tcase_add_test(tc, patch_mem_fail_memsz_adjust);
	tcase_add_test(tc, patch_ldimm64);
	tcase_add_test(tc, patch_ldimm64_errors);
	tcase_add_test(tc, patch_poison);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *e2e_suite(void)
{
	Suite *s = suite_create("e2e");
	TCase *tc = tcase_create("e2e");

	tcase_add_checked_fixture(tc, world_setup, world_teardown);
	tcase_add_test(tc, e2e_every_kind);
	tcase_add_test(tc, e2e_apply);
	tcase_add_test(tc, e2e_apply_leaves_spec);
	tcase_add_test(tc, e2e_error_validation);
	tcase_add_test(tc, e2e_error_ambiguous);
	tcase_add_test(tc, e2e_error_anonymous);
	tcase_add_test(tc, e2e_negative_enumerator);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(resolve_suite());

	srunner_add_suite(sr, patch_suite());
	srunner_add_suite(sr, e2e_suite());
	return run_srunner(sr);
}
