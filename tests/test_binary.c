/* SPDX-License-Identifier: MIT */
/*
 * The pure readers behind uprobes and USDT, without a kernel: elf/binary.h on hand-made and
 * real executables and libraries (symbols, versions, segments, SDT notes) and on broken ones
 * (truncated, tables outside the file, huge counts, notes running past their section: an
 * error naming what is wrong, never a crash), elf/usdt_spec.h's argument specs, elf/ld_cache.h,
 * and BTF linkage of hidden subprograms.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btf/btf.h"
#include "elf/binary.h"
#include "elf/ld_cache.h"
#include "elf/usdt_spec.h"
#include "reloc/spec.h"
#include "testutil.h"

/* ---- a small ELF image of our own ------------------------------------------------------- */

#define TEXT_VADDR 0x400000ull
#define DATA_VADDR 0x600000ull

struct sym {
	const char *name;
	uint64_t value;
	int bind, type;
	uint16_t shndx;       /* 1: .text, 2: .data */
};

struct image {
	uint8_t buf[8192];
	size_t size;
	size_t shoff, notes_off, notes_size, symtab_off;
};

static size_t put(struct image *im, const void *p, size_t n, size_t align)
{
	size_t off = (im->size + align - 1) & ~(align - 1);

	ck_assert_uint_le(off + n, sizeof(im->buf));
	memset(im->buf + im->size, 0, off - im->size);
	memcpy(im->buf + off, p, n);
	im->size = off + n;
	return off;
}

/* An SDT note: pc, base, semaphore, then provider, name, args. */
static size_t sdt_note(uint8_t *out, uint64_t pc, uint64_t base, uint64_t sema, const char *prov,
		       const char *name, const char *args)
{
	Elf64_Nhdr nh = {.n_namesz = 8, .n_type = 3};
	size_t off = 0, d;

	nh.n_descsz = (uint32_t)(24 + strlen(prov) + strlen(name) + strlen(args) + 3);
	memcpy(out, &nh, sizeof(nh));
	memcpy(out + 12, "stapsdt", 8);
	off = 20;
	memcpy(out + off, &pc, 8);
	memcpy(out + off + 8, &base, 8);
	memcpy(out + off + 16, &sema, 8);
	d = off + 24;
	strcpy((char *)out + d, prov);
	d += strlen(prov) + 1;
	strcpy((char *)out + d, name);
	d += strlen(name) + 1;
	strcpy((char *)out + d, args);
	d += strlen(args) + 1;
	return (d + 3) & ~3ul;
}

/* ET_EXEC for x86-64: .text (R+X segment at TEXT_VADDR), .data (RW segment at DATA_VADDR),
 * .symtab/.strtab with syms, .note.stapsdt with notes (notes_size bytes), .stapsdt.base at
 * base_addr if non-zero. */
static void build(struct image *im, const struct sym *syms, size_t nsyms, const uint8_t *notes,
		  size_t notes_size, uint64_t base_addr)
{
	Elf64_Ehdr eh = {0};
	Elf64_Phdr ph[2] = {{0}};
	Elf64_Shdr sh[8] = {{0}};
	char strtab[512] = "", shstr[256] = "";
	size_t strsz = 1, shsz = 1, text_off, data_off, i, n = 0;
	Elf64_Sym st[16] = {{0}};
	uint8_t text[64], data[16] = {0};
	uint32_t names[8];
	static const char *const secnames[] = {"", ".text", ".data", ".symtab", ".strtab",
					       ".note.stapsdt", ".stapsdt.base", ".shstrtab"};

	memset(im, 0, sizeof(*im));
	memset(text, 0x90, sizeof(text));
	im->size = sizeof(eh) + sizeof(ph);
	text_off = put(im, text, sizeof(text), 16);
	data_off = put(im, data, sizeof(data), 16);
	for (i = 0; i < nsyms; i++) {
		st[i + 1].st_name = (uint32_t)strsz;
		strcpy(strtab + strsz, syms[i].name);
		strsz += strlen(syms[i].name) + 1;
		st[i + 1].st_value = syms[i].value;
		st[i + 1].st_size = 8;
		st[i + 1].st_info = (unsigned char)ELF64_ST_INFO(syms[i].bind, syms[i].type);
		st[i + 1].st_shndx = syms[i].shndx;
	}
	im->symtab_off = put(im, st, (nsyms + 1) * sizeof(Elf64_Sym), 8);
	sh[3].sh_offset = im->symtab_off;
	sh[4].sh_offset = put(im, strtab, strsz, 1);
	im->notes_off = notes_size ? put(im, notes, notes_size, 4) : 0;
	im->notes_size = notes_size;
	for (i = 0; i < 8; i++) {
		names[i] = (uint32_t)shsz;
		strcpy(shstr + shsz, secnames[i]);
		shsz += strlen(secnames[i]) + 1;
	}
	sh[7].sh_offset = put(im, shstr, shsz, 1);
	for (i = 0; i < 8; i++)
		sh[i].sh_name = i ? names[i] : 0;
	sh[1] = (Elf64_Shdr){.sh_name = names[1], .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC |
		SHF_EXECINSTR, .sh_addr = TEXT_VADDR + text_off, .sh_offset = text_off, .sh_size = 64};
	sh[2] = (Elf64_Shdr){.sh_name = names[2], .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC |
		SHF_WRITE, .sh_addr = DATA_VADDR + data_off, .sh_offset = data_off, .sh_size = 16};
	sh[3] = (Elf64_Shdr){.sh_name = names[3], .sh_type = SHT_SYMTAB, .sh_offset = im->symtab_off,
		.sh_size = (nsyms + 1) * sizeof(Elf64_Sym), .sh_link = 4,
		.sh_entsize = sizeof(Elf64_Sym)};
	sh[4] = (Elf64_Shdr){.sh_name = names[4], .sh_type = SHT_STRTAB, .sh_offset = sh[4].sh_offset,
		.sh_size = strsz};
	sh[5] = (Elf64_Shdr){.sh_name = names[5], .sh_type = notes_size ? SHT_NOTE : SHT_NULL,
		.sh_offset = im->notes_off, .sh_size = notes_size, .sh_addralign = 4};
	sh[6] = (Elf64_Shdr){.sh_name = names[6], .sh_type = base_addr ? SHT_PROGBITS : SHT_NULL,
		.sh_addr = base_addr, .sh_offset = text_off, .sh_size = base_addr ? 1 : 0};
	sh[7] = (Elf64_Shdr){.sh_name = names[7], .sh_type = SHT_STRTAB, .sh_offset = sh[7].sh_offset,
		.sh_size = shsz};
	if (!base_addr)
		sh[6].sh_name = names[0];
	if (!notes_size)
		sh[5].sh_name = names[0];
	im->shoff = put(im, sh, sizeof(sh), 8);
	n = im->size;
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_shoff = im->shoff;
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 2;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 8;
	eh.e_shstrndx = 7;
	ph[0] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0,
		.p_vaddr = TEXT_VADDR, .p_filesz = data_off, .p_memsz = data_off};
	ph[1] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = data_off,
		.p_vaddr = DATA_VADDR, .p_filesz = n - data_off, .p_memsz = n - data_off};
	memcpy(im->buf, &eh, sizeof(eh));
	memcpy(im->buf + sizeof(eh), ph, sizeof(ph));
}

static int open_image(const struct image *im, size_t size, struct bel_binary **bin,
		      struct bel_err *err)
{
	return bel_binary_open(im->buf, size, bin, err);
}

static const struct sym basic_syms[] = {
	{"alpha", TEXT_VADDR + 0x80, STB_GLOBAL, STT_FUNC, 1},
	{"beta", TEXT_VADDR + 0x88, STB_LOCAL, STT_FUNC, 1},
	{"gamma", TEXT_VADDR + 0x90, STB_WEAK, STT_FUNC, 1},
	{"gamma", TEXT_VADDR + 0x98, STB_GLOBAL, STT_FUNC, 1},
	{"dup", TEXT_VADDR + 0x80, STB_GLOBAL, STT_FUNC, 1},
	{"dup", TEXT_VADDR + 0x88, STB_GLOBAL, STT_FUNC, 1},
	{"same", TEXT_VADDR + 0x80, STB_GLOBAL, STT_FUNC, 1},
	{"same", TEXT_VADDR + 0x80, STB_WEAK, STT_FUNC, 1},
	{"ver@V1", TEXT_VADDR + 0x84, STB_GLOBAL, STT_FUNC, 1},
	{"ver@@V2", TEXT_VADDR + 0x8c, STB_GLOBAL, STT_FUNC, 1},
	{"datum", DATA_VADDR + 0x90, STB_GLOBAL, STT_OBJECT, 2},
	{"in_data", DATA_VADDR + 0x90, STB_GLOBAL, STT_FUNC, 2},
	{"undef", 0, STB_GLOBAL, STT_FUNC, SHN_UNDEF},
	{"ifn", TEXT_VADDR + 0x90, STB_GLOBAL, STT_GNU_IFUNC, 1},
};
#define NBASIC (sizeof(basic_syms) / sizeof(basic_syms[0]))

START_TEST(test_binary_symbols)
{
	struct bel_binary_func f;
	struct bel_binary *bin;
	struct bel_err err = {0};
	struct image im;

	build(&im, basic_syms, NBASIC, NULL, 0, 0);
	ck_assert_msg(open_image(&im, im.size, &bin, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(bin->type, ET_EXEC);
	ck_assert_uint_eq(bin->nsegs, 2);
	ck_assert_int_eq(bel_binary_find_func(bin, "alpha", &f, &err), 0);
	/* address minus the segment's vaddr plus its file offset */
	ck_assert_uint_eq(f.offset, 0x80);
	ck_assert(!f.dynamic);
	ck_assert_int_eq(bel_binary_find_func(bin, "beta", &f, &err), 0);
	ck_assert_uint_eq(f.offset, 0x88);
	/* strong over weak */
	ck_assert_int_eq(bel_binary_find_func(bin, "gamma", &f, &err), 0);
	ck_assert_uint_eq(f.offset, 0x98);
	ck_assert_int_eq(bel_binary_find_func(bin, "same", &f, &err), 0);
	ck_assert_int_eq(bel_binary_find_func(bin, "dup", &f, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "ambiguous") && strstr(err.msg, "dup"), "%s", err.msg);
	/* versions in .symtab names; the default one without a version */
	ck_assert_int_eq(bel_binary_find_func(bin, "ver", &f, &err), 0);
	ck_assert_uint_eq(f.offset, 0x8c);
	ck_assert_int_eq(bel_binary_find_func(bin, "ver@V1", &f, &err), 0);
	ck_assert_uint_eq(f.offset, 0x84);
	ck_assert_int_eq(bel_binary_find_func(bin, "ver@@V2", &f, &err), 0);
	ck_assert_uint_eq(f.offset, 0x8c);
	ck_assert_int_eq(bel_binary_find_func(bin, "ver@V3", &f, &err), -ENOENT);
	/* not functions, undefined, not executable, absent, not a name */
	ck_assert_int_eq(bel_binary_find_func(bin, "datum", &f, &err), -ENOENT);
	ck_assert_int_eq(bel_binary_find_func(bin, "undef", &f, &err), -ENOENT);
	ck_assert_int_eq(bel_binary_find_func(bin, "in_data", &f, &err), -ENOENT);
	ck_assert_msg(strstr(err.msg, "non-executable"), "%s", err.msg);
	ck_assert_int_eq(bel_binary_find_func(bin, "ifn", &f, &err), -ENOENT);
	ck_assert_msg(strstr(err.msg, "indirect function"), "%s", err.msg);
	ck_assert_int_eq(bel_binary_find_func(bin, "nope", &f, &err), -ENOENT);
	ck_assert_msg(strstr(err.msg, "'nope' not found"), "%s", err.msg);
	ck_assert_int_eq(bel_binary_find_func(bin, "@V1", &f, &err), -EINVAL);
	ck_assert_int_eq(bel_binary_find_func(bin, "ver@", &f, &err), -EINVAL);
	ck_assert_int_eq(bel_binary_addr_offset(bin, DATA_VADDR + 0x90, false, &f.offset, &err), 0);
	ck_assert_int_eq(bel_binary_addr_offset(bin, 0x100, true, &f.offset, &err), -ENOENT);
	bel_binary_free(bin);
}
END_TEST

/* Broken headers and tables: refused with a message, whatever byte is changed or cut. */
START_TEST(test_binary_malformed)
{
	struct bel_binary_func f;
	struct bel_binary *bin;
	struct bel_err err = {0};
	struct image im, bad;
	Elf64_Ehdr *eh = (Elf64_Ehdr *)bad.buf;
	Elf64_Shdr *sh;
	size_t n;

	build(&im, basic_syms, NBASIC, NULL, 0, 0);
	/* every truncation: refused, or (cut in the section data) symbols may be missing */
	for (n = 0; n < im.size; n++) {
		if (open_image(&im, n, &bin, &err) == 0) {
			bel_binary_find_func(bin, "alpha", &f, &err);
			bel_binary_free(bin);
		} else {
			ck_assert(err.msg[0]);
		}
	}
	ck_assert_int_eq(open_image(&im, 40, &bin, &err), -ENOEXEC);
	ck_assert_msg(strstr(err.msg, "shorter than an ELF header"), "%s", err.msg);
#define MUTATE(stmt, code, text)                                                          \
	do {                                                                              \
		bad = im;                                                                 \
		stmt;                                                                     \
		ck_assert_int_eq(open_image(&bad, bad.size, &bin, &err), code);           \
		ck_assert_msg(strstr(err.msg, text), "%s", err.msg);                      \
	} while (0)
	MUTATE(eh->e_phoff = 1ull << 40, -EINVAL, "program headers");
	MUTATE(eh->e_phnum = 0, -EINVAL, "no program headers");
	MUTATE(eh->e_phentsize = 32, -EINVAL, "program header entries");
	MUTATE(eh->e_shoff = im.size - 8, -EINVAL, "section headers");
	MUTATE(eh->e_shnum = 60000, -EINVAL, "section headers");
	MUTATE(eh->e_machine = EM_AARCH64, -ENOEXEC, "machine");
	MUTATE(eh->e_type = ET_REL, -ENOEXEC, "not an executable");
	MUTATE(eh->e_ident[EI_CLASS] = ELFCLASS32, -ENOEXEC, "64-bit");
	MUTATE(eh->e_ident[0] = 0, -ENOEXEC, "not an ELF");
	MUTATE(((Elf64_Phdr *)(bad.buf + 64))->p_filesz = ~0ull, -EINVAL, "bad sizes");
	MUTATE(((Elf64_Phdr *)(bad.buf + 64))->p_type = PT_NOTE;
	       ((Elf64_Phdr *)(bad.buf + 120))->p_type = PT_NULL, -EINVAL, "no PT_LOAD");
	sh = (Elf64_Shdr *)(bad.buf + im.shoff);
	MUTATE(sh[3].sh_size = 1ull << 60, -EINVAL, "past the file");
	MUTATE(sh[3].sh_offset = im.size, -EINVAL, "past the file");
	/* huge counts the file cannot hold: extended section count in section 0 */
	MUTATE(eh->e_shnum = 0; sh[0].sh_size = 1ull << 40, -EINVAL, "run past");
	/* ... one whose size in bytes wraps around 2^64 (found by fuzz_binary) */
	MUTATE(eh->e_shnum = 0; sh[0].sh_size = 1ull << 58, -EINVAL, "run past");
	/* a bad symbol table is an error at lookup */
	bad = im;
	sh[3].sh_entsize = 12;
	ck_assert_int_eq(open_image(&bad, bad.size, &bin, &err), 0);
	ck_assert_int_eq(bel_binary_find_func(bin, "alpha", &f, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "entries of 12 bytes"), "%s", err.msg);
	bel_binary_free(bin);
	bad = im;
	sh[3].sh_link = 99;
	ck_assert_int_eq(open_image(&bad, bad.size, &bin, &err), 0);
	ck_assert_int_eq(bel_binary_find_func(bin, "alpha", &f, &err), -EINVAL);
	bel_binary_free(bin);
	/* names past the string table are not names */
	bad = im;
	((Elf64_Sym *)(bad.buf + im.symtab_off))[1].st_name = 100000;
	ck_assert_int_eq(open_image(&bad, bad.size, &bin, &err), 0);
	ck_assert_int_eq(bel_binary_find_func(bin, "alpha", &f, &err), -ENOENT);
	bel_binary_free(bin);
	/* no section headers at all: no symbols, said so */
	bad = im;
	eh->e_shoff = 0;
	ck_assert_int_eq(open_image(&bad, bad.size, &bin, &err), 0);
	ck_assert_int_eq(bel_binary_find_func(bin, "alpha", &f, &err), -ENOENT);
	ck_assert_msg(strstr(err.msg, "no symbol table"), "%s", err.msg);
	bel_binary_free(bin);
#undef MUTATE
}
END_TEST

START_TEST(test_binary_usdt_notes)
{
	uint8_t notes[1024];
	size_t n = 0, first;
	struct bel_usdt_site *sites;
	struct bel_usdt_note *all;
	struct bel_binary *bin;
	struct bel_err err = {0};
	struct image im, bad;
	uint32_t count;
	Elf64_Nhdr *nh;

	first = sdt_note(notes, TEXT_VADDR + 0xa0, 0, 0, "prov", "one", "-4@%edi 8@$1");
	n = first;
	/* a foreign note between two SDT notes is skipped */
	{
		Elf64_Nhdr other = {.n_namesz = 4, .n_descsz = 4, .n_type = 1};

		memcpy(notes + n, &other, sizeof(other));
		memcpy(notes + n + 12, "GNU", 4);
		n += 20;
	}
	/* prelinked: .stapsdt.base moved by 0x10 after the note was written; a semaphore */
	n += sdt_note(notes + n, TEXT_VADDR + 0xa8 - 0x10, TEXT_VADDR + 0x40 - 0x10,
		      DATA_VADDR + 0x98 - 0x10, "prov", "two", "");
	n += sdt_note(notes + n, TEXT_VADDR + 0xb0, 0, 0, "prov", "one", "8@%rax");
	build(&im, basic_syms, 2, notes, n, TEXT_VADDR + 0x40);
	ck_assert_int_eq(open_image(&im, im.size, &bin, &err), 0);
	ck_assert_msg(bel_binary_usdt_notes(bin, &all, &count, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(count, 3);
	ck_assert_str_eq(all[1].name, "two");
	ck_assert_str_eq(all[1].args, "");
	free(all);
	ck_assert_int_eq(bel_binary_usdt_sites(bin, "prov", "one", &sites, &count, &err), 0);
	ck_assert_uint_eq(count, 2);
	ck_assert_uint_eq(sites[0].offset, 0xa0);
	ck_assert_str_eq(sites[0].args, "-4@%edi 8@$1");
	ck_assert_uint_eq(sites[1].offset, 0xb0);
	ck_assert_uint_eq(sites[0].sema_offset, 0);
	free(sites);
	ck_assert_int_eq(bel_binary_usdt_sites(bin, "prov", "two", &sites, &count, &err), 0);
	ck_assert_uint_eq(sites[0].addr, TEXT_VADDR + 0xa8);
	ck_assert_uint_eq(sites[0].offset, 0xa8);
	ck_assert_uint_eq(sites[0].sema_addr, DATA_VADDR + 0x98);
	ck_assert_uint_ne(sites[0].sema_offset, 0);
	free(sites);
	ck_assert_int_eq(bel_binary_usdt_sites(bin, "prov", "three", &sites, &count, &err), -ENOENT);
	ck_assert_msg(strstr(err.msg, "prov:three"), "%s", err.msg);
	bel_binary_free(bin);

	/* a descriptor past the section */
	bad = im;
	nh = (Elf64_Nhdr *)(bad.buf + im.notes_off);
	nh->n_descsz = 1u << 30;
	ck_assert_int_eq(open_image(&bad, bad.size, &bin, &err), 0);
	ck_assert_int_eq(bel_binary_usdt_sites(bin, "prov", "one", &sites, &count, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "runs past") && strstr(err.msg, "note 0"), "%s", err.msg);
	bel_binary_free(bin);
	/* strings not terminated inside the descriptor */
	bad = im;
	nh->n_descsz = 24 + 3;
	memset(bad.buf + im.notes_off + 20 + 24, 'x', 3);
	ck_assert_int_eq(open_image(&bad, bad.size, &bin, &err), 0);
	ck_assert_int_lt(bel_binary_usdt_sites(bin, "prov", "one", &sites, &count, &err), 0);
	ck_assert_msg(strstr(err.msg, "not terminated"), "%s", err.msg);
	bel_binary_free(bin);
	/* a semaphore in an executable segment, a site outside any */
	n = sdt_note(notes, TEXT_VADDR + 0xa0, 0, TEXT_VADDR + 0x80, "p", "s", "");
	n += sdt_note(notes + n, 0x10, 0, 0, "p", "out", "");
	build(&im, basic_syms, 2, notes, n, 0);
	ck_assert_int_eq(open_image(&im, im.size, &bin, &err), 0);
	ck_assert_int_eq(bel_binary_usdt_sites(bin, "p", "s", &sites, &count, &err), -ENOENT);
	ck_assert_msg(strstr(err.msg, "semaphore") && strstr(err.msg, "executable"), "%s", err.msg);
	ck_assert_int_eq(bel_binary_usdt_sites(bin, "p", "out", &sites, &count, &err), -ENOENT);
	bel_binary_free(bin);
	/* every truncation of the note section */
	for (n = 0; n < first + 8; n++) {
		build(&im, basic_syms, 2, notes, n, 0);
		if (open_image(&im, im.size, &bin, &err))
			continue;
		if (!bel_binary_usdt_notes(bin, &all, &count, &err))
			free(all);
		bel_binary_free(bin);
	}
}
END_TEST

/* The library the kernel tests probe: dynamic symbols and their versions. */
START_TEST(test_binary_real_library)
{
	struct bel_binary_func f, def, v1, v2, local1, local2;
	struct bel_binary *bin;
	struct bel_err err = {0};
	size_t size;
	void *image = read_file(BEL_UPROBE_LIB, &size);

	ck_assert_ptr_nonnull(image);
	ck_assert_msg(bel_binary_open(image, size, &bin, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(bin->type, ET_DYN);
	ck_assert_int_eq(bel_binary_find_func(bin, "bel_lib_add", &f, &err), 0);
	ck_assert(f.dynamic);
	ck_assert_uint_eq(f.offset, f.addr); /* first segment at 0, offset 0 */
	ck_assert_int_eq(bel_binary_find_func(bin, "bel_lib_versioned", &def, &err), 0);
	ck_assert_int_eq(bel_binary_find_func(bin, "bel_lib_versioned@BEL_1", &v1, &err), 0);
	ck_assert_int_eq(bel_binary_find_func(bin, "bel_lib_versioned@@BEL_2", &v2, &err), 0);
	ck_assert_int_eq(bel_binary_find_func(bin, "bel_lib_versioned_1", &local1, &err), 0);
	ck_assert_int_eq(bel_binary_find_func(bin, "bel_lib_versioned_2", &local2, &err), 0);
	ck_assert(!local1.dynamic);
	ck_assert_uint_eq(v1.addr, local1.addr);
	ck_assert_uint_eq(v2.addr, local2.addr);
	ck_assert_uint_eq(def.addr, local2.addr);
	ck_assert_uint_ne(v1.addr, v2.addr);
	ck_assert_int_eq(bel_binary_find_func(bin, "bel_lib_versioned@BEL_3", &f, &err), -ENOENT);
	bel_binary_free(bin);
	free(image);
}
END_TEST

/* Globs for uprobe.multi: every function whose bare name matches, each address once, sorted;
 * none, or more than the caller takes, is an error. */
START_TEST(test_binary_match_funcs)
{
	struct bel_binary_func add, v1, v2;
	struct bel_err err = {0};
	struct bel_binary *bin;
	uint64_t *offsets;
	uint32_t n;
	size_t size;
	void *image = read_file(BEL_UPROBE_LIB, &size);

	ck_assert_ptr_nonnull(image);
	ck_assert_msg(bel_binary_open(image, size, &bin, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(bel_binary_find_func(bin, "bel_lib_add", &add, &err), 0);
	ck_assert_int_eq(bel_binary_find_func(bin, "bel_lib_versioned@BEL_1", &v1, &err), 0);
	ck_assert_int_eq(bel_binary_find_func(bin, "bel_lib_versioned@@BEL_2", &v2, &err), 0);
	/* .dynsym's bel_lib_versioned (twice) and .symtab's _1, _2 are the same two addresses */
	ck_assert_msg(bel_binary_match_funcs(bin, "bel_lib_*", 16, &offsets, &n, &err) == 0, "%s",
		      err.msg);
	ck_assert_uint_eq(n, 3);
	ck_assert(offsets[0] < offsets[1] && offsets[1] < offsets[2]);
	ck_assert(offsets[0] == add.offset || offsets[1] == add.offset || offsets[2] == add.offset);
	ck_assert(offsets[0] == v1.offset || offsets[1] == v1.offset || offsets[2] == v1.offset);
	ck_assert(offsets[0] == v2.offset || offsets[1] == v2.offset || offsets[2] == v2.offset);
	free(offsets);
	ck_assert_int_eq(bel_binary_match_funcs(bin, "bel_lib_versioned", 16, &offsets, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	free(offsets);
	ck_assert_int_eq(bel_binary_match_funcs(bin, "bel_lib_*", 2, &offsets, &n, &err), -E2BIG);
	ck_assert_ptr_null(offsets);
	ck_assert_int_eq(bel_binary_match_funcs(bin, "nothing_*", 16, &offsets, &n, &err), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err.msg, "nothing_*"));
	ck_assert_ptr_null(offsets);
	bel_binary_free(bin);
	free(image);
}
END_TEST

struct arg_view {
	uint64_t val_off;
	uint32_t word;
	int16_t reg_off;
	uint8_t is_signed;
	int8_t shift;
};

static struct arg_view arg_at(const uint8_t *spec, int i)
{
	struct arg_view a;

	memcpy(&a.val_off, spec + 16 * i, 8);
	memcpy(&a.word, spec + 16 * i + 8, 4);
	memcpy(&a.reg_off, spec + 16 * i + 12, 2);
	a.is_signed = spec[16 * i + 14];
	a.shift = (int8_t)spec[16 * i + 15];
	return a;
}

START_TEST(test_usdt_spec)
{
	uint8_t spec[BEL_USDT_SPEC_SIZE];
	struct bel_err err = {0};
	struct arg_view a;
	uint64_t cookie;
	int16_t cnt;

	ck_assert_msg(bel_usdt_spec_build("-4@%edi 8@$-9 -8@-24(%rbp) 2@%ax -1@%sil 8@(%rsp) "
					  "4@-96(%rbp,%rax,8) 8@%r15 4@$0x10 -2@%r9w",
					  42, spec, &err) == 0, "%s", err.msg);
	memcpy(&cookie, spec + 192, 8);
	memcpy(&cnt, spec + 200, 2);
	ck_assert_uint_eq(cookie, 42);
	ck_assert_int_eq(cnt, 10);
	a = arg_at(spec, 0);
	ck_assert_uint_eq(a.word, BEL_USDT_ARG_REG);
	ck_assert_int_eq(a.reg_off, 112);
	ck_assert(a.is_signed);
	ck_assert_int_eq(a.shift, 32);
	a = arg_at(spec, 1);
	ck_assert_uint_eq(a.word, BEL_USDT_ARG_CONST);
	ck_assert_uint_eq(a.val_off, (uint64_t)-9);
	ck_assert(!a.is_signed);
	ck_assert_int_eq(a.shift, 0);
	a = arg_at(spec, 2);
	ck_assert_uint_eq(a.word, BEL_USDT_ARG_REG_DEREF);
	ck_assert_uint_eq(a.val_off, (uint64_t)-24);
	ck_assert_int_eq(a.reg_off, 32);
	a = arg_at(spec, 3);
	ck_assert_int_eq(a.reg_off, 80);
	ck_assert_int_eq(a.shift, 48);
	a = arg_at(spec, 4);
	ck_assert_int_eq(a.reg_off, 104);
	ck_assert_int_eq(a.shift, 56);
	a = arg_at(spec, 5);
	ck_assert_uint_eq(a.word, BEL_USDT_ARG_REG_DEREF);
	ck_assert_uint_eq(a.val_off, 0);
	ck_assert_int_eq(a.reg_off, 152);
	a = arg_at(spec, 6);
	ck_assert_uint_eq(a.word & 0xff, BEL_USDT_ARG_SIB);
	ck_assert_uint_eq((a.word >> 8) & 0xfff, 80);
	ck_assert_uint_eq(a.word >> 20, 3);
	ck_assert_int_eq(a.reg_off, 32);
	a = arg_at(spec, 7);
	ck_assert_int_eq(a.reg_off, 0);
	a = arg_at(spec, 8);
	ck_assert_uint_eq(a.val_off, 16);
	a = arg_at(spec, 9);
	ck_assert_int_eq(a.reg_off, 64);
	ck_assert(a.is_signed);
	/* no arguments */
	ck_assert_int_eq(bel_usdt_spec_build("", 0, spec, &err), 0);
	memcpy(&cnt, spec + 200, 2);
	ck_assert_int_eq(cnt, 0);
#define BAD(args, code, text)                                                      \
	do {                                                                       \
		ck_assert_int_eq(bel_usdt_spec_build(args, 0, spec, &err), code);  \
		ck_assert_msg(strstr(err.msg, text), "%s: %s", args, err.msg);     \
	} while (0)
	BAD("3@%rax", -EINVAL, "size '3'");
	BAD("8@%xyz", -EINVAL, "unknown register");
	BAD("8@sym(%rip)", -EINVAL, "symbol");
	BAD("8", -EINVAL, "SIZE@");
	BAD("8@$abc", -EINVAL, "not a number");
	BAD("8@(%rax", -EINVAL, "operand");
	BAD("8@(%rax,%rbx,3)", -EINVAL, "scale");
	BAD("8@%rax -4@%eax", 0, "");
	BAD("1@%al 1@%al 1@%al 1@%al 1@%al 1@%al 1@%al 1@%al 1@%al 1@%al 1@%al 1@%al 1@%al",
	    -E2BIG, "more than 12");
#undef BAD
}
END_TEST

/* A cache with an old table before the new one; entries of other ABIs are not ours. */
START_TEST(test_ld_cache)
{
	uint8_t buf[512] = {0};
	size_t base = 16 + 12, e;
	uint32_t nlibs = 3, zero = 0;
	const char *strs = "libfoo.so.1\0/usr/lib/libfoo.so.1\0/lib32/libfoo.so.1\0";
	size_t strs_off, strs_len = 53;
	int32_t flags[3] = {0x0303, 0x0003, 0x0303};
	uint32_t keys[3], vals[3];
	size_t got;
	void *cache;

	memcpy(buf, "ld.so-1.7.0", 11);
	memcpy(buf + 12, &(uint32_t){1}, 4);
	base = (base + 7) & ~7ul;
	memcpy(buf + base, "glibc-ld.so.cache1.1", 20);
	memcpy(buf + base + 20, &nlibs, 4);
	strs_off = 48 + 3 * 24;
	memcpy(buf + base + strs_off, strs, strs_len);
	keys[0] = keys[1] = keys[2] = (uint32_t)strs_off;
	vals[0] = (uint32_t)strs_off + 400; /* past the end: skipped */
	vals[1] = (uint32_t)strs_off + 34;  /* another ABI */
	vals[2] = (uint32_t)strs_off + 12;
	for (e = 0; e < 3; e++) {
		uint8_t *ent = buf + base + 48 + e * 24;

		memcpy(ent, &flags[e], 4);
		memcpy(ent + 4, &keys[e], 4);
		memcpy(ent + 8, &vals[e], 4);
	}
	(void)zero;
#if defined(__x86_64__)
	ck_assert_str_eq(bel_ld_cache_lookup(buf, base + strs_off + strs_len, "libfoo.so.1"),
			 "/usr/lib/libfoo.so.1");
#endif
	ck_assert_ptr_null(bel_ld_cache_lookup(buf, base + strs_off + strs_len, "libbar.so"));
	/* truncated anywhere: no answer, or the same one */
	for (e = 0; e < base + strs_off + strs_len; e++) {
		const char *p = bel_ld_cache_lookup(buf, e, "libfoo.so.1");

		ck_assert(!p || !strcmp(p, "/usr/lib/libfoo.so.1"));
	}
	memcpy(buf + base + 20, &(uint32_t){0x7fffffff}, 4);
	ck_assert_ptr_null(bel_ld_cache_lookup(buf, sizeof(buf), "libfoo.so.1"));
	/* this machine's cache knows libc */
	cache = read_file("/etc/ld.so.cache", &got);
	if (cache) {
		const char *libc = bel_ld_cache_lookup(cache, got, "libc.so.6");

		ck_assert_msg(libc && strstr(libc, "libc.so.6"), "libc.so.6 not in /etc/ld.so.cache");
		free(cache);
	}
}
END_TEST

/* usdt.bpf.h's helpers are __weak __hidden functions: static in BTF once opened, as libbpf
 * makes them; a global, visible subprogram stays global. */
START_TEST(test_hidden_funcs_static)
{
	static const char *const hidden[] = {"bpf_usdt_arg", "bpf_usdt_arg_cnt", "bpf_usdt_cookie"};
	struct bel_spec *spec;
	struct bel_err err = {0};
	size_t size, i;
	void *image = read_file(fixture_path("usdt"), &size);
	int id;

	ck_assert_ptr_nonnull(image);
	ck_assert_msg(bel_spec_build(image, size, true, "usdt", &spec, &err) == 0, "%s", err.msg);
	for (i = 0; i < 3; i++) {
		id = bel_btf_find(spec->btf, hidden[i], BTF_KIND_FUNC);
		ck_assert_int_gt(id, 0);
		ck_assert_uint_eq(btf_vlen(bel_btf_type(spec->btf, (uint32_t)id)), BTF_FUNC_STATIC);
	}
	bel_spec_free(spec);
	free(image);
	image = read_file(fixture_path("subprogs"), &size);
	ck_assert_ptr_nonnull(image);
	ck_assert_msg(bel_spec_build(image, size, true, "subprogs", &spec, &err) == 0, "%s", err.msg);
	id = bel_btf_find(spec->btf, "global_classify", BTF_KIND_FUNC);
	ck_assert_int_gt(id, 0);
	ck_assert_uint_eq(btf_vlen(bel_btf_type(spec->btf, (uint32_t)id)), BTF_FUNC_GLOBAL);
	bel_spec_free(spec);
	free(image);
}
END_TEST

/* Section names: how each kind attaches, its target and flags. */
START_TEST(test_probe_sections)
{
	static const struct {
		const char *sec, *target;
		enum bel_attach_kind kind;
		uint32_t flags;
	} cases[] = {
		{"uprobe", NULL, BEL_ATTACH_UPROBE, 0},
		{"uprobe//bin/bash:readline", "/bin/bash:readline", BEL_ATTACH_UPROBE, 0},
		{"uretprobe/libc.so.6:malloc", "libc.so.6:malloc", BEL_ATTACH_UPROBE, 0},
		{"uprobe.s/b:f+8", "b:f+8", BEL_ATTACH_UPROBE, BPF_F_SLEEPABLE},
		{"uretprobe.s/b:f", "b:f", BEL_ATTACH_UPROBE, BPF_F_SLEEPABLE},
		{"usdt", NULL, BEL_ATTACH_USDT, 0},
		{"usdt/b:p:n", "b:p:n", BEL_ATTACH_USDT, 0},
		{"usdt.s/b:p:n", "b:p:n", BEL_ATTACH_USDT, BPF_F_SLEEPABLE},
		{"uprobe.multi/b:f*", "b:f*", BEL_ATTACH_UPROBE_MULTI, 0},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bel_prog_def def = {.sec_name = cases[i].sec};

		bel_prog_def_set_type(&def);
		ck_assert_msg(def.type_known && def.prog_type == BPF_PROG_TYPE_KPROBE, "%s", cases[i].sec);
		ck_assert_msg(def.attach_kind == cases[i].kind, "%s", cases[i].sec);
		ck_assert_uint_eq(def.prog_flags, cases[i].flags);
		if (cases[i].target)
			ck_assert_str_eq(def.attach_target, cases[i].target);
		else
			ck_assert_ptr_null(def.attach_target);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("binary");
	TCase *tc = tcase_create("binary");
	SRunner *sr;

	tcase_add_test(tc, test_binary_symbols);
	tcase_add_test(tc, test_binary_malformed);
	tcase_add_test(tc, test_binary_usdt_notes);
	tcase_add_test(tc, test_binary_real_library);
	tcase_add_test(tc, test_binary_match_funcs);
	tcase_add_test(tc, test_usdt_spec);
	tcase_add_test(tc, test_ld_cache);
	tcase_add_test(tc, test_hidden_funcs_static);
	tcase_add_test(tc, test_probe_sections);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	return run_srunner(sr);
}
