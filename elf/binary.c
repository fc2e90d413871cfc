/* SPDX-License-Identifier: MIT */
/*
 * A reader of our own rather than libelf's: what is needed is a few tables, each of which is
 * checked here against the image before use, so a hostile binary cannot steer a read outside
 * the bytes it came in.
 */
#include "binary.h"
#include "binary_int.h"

#include "common/array.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#elif defined(__s390x__)
#define HOST_MACHINE EM_S390
#elif defined(__powerpc64__)
#define HOST_MACHINE EM_PPC64
#elif defined(__riscv) && __riscv_xlen == 64
#define HOST_MACHINE EM_RISCV
#else
#define HOST_MACHINE EM_NONE /* no 64-bit host we know: every binary is refused */
#endif

const char *bel_binary_str(const struct bel_binary_sec *sec, uint64_t off)
{
	if (!sec || !sec->data || off >= sec->size)
		return NULL;
	if (!memchr(sec->data + off, '\0', sec->size - off))
		return NULL;
	return (const char *)sec->data + off;
}

static int read_segments(struct bel_binary *b, const Elf64_Ehdr *eh, uint32_t phnum,
			 struct bel_err *err)
{
	uint32_t i, n = 0;

	if (!phnum)
		return bel_errf(err, EINVAL, "no program headers (not a linked executable or library)");
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return bel_errf(err, EINVAL, "program header entries of %u bytes, not %zu",
				eh->e_phentsize, sizeof(Elf64_Phdr));
	if (!bel_binary_in_range(eh->e_phoff, (uint64_t)phnum * sizeof(Elf64_Phdr), b->size))
		return bel_errf(err, EINVAL, "program headers (%u at offset %llu) run past the file's "
				"%zu bytes", phnum, (unsigned long long)eh->e_phoff, b->size);
	b->segs = calloc(phnum, sizeof(*b->segs));
	if (!b->segs)
		return bel_errf(err, ENOMEM, "out of memory for %u program headers", phnum);
	for (i = 0; i < phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, b->image + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_filesz > ph.p_memsz || ph.p_vaddr + ph.p_memsz < ph.p_vaddr)
			return bel_errf(err, EINVAL, "segment %u: bad sizes (file %llu, memory %llu at "
					"0x%llx)", i, (unsigned long long)ph.p_filesz,
					(unsigned long long)ph.p_memsz, (unsigned long long)ph.p_vaddr);
		b->segs[n].vaddr = ph.p_vaddr;
		b->segs[n].memsz = ph.p_memsz;
		b->segs[n].offset = ph.p_offset;
		/* only the part of the segment that is in the file can hold a probe */
		b->segs[n].filesz = bel_binary_in_range(ph.p_offset, ph.p_filesz, b->size) ? ph.p_filesz
			: ph.p_offset < b->size ? b->size - ph.p_offset : 0;
		b->segs[n].flags = ph.p_flags;
		n++;
	}
	if (!n)
		return bel_errf(err, EINVAL, "no PT_LOAD segment");
	b->nsegs = n;
	return 0;
}

static int read_sections(struct bel_binary *b, const Elf64_Ehdr *eh, struct bel_err *err)
{
	uint64_t shnum = eh->e_shnum, shstrndx = eh->e_shstrndx, i;
	Elf64_Shdr sh0;

	/* A stripped-down binary may have no section headers: no symbols, no notes. */
	if (!eh->e_shoff)
		return 0;
	if (eh->e_shentsize != sizeof(Elf64_Shdr))
		return bel_errf(err, EINVAL, "section header entries of %u bytes, not %zu",
				eh->e_shentsize, sizeof(Elf64_Shdr));
	if (!bel_binary_in_range(eh->e_shoff, sizeof(sh0), b->size))
		return bel_errf(err, EINVAL, "section headers at offset %llu: past the file's %zu bytes",
				(unsigned long long)eh->e_shoff, b->size);
	memcpy(&sh0, b->image + eh->e_shoff, sizeof(sh0));
	/* more than 0xff00 sections, or a large index of the names: in section 0 */
	if (shnum == 0)
		shnum = sh0.sh_size;
	if (shstrndx == SHN_XINDEX)
		shstrndx = sh0.sh_link;
	if (!shnum)
		return 0;
	/* the count comes from the file (section 0 may claim 2^64): bound it before multiplying */
	if (shnum > b->size / sizeof(Elf64_Shdr) ||
	    !bel_binary_in_range(eh->e_shoff, shnum * sizeof(Elf64_Shdr), b->size))
		return bel_errf(err, EINVAL, "section headers (%llu at offset %llu) run past the file's "
				"%zu bytes", (unsigned long long)shnum,
				(unsigned long long)eh->e_shoff, b->size);
	b->secs = calloc(shnum, sizeof(*b->secs));
	if (!b->secs)
		return bel_errf(err, ENOMEM, "out of memory for %llu sections", (unsigned long long)shnum);
	b->nsecs = (uint32_t)shnum; /* shnum * 64 bytes fit in the image */
	for (i = 0; i < shnum; i++) {
		struct bel_binary_sec *s = &b->secs[i];
		Elf64_Shdr sh;

		memcpy(&sh, b->image + eh->e_shoff + i * sizeof(sh), sizeof(sh));
		s->name = "";
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->addr = sh.sh_addr;
		s->offset = sh.sh_offset;
		s->size = sh.sh_size;
		s->entsize = sh.sh_entsize;
		s->addralign = sh.sh_addralign;
		s->link = sh.sh_link;
		s->info = sh.sh_info;
		if (i == 0 || sh.sh_type == SHT_NOBITS || sh.sh_type == SHT_NULL || !sh.sh_size)
			continue;
		if (!bel_binary_in_range(sh.sh_offset, sh.sh_size, b->size))
			return bel_errf(err, EINVAL, "section %llu: offset %llu + size %llu past the file's "
					"%zu bytes", (unsigned long long)i,
					(unsigned long long)sh.sh_offset,
					(unsigned long long)sh.sh_size, b->size);
		s->data = b->image + sh.sh_offset;
	}
	/* names last, once every section's bounds are known */
	if (shstrndx && shstrndx < shnum && b->secs[shstrndx].type == SHT_STRTAB) {
		Elf64_Shdr sh;

		for (i = 1; i < shnum; i++) {
			const char *name;

			memcpy(&sh, b->image + eh->e_shoff + i * sizeof(sh), sizeof(sh));
			name = bel_binary_str(&b->secs[shstrndx], sh.sh_name);
			if (name)
				b->secs[i].name = name;
		}
	}
	return 0;
}

int bel_binary_open(const void *buf, size_t size, struct bel_binary **out, struct bel_err *err)
{
	struct bel_binary *b;
	Elf64_Ehdr eh;
	uint32_t phnum;
	int ret;

	*out = NULL;
	if (!buf || size < EI_NIDENT || memcmp(buf, ELFMAG, SELFMAG))
		return bel_errf(err, ENOEXEC, "not an ELF file");
	if (((const uint8_t *)buf)[EI_CLASS] != ELFCLASS64 || sizeof(void *) != 8)
		return bel_errf(err, ENOEXEC, "not a 64-bit ELF file");
	if (size < sizeof(eh))
		return bel_errf(err, ENOEXEC, "truncated: %zu bytes is shorter than an ELF header", size);
	memcpy(&eh, buf, sizeof(eh));
	if (eh.e_ident[EI_DATA] != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB
								  : ELFDATA2MSB))
		return bel_errf(err, ENOEXEC, "byte order differs from this machine's");
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return bel_errf(err, ENOEXEC, "not an executable or shared library (e_type %u)",
				eh.e_type);
	if (eh.e_machine != HOST_MACHINE)
		return bel_errf(err, ENOEXEC, "built for machine %u, not this one (%u)", eh.e_machine,
				HOST_MACHINE);
	b = calloc(1, sizeof(*b));
	if (!b)
		return bel_errf(err, ENOMEM, "out of memory");
	b->image = buf;
	b->size = size;
	b->type = eh.e_type;
	phnum = eh.e_phnum;
	/* PN_XNUM: the real count is in section 0's sh_info */
	if (phnum == PN_XNUM && bel_binary_in_range(eh.e_shoff, sizeof(Elf64_Shdr), size) && eh.e_shoff) {
		Elf64_Shdr sh0;

		memcpy(&sh0, b->image + eh.e_shoff, sizeof(sh0));
		phnum = sh0.sh_info;
	}
	ret = read_segments(b, &eh, phnum, err);
	if (!ret)
		ret = read_sections(b, &eh, err);
	if (ret) {
		bel_binary_free(b);
		return ret;
	}
	*out = b;
	return 0;
}

void bel_binary_free(struct bel_binary *b)
{
	if (!b)
		return;
	free(b->segs);
	free(b->secs);
	free(b);
}

const struct bel_binary_sec *bel_binary_sec_by_name(const struct bel_binary *b, const char *name)
{
	uint32_t i;

	for (i = 1; i < b->nsecs; i++)
		if (!strcmp(b->secs[i].name, name))
			return &b->secs[i];
	return NULL;
}

const struct bel_binary_sec *bel_binary_sec_by_type(const struct bel_binary *b, uint32_t type)
{
	uint32_t i;

	for (i = 1; i < b->nsecs; i++)
		if (b->secs[i].type == type)
			return &b->secs[i];
	return NULL;
}

int bel_binary_addr_offset(const struct bel_binary *b, uint64_t addr, bool exec, uint64_t *offset,
			   struct bel_err *err)
{
	uint32_t i;

	for (i = 0; i < b->nsegs; i++) {
		const struct bel_binary_seg *s = &b->segs[i];

		if (addr < s->vaddr || addr - s->vaddr >= s->filesz)
			continue;
		if (!!(s->flags & PF_X) != exec)
			return bel_errf(err, ENOENT, "address 0x%llx is in a%s segment", (unsigned long long)addr,
					exec ? " non-executable" : "n executable");
		*offset = addr - s->vaddr + s->offset;
		return 0;
	}
	return bel_errf(err, ENOENT, "address 0x%llx is in no loaded part of the file",
			(unsigned long long)addr);
}
