/* SPDX-License-Identifier: MIT */
/*
 * Malformed input: every parser of the pure layers must turn a bad object, BTF blob or
 * .BTF.ext into a negative errno and a message that says what is wrong, and never crash,
 * loop or leak. Inputs are made in memory, either by corrupting a good fixture (little-endian
 * ELF64, patched through Elf64_Ehdr/Elf64_Shdr/Elf64_Sym/Elf64_Rel pointers into a private
 * copy) or by writing BTF by hand. The cases are tables of (input builder, expected error),
 * one loop test per table, so every row is one check that names the case when it fails; the
 * cases that check more than an error (controls, sizes, fix-up, fuzzing) stay functions.
 *
 * Also home to raw_shdr and raw_sym (unit.h), which the other unit files share: plain ELF
 * reading, independent of the code under test.
 */
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btf/btf.h"
#include "btf/ext.h"
#include "btf/fixup.h"
#include "elf/elf.h"
#include "reloc/spec.h"
#include "objgen.h"
#include "testutil.h"
#include "unit.h"

#ifndef R_BPF_64_32
#define R_BPF_64_32 10
#endif


/* ---- BTF by hand (the encoding of the kernel selftests' test_btf.h) --------------------- */

#include "btf_encode.h"

/* The header of a blob made by og_btf_raw_blob(), to corrupt it. */
static struct btf_header *blob_hdr(void *blob)
{
	return blob;
}

/* ---- ELF by hand ------------------------------------------------------------------------ */

static Elf64_Ehdr *ehdr(void *image)
{
	return image;
}

static Elf64_Shdr *shdr_at(void *image, unsigned int index)
{
	return (Elf64_Shdr *)((uint8_t *)image + ehdr(image)->e_shoff) + index;
}

static const char *shdr_name(void *image, const Elf64_Shdr *sh)
{
	const Elf64_Shdr *strs = shdr_at(image, ehdr(image)->e_shstrndx);

	return (const char *)image + strs->sh_offset + sh->sh_name;
}

/* The header of the section called `name` in a well-formed image, or NULL. */
Elf64_Shdr *raw_shdr(void *image, const char *name)
{
	unsigned int i;

	for (i = 1; i < ehdr(image)->e_shnum; i++)
		if (!strcmp(shdr_name(image, shdr_at(image, i)), name))
			return shdr_at(image, i);
	return NULL;
}

static Elf64_Shdr *raw_symtab(void *image)
{
	unsigned int i;

	for (i = 1; i < ehdr(image)->e_shnum; i++)
		if (shdr_at(image, i)->sh_type == SHT_SYMTAB)
			return shdr_at(image, i);
	return NULL;
}

static Elf64_Sym *sym_at(void *image, unsigned int index)
{
	return (Elf64_Sym *)((uint8_t *)image + raw_symtab(image)->sh_offset) + index;
}

/* The first symbol called `name`, or NULL. */
Elf64_Sym *raw_sym(void *image, const char *name)
{
	const Elf64_Shdr *symtab = raw_symtab(image);
	const char *strs = (const char *)image + shdr_at(image, symtab->sh_link)->sh_offset;
	unsigned int i, n = (unsigned int)(symtab->sh_size / sizeof(Elf64_Sym));

	for (i = 1; i < n; i++)
		if (!strcmp(strs + sym_at(image, i)->st_name, name))
			return sym_at(image, i);
	return NULL;
}

/* The section symbol of the section called `name`. */
static Elf64_Sym *raw_section_sym(void *image, const char *name)
{
	const Elf64_Shdr *symtab = raw_symtab(image), *sec = raw_shdr(image, name);
	unsigned int i, n = (unsigned int)(symtab->sh_size / sizeof(Elf64_Sym));

	ck_assert_ptr_nonnull(sec);
	for (i = 1; i < n; i++) {
		Elf64_Sym *s = sym_at(image, i);

		if (ELF64_ST_TYPE(s->st_info) == STT_SECTION &&
		    shdr_at(image, s->st_shndx) == sec)
			return s;
	}
	return NULL;
}

/* Relocation number n of the relocation section called `name`. */
static Elf64_Rel *raw_rel(void *image, const char *name, unsigned int n)
{
	Elf64_Shdr *sh = raw_shdr(image, name);

	ck_assert_ptr_nonnull(sh);
	ck_assert_uint_gt(sh->sh_size / sizeof(Elf64_Rel), n);
	return (Elf64_Rel *)((uint8_t *)image + sh->sh_offset) + n;
}

/* Instruction number n of the section called `name`. */
static struct bpf_insn *raw_insn(void *image, const char *name, unsigned int n)
{
	Elf64_Shdr *sh = raw_shdr(image, name);

	ck_assert_ptr_nonnull(sh);
	ck_assert_uint_gt(sh->sh_size / sizeof(struct bpf_insn), n);
	return (struct bpf_insn *)((uint8_t *)image + sh->sh_offset) + n;
}

/* ---- expectations ----------------------------------------------------------------------- */

struct image {
	uint8_t *buf;
	size_t size;
};

static struct image load(const char *name)
{
	struct image img;

	img.buf = read_file(fixture_path(name), &img.size);
	ck_assert_msg(img.buf, "cannot read %s", fixture_path(name));
	ck_assert_uint_ge(img.size, sizeof(Elf64_Ehdr));
	return img;
}

/* A failed call must return -errno, record the same code and explain itself. */
static void check_failure(int ret, const struct bel_err *err, const char *what, const char *substr)
{
	ck_assert_msg(ret < 0, "%s: expected a failure ('%s'), got %d", what, substr, ret);
	ck_assert_msg(ret >= -4095, "%s: %d is not a negative errno", what, ret);
	ck_assert_int_eq(err->code, ret);
	ck_assert_msg(err->msg[0], "%s: failed (%d) without a message", what, ret);
	if (substr)
		ck_assert_msg(strstr(err->msg, substr), "%s: message '%s' lacks '%s'", what, err->msg,
			      substr);
}

static void expect_spec_fail(const char *what, const void *image, size_t size, const char *substr)
{
	struct bel_spec *spec = (void *)&spec; /* must be reset to NULL */
	struct bel_err err = {0};
	int ret = bel_spec_build(image, size, true, "malformed", &spec, &err);

	if (ret == 0)
		bel_spec_free(spec);
	else
		ck_assert_ptr_null(spec);
	check_failure(ret, &err, what, substr);
}

/* The object opens, but the programs that use what is wrong carry an error (and only they):
 * at least one does, and one at least does not when there are several. */
static void expect_prog_fail(const char *what, const void *image, size_t size, const char *substr)
{
	struct bel_spec *spec = NULL;
	struct bel_err err = {0};
	unsigned int i, failed = 0;
	int ret = bel_spec_build(image, size, true, "malformed", &spec, &err);

	ck_assert_msg(ret == 0, "%s: bel_spec_build: %s", what, err.msg);
	for (i = 0; i < spec->nprogs; i++) {
		const struct bel_prog_def *p = &spec->progs[i];

		if (!p->open_error)
			continue;
		failed++;
		ck_assert_int_lt(p->open_errno, 0);
		ck_assert_msg(strstr(p->open_error, substr), "%s: prog '%s': '%s' lacks '%s'", what,
			      p->name, p->open_error, substr);
		ck_assert_uint_eq(p->insn_cnt, 0);
	}
	ck_assert_msg(failed > 0, "%s: no program failed", what);
	ck_assert_msg(spec->nprogs == 1 || failed < spec->nprogs, "%s: every program failed", what);
	bel_spec_free(spec);
}

static void expect_btf_fail(const char *what, const void *blob, size_t size, const char *substr)
{
	struct bel_btf *btf = (void *)&btf;
	struct bel_err err = {0};
	int ret = bel_btf_parse(blob, size, NULL, true, &btf, &err);

	if (ret == 0)
		bel_btf_free(btf);
	else
		ck_assert_ptr_null(btf);
	check_failure(ret, &err, what, substr);
}

/* ---- objects: one table row per case, each a patch of a fixture and the error it must give */

/* The size of an expected message: a patch may write one that depends on the fixture. */
#define MSG_MAX 160

enum expect {
	SPEC_FAILS, /* bel_spec_build() refuses the object */
	PROG_FAILS, /* the object opens; the programs that use what is wrong carry the error */
};

struct object_case {
	const char *name;
	const char *fixture; /* the object patched; NULL: the patch makes the input alone */
	void (*patch)(struct image *img, char msg[MSG_MAX]);
	enum expect expect;
	const char *error;   /* a part of the message; the patch may write its own into msg */
};

static void run_object_case(const struct object_case *c)
{
	struct image img = {NULL, 0};
	char msg[MSG_MAX];

	snprintf(msg, sizeof(msg), "%s", c->error ? c->error : "");
	if (c->fixture)
		img = load(c->fixture);
	c->patch(&img, msg);
	if (c->expect == PROG_FAILS)
		expect_prog_fail(c->name, img.buf, img.size, msg);
	else
		expect_spec_fail(c->name, img.buf, img.size, msg);
	free(img.buf);
}

/* ---- ELF header and layout -------------------------------------------------------------- */

static void no_bytes(struct image *img, char *msg)
{
	(void)img;
	(void)msg;
}

static void zero_bytes_of_a_buffer(struct image *img, char *msg)
{
	(void)msg;
	img->buf = calloc(1, 1);
	ck_assert_ptr_nonnull(img->buf);
	img->size = 0;
}

static void ten_bytes(struct image *img, char *msg)
{
	static const uint8_t ten[10] = {0x7f, 'E', 'L', 'F', 2, 1, 1};

	(void)msg;
	img->buf = malloc(sizeof(ten));
	ck_assert_ptr_nonnull(img->buf);
	memcpy(img->buf, ten, sizeof(ten));
	img->size = sizeof(ten);
}

static void bad_elf_magic(struct image *img, char *msg)
{
	(void)msg;
	img->buf[1] = 'X';
}

static void class_32bit(struct image *img, char *msg)
{
	(void)msg;
	img->buf[EI_CLASS] = ELFCLASS32;
}

static void machine_x86(struct image *img, char *msg)
{
	(void)msg;
	ehdr(img->buf)->e_machine = EM_X86_64;
}

static void big_endian(struct image *img, char *msg)
{
	(void)msg;
	img->buf[EI_DATA] = ELFDATA2MSB;
}

static void type_exec(struct image *img, char *msg)
{
	(void)msg;
	ehdr(img->buf)->e_type = ET_EXEC;
}

static void license_beyond_file(struct image *img, char *msg)
{
	(void)msg;
	raw_shdr(img->buf, "license")->sh_offset = img->size + 100;
}

/* offset + size wraps around: must not pass as "inside the file" */
static void section_size_wraps(struct image *img, char *msg)
{
	(void)msg;
	raw_shdr(img->buf, "xdp")->sh_size = UINT64_MAX - 8;
}

static void section_name_out_of_range(struct image *img, char *msg)
{
	(void)msg;
	raw_shdr(img->buf, "xdp")->sh_name = 0x7fffff;
}

static void symtab_as_progbits(struct image *img, char *msg)
{
	(void)msg;
	raw_symtab(img->buf)->sh_type = SHT_PROGBITS;
}

static void symtab_entsize_16(struct image *img, char *msg)
{
	(void)msg;
	raw_symtab(img->buf)->sh_entsize = 16;
}

static void symbol_name_out_of_range(struct image *img, char *msg)
{
	(void)msg;
	raw_sym(img->buf, "xdp_first")->st_name = 0x7fffff;
}

static void symbol_section_out_of_range(struct image *img, char *msg)
{
	(void)msg;
	raw_sym(img->buf, "xdp_first")->st_shndx = 0x1234;
}

static const struct object_case elf_cases[] = {
	{"elf_too_short (NULL)", NULL, no_bytes, SPEC_FAILS, "shorter than an ELF header"},
	{"elf_too_short (0 bytes)", NULL, zero_bytes_of_a_buffer, SPEC_FAILS,
	 "shorter than an ELF header"},
	{"elf_too_short (10 bytes)", NULL, ten_bytes, SPEC_FAILS,
	 "10 bytes is shorter than an ELF header"},
	{"elf_bad_magic", "hello", bad_elf_magic, SPEC_FAILS, "bad magic"},
	{"elf_32bit", "hello", class_32bit, SPEC_FAILS, "64-bit"},
	{"elf_wrong_machine", "hello", machine_x86, SPEC_FAILS, "not a BPF object (e_machine 62"},
	{"elf_big_endian", "hello", big_endian, SPEC_FAILS, "byte order (big-endian)"},
	{"elf_not_relocatable", "hello", type_exec, SPEC_FAILS, "not a relocatable object"},
	{"elf_section_beyond_file", "subprogs", license_beyond_file, SPEC_FAILS,
	 "beyond the file's"},
	{"elf_section_size_overflow", "subprogs", section_size_wraps, SPEC_FAILS,
	 "beyond the file's"},
	{"elf_section_name_out_of_range", "subprogs", section_name_out_of_range, SPEC_FAILS,
	 "outside the section name table"},
	{"elf_no_symtab", "subprogs", symtab_as_progbits, SPEC_FAILS, "no symbol table"},
	{"elf_symtab_entsize", "subprogs", symtab_entsize_16, SPEC_FAILS,
	 "symbol table: bad entry size 16"},
	{"elf_symbol_name_out_of_range", "subprogs", symbol_name_out_of_range, SPEC_FAILS,
	 "outside the string table"},
	{"elf_symbol_section_out_of_range", "subprogs", symbol_section_out_of_range, SPEC_FAILS,
	 "section index 4660 out of range"},
};

START_TEST(elf_case)
{
	run_object_case(&elf_cases[_i]);
}
END_TEST

/* Cut at every 1/16th of the file: from nothing to all but the last sixteenth. */

START_TEST(elf_truncated)
{
	struct image img = load(fixtures[_i]);
	int k;

	for (k = 0; k < 16; k++) {
		size_t size = img.size * (size_t)k / 16;
		/* a private, exactly sized copy, so ASan sees any read past the cut */
		uint8_t *cut = malloc(size ? size : 1);
		struct bel_spec *spec;
		struct bel_err err = {0};
		int ret;

		ck_assert_ptr_nonnull(cut);
		memcpy(cut, img.buf, size);
		ret = bel_spec_build(cut, size, true, fixtures[_i], &spec, &err);
		if (ret == 0)
			bel_spec_free(spec);
		free(cut);
		ck_assert_msg(ret < 0, "%s cut to %zu of %zu bytes was accepted", fixtures[_i], size,
			      img.size);
		ck_assert_msg(err.msg[0], "%s cut to %zu bytes: no message", fixtures[_i], size);
	}
	free(img.buf);
}
END_TEST

/* ---- relocations and calls (subprogs: .relxdp[0] is the call in xdp_first at insn 1) ---- */

/* Regression: bel_elf_rels() (elf/elf.c) used to free(rels) and then format this message from
 * rels[i].sym, a heap use-after-free that named a garbage symbol number. */
static void rel_symbol_9999(struct image *img, char *msg)
{
	Elf64_Rel *rel = raw_rel(img->buf, ".relxdp", 0);

	(void)msg;
	rel->r_info = ELF64_R_INFO(9999, ELF64_R_TYPE(rel->r_info));
}

/* Regression: as above, the offset used to be read after free(rels). */
static void rel_at_section_end(struct image *img, char *msg)
{
	uint64_t size = raw_shdr(img->buf, "xdp")->sh_size;

	raw_rel(img->buf, ".relxdp", 0)->r_offset = size;
	snprintf(msg, MSG_MAX, "relocation 0 at offset %llu beyond 'xdp' (%llu bytes)",
		 (unsigned long long)size, (unsigned long long)size);
}

static void rel_at_offset_12(struct image *img, char *msg)
{
	(void)msg;
	raw_rel(img->buf, ".relxdp", 0)->r_offset = 12;
}

static void rel_twice_at_one_offset(struct image *img, char *msg)
{
	(void)msg;
	raw_rel(img->buf, ".relxdp", 1)->r_offset = raw_rel(img->buf, ".relxdp", 0)->r_offset;
}

/* insn 0 of xdp_first is a load, not an ldimm64 or a call */
static void rel_on_load(struct image *img, char *msg)
{
	Elf64_Rel *rel = raw_rel(img->buf, ".relxdp", 0);
	const struct bpf_insn *insn = raw_insn(img->buf, "xdp", 0);

	(void)msg;
	ck_assert_uint_eq(rel->r_offset, 8);
	ck_assert_uint_ne(insn->code, BPF_LD | BPF_IMM | BPF_DW);
	ck_assert_uint_ne(insn->code, BPF_JMP | BPF_CALL);
	rel->r_offset = 0;
}

static void callee_undefined(struct image *img, char *msg)
{
	(void)msg;
	raw_sym(img->buf, "global_classify")->st_shndx = SHN_UNDEF;
}

/* the string literals are reached through the section symbol, which no BTF names */
static void strings_undefined(struct image *img, char *msg)
{
	Elf64_Sym *sym = raw_section_sym(img->buf, ".rodata.str1.1");

	(void)msg;
	ck_assert_ptr_nonnull(sym);
	sym->st_shndx = SHN_UNDEF;
}

static void strings_absolute(struct image *img, char *msg)
{
	(void)msg;
	raw_section_sym(img->buf, ".rodata.str1.1")->st_shndx = SHN_ABS;
}

/* Regression: process_func() used to step over the second half of an ldimm64 without looking
 * for a relocation there, silently dropping it (libbpf refuses such objects). A relocation on
 * the second half (code 0) is on "neither ldimm64 nor a call". */
static void rel_on_ldimm64_second_half(struct image *img, char *msg)
{
	Elf64_Rel *rel = raw_rel(img->buf, ".relsocket", 0);

	(void)msg;
	/* only_bss starts with `r2 = bss_counter ll`, relocated at offset 0 */
	ck_assert_uint_eq(rel->r_offset, 0);
	ck_assert_uint_eq(raw_insn(img->buf, "socket", 0)->code, BPF_LD | BPF_IMM | BPF_DW);
	rel->r_offset = 8;
}

/* Regression (UBSan): an empty relocation section gave qsort()/bsearch() a NULL array. With
 * nothing to relocate, xdp_first's call to count_hit is taken as a call within 'xdp', where no
 * function starts at its target. */
static void rel_section_empty(struct image *img, char *msg)
{
	(void)msg;
	raw_shdr(img->buf, ".relxdp")->sh_size = 0;
}

/* Data offsets: symbol value + addend in 64 bits must not overflow (signed) on the way.
 * Regression (UBSan): `imm + (int64_t)sym->value` used to overflow before the range check. */
static void data_offset_overflows(struct image *img, char *msg)
{
	const Elf64_Rel *rel = raw_rel(img->buf, ".reltc", 0);
	unsigned int i, n = (unsigned int)(raw_shdr(img->buf, ".reltc")->sh_size / sizeof(Elf64_Rel));
	Elf64_Sym *str = raw_section_sym(img->buf, ".rodata.str1.1");

	(void)msg;
	/* the first ldimm64 of tc against the string literals' section symbol: addend 100 */
	for (i = 0; i < n; i++) {
		rel = raw_rel(img->buf, ".reltc", i);
		if (sym_at(img->buf, (unsigned int)ELF64_R_SYM(rel->r_info)) == str)
			break;
	}
	ck_assert_uint_lt(i, n);
	raw_insn(img->buf, "tc", (unsigned int)(rel->r_offset / 8))->imm = 100;
	str->st_value = INT64_MAX - 5;
}

/* xdp_first calls count_hit through the .text section symbol: aim one insn further */
static void call_one_insn_further(struct image *img, char *msg)
{
	struct bpf_insn *call = raw_insn(img->buf, "xdp", 1);

	(void)msg;
	ck_assert_uint_eq(call->code, BPF_JMP | BPF_CALL);
	ck_assert_uint_eq(call->src_reg, BPF_PSEUDO_CALL);
	call->imm += 1;
}

/* count_hit calls mix within .text without a relocation: imm is already relative */
static void local_call_one_insn_short(struct image *img, char *msg)
{
	const Elf64_Sym *count_hit = raw_sym(img->buf, "count_hit");
	unsigned int i, first = (unsigned int)(count_hit->st_value / 8);

	(void)msg;
	for (i = first; i < first + count_hit->st_size / 8; i++) {
		struct bpf_insn *insn = raw_insn(img->buf, ".text", i);

		if (insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == BPF_PSEUDO_CALL) {
			insn->imm -= 1;
			break;
		}
	}
	ck_assert_uint_lt(i, first + count_hit->st_size / 8);
}

static void call_far_back(struct image *img, char *msg)
{
	(void)msg;
	raw_insn(img->buf, "xdp", 1)->imm = -1000;
}

static void function_size_33(struct image *img, char *msg)
{
	(void)msg;
	raw_sym(img->buf, "xdp_first")->st_size = 33;
}

static void function_as_long_as_section(struct image *img, char *msg)
{
	(void)msg;
	raw_sym(img->buf, "xdp_plain")->st_size = raw_shdr(img->buf, "xdp")->sh_size;
}

static void function_one_insn_longer(struct image *img, char *msg)
{
	(void)msg;
	raw_sym(img->buf, "xdp_first")->st_size += 8;
}

static void license_unterminated(struct image *img, char *msg)
{
	Elf64_Shdr *sh = raw_shdr(img->buf, "license");

	(void)msg;
	memset(img->buf + sh->sh_offset, 'X', sh->sh_size);
}

/* point jump_table's slot 2 (tail_two) at a map symbol instead of a program */
static void prog_array_slot_names_map(struct image *img, char *msg)
{
	Elf64_Shdr *rel = raw_shdr(img->buf, ".rel.maps");
	unsigned int i, n = (unsigned int)(rel->sh_size / sizeof(Elf64_Rel));
	unsigned int hash_map = (unsigned int)(raw_sym(img->buf, "hash_map") - sym_at(img->buf, 0));

	(void)msg;
	for (i = 0; i < n; i++) {
		Elf64_Rel *r = raw_rel(img->buf, ".rel.maps", i);
		const Elf64_Sym *s = sym_at(img->buf, (unsigned int)ELF64_R_SYM(r->r_info));

		if (s == raw_sym(img->buf, "tail_two")) {
			r->r_info = ELF64_R_INFO(hash_map, ELF64_R_TYPE(r->r_info));
			break;
		}
	}
	ck_assert_uint_lt(i, n);
}

static const struct object_case reloc_cases[] = {
	{"rel_symbol_out_of_range", "subprogs", rel_symbol_9999, SPEC_FAILS,
	 "relocation 0 names symbol 9999 of 30"},
	{"rel_offset_beyond_section", "subprogs", rel_at_section_end, SPEC_FAILS, NULL},
	{"rel_offset_unaligned", "subprogs", rel_at_offset_12, SPEC_FAILS,
	 "is not on an instruction"},
	{"rel_duplicate", "subprogs", rel_twice_at_one_offset, SPEC_FAILS,
	 "two relocations at offset"},
	{"rel_on_plain_insn", "subprogs", rel_on_load, SPEC_FAILS, "neither ldimm64 nor a call"},
	{"rel_on_plain_insn (where)", "subprogs", rel_on_load, SPEC_FAILS,
	 "prog 'xdp_first' (xdp): insn 0:"},
	{"rel_extern_call", "subprogs", callee_undefined, PROG_FAILS,
	 "extern 'global_classify' is declared neither __kconfig nor __ksym"},
	{"rel_extern_ldimm64", "globals", strings_undefined, PROG_FAILS,
	 "is declared neither __kconfig nor __ksym"},
	{"rel_abs_symbol", "globals", strings_absolute, SPEC_FAILS, "special section"},
	{"rel_on_ldimm64_second_half", "globals", rel_on_ldimm64_second_half, SPEC_FAILS, "insn 1"},
	{"rel_section_empty", "subprogs", rel_section_empty, SPEC_FAILS,
	 "is not the start of a function"},
	{"rel_data_offset_overflow", "globals", data_offset_overflows, SPEC_FAILS,
	 "lies outside '.rodata.str1.1'"},
	{"call_into_middle_of_function", "subprogs", call_one_insn_further, SPEC_FAILS,
	 "is not the start of a function"},
	{"call_into_middle_of_function (where)", "subprogs", call_one_insn_further, SPEC_FAILS,
	 "prog 'xdp_first'"},
	{"local_call_into_middle_of_function", "subprogs", local_call_one_insn_short, SPEC_FAILS,
	 "is not the start of a function"},
	{"call_out_of_section", "subprogs", call_far_back, SPEC_FAILS,
	 "is not the start of a function"},
	{"function_size_not_insns", "subprogs", function_size_33, SPEC_FAILS,
	 "not a whole number of instructions"},
	{"function_beyond_section", "subprogs", function_as_long_as_section, SPEC_FAILS,
	 "function 'xdp_plain' in 'xdp'"},
	{"functions_overlap", "subprogs", function_one_insn_longer, SPEC_FAILS, "overlap"},
	{"license_not_terminated", "subprogs", license_unterminated, SPEC_FAILS,
	 "not a NUL-terminated string"},
	{"prog_array_slot_not_a_prog", "maps", prog_array_slot_names_map, SPEC_FAILS,
	 "map 'jump_table': slot names 'hash_map', which is not a program"},
};

START_TEST(reloc_case)
{
	run_object_case(&reloc_cases[_i]);
}
END_TEST

/*
 * An object made from scratch: n functions in .text, each calling the next ("call +1; exit",
 * the last one "r0 = 0; exit"), and one XDP program "prog" calling the first through a
 * relocation. Every call chain is n deep.
 */
static uint8_t *call_chain_object(uint32_t n, size_t *size)
{
	static const char shstrs[] = "\0.strtab\0.text\0xdp\0.relxdp\0.symtab\0prog";
	enum { N_STRTAB = 1, N_TEXT = 9, N_XDP = 15, N_RELXDP = 19, N_SYMTAB = 27, N_PROG = 35 };
	enum { S_NULL, S_STRTAB, S_TEXT, S_XDP, S_RELXDP, S_SYMTAB, NSECS };
	size_t strs_len = sizeof(shstrs) + (size_t)n * 11; /* "f%u\0" */
	size_t text_size = (size_t)n * 2 * sizeof(struct bpf_insn);
	size_t nsyms = 2 + (size_t)n;
	size_t off_text = sizeof(Elf64_Ehdr);
	size_t off_xdp = off_text + text_size;
	size_t off_rel = off_xdp + 2 * sizeof(struct bpf_insn);
	size_t off_sym = off_rel + sizeof(Elf64_Rel);
	size_t off_str = off_sym + nsyms * sizeof(Elf64_Sym);
	size_t off_sh = (off_str + strs_len + 7) & ~(size_t)7;
	uint8_t *img;
	Elf64_Ehdr *eh;
	Elf64_Shdr *sh;
	struct bpf_insn *insn;
	Elf64_Sym *sym;
	Elf64_Rel *rel;
	char *strs;
	size_t str_used = sizeof(shstrs);
	uint32_t i;

	*size = off_sh + NSECS * sizeof(Elf64_Shdr);
	img = calloc(1, *size);
	ck_assert_ptr_nonnull(img);
	eh = (Elf64_Ehdr *)img;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_REL;
	eh->e_machine = 247; /* EM_BPF */
	eh->e_version = EV_CURRENT;
	eh->e_shoff = off_sh;
	eh->e_ehsize = sizeof(*eh);
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = NSECS;
	eh->e_shstrndx = S_STRTAB;

	/* .text: f0 .. f(n-1) */
	insn = (struct bpf_insn *)(img + off_text);
	for (i = 0; i < n; i++, insn += 2) {
		if (i + 1 < n) {
			insn[0] = (struct bpf_insn){.code = BPF_JMP | BPF_CALL,
						    .src_reg = BPF_PSEUDO_CALL, .imm = 1};
		} else {
			insn[0] = (struct bpf_insn){.code = BPF_ALU64 | BPF_MOV | BPF_K};
		}
		insn[1] = (struct bpf_insn){.code = BPF_JMP | BPF_EXIT};
	}
	/* xdp: prog calls f0 (symbol 2) */
	insn = (struct bpf_insn *)(img + off_xdp);
	insn[0] = (struct bpf_insn){.code = BPF_JMP | BPF_CALL, .src_reg = BPF_PSEUDO_CALL, .imm = -1};
	insn[1] = (struct bpf_insn){.code = BPF_JMP | BPF_EXIT};
	rel = (Elf64_Rel *)(img + off_rel);
	rel->r_offset = 0;
	rel->r_info = ELF64_R_INFO(2, R_BPF_64_32);

	/* symbols and their names */
	strs = (char *)img + off_str;
	memcpy(strs, shstrs, sizeof(shstrs));
	sym = (Elf64_Sym *)(img + off_sym);
	sym[1] = (Elf64_Sym){.st_name = N_PROG, .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC),
			     .st_shndx = S_XDP, .st_value = 0, .st_size = 16};
	for (i = 0; i < n; i++) {
		sym[2 + i] = (Elf64_Sym){.st_name = (uint32_t)str_used,
					 .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC),
					 .st_shndx = S_TEXT, .st_value = (uint64_t)i * 16, .st_size = 16};
		str_used += (size_t)sprintf(strs + str_used, "f%u", i) + 1;
	}

	sh = (Elf64_Shdr *)(img + off_sh);
	sh[S_STRTAB] = (Elf64_Shdr){.sh_name = N_STRTAB, .sh_type = SHT_STRTAB,
				    .sh_offset = off_str, .sh_size = str_used, .sh_addralign = 1};
	sh[S_TEXT] = (Elf64_Shdr){.sh_name = N_TEXT, .sh_type = SHT_PROGBITS,
				  .sh_flags = SHF_ALLOC | SHF_EXECINSTR, .sh_offset = off_text,
				  .sh_size = text_size, .sh_addralign = 8};
	sh[S_XDP] = (Elf64_Shdr){.sh_name = N_XDP, .sh_type = SHT_PROGBITS,
				 .sh_flags = SHF_ALLOC | SHF_EXECINSTR, .sh_offset = off_xdp,
				 .sh_size = 16, .sh_addralign = 8};
	sh[S_RELXDP] = (Elf64_Shdr){.sh_name = N_RELXDP, .sh_type = SHT_REL, .sh_offset = off_rel,
				    .sh_size = sizeof(Elf64_Rel), .sh_link = S_SYMTAB, .sh_info = S_XDP,
				    .sh_addralign = 8, .sh_entsize = sizeof(Elf64_Rel)};
	sh[S_SYMTAB] = (Elf64_Shdr){.sh_name = N_SYMTAB, .sh_type = SHT_SYMTAB, .sh_offset = off_sym,
				    .sh_size = nsyms * sizeof(Elf64_Sym), .sh_link = S_STRTAB,
				    .sh_info = 1, .sh_addralign = 8, .sh_entsize = sizeof(Elf64_Sym)};
	return img;
}

START_TEST(call_chain_control)
{
	size_t size;
	uint8_t *img = call_chain_object(100, &size);
	struct bel_spec *spec;
	struct bel_err err = {0};
	const struct bel_prog_def *prog;

	ck_assert_msg(bel_spec_build(img, size, true, "chain", &spec, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(spec->nprogs, 1);
	prog = &spec->progs[0];
	ck_assert_str_eq(prog->name, "prog");
	ck_assert_uint_eq(prog->prog_type, BPF_PROG_TYPE_XDP);
	/* prog, then f0 .. f99 in call order: every call is +1 */
	ck_assert_uint_eq(prog->insn_cnt, 2 + 100 * 2);
	ck_assert_int_eq(prog->insns[0].imm, 1);
	ck_assert_int_eq(prog->insns[2].imm, 1);
	ck_assert_uint_eq(prog->insns[200].code, BPF_ALU64 | BPF_MOV | BPF_K);
	bel_spec_free(spec);
	free(img);
}
END_TEST

struct chain_job {
	uint8_t *img;
	size_t size;
	int ret;
	struct bel_err err;
};

static void *build_chain(void *arg)
{
	struct chain_job *job = arg;
	struct bel_spec *spec;

	job->ret = bel_spec_build(job->img, job->size, true, "chain", &spec, &job->err);
	if (job->ret == 0)
		bel_spec_free(spec);
	return NULL;
}

/*
 * A call chain 200000 deep, built on a thread with an 8 MiB stack (the usual default): bel
 * may refuse it (the kernel allows 256 functions per program) or build it, but not crash.
 */
START_TEST(call_chain_deep)
{
	struct chain_job job = {0};
	pthread_attr_t attr;
	pthread_t thread;

	job.img = call_chain_object(200000, &job.size);
	ck_assert_int_eq(pthread_attr_init(&attr), 0);
	ck_assert_int_eq(pthread_attr_setstacksize(&attr, 8u << 20), 0);
	/* Regression: place_func() -> process_func() -> relocate_call() -> place_func() used to
	 * recurse once per function of the chain without a bound, overflowing the stack; chains
	 * beyond the kernel's 256 functions are now an error. */
	ck_assert_int_eq(pthread_create(&thread, &attr, build_chain, &job), 0);
	ck_assert_int_eq(pthread_join(thread, NULL), 0);
	pthread_attr_destroy(&attr);
	if (job.ret)
		check_failure(job.ret, &job.err, "bel_spec_build", NULL);
	free(job.img);
}
END_TEST

/* ---- BTF and .BTF.ext inside an object -------------------------------------------------- */

static void btf_magic_flipped(struct image *img, char *msg)
{
	(void)msg;
	img->buf[raw_shdr(img->buf, ".BTF")->sh_offset] ^= 0xff;
}

static void btf_ext_magic_flipped(struct image *img, char *msg)
{
	(void)msg;
	img->buf[raw_shdr(img->buf, ".BTF.ext")->sh_offset] ^= 0xff;
}

/* cfg_name (16 bytes) moved to the end of .rodata: its last bytes lie outside */
static void var_past_rodata(struct image *img, char *msg)
{
	Elf64_Sym *cfg_name = raw_sym(img->buf, "cfg_name");
	uint64_t rodata = raw_shdr(img->buf, ".rodata")->sh_size;

	cfg_name->st_value = rodata - 8;
	if (!msg[0])
		snprintf(msg, MSG_MAX, "variable 'cfg_name' at [%llu, +16) lies outside the %llu-byte",
			 (unsigned long long)cfg_name->st_value, (unsigned long long)rodata);
}

static void var_symbol_in_data(struct image *img, char *msg)
{
	(void)msg;
	raw_sym(img->buf, "cfg_limit")->st_shndx = raw_sym(img->buf, "data_counter")->st_shndx;
}

static const struct object_case object_btf_cases[] = {
	{"object_btf_bad_magic", "globals", btf_magic_flipped, SPEC_FAILS,
	 "section '.BTF': BTF: bad magic"},
	{"object_btf_ext_bad_magic", "globals", btf_ext_magic_flipped, SPEC_FAILS,
	 "section '.BTF.ext': .BTF.ext: bad magic"},
	{"object_datasec_var_beyond_section", "globals", var_past_rodata, SPEC_FAILS, NULL},
	{"object_datasec_var_beyond_section (where)", "globals", var_past_rodata, SPEC_FAILS,
	 "section '.BTF': DATASEC '.rodata'"},
	{"object_datasec_var_without_symbol", "globals", var_symbol_in_data, SPEC_FAILS,
	 "DATASEC '.rodata': no symbol for variable 'cfg_limit'"},
};

START_TEST(object_btf_case)
{
	run_object_case(&object_btf_cases[_i]);
}
END_TEST

/*
 * A legacy SEC("maps") definition whose symbol value is so large that value + definition size
 * wraps around: the range check in legacy_maps.c must still refuse it. subprogs' .maps is
 * renamed "maps" (the sh_name of ".maps" plus one) so its single 32-byte entry 'hits' becomes
 * a legacy definition.
 */
START_TEST(legacy_map_offset_wraps)
{
	struct image img = load("subprogs");
	struct bel_spec *spec = NULL;
	struct bel_err err = {0};
	int ret;

	raw_shdr(img.buf, ".maps")->sh_name += 1;
	ck_assert_ptr_nonnull(raw_shdr(img.buf, "maps"));
	/* control: the renamed object is a valid legacy object */
	ret = bel_spec_build(img.buf, img.size, true, "subprogs", &spec, &err);
	ck_assert_msg(ret == 0, "%s", err.msg);
	ck_assert_int_eq(spec->maps[bel_spec_find_map(spec, "hits")].origin, BEL_MAP_FROM_LEGACY);
	bel_spec_free(spec);

	/* Regression: the range check `sym->value + def_size > sec->size` wrapped for
	 * st_value = 2^64 - 8 and the definition was read from before the section. */
	raw_sym(img.buf, "hits")->st_value = (uint64_t)-8;
	expect_spec_fail("legacy_map_offset_wraps", img.buf, img.size, "legacy map 'hits': offset");
	free(img.buf);
}
END_TEST

/* ---- BTF blobs -------------------------------------------------------------------------- */

/* [1] int, [2] struct s { int a; }, [3] int *   strings: "", "int", "s", "a" */
static const char good_strs[] = "\0int\0s\0a";
static const uint32_t good_types[] = {
	T_INT(1, 4),
	T_STRUCT(5, 1, 4), T_MEMBER(7, 1, 0),
	T_PTR(1),
};

START_TEST(btf_control)
{
	size_t size;
	void *blob = og_btf_raw_blob(good_types, sizeof(good_types), good_strs, sizeof(good_strs), &size);
	struct bel_btf *btf;
	struct bel_err err = {0};

	ck_assert_msg(bel_btf_parse(blob, size, NULL, true, &btf, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(bel_btf_type_count(btf), 4);
	bel_btf_free(btf);
	free(blob);
}
END_TEST

/* ---- BTF blobs: one table row per case (types, strings, a patch of the blob, the error) -- */

struct blob_case {
	const char *name;
	const uint32_t *types;    /* NULL: good_types */
	size_t types_size;
	const char *strs;         /* NULL: good_strs */
	size_t strs_size;
	void (*patch)(uint8_t **blob, size_t *size); /* NULL: none */
	const char *error;
};

#define TYPES(t) (t), sizeof(t)
#define STRS(s) (s), sizeof(s)
#define GOOD NULL, 0

static void run_blob_case(const struct blob_case *c)
{
	size_t size;
	uint8_t *blob = og_btf_raw_blob(c->types ? (const void *)c->types : good_types,
					c->types ? c->types_size : sizeof(good_types),
					c->strs ? c->strs : good_strs,
					c->strs ? c->strs_size : sizeof(good_strs), &size);

	if (c->patch)
		c->patch(&blob, &size);
	expect_btf_fail(c->name, blob, size, c->error);
	free(blob);
}

/* A blob of n zero bytes, exactly allocated so that ASan sees any read past it. */
static void zeros(uint8_t **blob, size_t *size, size_t n)
{
	free(*blob);
	*blob = calloc(1, n ? n : 1);
	ck_assert_ptr_nonnull(*blob);
	*size = n;
}

static void empty(uint8_t **blob, size_t *size) { zeros(blob, size, 0); }
static void four_zeros(uint8_t **blob, size_t *size) { zeros(blob, size, 4); }

/* A patch of the blob's header in one statement: h the header, size the blob's size. */
#define HEADER_PATCH(fn, stmt)                                                                  \
	static void fn(uint8_t **blob, size_t *size)                                            \
	{                                                                                       \
		struct btf_header *h = blob_hdr(*blob);                                         \
                                                                                                \
		(void)size;                                                                     \
		stmt;                                                                           \
	}

HEADER_PATCH(bad_magic, h->magic = 0x1234)
HEADER_PATCH(swapped_magic, h->magic = 0x9feb)
HEADER_PATCH(bad_version, h->version = 2)
HEADER_PATCH(hdr_too_long, h->hdr_len = (uint32_t)*size + 4)
HEADER_PATCH(hdr_too_short, h->hdr_len = 8)
HEADER_PATCH(types_beyond, h->type_len = (uint32_t)*size)
HEADER_PATCH(strs_beyond, h->str_off = (uint32_t)*size)
HEADER_PATCH(types_wrap, h->type_off = UINT32_MAX - 3)
HEADER_PATCH(types_unaligned, h->type_len -= 2)
HEADER_PATCH(sections_overlap, h->str_off -= 4)

static const char unterminated[] = {'\0', 'i', 'n', 't'};
static const char no_empty_first[] = "int\0s\0a";
static const uint32_t unknown_kind[] = {T_INT(1, 4), T_TYPE(0, 25, 0, 0)};
static const uint32_t ptr_beyond[] = {T_INT(1, 4), T_PTR(99)};
static const uint32_t member_beyond[] = {T_INT(1, 4), T_STRUCT(5, 1, 4), T_MEMBER(7, 3, 0)};
static const uint32_t index_beyond[] = {T_INT(1, 4), T_ARRAY(1, 7, 2)};
static const uint32_t var_beyond[] = {T_INT(1, 4), T_DATASEC(5, 1, 4), T_SECINFO(1000, 0, 4)};
static const uint32_t name_beyond[] = {T_INT(1000, 4)};
static const uint32_t member_name_beyond[] = {T_INT(1, 4), T_STRUCT(5, 1, 4), T_MEMBER(500, 1, 0)};
/* vlen 5, one member present */
static const uint32_t vlen_beyond[] = {T_INT(1, 4), T_STRUCT(5, 5, 4), T_MEMBER(7, 1, 0)};
/* a type cut in its fixed part */
static const uint32_t cut[] = {T_INT(1, 4), 0, T_INFO(BTF_KIND_PTR, 0)};

static const struct blob_case blob_cases[] = {
	{"btf_short (0 bytes)", GOOD, GOOD, empty, "0 bytes is shorter than its header"},
	{"btf_short (4 bytes)", GOOD, GOOD, four_zeros, "4 bytes is shorter than its header"},
	{"btf_bad_header (magic)", GOOD, GOOD, bad_magic, "BTF: bad magic 0x1234"},
	{"btf_bad_header (swapped magic)", GOOD, GOOD, swapped_magic, "other byte order"},
	{"btf_bad_header (version)", GOOD, GOOD, bad_version, "BTF: version 2 not supported"},
	{"btf_bad_header (too long)", GOOD, GOOD, hdr_too_long, "header length"},
	{"btf_bad_header (too short)", GOOD, GOOD, hdr_too_short, "header length 8 out of range"},
	{"btf_bad_header (types beyond)", GOOD, GOOD, types_beyond, "beyond"},
	{"btf_bad_header (strings beyond)", GOOD, GOOD, strs_beyond, "beyond"},
	{"btf_bad_header (types wrap)", GOOD, GOOD, types_wrap, "beyond"},
	{"btf_bad_header (types unaligned)", GOOD, GOOD, types_unaligned, "not 4-byte aligned"},
	{"btf_bad_header (overlap)", GOOD, GOOD, sections_overlap, "overlap"},
	{"btf_strings (unterminated)", GOOD, STRS(unterminated), NULL,
	 "string section is not NUL-terminated"},
	{"btf_strings (no empty first)", GOOD, STRS(no_empty_first), NULL,
	 "must start with an empty string"},
	{"btf_strings (none)", GOOD, "", 0, NULL, "must start with an empty string"},
	{"btf_unknown_kind", TYPES(unknown_kind), GOOD, NULL, "BTF type [2]: unknown kind 25"},
	{"btf_ref_beyond_count (ptr)", TYPES(ptr_beyond), GOOD, NULL,
	 "BTF type [2]: its type refers to type [99], but only 3 types exist"},
	{"btf_ref_beyond_count (member)", TYPES(member_beyond), GOOD, NULL,
	 "a member refers to type [3]"},
	{"btf_ref_beyond_count (array index)", TYPES(index_beyond), GOOD, NULL,
	 "its index type refers to type [7]"},
	{"btf_ref_beyond_count (datasec)", TYPES(var_beyond), GOOD, NULL,
	 "a variable refers to type [1000]"},
	{"btf_name_beyond_strings (type)", TYPES(name_beyond), GOOD, NULL,
	 "BTF type [1] INT: name offset 1000 outside the string section"},
	{"btf_name_beyond_strings (member)", TYPES(member_name_beyond), GOOD, NULL,
	 "STRUCT: member 0 name offset 500 outside"},
	{"btf_truncated_vlen", TYPES(vlen_beyond), GOOD, NULL, "BTF type [2]: truncated at byte 16"},
	{"btf_truncated_vlen (fixed part)", TYPES(cut), GOOD, NULL, "BTF type [2]: truncated"},
};

START_TEST(blob_case)
{
	run_blob_case(&blob_cases[_i]);
}
END_TEST

START_TEST(btf_longer_header)
{
	/* a 28-byte header is fine if the unknown tail is zero, refused otherwise */
	size_t size;
	uint8_t *blob = og_btf_raw_blob(good_types, sizeof(good_types), good_strs, sizeof(good_strs),
					&size);
	uint8_t *longer = calloc(1, size + 4);
	struct btf_header *h = (struct btf_header *)longer;
	struct bel_btf *btf;
	struct bel_err err = {0};

	ck_assert_ptr_nonnull(longer);
	memcpy(longer, blob, sizeof(*h));
	memcpy(longer + sizeof(*h) + 4, blob + sizeof(*h), size - sizeof(*h));
	h->hdr_len = sizeof(*h) + 4;
	ck_assert_msg(bel_btf_parse(longer, size + 4, NULL, true, &btf, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(bel_btf_type_name(btf, bel_btf_type(btf, 2)), "s");
	bel_btf_free(btf);
	longer[sizeof(*h) + 1] = 1;
	expect_btf_fail("btf_longer_header", longer, size + 4,
			"unknown non-zero header field at byte 25");
	free(longer);
	free(blob);
}
END_TEST

START_TEST(btf_odd_header_length)
{
	/* A 25-byte header (one zero byte of unknown fields) leaves the type section at an odd
	 * address. The kernel accepts this layout; bel must either refuse it or read the types
	 * without relying on their alignment. */
	size_t size;
	uint8_t *blob = og_btf_raw_blob(good_types, sizeof(good_types), good_strs, sizeof(good_strs),
					&size);
	uint8_t *odd = calloc(1, size + 1);
	struct btf_header *h = (struct btf_header *)odd;
	struct bel_btf *btf = NULL;
	struct bel_err err = {0};
	int ret;

	ck_assert_ptr_nonnull(odd);
	memcpy(odd, blob, sizeof(*h));
	memcpy(odd + sizeof(*h) + 1, blob + sizeof(*h), size - sizeof(*h));
	h->hdr_len = sizeof(*h) + 1;
	/* Regression (UBSan): such a blob was accepted and its types read through misaligned
	 * pointers. bel reads types in place, so it refuses the header instead. */
	ret = bel_btf_parse(odd, size + 1, NULL, true, &btf, &err);
	ck_assert_int_lt(ret, 0);
	check_failure(ret, &err, "bel_btf_parse", "not a multiple of 4");
	free(odd);
	free(blob);
}
END_TEST

/* A typedef cycle passes parsing (ids are in range), but sizing it must end with an error. */
START_TEST(btf_typedef_cycle)
{
	/* [1] typedef a -> [2], [2] typedef s -> [1], [3] array of [1], [4] array of itself */
	static const uint32_t types[] = {
		T_TYPEDEF(5, 2), T_TYPEDEF(7, 1), T_ARRAY(1, 1, 4), T_ARRAY(4, 4, 1),
	};
	size_t size;
	void *blob = og_btf_raw_blob(types, sizeof(types), "\0int\0a\0s", sizeof("\0int\0a\0s"), &size);
	struct bel_btf *btf;
	struct bel_err err = {0};
	uint32_t id = 99;

	ck_assert_msg(bel_btf_parse(blob, size, NULL, true, &btf, &err) == 0, "%s", err.msg);
	ck_assert_int_lt(bel_btf_type_size(btf, 1), 0);
	ck_assert_int_lt(bel_btf_type_size(btf, 2), 0);
	ck_assert_int_lt(bel_btf_type_size(btf, 3), 0);
	ck_assert_int_eq(bel_btf_type_size(btf, 4), -ELOOP);
	ck_assert_ptr_null(bel_btf_skip_mods(btf, 1, &id));
	ck_assert_uint_eq(id, 0);
	bel_btf_free(btf);
	free(blob);
}
END_TEST

/*
 * Sizes beyond int64: nelems and t->size are both up to 2^32 - 1, so their product (and the
 * product of two array dimensions) exceeds INT64_MAX. bel_btf_type_size() must report -E2BIG.
 */
START_TEST(btf_size_overflow)
{
	/* [1] int, [2] int[0xffffffff], [3] [2][0xffffffff], [4] struct big (size 0xffffffff),
	 * [5] big[0xffffffff], [6] int[0x80000000][0x80000000] */
	static const uint32_t types[] = {
		T_INT(1, 4),
		T_ARRAY(1, 1, 0xffffffff),
		T_ARRAY(2, 1, 0xffffffff),
		T_STRUCT(5, 0, 0xffffffff),
		T_ARRAY(4, 1, 0xffffffff),
		T_ARRAY(1, 1, 0x80000000),
		T_ARRAY(6, 1, 0x80000000),
	};
	size_t size;
	void *blob = og_btf_raw_blob(types, sizeof(types), good_strs, sizeof(good_strs), &size);
	struct bel_btf *btf;
	struct bel_err err = {0};

	ck_assert_msg(bel_btf_parse(blob, size, NULL, true, &btf, &err) == 0, "%s", err.msg);
	/* Sizes are u32 wherever the kernel takes them: anything of 4 GiB or more is -E2BIG,
	 * and the products never overflow (they once did, as UB caught by UBSan). */
	ck_assert_int_eq(bel_btf_type_size(btf, 2), -E2BIG);
	ck_assert_int_eq(bel_btf_type_size(btf, 7), -E2BIG);
	ck_assert_int_eq(bel_btf_type_size(btf, 3), -E2BIG);
	ck_assert_int_eq(bel_btf_type_size(btf, 5), -E2BIG);
	bel_btf_free(btf);
	free(blob);
}
END_TEST

/* Fix-up of a hand-made DATASEC against a real object: a variable beyond the section. */
START_TEST(btf_fixup_var_beyond_section)
{
	/* DATASEC "license" (4 bytes in every fixture) with a static var at [8, +4) */
	static const char strs[] = "\0int\0license\0v";
	static const uint32_t types[] = {
		T_INT(1, 4), T_VAR(13, 1, BTF_VAR_STATIC), T_DATASEC(5, 1, 0), T_SECINFO(2, 8, 4),
	};
	static const uint32_t no_var[] = {T_INT(1, 4), T_DATASEC(5, 1, 0), T_SECINFO(1, 0, 4)};
	struct image img = load("hello");
	struct bel_elf *elf;
	struct bel_btf *btf, *ro;
	struct bel_err err = {0};
	size_t size;
	void *blob;

	ck_assert_msg(bel_elf_open(img.buf, img.size, true, &elf, &err) == 0, "%s", err.msg);
	blob = og_btf_raw_blob(types, sizeof(types), strs, sizeof(strs), &size);
	ck_assert_msg(bel_btf_parse(blob, size, NULL, true, &btf, &err) == 0, "%s", err.msg);
	check_failure(bel_btf_fixup_datasecs(btf, elf, &err), &err, "fixup",
		      "DATASEC 'license': variable 'v' at [8, +4) lies outside the 4-byte section");
	bel_btf_free(btf);
	/* read-only (borrowed) BTF cannot be fixed up */
	ck_assert_msg(bel_btf_parse(blob, size, NULL, false, &ro, &err) == 0, "%s", err.msg);
	check_failure(bel_btf_fixup_datasecs(ro, elf, &err), &err, "fixup", "read-only");
	bel_btf_free(ro);
	free(blob);
	blob = og_btf_raw_blob(no_var, sizeof(no_var), strs, sizeof(strs), &size);
	ck_assert_msg(bel_btf_parse(blob, size, NULL, true, &btf, &err) == 0, "%s", err.msg);
	check_failure(bel_btf_fixup_datasecs(btf, elf, &err), &err, "fixup", "entry 0 is not a VAR");
	bel_btf_free(btf);
	free(blob);
	bel_elf_free(elf);
	free(img.buf);
}
END_TEST

/* ---- .BTF.ext --------------------------------------------------------------------------- */

/* BTF whose strings name the ELF sections of the .BTF.ext records: "xdp" at 1 */
static const char ext_strs[] = "\0xdp\0int";
static const uint32_t ext_types[] = {T_INT(5, 4)};

/* A .BTF.ext with one func_info section "xdp" of two 8-byte records and no line_info. */
static uint8_t *ext_blob(size_t *size)
{
	static const uint32_t func_info[] = {
		8,              /* rec_size */
		1, 2,           /* section "xdp", 2 records */
		0, 1, 16, 1,    /* {insn_off 0, type 1}, {insn_off 16, type 1} */
	};
	struct og_ext_hdr h = {
		.magic = BTF_MAGIC,
		.version = BTF_VERSION,
		.hdr_len = sizeof(h),
		.func_info_off = 0,
		.func_info_len = sizeof(func_info),
	};
	uint8_t *blob;

	*size = sizeof(h) + sizeof(func_info);
	blob = malloc(*size);
	ck_assert_ptr_nonnull(blob);
	memcpy(blob, &h, sizeof(h));
	memcpy(blob + sizeof(h), func_info, sizeof(func_info));
	return blob;
}

static struct bel_btf *ext_btf(void **blob)
{
	struct bel_btf *btf;
	struct bel_err err = {0};
	size_t size;

	*blob = og_btf_raw_blob(ext_types, sizeof(ext_types), ext_strs, sizeof(ext_strs), &size);
	ck_assert_msg(bel_btf_parse(*blob, size, NULL, true, &btf, &err) == 0, "%s", err.msg);
	return btf;
}

static void expect_ext_fail(const char *what, const void *data, size_t size,
			    const struct bel_btf *btf, const char *substr)
{
	struct bel_btf_ext *ext = (void *)&ext;
	struct bel_err err = {0};
	int ret = bel_btf_ext_parse(data, size, btf, &ext, &err);

	if (ret == 0)
		bel_btf_ext_free(ext);
	else
		ck_assert_ptr_null(ext);
	check_failure(ret, &err, what, substr);
}

/* Offsets into ext_blob(): the header, then rec_size, name_off, count, records. */
#define EXT_REC_SIZE (sizeof(struct og_ext_hdr))
#define EXT_NAME_OFF (sizeof(struct og_ext_hdr) + 4)
#define EXT_COUNT (sizeof(struct og_ext_hdr) + 8)

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

START_TEST(ext_control)
{
	void *btf_raw;
	struct bel_btf *btf = ext_btf(&btf_raw);
	size_t size;
	uint8_t *blob = ext_blob(&size);
	struct bel_btf_ext *ext;
	struct bel_err err = {0};
	const struct bel_btf_ext_sec *sec;
	uint32_t off;

	ck_assert_msg(bel_btf_ext_parse(blob, size, btf, &ext, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(ext->func_info.rec_size, 8);
	ck_assert_uint_eq(ext->func_info.nsecs, 1);
	ck_assert_uint_eq(ext->line_info.nsecs, 0);
	sec = bel_btf_ext_find(&ext->func_info, "xdp");
	ck_assert_ptr_nonnull(sec);
	ck_assert_uint_eq(sec->count, 2);
	memcpy(&off, sec->recs + 8, 4);
	ck_assert_uint_eq(off, 16);
	ck_assert_ptr_null(bel_btf_ext_find(&ext->func_info, "tc"));
	bel_btf_ext_free(ext);
	free(blob);
	bel_btf_free(btf);
	free(btf_raw);
}
END_TEST

/* ---- .BTF.ext: one table row per case, each a patch of ext_blob() and the error ---------- */

static struct og_ext_hdr *ext_hdr(uint8_t *blob)
{
	return (struct og_ext_hdr *)blob;
}

/* A patch of ext_blob() in one statement: h its header, b its bytes, size its size. */
#define EXT_PATCH(fn, stmt)                                                                     \
	static void fn(uint8_t **blob, size_t *size)                                            \
	{                                                                                       \
		uint8_t *b = *blob;                                                             \
		struct og_ext_hdr *h = ext_hdr(b);                                              \
                                                                                                \
		(void)b;                                                                        \
		(void)h;                                                                        \
		(void)size;                                                                     \
		stmt;                                                                           \
	}

EXT_PATCH(ext_8_bytes, *size = 8)
EXT_PATCH(ext_magic, h->magic = 0x1111)
EXT_PATCH(ext_version, h->version = 7)
EXT_PATCH(ext_hdr_too_long, h->hdr_len = (uint32_t)*size + 1)
EXT_PATCH(ext_hdr_too_short, h->hdr_len = 4)
EXT_PATCH(func_info_4096, h->func_info_len = 4096)
EXT_PATCH(func_info_2, h->func_info_len = 2)
EXT_PATCH(line_info_at_end, h->line_info_off = UINT32_MAX; h->line_info_len = 8)
EXT_PATCH(rec_size_0, put32(b + EXT_REC_SIZE, 0))
EXT_PATCH(rec_size_6, put32(b + EXT_REC_SIZE, 6))
EXT_PATCH(rec_size_1m, put32(b + EXT_REC_SIZE, 1 << 20))
EXT_PATCH(count_3, put32(b + EXT_COUNT, 3))
/* count * rec_size = 2^32: must not wrap */
EXT_PATCH(count_2_29, put32(b + EXT_COUNT, 0x20000000))
EXT_PATCH(count_0, put32(b + EXT_COUNT, 0))
EXT_PATCH(name_off_999, put32(b + EXT_NAME_OFF, 999))
EXT_PATCH(name_off_0, put32(b + EXT_NAME_OFF, 0))

/* func_info grown by 4 bytes that hold no whole section header */
static void section_header_cut(uint8_t **blob, size_t *size)
{
	uint8_t *longer = calloc(1, *size + 4);

	ck_assert_ptr_nonnull(longer);
	memcpy(longer, *blob, *size);
	free(*blob);
	*blob = longer;
	*size += 4;
	ext_hdr(longer)->func_info_len += 4;
}

struct ext_case {
	const char *name;
	void (*patch)(uint8_t **blob, size_t *size);
	const char *error;
};

static const struct ext_case ext_cases[] = {
	{"ext_bad_header (8 bytes)", ext_8_bytes, ".BTF.ext: 8 bytes is shorter than its header"},
	{"ext_bad_header (magic)", ext_magic, ".BTF.ext: bad magic 0x1111"},
	{"ext_bad_header (version)", ext_version, ".BTF.ext: version 7 not supported"},
	{"ext_bad_header (too long)", ext_hdr_too_long, "header length"},
	{"ext_bad_header (too short)", ext_hdr_too_short, "header length 4 out of range"},
	{"ext_bad_header (func_info beyond)", func_info_4096,
	 ".BTF.ext func_info: [0, +4096) out of range"},
	{"ext_bad_header (func_info short)", func_info_2, "out of range"},
	{"ext_bad_header (line_info wraps)", line_info_at_end,
	 ".BTF.ext line_info: [4294967295, +8) out of range"},
	{"ext_bad_records (record size 0)", rec_size_0, ".BTF.ext func_info: bad record size 0"},
	{"ext_bad_records (record size 6)", rec_size_6, "bad record size 6"},
	{"ext_bad_records (record size 1 MiB)", rec_size_1m, "bad record size 1048576"},
	{"ext_bad_records (3 records)", count_3, "section 'xdp': 3 records overrun the data"},
	{"ext_bad_records (2^29 records)", count_2_29, "records overrun the data"},
	{"ext_bad_records (0 records)", count_0, "0 records"},
	{"ext_bad_records (name 999)", name_off_999, "section name offset 999 is not a string"},
	{"ext_bad_records (name 0)", name_off_0, "section name offset 0 is not a string"},
	{"ext_truncated_section_header", section_header_cut,
	 ".BTF.ext func_info: truncated section header"},
};

START_TEST(ext_case)
{
	const struct ext_case *c = &ext_cases[_i];
	void *btf_raw;
	struct bel_btf *btf = ext_btf(&btf_raw);
	size_t size;
	uint8_t *blob = ext_blob(&size);

	c->patch(&blob, &size);
	expect_ext_fail(c->name, blob, size, btf, c->error);
	free(blob);
	bel_btf_free(btf);
	free(btf_raw);
}
END_TEST

/* ---- random mutation -------------------------------------------------------------------- */

#define FUZZ_ITERATIONS 2000

/* Byte ranges worth hitting more often than the DWARF that fills most of an object. */
struct range {
	size_t off, len;
};

static size_t hot_ranges(void *image, size_t size, struct range *out, size_t max)
{
	const Elf64_Ehdr *eh = ehdr(image);
	size_t n = 0;
	unsigned int i;

	out[n++] = (struct range){0, sizeof(*eh)};
	out[n++] = (struct range){eh->e_shoff, (size_t)eh->e_shnum * sizeof(Elf64_Shdr)};
	for (i = 1; i < eh->e_shnum && n < max; i++) {
		const Elf64_Shdr *sh = shdr_at(image, i);
		const char *name = shdr_name(image, sh);

		if (sh->sh_type == SHT_NOBITS || !sh->sh_size || !strncmp(name, ".debug", 6) ||
		    !strncmp(name, ".rel.debug", 10))
			continue;
		if (sh->sh_offset < size && sh->sh_size <= size - sh->sh_offset)
			out[n++] = (struct range){sh->sh_offset, sh->sh_size};
	}
	return n;
}

/* What a successful build must guarantee, whatever the input was. */
static void check_spec_sane(const struct bel_spec *spec, const char *what)
{
	uint32_t p, i;

	/* every type of the (fixed-up) BTF can be resolved or refused without looping */
	for (i = 1; spec->btf && i < bel_btf_type_count(spec->btf); i++) {
		int64_t size = bel_btf_type_size(spec->btf, i);

		ck_assert_msg(size >= -4095, "%s: BTF type [%u] has size %lld", what, i, (long long)size);
		bel_btf_skip_mods(spec->btf, i, NULL);
	}

	for (p = 0; p < spec->nprogs; p++) {
		const struct bel_prog_def *prog = &spec->progs[p];

		/* a program that could not be relocated carries why, and nothing else */
		if (prog->open_error) {
			ck_assert_msg(!prog->insn_cnt && !prog->nmap_refs && prog->open_errno < 0,
				      "%s: prog %u failed at open, but has instructions", what, p);
			continue;
		}
		ck_assert_msg(prog->insn_cnt > 0 && prog->insns, "%s: prog %u empty", what, p);
		for (i = 0; i < prog->nmap_refs; i++) {
			const struct bel_map_ref *ref = &prog->map_refs[i];

			ck_assert_msg(ref->insn + 1 < prog->insn_cnt && ref->map < spec->nmaps,
				      "%s: prog '%s' ref %u out of range", what, prog->name, i);
			ck_assert_msg(prog->insns[ref->insn].code == (BPF_LD | BPF_IMM | BPF_DW),
				      "%s: prog '%s' ref %u not on an ldimm64", what, prog->name, i);
		}
		for (i = 0; i < prog->nmaps; i++)
			ck_assert_msg(prog->maps[i] < spec->nmaps, "%s: prog '%s' map table out of range",
				      what, prog->name);
		for (i = 0; i < prog->insn_cnt; i++) {
			const struct bpf_insn *insn = &prog->insns[i];
			int64_t target = (int64_t)i + insn->imm + 1;

			if (insn->code == (BPF_LD | BPF_IMM | BPF_DW)) {
				i++;
				continue;
			}
			if (insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == BPF_PSEUDO_CALL)
				ck_assert_msg(target >= 0 && target < prog->insn_cnt,
					      "%s: prog '%s' insn %u calls %lld outside the program", what,
					      prog->name, i, (long long)target);
		}
	}
}

/*
 * The mutation being tried, printed if the process dies on it (a sanitizer report or a
 * signal), so that the failing input can be rebuilt: fixture, iteration, then offset^=xor.
 */
static char fuzz_current[512];

/* Provided by the ASan/UBSan runtime when the build is sanitized; NULL otherwise. */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static void fuzz_report(void)
{
	static const char head[] = "fuzz: died on ";

	if (!fuzz_current[0])
		return;
	if (write(STDERR_FILENO, head, sizeof(head) - 1) < 0 ||
	    write(STDERR_FILENO, fuzz_current, strlen(fuzz_current)) < 0 ||
	    write(STDERR_FILENO, "\n", 1) < 0)
		return;
}

static void fuzz_signal(int sig)
{
	fuzz_report();
	signal(sig, SIG_DFL);
	raise(sig);
}

START_TEST(fuzz_flip_bytes)
{
	const char *name = fixtures[_i];
	struct image img = load(name);
	uint8_t *orig = malloc(img.size);
	struct range hot[64];
	size_t nhot = hot_ranges(img.buf, img.size, hot, 64);
	int iter, ok = 0;

	ck_assert_ptr_nonnull(orig);
	memcpy(orig, img.buf, img.size);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(fuzz_report);
	signal(SIGSEGV, fuzz_signal);
	signal(SIGBUS, fuzz_signal);
	signal(SIGABRT, fuzz_signal);
	srand(1);
	for (iter = 0; iter < FUZZ_ITERATIONS; iter++) {
		size_t offs[8];
		uint8_t xors[8];
		int n = 1 + rand() % 8, k;
		char *what = fuzz_current;
		const size_t what_size = sizeof(fuzz_current);
		int len;
		struct bel_spec *spec;
		struct bel_err err = {0};
		int ret;

		len = snprintf(what, what_size, "%s iteration %d, flips", name, iter);
		for (k = 0; k < n; k++) {
			/* half the flips anywhere, half in headers, symbols, relocations, code, BTF */
			if (rand() % 2) {
				offs[k] = (size_t)rand() % img.size;
			} else {
				const struct range *r = &hot[(size_t)rand() % nhot];

				offs[k] = r->off + (size_t)rand() % r->len;
			}
			xors[k] = (uint8_t)(1 + rand() % 255);
			img.buf[offs[k]] ^= xors[k];
			if (len > 0 && (size_t)len < what_size)
				len += snprintf(what + len, what_size - (size_t)len, " [%zu]^=%#x",
						offs[k], xors[k]);
		}
		ret = bel_spec_build(img.buf, img.size, true, name, &spec, &err);
		if (ret == 0) {
			ok++;
			check_spec_sane(spec, what);
			bel_spec_free(spec);
		} else {
			ck_assert_msg(ret >= -4095 && err.code == ret, "%s: returned %d, err.code %d",
				      what, ret, err.code);
			ck_assert_msg(err.msg[0], "%s: failed (%d) without a message", what, ret);
		}
		memcpy(img.buf, orig, img.size);
	}
	fuzz_current[0] = '\0';
	/* not a requirement, but if nothing ever parses the mutations are too blunt to test much */
	fprintf(stderr, "fuzz %s: %d of %d mutated objects accepted\n", name, ok, FUZZ_ITERATIONS);
	free(orig);
	free(img.buf);
}
END_TEST

#define NCASES(table) ((int)(sizeof(table) / sizeof(table[0])))

Suite *malformed_suite(void)
{
	Suite *s = suite_create("malformed");
	TCase *tc;

	tc = tcase_create("elf");
	tcase_add_loop_test(tc, elf_case, 0, NCASES(elf_cases));
	tcase_add_loop_test(tc, elf_truncated, 0, NFIXTURES);
	suite_add_tcase(s, tc);

	tc = tcase_create("relocations");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, reloc_case, 0, NCASES(reloc_cases));
	tcase_add_test(tc, call_chain_control);
	tcase_add_test(tc, call_chain_deep);
	tcase_add_test(tc, legacy_map_offset_wraps);
	suite_add_tcase(s, tc);

	tc = tcase_create("btf");
	tcase_add_loop_test(tc, object_btf_case, 0, NCASES(object_btf_cases));
	tcase_add_test(tc, btf_control);
	tcase_add_loop_test(tc, blob_case, 0, NCASES(blob_cases));
	tcase_add_test(tc, btf_longer_header);
	tcase_add_test(tc, btf_odd_header_length);
	tcase_add_test(tc, btf_typedef_cycle);
	tcase_add_test(tc, btf_size_overflow);
	tcase_add_test(tc, btf_fixup_var_beyond_section);
	suite_add_tcase(s, tc);

	tc = tcase_create("btf_ext");
	tcase_add_test(tc, ext_control);
	tcase_add_loop_test(tc, ext_case, 0, NCASES(ext_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("fuzz");
	tcase_set_timeout(tc, 100);
	tcase_add_loop_test(tc, fuzz_flip_bytes, 0, NFIXTURES);
	suite_add_tcase(s, tc);
	return s;
}
