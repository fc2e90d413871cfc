/* SPDX-License-Identifier: MIT */
/*
 * The unit tests of the pure layers (test_unit): one file per module, each with its suite.
 *
 *   spec.c       bel_spec_build() on every fixture: programs, map tables, relocated calls and
 *                map references, global data, prog array and map-in-map slots, func/line info
 *   sections.c   SEC() names -> program type, expected attach type, flags; data map names
 *   btf.c        bel_btf_parse() on fixture and hand-made BTF, sizes, DATASEC fix-up, .BTF.ext,
 *                sanitizing for older kernels
 *   malformed.c  bad input of every kind, as tables of (input builder, expected error)
 *   names.c      names that become paths, CPU lists, numbers, text escaping
 *   hostile.c    well-formed objects that mean harm: wrapping sizes, huge counts, CO-RE type
 *                graphs that explode, self-referencing slots
 *   compat.c     other loaders' objects (struct_ops, extern conventions)
 *   digest.c     SHA-1 and SHA-256, the digests of program tags
 *   fixture.c    what they share (below); main.c runs every suite.
 */
#ifndef BEL_TESTS_UNIT_H
#define BEL_TESTS_UNIT_H

#include <check.h>
#include <elf.h>
#include <stddef.h>
#include <stdint.h>

struct bel_btf;
struct bel_spec;

Suite *spec_suite(void);
Suite *sections_suite(void);
Suite *btf_suite(void);
Suite *malformed_suite(void);
Suite *names_suite(void);
Suite *hostile_suite(void);
Suite *compat_suite(void);
Suite *digest_suite(void);

/* The fixtures every pure layer is run on (tests/progs/<name>.bpf.c). */
#define NFIXTURES 7
extern const char *const fixtures[NFIXTURES];

struct fixture {
	uint8_t *buf;            /* the file, untouched: the oracle for section bytes and symbols */
	size_t size;
	struct bel_spec *spec;
};

/* Read fixture `name` and build its spec (named obj_name); fails the test on error. */
struct fixture build_as(const char *name, const char *obj_name);
struct fixture build(const char *name);
void release(struct fixture *f);
/* A symbol of the fixture's own bytes; fails the test when there is none. */
const Elf64_Sym *sym_of(const struct fixture *f, const char *name);
const char *btf_name(const struct bel_btf *btf, uint32_t id);
/* insn_off of record k of a func_info/line_info array. */
uint32_t rec_insn_off(const uint8_t *recs, uint32_t rec_size, uint32_t k);

/* Section header / first symbol by name in a well-formed ELF64 image, or NULL (malformed.c). */
Elf64_Shdr *raw_shdr(void *image, const char *name);
Elf64_Sym *raw_sym(void *image, const char *name);

#endif
