/* SPDX-License-Identifier: MIT */
#include "elf.h"

#include "common/hash.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#ifndef EM_BPF
#define EM_BPF 247
#endif

static const char *elf_cause(void)
{
	const char *msg = elf_errmsg(-1);

	return msg ? msg : "unknown libelf error";
}

static int read_sections(struct bel_elf *e, Elf *elf, struct bel_err *err)
{
	size_t shstrndx, nsecs;
	Elf_Scn *scn = NULL;

	if (elf_getshdrnum(elf, &nsecs) || elf_getshdrstrndx(elf, &shstrndx))
		return bel_errf(err, EINVAL, "bad section header table: %s", elf_cause());
	if (nsecs == 0 || nsecs > 65536)
		return bel_errf(err, EINVAL, "implausible section count %zu", nsecs);
	e->secs = calloc(nsecs, sizeof(*e->secs));
	if (!e->secs)
		return bel_errf(err, ENOMEM, "out of memory for %zu sections", nsecs);
	e->nsecs = nsecs;
	e->secs[0].name = "";

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		size_t idx = elf_ndxscn(scn);
		struct bel_elf_sec *s;
		const char *name;
		GElf_Shdr sh;

		if (idx >= nsecs)
			return bel_errf(err, EINVAL, "section index %zu out of range", idx);
		s = &e->secs[idx];
		if (!gelf_getshdr(scn, &sh))
			return bel_errf(err, EINVAL, "section %zu: bad header: %s", idx, elf_cause());
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name)
			return bel_errf(err, EINVAL, "section %zu: name offset %u outside the section name table",
					idx, sh.sh_name);
		s->index = idx;
		s->name = name;
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->size = sh.sh_size;
		s->link = sh.sh_link;
		s->info = sh.sh_info;
		s->addralign = sh.sh_addralign;
		s->entsize = sh.sh_entsize;
		if (sh.sh_type == SHT_NOBITS || sh.sh_size == 0)
			continue;
		/* libelf does not check that a section lies inside the image it was given. */
		if (sh.sh_offset > e->image_size || sh.sh_size > e->image_size - sh.sh_offset)
			return bel_errf(err, EINVAL,
					"section '%s' (%zu): offset %llu + size %llu beyond the file's %zu bytes",
					name, idx, (unsigned long long)sh.sh_offset,
					(unsigned long long)sh.sh_size, e->image_size);
		if (sh.sh_link >= nsecs)
			return bel_errf(err, EINVAL, "section '%s': link %u out of range", name, sh.sh_link);
		s->data = e->image + sh.sh_offset;
		if (sh.sh_type == SHT_SYMTAB) {
			if (e->symtab_index)
				return bel_errf(err, EINVAL, "more than one symbol table");
			e->symtab_index = idx;
		}
	}
	return 0;
}

static uint32_t name_hash(const char *name)
{
	return bel_hash(name, strlen(name));
}

/* Index n names (taken with a stride from an array of structs whose `name` is at name_off). */
static int index_names(struct bel_name_index *idx, const void *base, size_t stride, size_t n,
		       struct bel_err *err)
{
	uint32_t buckets = 16, i;

	while (buckets < 2 * n)
		buckets *= 2;
	idx->mask = buckets - 1;
	idx->heads = malloc(buckets * sizeof(*idx->heads));
	idx->next = malloc((n ? n : 1) * sizeof(*idx->next));
	if (!idx->heads || !idx->next)
		return bel_errf(err, ENOMEM, "out of memory");
	memset(idx->heads, 0xff, buckets * sizeof(*idx->heads));
	/* insert backwards so each chain lists entries in ascending order */
	for (i = (uint32_t)n; i-- > 0;) {
		const char *name = *(const char *const *)((const uint8_t *)base + i * stride);
		uint32_t b = name_hash(name) & idx->mask;

		idx->next[i] = idx->heads[b];
		idx->heads[b] = i;
	}
	return 0;
}

static void free_index(struct bel_name_index *idx)
{
	free(idx->heads);
	free(idx->next);
}

static int index_symbols(struct bel_elf *e, struct bel_err *err)
{
	int ret = index_names(&e->syms_by_name, &e->syms[0].name, sizeof(e->syms[0]), e->nsyms, err);

	return ret ? ret : index_names(&e->secs_by_name, &e->secs[0].name, sizeof(e->secs[0]),
					e->nsecs, err);
}

static int read_symbols(struct bel_elf *e, Elf *elf, struct bel_err *err)
{
	const struct bel_elf_sec *symtab;
	Elf_Data *data;
	size_t i, n;

	if (!e->symtab_index)
		return bel_errf(err, ENOENT, "no symbol table (.symtab); was the object stripped?");
	symtab = &e->secs[e->symtab_index];
	if (symtab->entsize != sizeof(Elf64_Sym) || symtab->size % sizeof(Elf64_Sym))
		return bel_errf(err, EINVAL, "symbol table: bad entry size %llu",
				(unsigned long long)symtab->entsize);
	if (e->secs[symtab->link].type != SHT_STRTAB)
		return bel_errf(err, EINVAL, "symbol table: link %u is not a string table", symtab->link);
	data = elf_getdata(elf_getscn(elf, e->symtab_index), NULL);
	if (!data)
		return bel_errf(err, EINVAL, "symbol table: %s", elf_cause());
	n = symtab->size / sizeof(Elf64_Sym);
	e->syms = calloc(n ? n : 1, sizeof(*e->syms));
	if (!e->syms)
		return bel_errf(err, ENOMEM, "out of memory for %zu symbols", n);
	e->nsyms = n;
	for (i = 0; i < n; i++) {
		struct bel_elf_sym *s = &e->syms[i];
		const char *name;
		GElf_Sym sym;

		if (!gelf_getsym(data, (int)i, &sym))
			return bel_errf(err, EINVAL, "symbol %zu: %s", i, elf_cause());
		name = elf_strptr(elf, symtab->link, sym.st_name);
		if (!name)
			return bel_errf(err, EINVAL, "symbol %zu: name offset %u outside the string table",
					i, sym.st_name);
		s->name = name;
		s->value = sym.st_value;
		s->size = sym.st_size;
		s->shndx = sym.st_shndx;
		s->type = GELF_ST_TYPE(sym.st_info);
		s->bind = GELF_ST_BIND(sym.st_info);
		s->visibility = GELF_ST_VISIBILITY(sym.st_other);
		if (s->shndx != SHN_UNDEF && s->shndx < SHN_LORESERVE && s->shndx >= e->nsecs)
			return bel_errf(err, EINVAL, "symbol '%s': section index %u out of range",
					name, s->shndx);
		/* Section symbols are unnamed; call them by their section so messages say something. */
		if (s->type == STT_SECTION && !*name && s->shndx && s->shndx < e->nsecs)
			s->name = e->secs[s->shndx].name;
	}
	return 0;
}

int bel_elf_open(const void *buf, size_t size, bool copy, struct bel_elf **out,
		 struct bel_err *err)
{
	struct bel_elf *e;
	GElf_Ehdr eh;
	Elf *elf;
	int ret;

	*out = NULL;
	if (!buf || size < sizeof(Elf64_Ehdr))
		return bel_errf(err, EINVAL, "not an ELF file: %zu bytes is shorter than an ELF header", size);
	if (memcmp(buf, ELFMAG, SELFMAG) != 0)
		return bel_errf(err, EINVAL, "not an ELF file (bad magic)");
	if (elf_version(EV_CURRENT) == EV_NONE)
		return bel_errf(err, EINVAL, "libelf too old: %s", elf_cause());

	e = calloc(1, sizeof(*e));
	if (!e)
		return bel_errf(err, ENOMEM, "out of memory");
	if (copy) {
		e->image = malloc(size);
		if (!e->image) {
			free(e);
			return bel_errf(err, ENOMEM, "out of memory for a %zu-byte image", size);
		}
		memcpy(e->image, buf, size);
		e->owns_image = true;
	} else {
		e->image = (uint8_t *)buf; /* libelf reads it in place and does not write */
	}
	e->image_size = size;

	elf = elf_memory((char *)e->image, size);
	if (!elf) {
		ret = bel_errf(err, EINVAL, "libelf cannot read the image: %s", elf_cause());
		goto fail;
	}
	e->libelf = elf;
	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		ret = bel_errf(err, EINVAL, "not an ELF object: %s", elf_cause());
		goto fail;
	}
	if (eh.e_ident[EI_CLASS] != ELFCLASS64) {
		ret = bel_errf(err, EINVAL, "not a 64-bit ELF object");
		goto fail;
	}
	e->big_endian = eh.e_ident[EI_DATA] == ELFDATA2MSB;
	if (eh.e_ident[EI_DATA] != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB)) {
		ret = bel_errf(err, ENOTSUP, "object byte order (%s-endian) differs from this host's",
			       e->big_endian ? "big" : "little");
		goto fail;
	}
	if (eh.e_machine != EM_BPF) {
		ret = bel_errf(err, EINVAL, "not a BPF object (e_machine %u, expected %u)",
			       eh.e_machine, EM_BPF);
		goto fail;
	}
	if (eh.e_type != ET_REL) {
		ret = bel_errf(err, EINVAL, "not a relocatable object (e_type %u)", eh.e_type);
		goto fail;
	}
	ret = read_sections(e, elf, err);
	if (!ret)
		ret = read_symbols(e, elf, err);
	if (!ret)
		ret = index_symbols(e, err);
	if (ret)
		goto fail;
	*out = e;
	return 0;
fail:
	bel_elf_free(e);
	return ret;
}

void bel_elf_free(struct bel_elf *e)
{
	if (!e)
		return;
	if (e->libelf)
		elf_end(e->libelf);
	free(e->secs);
	free(e->syms);
	free_index(&e->syms_by_name);
	free_index(&e->secs_by_name);
	if (e->owns_image)
		free(e->image);
	free(e);
}

const struct bel_elf_sec *bel_elf_sec(const struct bel_elf *e, uint32_t index)
{
	return index < e->nsecs && index ? &e->secs[index] : NULL;
}

/* Section 0 is the null section, symbol 0 the null symbol: neither ever matches. */
const struct bel_elf_sec *bel_elf_sec_by_name(const struct bel_elf *e, const char *name)
{
	const struct bel_name_index *idx = &e->secs_by_name;
	uint32_t i;

	for (i = idx->heads[name_hash(name) & idx->mask]; i != UINT32_MAX; i = idx->next[i])
		if (i && !strcmp(e->secs[i].name, name))
			return &e->secs[i];
	return NULL;
}

int bel_elf_rels(const struct bel_elf *e, const struct bel_elf_sec *relsec,
		 struct bel_elf_rel **out, size_t *count, struct bel_err *err)
{
	const struct bel_elf_sec *target;
	struct bel_elf_rel *rels;
	Elf_Data *data;
	size_t i, n;

	*out = NULL;
	*count = 0;
	if (relsec->type != SHT_REL)
		return bel_errf(err, EINVAL, "section '%s' is not SHT_REL", relsec->name);
	if (relsec->link != e->symtab_index)
		return bel_errf(err, EINVAL, "section '%s': links to section %u, not the symbol table",
				relsec->name, relsec->link);
	if (relsec->entsize != sizeof(Elf64_Rel) || relsec->size % sizeof(Elf64_Rel))
		return bel_errf(err, EINVAL, "section '%s': bad relocation entry size", relsec->name);
	target = bel_elf_sec(e, relsec->info);
	if (!target)
		return bel_errf(err, EINVAL, "section '%s': target section %u out of range",
				relsec->name, relsec->info);
	n = relsec->size / sizeof(Elf64_Rel);
	if (!n)
		return 0;
	data = elf_getdata(elf_getscn(e->libelf, relsec->index), NULL);
	if (!data)
		return bel_errf(err, EINVAL, "section '%s': %s", relsec->name, elf_cause());
	rels = calloc(n, sizeof(*rels));
	if (!rels)
		return bel_errf(err, ENOMEM, "out of memory for %zu relocations", n);
	for (i = 0; i < n; i++) {
		GElf_Rel rel;

		if (!gelf_getrel(data, (int)i, &rel)) {
			free(rels);
			return bel_errf(err, EINVAL, "section '%s': relocation %zu: %s", relsec->name, i,
					elf_cause());
		}
		rels[i].offset = rel.r_offset;
		rels[i].sym = GELF_R_SYM(rel.r_info);
		rels[i].type = GELF_R_TYPE(rel.r_info);
		if (rels[i].sym >= e->nsyms) {
			bel_errf(err, EINVAL, "section '%s': relocation %zu names symbol %u of %zu",
				 relsec->name, i, rels[i].sym, e->nsyms);
			free(rels);
			return err ? err->code : -EINVAL;
		}
		if (rels[i].offset >= target->size) {
			bel_errf(err, EINVAL,
				 "section '%s': relocation %zu at offset %llu beyond '%s' (%zu bytes)",
				 relsec->name, i, (unsigned long long)rels[i].offset, target->name,
				 target->size);
			free(rels);
			return err ? err->code : -EINVAL;
		}
	}
	*out = rels;
	*count = n;
	return 0;
}

const struct bel_elf_sym *bel_elf_find_sym(const struct bel_elf *e, const char *name, int type,
					   uint32_t shndx)
{
	const struct bel_name_index *idx = &e->syms_by_name;
	uint32_t i;

	for (i = idx->heads[name_hash(name) & idx->mask]; i != UINT32_MAX; i = idx->next[i]) {
		const struct bel_elf_sym *s = &e->syms[i];

		if (i && s->shndx == shndx && (type < 0 || s->type == type) && !strcmp(s->name, name))
			return s;
	}
	return NULL;
}
