/* SPDX-License-Identifier: MIT */
#include "objgen.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef EM_BPF
#define EM_BPF 247
#endif
#define R_BPF_64_64 1

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		abort();
	return q;
}

size_t og_put(struct og_buf *b, const void *data, size_t n)
{
	size_t at = b->len;

	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	if (data)
		memcpy(b->p + b->len, data, n);
	else
		memset(b->p + b->len, 0, n);
	b->len += n;
	return at;
}

void og_put_u32(struct og_buf *b, uint32_t v)
{
	og_put(b, &v, sizeof(v));
}

void og_buf_free(struct og_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* ---- BTF ---------------------------------------------------------------------------------- */

void og_btf_init(struct og_btf *b)
{
	memset(b, 0, sizeof(*b));
	og_put(&b->strs, "", 1);
}

uint32_t og_str(struct og_btf *b, const char *s)
{
	if (!s || !*s)
		return 0;
	return (uint32_t)og_put(&b->strs, s, strlen(s) + 1);
}

uint32_t og_type(struct og_btf *b, const char *name, uint32_t kind, uint32_t vlen, bool kflag,
		 uint32_t size_or_type)
{
	og_put_u32(&b->types, og_str(b, name));
	og_put_u32(&b->types, (kflag ? 1u << 31 : 0) | (kind << 24) | (vlen & 0xffff));
	og_put_u32(&b->types, size_or_type);
	return ++b->ntypes;
}

uint32_t og_int(struct og_btf *b, const char *name, uint32_t bytes, uint32_t encoding)
{
	uint32_t id = og_type(b, name, BTF_KIND_INT, 0, false, bytes);

	og_put_u32(&b->types, (encoding << 24) | (bytes * 8));
	return id;
}

uint32_t og_ptr(struct og_btf *b, uint32_t type)
{
	return og_type(b, NULL, BTF_KIND_PTR, 0, false, type);
}

uint32_t og_array(struct og_btf *b, uint32_t elem, uint32_t index_type, uint32_t nelems)
{
	uint32_t id = og_type(b, NULL, BTF_KIND_ARRAY, 0, false, 0);

	og_put_u32(&b->types, elem);
	og_put_u32(&b->types, index_type);
	og_put_u32(&b->types, nelems);
	return id;
}

uint32_t og_var(struct og_btf *b, const char *name, uint32_t type, uint32_t linkage)
{
	uint32_t id = og_type(b, name, BTF_KIND_VAR, 0, false, type);

	og_put_u32(&b->types, linkage);
	return id;
}

void og_member(struct og_btf *b, const char *name, uint32_t type, uint32_t bit_off)
{
	og_put_u32(&b->types, og_str(b, name));
	og_put_u32(&b->types, type);
	og_put_u32(&b->types, bit_off);
}

void og_secinfo(struct og_btf *b, uint32_t type, uint32_t off, uint32_t size)
{
	og_put_u32(&b->types, type);
	og_put_u32(&b->types, off);
	og_put_u32(&b->types, size);
}

uint32_t og_typedef(struct og_btf *b, const char *name, uint32_t type)
{
	return og_type(b, name, BTF_KIND_TYPEDEF, 0, false, type);
}

uint32_t og_struct(struct og_btf *b, const char *name, uint32_t size, uint32_t vlen, bool kflag)
{
	return og_type(b, name, BTF_KIND_STRUCT, vlen, kflag, size);
}

uint32_t og_union(struct og_btf *b, const char *name, uint32_t size, uint32_t vlen)
{
	return og_type(b, name, BTF_KIND_UNION, vlen, false, size);
}

void og_bitfield(struct og_btf *b, const char *name, uint32_t type, uint32_t bit_off,
		 uint32_t bits)
{
	og_member(b, name, type, bits << 24 | bit_off);
}

uint32_t og_enum(struct og_btf *b, const char *name, uint32_t size, uint32_t vlen, bool is_signed)
{
	return og_type(b, name, BTF_KIND_ENUM, vlen, is_signed, size);
}

void og_enumerator(struct og_btf *b, const char *name, int32_t val)
{
	og_put_u32(&b->types, og_str(b, name));
	og_put_u32(&b->types, (uint32_t)val);
}

uint32_t og_enum64(struct og_btf *b, const char *name, uint32_t size, uint32_t vlen)
{
	return og_type(b, name, BTF_KIND_ENUM64, vlen, false, size);
}

void og_enumerator64(struct og_btf *b, const char *name, uint64_t val)
{
	og_put_u32(&b->types, og_str(b, name));
	og_put_u32(&b->types, (uint32_t)val);
	og_put_u32(&b->types, (uint32_t)(val >> 32));
}

uint32_t og_words(struct og_btf *b, const uint32_t *words, size_t n)
{
	og_put(&b->types, words, n * sizeof(*words));
	return ++b->ntypes;
}

void *og_btf_raw_blob(const void *types, size_t types_len, const void *strs, size_t strs_len,
		      size_t *size)
{
	struct btf_header h = {
		.magic = BTF_MAGIC,
		.version = BTF_VERSION,
		.hdr_len = sizeof(h),
		.type_off = 0,
		.type_len = (uint32_t)types_len,
		.str_off = (uint32_t)types_len,
		.str_len = (uint32_t)strs_len,
	};
	uint8_t *blob;

	*size = sizeof(h) + types_len + strs_len;
	blob = xrealloc(NULL, *size);
	memcpy(blob, &h, sizeof(h));
	if (types_len)
		memcpy(blob + sizeof(h), types, types_len);
	if (strs_len)
		memcpy(blob + sizeof(h) + types_len, strs, strs_len);
	return blob;
}

void *og_btf_blob(const struct og_btf *b, size_t *size)
{
	return og_btf_raw_blob(b->types.p, b->types.len, b->strs.p, b->strs.len, size);
}

void og_btf_free(struct og_btf *b)
{
	og_buf_free(&b->types);
	og_buf_free(&b->strs);
}

/* ---- ELF ---------------------------------------------------------------------------------- */

void og_obj_init(struct og_obj *o)
{
	memset(o, 0, sizeof(*o));
	o->nsecs = 1;
	o->cap = 16;
	o->secs = xrealloc(NULL, o->cap * sizeof(*o->secs));
	memset(o->secs, 0, o->cap * sizeof(*o->secs));
	og_put(&o->syms, NULL, sizeof(Elf64_Sym));
	og_put(&o->strtab, "", 1);
}

uint32_t og_sec(struct og_obj *o, const char *name, uint32_t type, uint64_t flags,
		const void *data, size_t size)
{
	struct og_sec *s;

	if (o->nsecs == o->cap) {
		o->cap *= 2;
		o->secs = xrealloc(o->secs, o->cap * sizeof(*o->secs));
	}
	s = &o->secs[o->nsecs];
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	if (!s->name)
		abort();
	s->type = type;
	s->flags = flags;
	if (type == SHT_NOBITS)
		s->nobits_size = size;
	else if (data || size)
		og_put(&s->data, data, size);
	return o->nsecs++;
}

size_t og_sec_put(struct og_obj *o, uint32_t sec, const void *data, size_t size)
{
	return og_put(&o->secs[sec].data, data, size);
}

uint32_t og_sym(struct og_obj *o, const char *name, uint8_t bind, uint8_t type, uint16_t shndx,
		uint64_t value, uint64_t size)
{
	Elf64_Sym sym = {
		.st_name = name && *name ? (uint32_t)og_put(&o->strtab, name, strlen(name) + 1) : 0,
		.st_info = ELF64_ST_INFO(bind, type),
		.st_shndx = shndx,
		.st_value = value,
		.st_size = size,
	};

	return (uint32_t)(og_put(&o->syms, &sym, sizeof(sym)) / sizeof(sym));
}

void og_rel(struct og_obj *o, uint32_t sec, uint64_t offset, uint32_t sym, uint32_t type)
{
	Elf64_Rel rel = {.r_offset = offset, .r_info = ELF64_R_INFO(sym, type)};

	og_put(&o->secs[sec].rels, &rel, sizeof(rel));
}

static size_t align8(struct og_buf *img)
{
	og_put(img, NULL, (8 - img->len % 8) % 8);
	return img->len;
}

void *og_image(const struct og_obj *o, size_t *size)
{
	struct og_buf img = {0}, shstr = {0};
	Elf64_Shdr *sh;
	uint32_t i, nrel = 0, idx, symtab, strtab, shstrtab, total;
	size_t off;
	Elf64_Ehdr eh = {
		.e_type = ET_REL,
		.e_machine = EM_BPF,
		.e_version = EV_CURRENT,
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_shentsize = sizeof(Elf64_Shdr),
	};

	for (i = 1; i < o->nsecs; i++)
		nrel += o->secs[i].rels.len > 0;
	symtab = o->nsecs + nrel;
	strtab = symtab + 1;
	shstrtab = strtab + 1;
	total = shstrtab + 1;
	sh = xrealloc(NULL, total * sizeof(*sh));
	memset(sh, 0, total * sizeof(*sh));
	og_put(&shstr, "", 1);

	og_put(&img, NULL, sizeof(eh));
	for (i = 1; i < o->nsecs; i++) {
		const struct og_sec *s = &o->secs[i];

		sh[i].sh_name = (uint32_t)og_put(&shstr, s->name, strlen(s->name) + 1);
		sh[i].sh_type = s->type;
		sh[i].sh_flags = s->flags;
		sh[i].sh_addralign = 8;
		if (s->type == SHT_NOBITS) {
			sh[i].sh_offset = align8(&img);
			sh[i].sh_size = s->nobits_size;
			continue;
		}
		sh[i].sh_offset = align8(&img);
		sh[i].sh_size = s->data.len;
		og_put(&img, s->data.p, s->data.len);
	}
	for (i = 1, idx = o->nsecs; i < o->nsecs; i++) {
		const struct og_sec *s = &o->secs[i];
		char name[512];

		if (!s->rels.len)
			continue;
		snprintf(name, sizeof(name), ".rel%s", s->name);
		sh[idx].sh_name = (uint32_t)og_put(&shstr, name, strlen(name) + 1);
		sh[idx].sh_type = SHT_REL;
		sh[idx].sh_offset = align8(&img);
		sh[idx].sh_size = s->rels.len;
		sh[idx].sh_link = symtab;
		sh[idx].sh_info = i;
		sh[idx].sh_addralign = 8;
		sh[idx].sh_entsize = sizeof(Elf64_Rel);
		og_put(&img, s->rels.p, s->rels.len);
		idx++;
	}
	sh[symtab].sh_name = (uint32_t)og_put(&shstr, ".symtab", 8);
	sh[symtab].sh_type = SHT_SYMTAB;
	sh[symtab].sh_offset = align8(&img);
	sh[symtab].sh_size = o->syms.len;
	sh[symtab].sh_link = strtab;
	sh[symtab].sh_info = 1;
	sh[symtab].sh_addralign = 8;
	sh[symtab].sh_entsize = sizeof(Elf64_Sym);
	og_put(&img, o->syms.p, o->syms.len);
	sh[strtab].sh_name = (uint32_t)og_put(&shstr, ".strtab", 8);
	sh[strtab].sh_type = SHT_STRTAB;
	sh[strtab].sh_offset = img.len;
	sh[strtab].sh_size = o->strtab.len;
	sh[strtab].sh_addralign = 1;
	og_put(&img, o->strtab.p, o->strtab.len);
	sh[shstrtab].sh_name = (uint32_t)og_put(&shstr, ".shstrtab", 10);
	sh[shstrtab].sh_type = SHT_STRTAB;
	sh[shstrtab].sh_offset = img.len;
	sh[shstrtab].sh_size = shstr.len;
	sh[shstrtab].sh_addralign = 1;
	og_put(&img, shstr.p, shstr.len);
	off = align8(&img);
	og_put(&img, sh, total * sizeof(*sh));

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_shoff = off;
	eh.e_shnum = (uint16_t)total;
	eh.e_shstrndx = (uint16_t)shstrtab;
	memcpy(img.p, &eh, sizeof(eh));
	free(sh);
	og_buf_free(&shstr);
	*size = img.len;
	return img.p;
}

void og_obj_free(struct og_obj *o)
{
	uint32_t i;

	for (i = 1; i < o->nsecs; i++) {
		free(o->secs[i].name);
		og_buf_free(&o->secs[i].data);
		og_buf_free(&o->secs[i].rels);
	}
	free(o->secs);
	og_buf_free(&o->syms);
	og_buf_free(&o->strtab);
	memset(o, 0, sizeof(*o));
}

int og_write_file(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t done = 0;

	if (fd < 0)
		return -errno;
	while (done < size) {
		ssize_t n = write(fd, (const uint8_t *)data + done, size - done);

		if (n <= 0) {
			close(fd);
			return -EIO;
		}
		done += (size_t)n;
	}
	return close(fd) ? -errno : 0;
}

void *og_read_file(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t done = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (!fstat(fd, &st) && st.st_size > 0 && (buf = malloc((size_t)st.st_size))) {
		while (done < (size_t)st.st_size) {
			ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

			if (n <= 0)
				break;
			done += (size_t)n;
		}
		if (done < (size_t)st.st_size) {
			free(buf);
			buf = NULL;
		}
	}
	close(fd);
	*size = done;
	return buf;
}

/* ---- Objects for scaling measurements ------------------------------------------------------ */

/* __uint(name, n): int (*name)[n] */
static uint32_t uint_attr(struct og_btf *b, uint32_t int_id, uint32_t n)
{
	return og_ptr(b, og_array(b, int_id, int_id, n));
}

static void btf_maps(struct og_obj *o, struct og_btf *b, uint32_t nmaps)
{
	uint32_t int_id = og_int(b, "int", 4, BTF_INT_SIGNED);
	uint32_t type_p = uint_attr(b, int_id, BPF_MAP_TYPE_ARRAY);
	uint32_t max_p = uint_attr(b, int_id, 1);
	uint32_t four_p = uint_attr(b, int_id, 4);
	uint32_t def, ds, sec, i, first_var;
	char name[32];

	def = og_type(b, NULL, BTF_KIND_STRUCT, 4, false, 32);
	og_member(b, "type", type_p, 0);
	og_member(b, "max_entries", max_p, 64);
	og_member(b, "key_size", four_p, 128);
	og_member(b, "value_size", four_p, 192);
	sec = og_sec(o, ".maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, NULL, (size_t)nmaps * 32);
	first_var = b->ntypes + 1;
	for (i = 0; i < nmaps; i++) {
		snprintf(name, sizeof(name), "m%u", i);
		og_var(b, name, def, BTF_VAR_GLOBAL_ALLOCATED);
		og_sym(o, name, STB_GLOBAL, STT_OBJECT, (uint16_t)sec, (uint64_t)i * 32, 32);
	}
	ds = og_type(b, ".maps", BTF_KIND_DATASEC, nmaps, false, nmaps * 32);
	(void)ds;
	for (i = 0; i < nmaps; i++)
		og_secinfo(b, first_var + i, i * 32, 32);
}

static void legacy_maps(struct og_obj *o, uint32_t nmaps)
{
	uint32_t sec = og_sec(o, "maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, NULL, 0), i;
	char name[32];

	for (i = 0; i < nmaps; i++) {
		uint32_t def[5] = {BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0};

		snprintf(name, sizeof(name), "m%u", i);
		og_sym(o, name, STB_GLOBAL, STT_OBJECT, (uint16_t)sec,
		       og_sec_put(o, sec, def, sizeof(def)), sizeof(def));
	}
}

void *og_scaling_object(uint32_t nprogs, uint32_t nmaps, bool btf, size_t *size)
{
	struct og_obj o;
	struct og_btf b;
	uint32_t first_map_sym, text, i;
	char name[32];
	void *img;

	og_obj_init(&o);
	og_btf_init(&b);
	og_sec(&o, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, "GPL", 4);
	first_map_sym = (uint32_t)(o.syms.len / sizeof(Elf64_Sym));
	if (btf && nmaps)
		btf_maps(&o, &b, nmaps);
	else if (nmaps)
		legacy_maps(&o, nmaps);
	text = og_sec(&o, "socket", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, NULL, 0);
	for (i = 0; i < nprogs; i++) {
		struct bpf_insn insns[4] = {
			{.code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = 1},
			{0},
			{.code = BPF_ALU64 | BPF_MOV | BPF_K},
			{.code = BPF_JMP | BPF_EXIT},
		};
		size_t n = nmaps ? 4 : 2, at;

		at = og_sec_put(&o, text, nmaps ? insns : insns + 2, n * sizeof(insns[0]));
		if (nmaps)
			og_rel(&o, text, at, first_map_sym + i % nmaps, R_BPF_64_64);
		snprintf(name, sizeof(name), "p%u", i);
		og_sym(&o, name, STB_GLOBAL, STT_FUNC, (uint16_t)text, at, n * sizeof(insns[0]));
	}
	if (b.ntypes) {
		size_t blob_size;
		void *blob = og_btf_blob(&b, &blob_size);

		og_sec(&o, ".BTF", SHT_PROGBITS, 0, blob, blob_size);
		free(blob);
	}
	img = og_image(&o, size);
	og_btf_free(&b);
	og_obj_free(&o);
	return img;
}

/* ---- Type graphs for CO-RE ----------------------------------------------------------------- */

#define CORE_FIELD_BYTE_OFFSET 0
#define CORE_TYPE_EXISTS 8
#define CORE_TYPE_MATCHES 12

const char *og_core_graph_name(enum og_core_graph g)
{
	static const char *const names[] = {
		"repeated member names", "anonymous members", "deep nesting", "wide union",
		"wide enum", "many candidates", "function pointer fan-out", "anonymous member DAG",
	};

	return g < OG_CORE_NGRAPHS ? names[g] : "?";
}

/* A struct or union with `width` members of one type, all named `member` (NULL: anonymous). */
static uint32_t same_members(struct og_btf *b, const char *name, uint32_t kind, uint32_t width,
			     const char *member, uint32_t type)
{
	uint32_t id = og_type(b, name, kind, width, false, 4), j;

	for (j = 0; j < width; j++)
		og_member(b, member, type, 0);
	return id;
}

struct og_core_relo og_core_graph(struct og_btf *b, enum og_core_graph g, uint32_t width,
				  uint32_t depth)
{
	uint32_t int_id = og_int(b, "int", 4, BTF_INT_SIGNED), prev, i, j;
	struct og_core_relo r = {.kind = CORE_TYPE_MATCHES};
	char name[32];

	switch (g) {
	case OG_CORE_REPEATED_NAMES:
		prev = same_members(b, "r0", BTF_KIND_STRUCT, 1, "a", int_id);
		for (i = 1; i <= depth; i++) {
			snprintf(name, sizeof(name), "r%u", i);
			prev = same_members(b, name, BTF_KIND_STRUCT, width, "a", prev);
		}
		r.type_id = prev;
		break;
	case OG_CORE_ANON_MEMBERS:
		prev = same_members(b, NULL, BTF_KIND_STRUCT, 1, "a", int_id);
		for (i = 1; i < depth; i++)
			prev = same_members(b, NULL, BTF_KIND_STRUCT, width, NULL, prev);
		r.type_id = same_members(b, "anon_root", BTF_KIND_STRUCT, width, NULL, prev);
		break;
	case OG_CORE_DEEP_NESTING:
		prev = int_id;
		for (i = 0; i < depth; i++) {
			snprintf(name, sizeof(name), "n%u", i);
			prev = same_members(b, name, BTF_KIND_STRUCT, 1, "n", prev);
		}
		r.type_id = prev;
		break;
	case OG_CORE_WIDE_UNION:
		r.type_id = og_type(b, "w", BTF_KIND_UNION, width, false, 4);
		for (j = 0; j < width; j++) {
			snprintf(name, sizeof(name), "m%u", j);
			og_member(b, name, int_id, 0);
		}
		break;
	case OG_CORE_WIDE_ENUM:
		r.type_id = og_type(b, "e", BTF_KIND_ENUM, width, false, 4);
		for (j = 0; j < width; j++) {
			snprintf(name, sizeof(name), "e%u", j);
			og_put_u32(&b->types, og_str(b, name));
			og_put_u32(&b->types, j);
		}
		break;
	case OG_CORE_MANY_CANDIDATES:
		r.type_id = same_members(b, "c", BTF_KIND_STRUCT, 1, "x", int_id);
		for (j = 0; j < width; j++) {
			snprintf(name, sizeof(name), "c___%u", j);
			same_members(b, name, BTF_KIND_STRUCT, 1, "x", int_id);
		}
		r.kind = CORE_FIELD_BYTE_OFFSET;
		break;
	case OG_CORE_PROTO_FANOUT:
		prev = og_ptr(b, og_type(b, NULL, BTF_KIND_FUNC_PROTO, 0, false, int_id));
		for (i = 1; i <= depth; i++) {
			uint32_t proto = og_type(b, NULL, BTF_KIND_FUNC_PROTO, width, false, int_id);

			for (j = 0; j < width; j++) {
				og_put_u32(&b->types, 0);
				og_put_u32(&b->types, prev);
			}
			prev = og_ptr(b, proto);
		}
		r.type_id = og_type(b, "f", BTF_KIND_TYPEDEF, 0, false, prev);
		r.kind = CORE_TYPE_EXISTS;
		break;
	case OG_CORE_MEMBER_DAG:
	default:
		r.type_id = same_members(b, "m", BTF_KIND_STRUCT, 1, "x", int_id);
		prev = same_members(b, NULL, BTF_KIND_STRUCT, 1, "y", int_id);
		for (i = 1; i < depth; i++)
			prev = same_members(b, NULL, BTF_KIND_STRUCT, width, NULL, prev);
		same_members(b, "m___t", BTF_KIND_STRUCT, width, NULL, prev);
		r.kind = CORE_FIELD_BYTE_OFFSET;
		break;
	}
	r.access_off = og_str(b, r.kind == CORE_FIELD_BYTE_OFFSET ? "0:0" : "0");
	return r;
}

void *og_core_object(enum og_core_graph g, uint32_t width, uint32_t depth, size_t *size)
{
	struct og_obj o;
	struct og_btf b;
	struct og_buf ext = {0};
	struct og_core_relo r;
	struct og_ext_hdr h = {.magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(h)};
	uint32_t sec_name, text;
	struct bpf_insn insns[2] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K},
		{.code = BPF_JMP | BPF_EXIT},
	};
	size_t blob_size;
	void *blob, *img;

	og_obj_init(&o);
	og_btf_init(&b);
	r = og_core_graph(&b, g, width, depth);
	sec_name = og_str(&b, "socket");
	insns[0].imm = r.kind == CORE_FIELD_BYTE_OFFSET ? 0 : 1; /* the local value */
	og_sec(&o, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, "GPL", 4);
	text = og_sec(&o, "socket", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, insns, sizeof(insns));
	og_sym(&o, "p", STB_GLOBAL, STT_FUNC, (uint16_t)text, 0, sizeof(insns));
	blob = og_btf_blob(&b, &blob_size);
	og_sec(&o, ".BTF", SHT_PROGBITS, 0, blob, blob_size);
	free(blob);
	h.core_relo_len = 4 + 8 + 16;
	og_put(&ext, &h, sizeof(h));
	og_put_u32(&ext, 16);           /* record size */
	og_put_u32(&ext, sec_name);     /* section "socket" */
	og_put_u32(&ext, 1);            /* one record */
	og_put_u32(&ext, 0);            /* at instruction 0 */
	og_put_u32(&ext, r.type_id);
	og_put_u32(&ext, r.access_off);
	og_put_u32(&ext, r.kind);
	og_sec(&o, ".BTF.ext", SHT_PROGBITS, 0, ext.p, ext.len);
	og_buf_free(&ext);
	img = og_image(&o, size);
	og_btf_free(&b);
	og_obj_free(&o);
	return img;
}

void *og_kconfig_object(const char *const *names, const uint32_t *sizes, uint32_t n,
			size_t *size)
{
	struct og_obj o;
	struct og_btf b;
	uint32_t char_id, int_id, i, *vars = calloc(n ? n : 1, sizeof(*vars));
	size_t blob_size;
	void *blob, *img;

	if (!vars)
		abort();
	og_obj_init(&o);
	og_btf_init(&b);
	char_id = og_int(&b, "char", 1, BTF_INT_SIGNED);
	int_id = og_int(&b, "int", 4, BTF_INT_SIGNED);
	for (i = 0; i < n; i++)
		vars[i] = og_var(&b, names[i], og_array(&b, char_id, int_id, sizes[i]),
				 BTF_VAR_GLOBAL_EXTERN);
	og_type(&b, ".kconfig", BTF_KIND_DATASEC, n, false, 0);
	for (i = 0; i < n; i++)
		og_secinfo(&b, vars[i], 0, 0);
	og_sec(&o, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, "GPL", 4);
	for (i = 0; i < n; i++)
		og_sym(&o, names[i], STB_WEAK, STT_NOTYPE, SHN_UNDEF, 0, 0);
	blob = og_btf_blob(&b, &blob_size);
	og_sec(&o, ".BTF", SHT_PROGBITS, 0, blob, blob_size);
	free(blob);
	img = og_image(&o, size);
	og_btf_free(&b);
	og_obj_free(&o);
	free(vars);
	return img;
}

void *og_self_slot_object(size_t *size)
{
	struct og_obj o;
	struct og_btf b;
	uint32_t int_id, inner, outer, var, sec, sym, a_array, a_outer, a_one, a_four, values;
	size_t blob_size;
	void *blob, *img;

	og_obj_init(&o);
	og_btf_init(&b);
	int_id = og_int(&b, "int", 4, BTF_INT_SIGNED);
	a_array = uint_attr(&b, int_id, BPF_MAP_TYPE_ARRAY);
	a_outer = uint_attr(&b, int_id, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	a_one = uint_attr(&b, int_id, 1);
	a_four = uint_attr(&b, int_id, 4);
	inner = og_type(&b, NULL, BTF_KIND_STRUCT, 4, false, 32);
	og_member(&b, "type", a_array, 0);
	og_member(&b, "max_entries", a_one, 64);
	og_member(&b, "key_size", a_four, 128);
	og_member(&b, "value_size", a_four, 192);
	values = og_array(&b, og_ptr(&b, inner), int_id, 1);
	outer = og_type(&b, NULL, BTF_KIND_STRUCT, 3, false, 24);
	og_member(&b, "type", a_outer, 0);
	og_member(&b, "max_entries", a_one, 64);
	og_member(&b, "values", values, 128);
	var = og_var(&b, "outer", outer, BTF_VAR_GLOBAL_ALLOCATED);
	og_type(&b, ".maps", BTF_KIND_DATASEC, 1, false, 24);
	og_secinfo(&b, var, 0, 24);
	og_sec(&o, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, "GPL", 4);
	sec = og_sec(&o, ".maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, NULL, 24);
	sym = og_sym(&o, "outer", STB_GLOBAL, STT_OBJECT, (uint16_t)sec, 0, 24);
	og_rel(&o, sec, 16, sym, 2 /* R_BPF_64_ABS64 */);
	blob = og_btf_blob(&b, &blob_size);
	og_sec(&o, ".BTF", SHT_PROGBITS, 0, blob, blob_size);
	free(blob);
	img = og_image(&o, size);
	og_btf_free(&b);
	og_obj_free(&o);
	return img;
}
