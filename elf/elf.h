/* SPDX-License-Identifier: MIT */
/*
 * Reading a BPF ELF object with libelf: sections, symbols and relocation records.
 * Pure: memory in, structures out; no syscalls, no global state beyond libelf's own version
 * handshake. Everything handed out points into the object's private copy of the image and
 * lives as long as the struct bel_elf.
 */
#ifndef BEL_ELF_ELF_H
#define BEL_ELF_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct bel_elf_sec {
	uint32_t index;
	const char *name;
	uint32_t type;      /* SHT_* */
	uint64_t flags;     /* SHF_* */
	const uint8_t *data; /* NULL for SHT_NOBITS and empty sections */
	size_t size;        /* sh_size, also for SHT_NOBITS */
	uint32_t link, info;
	uint64_t addralign, entsize;
};

struct bel_elf_sym {
	const char *name;   /* "" when unnamed */
	uint64_t value, size;
	uint32_t shndx;     /* SHN_UNDEF for externs, SHN_ABS, ... */
	uint8_t type, bind, visibility;
};

struct bel_elf_rel {
	uint64_t offset;    /* r_offset, within the target section */
	uint32_t sym;       /* index into the symbol table */
	uint32_t type;      /* R_BPF_* */
};

struct bel_elf {
	void *libelf;       /* Elf *, kept opaque so users need not include libelf */
	uint8_t *image;
	size_t image_size;
	bool big_endian;
	struct bel_elf_sec *secs; /* indexed by section number; secs[0] is the null section */
	size_t nsecs;
	struct bel_elf_sym *syms; /* indexed by symbol number */
	size_t nsyms;
	struct bel_name_index {   /* key -> the first entry with that key, by hash chains */
		uint32_t mask;        /* buckets - 1 (a power of two) */
		uint32_t *heads;      /* first entry of each bucket, UINT32_MAX for none */
		uint32_t *next;       /* next entry in the same bucket, in ascending order */
	} syms_by_name,           /* key: name, section and type */
	  secs_by_name;           /* key: name */
	uint32_t symtab_index;
	bool owns_image;
};

/* Parse an ELF image. With copy, the bytes are copied and buf may be freed after return;
 * without, buf must stay valid (and unchanged) for the life of the result. */
int bel_elf_open(const void *buf, size_t size, bool copy, struct bel_elf **out,
		 struct bel_err *err);
void bel_elf_free(struct bel_elf *elf);

const struct bel_elf_sec *bel_elf_sec_by_name(const struct bel_elf *elf, const char *name);
const struct bel_elf_sec *bel_elf_sec(const struct bel_elf *elf, uint32_t index);

/* The relocation records of an SHT_REL section, validated against the symbol table and the
 * target section's size. *out is malloc'd. */
int bel_elf_rels(const struct bel_elf *elf, const struct bel_elf_sec *relsec,
		 struct bel_elf_rel **out, size_t *count, struct bel_err *err);

/* The first symbol named `name` of the given type (STT_*, not negative) in section shndx,
 * or NULL. */
const struct bel_elf_sym *bel_elf_find_sym(const struct bel_elf *elf, const char *name,
					   int type, uint32_t shndx);

#endif
