/* SPDX-License-Identifier: MIT */
#include "elf.h"

#include "common/hash.h"
#include "common/limits.h"

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

/*
 * A string table whose last byte is not NUL makes libelf search backwards from the end for one
 * on every name it hands out: refused, so each name costs what its own length does.
 */
static int check_strtab(const struct bel_elf *e, size_t index, const char *what,
			struct bel_err *err)
{
	const struct bel_elf_sec *s = index < e->nsecs ? &e->secs[index] : NULL;

	if (!s || s->type != SHT_STRTAB || !s->data || s->size == 0)
		return bel_errf(err, EINVAL, "%s: section %zu is not a string table", what, index);
	if (s->data[s->size - 1] != '\0')
		return bel_errf(err, EINVAL, "%s '%s': last string not NUL-terminated", what, s->name);
	return 0;
}

static int check_name_len(const char *name, const char *what, size_t index, struct bel_err *err)
{
	if (strnlen(name, BEL_NAME_MAX + 1) > BEL_NAME_MAX)
		return bel_errf(err, ENAMETOOLONG, "%s %zu: name longer than %u bytes", what, index,
				BEL_NAME_MAX);
	return 0;
}

/* Section headers first, without names: the name table is checked before any name is read. */
static int read_section_headers(struct bel_elf *e, Elf *elf, size_t nsecs, struct bel_err *err)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		size_t idx = elf_ndxscn(scn);
		struct bel_elf_sec *s;
		GElf_Shdr sh;

		if (idx >= nsecs)
			return bel_errf(err, EINVAL, "section index %zu out of range", idx);
		s = &e->secs[idx];
		if (!gelf_getshdr(scn, &sh))
			return bel_errf(err, EINVAL, "section %zu: bad header: %s", idx, elf_cause());
		s->index = idx;
		s->name = "";
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
					"section %zu: offset %llu + size %llu beyond the file's %zu bytes",
					idx, (unsigned long long)sh.sh_offset,
					(unsigned long long)sh.sh_size, e->image_size);
		if (sh.sh_link >= nsecs)
			return bel_errf(err, EINVAL, "section %zu: link %u out of range", idx, sh.sh_link);
		s->data = e->image + sh.sh_offset;
		if (sh.sh_type == SHT_SYMTAB) {
			if (e->symtab_index)
				return bel_errf(err, EINVAL, "more than one symbol table");
			e->symtab_index = idx;
		}
	}
	return 0;
}

static int read_sections(struct bel_elf *e, Elf *elf, struct bel_err *err)
{
	size_t shstrndx, nsecs, i;
	int ret;

	if (elf_getshdrnum(elf, &nsecs) || elf_getshdrstrndx(elf, &shstrndx))
		return bel_errf(err, EINVAL, "bad section header table: %s", elf_cause());
	if (nsecs == 0 || nsecs > 65536)
		return bel_errf(err, EINVAL, "implausible section count %zu", nsecs);
	e->secs = calloc(nsecs, sizeof(*e->secs));
	if (!e->secs)
		return bel_errf(err, ENOMEM, "out of memory for %zu sections", nsecs);
	e->nsecs = nsecs;
	e->secs[0].name = "";
	ret = read_section_headers(e, elf, nsecs, err);
	if (!ret)
		ret = check_strtab(e, shstrndx, "section name table", err);
	for (i = 1; !ret && i < nsecs; i++) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(elf_getscn(elf, i), &sh))
			return bel_errf(err, EINVAL, "section %zu: bad header: %s", i, elf_cause());
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name)
			return bel_errf(err, EINVAL, "section %zu: name offset %u outside the section name table",
					i, sh.sh_name);
		ret = check_name_len(name, "section", i, err);
		e->secs[i].name = name;
	}
	return ret;
}

static uint32_t name_hash(const char *name)
{
	return bel_hash(name, strlen(name));
}

/* A symbol is looked up by name, section and type together: its key. */
static uint32_t sym_hash(const struct bel_elf *e, uint32_t i)
{
	const struct bel_elf_sym *s = &e->syms[i];

	return name_hash(s->name) ^ (s->shndx * 0x9e3779b1u + s->type * 0x85ebca6bu);
}

static bool sym_same(const struct bel_elf *e, uint32_t i, uint32_t j)
{
	const struct bel_elf_sym *a = &e->syms[i], *b = &e->syms[j];

	return a->shndx == b->shndx && a->type == b->type && !strcmp(a->name, b->name);
}

static uint32_t sec_hash(const struct bel_elf *e, uint32_t i)
{
	return name_hash(e->secs[i].name);
}

static bool sec_same(const struct bel_elf *e, uint32_t i, uint32_t j)
{
	return !strcmp(e->secs[i].name, e->secs[j].name);
}

/*
 * Index entries 1..n-1 by key. Only the first entry of each key goes in (lookups return the
 * first, so later ones could only lengthen chains): a chain holds distinct keys that share a
 * bucket, however many times an object repeats one name.
 */
static int index_build(struct bel_name_index *idx, const struct bel_elf *e, size_t n,
		       uint32_t (*hash)(const struct bel_elf *, uint32_t),
		       bool (*same)(const struct bel_elf *, uint32_t, uint32_t), struct bel_err *err)
{
	uint32_t buckets = 16, i, j, b, *tails;

	if (n > UINT32_MAX / 4)
		return bel_errf(err, E2BIG, "%zu entries to index", n);
	while (buckets < 2 * n)
		buckets *= 2;
	idx->mask = buckets - 1;
	idx->heads = malloc(buckets * sizeof(*idx->heads));
	idx->next = malloc((n ? n : 1) * sizeof(*idx->next));
	tails = malloc(buckets * sizeof(*tails));
	if (!idx->heads || !idx->next || !tails) {
		free(tails);
		return bel_errf(err, ENOMEM, "out of memory");
	}
	memset(idx->heads, 0xff, buckets * sizeof(*idx->heads));
	if (n)
		idx->next[0] = UINT32_MAX;
	for (i = 1; i < n; i++) {
		idx->next[i] = UINT32_MAX;
		b = hash(e, i) & idx->mask;
		for (j = idx->heads[b]; j != UINT32_MAX && !same(e, i, j); j = idx->next[j])
			;
		if (j != UINT32_MAX)
			continue;
		if (idx->heads[b] == UINT32_MAX)
			idx->heads[b] = i;
		else
			idx->next[tails[b]] = i;
		tails[b] = i;
	}
	free(tails);
	return 0;
}

static void free_index(struct bel_name_index *idx)
{
	free(idx->heads);
	free(idx->next);
}

static int index_symbols(struct bel_elf *e, struct bel_err *err)
{
	int ret = index_build(&e->syms_by_name, e, e->nsyms, sym_hash, sym_same, err);

	return ret ? ret : index_build(&e->secs_by_name, e, e->nsecs, sec_hash, sec_same, err);
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
	if (symtab->size && check_strtab(e, symtab->link, "symbol string table", err))
		return err ? err->code : -EINVAL;
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
		if (check_name_len(name, "symbol", i, err))
			return err ? err->code : -ENAMETOOLONG;
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
		if (!strcmp(e->secs[i].name, name))
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
	uint32_t i, hash = name_hash(name) ^ (shndx * 0x9e3779b1u + (uint32_t)type * 0x85ebca6bu);

	if (type < 0)
		return NULL;
	for (i = idx->heads[hash & idx->mask]; i != UINT32_MAX; i = idx->next[i]) {
		const struct bel_elf_sym *s = &e->syms[i];

		if (s->shndx == shndx && s->type == type && !strcmp(s->name, name))
			return s;
	}
	return NULL;
}
