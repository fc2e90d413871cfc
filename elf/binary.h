/* SPDX-License-Identifier: MIT */
/*
 * Executables and shared libraries of this machine (ET_EXEC, ET_DYN), read for what uprobes and
 * USDT probes need: where a function or a probe site is in the file. Pure: bytes in, offsets
 * out; the bytes are the caller's and must outlive the result. Nothing here trusts the file:
 * every header, table, string and note is checked against the image before it is read, and
 * the work is bounded by the image's size.
 *
 * Addresses are the binary's own virtual addresses (absolute for a non-PIE executable, from 0
 * for a PIE or a shared library). The kernel wants file offsets: an address becomes one
 * through the PT_LOAD segment that holds it (address - p_vaddr + p_offset).
 */
#ifndef BEL_ELF_BINARY_H
#define BEL_ELF_BINARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct bel_binary_seg {
	uint64_t vaddr, memsz, offset, filesz;
	uint32_t flags;               /* PF_X, PF_W, PF_R */
};

struct bel_binary_sec {
	const char *name;             /* "" when the name table is missing or bad */
	uint32_t type, link, info;
	uint64_t flags, addr, offset, size, entsize, addralign;
	const uint8_t *data;          /* in the image; NULL for SHT_NOBITS and empty sections */
};

struct bel_binary {
	const uint8_t *image;
	size_t size;
	uint16_t type;                /* ET_EXEC or ET_DYN */
	struct bel_binary_seg *segs;  /* the PT_LOAD segments, in header order */
	uint32_t nsegs;
	struct bel_binary_sec *secs;  /* indexed by section number */
	uint32_t nsecs;
};

/* Check the headers and tables of an image. Refused: not ELF, another class, byte order or
 * machine than this host's, not ET_EXEC/ET_DYN, tables outside the file. */
int bel_binary_open(const void *buf, size_t size, struct bel_binary **out, struct bel_err *err);
void bel_binary_free(struct bel_binary *bin);

const struct bel_binary_sec *bel_binary_sec_by_name(const struct bel_binary *bin, const char *name);

/* The file offset of a virtual address inside a PT_LOAD segment's bytes in the file, in an
 * executable segment (exec) or a non-executable one. -ENOENT with a message otherwise. */
int bel_binary_addr_offset(const struct bel_binary *bin, uint64_t addr, bool exec,
			   uint64_t *offset, struct bel_err *err);

struct bel_binary_func {
	uint64_t addr, size;          /* the symbol's value and size */
	uint64_t offset;              /* where addr is in the file */
	bool dynamic;                 /* found in .dynsym (else .symtab) */
};
/*
 * A function (STT_FUNC, defined, non-zero) by name: "name", "name@VERSION" or "name@@VERSION".
 * .dynsym is searched first (its versions come from .gnu.version and .gnu.version_d), then
 * .symtab (where a version is part of the name). Without a version, a symbol of a non-default
 * version (name@VER rather than name@@VER) counts only when there is no other. Several matches
 * at one address are one; otherwise a global or local symbol wins over a weak one, and two of
 * the same rank at different addresses are ambiguous (-EINVAL naming both). -ENOENT when there
 * is none.
 */
int bel_binary_find_func(const struct bel_binary *bin, const char *name,
			 struct bel_binary_func *out, struct bel_err *err);

/* The file offsets of every defined function (STT_FUNC, non-zero) of .dynsym and .symtab whose
 * name, without a version, matches a shell glob (fnmatch): sorted, each once (aliases and a
 * function in both tables are one). -ENOENT when none does, -E2BIG past max matches. *offsets
 * is malloc'd. */
int bel_binary_match_funcs(const struct bel_binary *b, const char *glob, uint32_t max,
			   uint64_t **offsets, uint32_t *count, struct bel_err *err);

/* One SystemTap SDT probe site: a note of .note.stapsdt (owner "stapsdt", type 3). */
struct bel_usdt_note {
	uint64_t pc, base, sema;      /* as recorded: site, .stapsdt.base at link time, semaphore */
	const char *provider, *name, *args; /* in the image; args "" when the probe has none */
};
/* Every SDT note of the binary, in file order. *out is malloc'd (NULL with count 0 when the
 * binary has no .note.stapsdt). Notes of other owners or types in the section are skipped; a
 * note that runs past the section or an SDT note without its strings is an error naming it. */
int bel_binary_usdt_notes(const struct bel_binary *bin, struct bel_usdt_note **out,
			  uint32_t *count, struct bel_err *err);

/* Where an SDT probe is in the file. */
struct bel_usdt_site {
	uint64_t addr;                /* the site's address, prelink-adjusted */
	uint64_t offset;              /* ... and its file offset, in an executable segment */
	uint64_t sema_offset;         /* file offset of the semaphore (0: none) */
	uint64_t sema_addr;
	const char *args;             /* the argument spec */
};
/* The sites of provider:name, with .stapsdt.base's prelink adjustment applied. *out is
 * malloc'd; -ENOENT (with a message) when the binary has no such probe. */
int bel_binary_usdt_sites(const struct bel_binary *bin, const char *provider, const char *name,
			  struct bel_usdt_site **out, uint32_t *count, struct bel_err *err);

#endif
