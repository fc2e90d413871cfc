/* SPDX-License-Identifier: MIT */
/*
 * Writing BPF ELF objects in memory, for tests and benchmarks that need objects no compiler
 * would make (tens of thousands of maps or programs, adversarial BTF): sections, symbols,
 * relocations, and BTF built record by record. Plain ELF64 little-endian writing, independent
 * of the code under test. Allocation failures abort: this is test code.
 */
#ifndef BEL_TESTS_OBJGEN_H
#define BEL_TESTS_OBJGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct og_buf {
	uint8_t *p;
	size_t len, cap;
};

/* Append n bytes (data NULL: zeros); returns the offset they start at. */
size_t og_put(struct og_buf *b, const void *data, size_t n);
void og_put_u32(struct og_buf *b, uint32_t v);
void og_buf_free(struct og_buf *b);

/* BTF: type ids count from 1 in the order records are added. */
struct og_btf {
	struct og_buf types, strs;
	uint32_t ntypes;
};

void og_btf_init(struct og_btf *b);
uint32_t og_str(struct og_btf *b, const char *s);
/* Start a record (struct btf_type); its kind-specific words follow with og_put_u32. */
uint32_t og_type(struct og_btf *b, const char *name, uint32_t kind, uint32_t vlen, bool kflag,
		 uint32_t size_or_type);
uint32_t og_int(struct og_btf *b, const char *name, uint32_t bytes, uint32_t encoding);
uint32_t og_ptr(struct og_btf *b, uint32_t type);
uint32_t og_array(struct og_btf *b, uint32_t elem, uint32_t index_type, uint32_t nelems);
uint32_t og_var(struct og_btf *b, const char *name, uint32_t type, uint32_t linkage);
/* A member of the struct or union just started (bit offset, no bitfield). */
void og_member(struct og_btf *b, const char *name, uint32_t type, uint32_t bit_off);
void og_secinfo(struct og_btf *b, uint32_t type, uint32_t off, uint32_t size);
uint32_t og_typedef(struct og_btf *b, const char *name, uint32_t type);
/* A struct or union header; its vlen members follow with og_member()/og_bitfield(). kflag:
 * the members' offsets carry a bitfield size in their top 8 bits. */
uint32_t og_struct(struct og_btf *b, const char *name, uint32_t size, uint32_t vlen, bool kflag);
uint32_t og_union(struct og_btf *b, const char *name, uint32_t size, uint32_t vlen);
/* A member of a kflag struct or union: bitfield size in the top 8 bits of the offset. */
void og_bitfield(struct og_btf *b, const char *name, uint32_t type, uint32_t bit_off,
		 uint32_t bits);
/* An enum header; its vlen enumerators follow with og_enumerator()/og_enumerator64(). */
uint32_t og_enum(struct og_btf *b, const char *name, uint32_t size, uint32_t vlen, bool is_signed);
void og_enumerator(struct og_btf *b, const char *name, int32_t val);
uint32_t og_enum64(struct og_btf *b, const char *name, uint32_t size, uint32_t vlen);
void og_enumerator64(struct og_btf *b, const char *name, uint64_t val);
/* One whole record written as words (tests/btf_encode.h); returns its id. */
uint32_t og_words(struct og_btf *b, const uint32_t *words, size_t n);
/* The blob: header, types, strings. malloc'd. */
void *og_btf_blob(const struct og_btf *b, size_t *size);
/* The blob of a type section and a string section given as they are (hand-written, possibly
 * invalid). malloc'd. */
void *og_btf_raw_blob(const void *types, size_t types_len, const void *strs, size_t strs_len,
		      size_t *size);
void og_btf_free(struct og_btf *b);

/* The start of a .BTF.ext: struct btf_ext_header as the kernel defines it, with CO-RE. */
struct og_ext_hdr {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len;
	uint32_t func_info_off, func_info_len;
	uint32_t line_info_off, line_info_len;
	uint32_t core_relo_off, core_relo_len;
};

/* An object: sections 1.. in the order they are added, then relocation sections, the symbol
 * table and the string tables. */
struct og_sec {
	char *name;
	uint32_t type;
	uint64_t flags, nobits_size;
	struct og_buf data;
	struct og_buf rels;  /* Elf64_Rel against this section */
};

struct og_obj {
	struct og_sec *secs;  /* secs[0] unused (the null section) */
	uint32_t nsecs, cap;
	struct og_buf syms;   /* Elf64_Sym, symbol 0 the null symbol */
	struct og_buf strtab;
};

void og_obj_init(struct og_obj *o);
/* A section; returns its index. data may be NULL (then append with og_sec_put). */
uint32_t og_sec(struct og_obj *o, const char *name, uint32_t type, uint64_t flags,
		const void *data, size_t size);
size_t og_sec_put(struct og_obj *o, uint32_t sec, const void *data, size_t size);
uint32_t og_sym(struct og_obj *o, const char *name, uint8_t bind, uint8_t type, uint16_t shndx,
		uint64_t value, uint64_t size);
void og_rel(struct og_obj *o, uint32_t sec, uint64_t offset, uint32_t sym, uint32_t type);
/* The ELF image. malloc'd. */
void *og_image(const struct og_obj *o, size_t *size);
void og_obj_free(struct og_obj *o);

/* Write bytes to a file; 0 or -errno. Read a whole file: malloc'd, NULL on failure. */
int og_write_file(const char *path, const void *data, size_t size);
void *og_read_file(const char *path, size_t *size);

/*
 * Objects for scaling measurements: nprogs socket filters "p<i>" (each loading map i % nmaps
 * when there are maps, then returning 0) in section "socket", and nmaps maps "m<i>": legacy
 * struct bpf_map_def in SEC("maps"), or BTF-defined in SEC(".maps") (at most 65535: a DATASEC
 * holds a 16-bit count of variables).
 */
void *og_scaling_object(uint32_t nprogs, uint32_t nmaps, bool btf_maps, size_t *size);

/*
 * Type graphs that make CO-RE matching work hard, each with one relocation to resolve on it,
 * with the same BTF as its own target (candidates are found by name in the BTF itself):
 *   REPEATED_NAMES  struct r<i> holds `width` members all named "a" of type r<i-1>, `depth`
 *                   levels; TYPE_MATCHES on the outermost
 *   ANON_MEMBERS    the same with anonymous members of anonymous structs
 *   DEEP_NESTING    `depth` structs each holding the next as member "n"; TYPE_MATCHES
 *   WIDE_UNION      a union of `width` int members; TYPE_MATCHES
 *   WIDE_ENUM       an enum of `width` enumerators; TYPE_MATCHES
 *   MANY_CANDIDATES `width` flavors c___<i> of struct c { int x; }; byte offset of c.x
 *   PROTO_FANOUT    typedef'd function pointers whose `width` parameters are function pointers
 *                   again, `depth` levels; TYPE_EXISTS
 *   MEMBER_DAG      struct m { int x; } and a flavor m___t whose `width` anonymous members
 *                   nest `depth` levels with no x anywhere; byte offset of m.x
 */
enum og_core_graph {
	OG_CORE_REPEATED_NAMES, OG_CORE_ANON_MEMBERS, OG_CORE_DEEP_NESTING, OG_CORE_WIDE_UNION,
	OG_CORE_WIDE_ENUM, OG_CORE_MANY_CANDIDATES, OG_CORE_PROTO_FANOUT, OG_CORE_MEMBER_DAG,
	OG_CORE_NGRAPHS,
};

struct og_core_relo {
	uint32_t type_id, access_off, kind;
};

const char *og_core_graph_name(enum og_core_graph g);
struct og_core_relo og_core_graph(struct og_btf *b, enum og_core_graph g, uint32_t width,
				  uint32_t depth);
/* An object holding the graph and one program "p" (SEC("socket")) whose first instruction
 * carries the relocation. */
void *og_core_object(enum og_core_graph g, uint32_t width, uint32_t depth, size_t *size);

/* An array of maps "outer" whose slot 0 names the map itself (`.values = { &outer }`). */
void *og_self_slot_object(size_t *size);

/*
 * An object with one .kconfig extern char array per entry of sizes[] (names[i], weak), laid
 * out by the loader; no programs.
 */
void *og_kconfig_object(const char *const *names, const uint32_t *sizes, uint32_t n,
			size_t *size);

#endif
