/* SPDX-License-Identifier: MIT */
/*
 * A reader of our own rather than libelf's: what is needed is a few tables, each of which is
 * checked here against the image before use, so a hostile binary cannot steer a read outside
 * the bytes it came in.
 */
#include "binary.h"

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

/* A range [off, off + len) inside a buffer of size bytes, without overflow. */
static bool in_range(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* A NUL-terminated string at off in a string section, or NULL. */
static const char *sec_str(const struct bel_binary_sec *sec, uint64_t off)
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
	if (!in_range(eh->e_phoff, (uint64_t)phnum * sizeof(Elf64_Phdr), b->size))
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
		b->segs[n].filesz = in_range(ph.p_offset, ph.p_filesz, b->size) ? ph.p_filesz
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
	if (!in_range(eh->e_shoff, sizeof(sh0), b->size))
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
	    !in_range(eh->e_shoff, shnum * sizeof(Elf64_Shdr), b->size))
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
		if (!in_range(sh.sh_offset, sh.sh_size, b->size))
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
			name = sec_str(&b->secs[shstrndx], sh.sh_name);
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
	if (phnum == PN_XNUM && in_range(eh.e_shoff, sizeof(Elf64_Shdr), size) && eh.e_shoff) {
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

static const struct bel_binary_sec *sec_by_type(const struct bel_binary *b, uint32_t type)
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

/* ---- symbols -------------------------------------------------------------------------- */

/* A symbol table with its strings and, for .dynsym, its version tables. */
struct symtab {
	const struct bel_binary_sec *syms, *strs, *versym, *verdef, *verdef_strs;
	uint64_t count;
};

static int open_symtab(const struct bel_binary *b, uint32_t type, struct symtab *t,
		       struct bel_err *err)
{
	const char *what = type == SHT_DYNSYM ? ".dynsym" : ".symtab";

	memset(t, 0, sizeof(*t));
	t->syms = sec_by_type(b, type);
	if (!t->syms || !t->syms->data)
		return 0;
	if (t->syms->entsize != sizeof(Elf64_Sym) || t->syms->size % sizeof(Elf64_Sym))
		return bel_errf(err, EINVAL, "%s: entries of %llu bytes, not %zu", what,
				(unsigned long long)t->syms->entsize, sizeof(Elf64_Sym));
	if (t->syms->link >= b->nsecs || b->secs[t->syms->link].type != SHT_STRTAB)
		return bel_errf(err, EINVAL, "%s: link %u is not a string table", what, t->syms->link);
	t->strs = &b->secs[t->syms->link];
	t->count = t->syms->size / sizeof(Elf64_Sym);
	if (type != SHT_DYNSYM)
		return 0;
	t->versym = sec_by_type(b, SHT_GNU_versym);
	if (t->versym && (!t->versym->data || t->versym->size / 2 < t->count))
		t->versym = NULL; /* unusable: no symbol has a version */
	t->verdef = sec_by_type(b, SHT_GNU_verdef);
	if (t->verdef && (!t->verdef->data || t->verdef->link >= b->nsecs))
		t->verdef = NULL;
	if (t->verdef)
		t->verdef_strs = &b->secs[t->verdef->link];
	return 0;
}

#define VERSYM_HIDDEN 0x8000
#define VERSYM_INDEX 0x7fff

/* The name of version definition ndx, or NULL. The chain is followed forwards only, at most
 * as many steps as fit in the section. */
static const char *version_name(const struct symtab *t, uint16_t ndx)
{
	const struct bel_binary_sec *vd = t->verdef;
	uint64_t off = 0, steps;

	if (!vd)
		return NULL;
	for (steps = 0; steps <= vd->size / sizeof(Elf64_Verdef); steps++) {
		Elf64_Verdef def;
		Elf64_Verdaux aux;

		if (!in_range(off, sizeof(def), vd->size))
			return NULL;
		memcpy(&def, vd->data + off, sizeof(def));
		if (def.vd_ndx == ndx) {
			if (!in_range(off + def.vd_aux, sizeof(aux), vd->size))
				return NULL;
			memcpy(&aux, vd->data + off + def.vd_aux, sizeof(aux));
			return sec_str(t->verdef_strs, aux.vda_name);
		}
		if (!def.vd_next)
			return NULL;
		off += def.vd_next;
	}
	return NULL;
}

struct match {
	bool found;
	uint64_t addr, size;
	int rank;                     /* 2: default version or none, global or local; 1: weak; */
	bool hidden;                  /* a non-default version */
	bool ifunc;                   /* an STT_GNU_IFUNC of that name was seen */
};

/* Better of the two, or -EINVAL when they are different functions of the same standing. */
static int take(struct match *m, uint64_t addr, uint64_t size, int rank, bool hidden,
		const char *name, struct bel_err *err)
{
	if (m->found) {
		if (m->addr == addr)
			return 0;
		/* a default version beats a non-default one; then strong beats weak */
		if (hidden != m->hidden) {
			if (hidden)
				return 0;
		} else if (rank == m->rank) {
			return bel_errf(err, EINVAL, "symbol '%s' is ambiguous: functions at 0x%llx and "
					"0x%llx", name, (unsigned long long)m->addr,
					(unsigned long long)addr);
		} else if (rank < m->rank) {
			return 0;
		}
	}
	m->found = true;
	m->addr = addr;
	m->size = size;
	m->rank = rank;
	m->hidden = hidden;
	return 0;
}

static int search(const struct symtab *t, bool dynamic, const char *name, size_t base_len,
		  const char *version, struct match *m, struct bel_err *err)
{
	uint64_t i;
	int ret;

	for (i = 1; i < t->count; i++) {
		Elf64_Sym sym;
		const char *sname;
		bool hidden = false;

		memcpy(&sym, t->syms->data + i * sizeof(sym), sizeof(sym));
		if ((ELF64_ST_TYPE(sym.st_info) != STT_FUNC &&
		     ELF64_ST_TYPE(sym.st_info) != STT_GNU_IFUNC) ||
		    sym.st_shndx == SHN_UNDEF || !sym.st_value)
			continue;
		sname = sec_str(t->strs, sym.st_name);
		if (!sname || strncmp(sname, name, base_len) ||
		    (sname[base_len] != '\0' && sname[base_len] != '@'))
			continue;
		/* its address is the resolver's, which runs once, at load */
		if (ELF64_ST_TYPE(sym.st_info) == STT_GNU_IFUNC) {
			m->ifunc = true;
			continue;
		}
		if (dynamic && t->versym) {
			uint16_t vs;
			const char *vname;

			memcpy(&vs, t->versym->data + i * 2, 2);
			hidden = vs & VERSYM_HIDDEN;
			if (version) {
				vname = version_name(t, vs & VERSYM_INDEX);
				if (!vname || strcmp(vname, version))
					continue;
			}
		} else if (version) {
			/* name@VER or name@@VER in the table itself */
			const char *at = sname + base_len;

			if (*at != '@')
				continue;
			at += at[1] == '@' ? 2 : 1;
			if (strcmp(at, version))
				continue;
		} else if (sname[base_len] == '@') {
			hidden = sname[base_len + 1] != '@';
		}
		ret = take(m, sym.st_value, sym.st_size, ELF64_ST_BIND(sym.st_info) == STB_WEAK ? 1 : 2,
			   hidden, name, err);
		if (ret)
			return ret;
	}
	return 0;
}

int bel_binary_find_func(const struct bel_binary *b, const char *name, struct bel_binary_func *out,
			 struct bel_err *err)
{
	static const uint32_t order[] = {SHT_DYNSYM, SHT_SYMTAB};
	const char *at = strchr(name, '@'), *version = NULL;
	size_t base_len = at ? (size_t)(at - name) : strlen(name);
	struct symtab t;
	bool any_table = false, ifunc = false;
	size_t i;
	int ret;

	if (at)
		version = at[1] == '@' ? at + 2 : at + 1;
	if (!base_len || (version && !*version))
		return bel_errf(err, EINVAL, "'%s' is not a symbol name (name, name@VERSION or "
				"name@@VERSION)", name);
	for (i = 0; i < 2; i++) {
		struct match m = {0};

		ret = open_symtab(b, order[i], &t, err);
		if (ret)
			return ret;
		if (!t.syms)
			continue;
		any_table = true;
		ret = search(&t, order[i] == SHT_DYNSYM, name, base_len, version, &m, err);
		if (ret)
			return ret;
		ifunc |= m.ifunc;
		if (!m.found)
			continue;
		out->addr = m.addr;
		out->size = m.size;
		out->dynamic = order[i] == SHT_DYNSYM;
		ret = bel_binary_addr_offset(b, m.addr, true, &out->offset, err);
		if (ret)
			return bel_err_prefix(err, "symbol '%s'", name);
		return 0;
	}
	if (!any_table)
		return bel_errf(err, ENOENT, "symbol '%s' not found: the file has no symbol table "
				"(.dynsym or .symtab)", name);
	if (ifunc)
		return bel_errf(err, ENOENT, "symbol '%s' is an indirect function (STT_GNU_IFUNC): its "
				"address is the resolver's; probe the implementation it picks", name);
	return bel_errf(err, ENOENT, "symbol '%s' not found (no defined function of that name in "
			".dynsym or .symtab)", name);
}

/* ---- SDT notes ------------------------------------------------------------------------ */

#define SDT_NOTE_TYPE 3

static int parse_sdt_desc(const uint8_t *desc, uint32_t len, struct bel_usdt_note *n,
			  struct bel_err *err)
{
	const char *p, *end;

	if (len < 3 * 8 + 3)
		return bel_errf(err, EINVAL, "descriptor of %u bytes: too short for three addresses and "
				"three strings", len);
	memcpy(&n->pc, desc, 8);
	memcpy(&n->base, desc + 8, 8);
	memcpy(&n->sema, desc + 16, 8);
	p = (const char *)desc + 24;
	end = (const char *)desc + len;
	n->provider = p;
	p = memchr(p, '\0', (size_t)(end - p));
	if (!p || p + 1 >= end)
		return bel_errf(err, EINVAL, "provider name not terminated in the descriptor");
	n->name = ++p;
	p = memchr(p, '\0', (size_t)(end - p));
	if (!p || p + 1 > end)
		return bel_errf(err, EINVAL, "probe name not terminated in the descriptor");
	if (!*n->name || !*n->provider)
		return bel_errf(err, EINVAL, "empty provider or probe name");
	n->args = ++p;
	if (p >= end) {
		n->args = "";
		return 0;
	}
	if (!memchr(p, '\0', (size_t)(end - p)))
		return bel_errf(err, EINVAL, "argument spec not terminated in the descriptor");
	return 0;
}

int bel_binary_usdt_notes(const struct bel_binary *b, struct bel_usdt_note **out, uint32_t *count,
			  struct bel_err *err)
{
	const struct bel_binary_sec *sec = bel_binary_sec_by_name(b, ".note.stapsdt");
	uint64_t off = 0, align;
	struct bel_usdt_note *notes = NULL;
	uint32_t n = 0, cap = 0, index = 0;
	int ret;

	*out = NULL;
	*count = 0;
	if (!sec)
		return 0;
	if (sec->type != SHT_NOTE)
		return bel_errf(err, EINVAL, "section .note.stapsdt is not SHT_NOTE (type %u)", sec->type);
	if (!sec->data)
		return 0;
	align = sec->addralign == 8 ? 8 : 4;
	while (off < sec->size) {
		Elf64_Nhdr nh;
		uint64_t name_off, desc_off, next;

		if (!in_range(off, sizeof(nh), sec->size)) {
			ret = bel_errf(err, EINVAL, "note %u at offset %llu: header runs past the %llu-byte "
				       "section", index, (unsigned long long)off,
				       (unsigned long long)sec->size);
			goto fail;
		}
		memcpy(&nh, sec->data + off, sizeof(nh));
		name_off = off + sizeof(nh);
		desc_off = name_off + ((nh.n_namesz + align - 1) & ~(align - 1));
		next = desc_off + ((nh.n_descsz + align - 1) & ~(align - 1));
		if (!in_range(name_off, nh.n_namesz, sec->size) ||
		    !in_range(desc_off, nh.n_descsz, sec->size)) {
			ret = bel_errf(err, EINVAL, "note %u at offset %llu: name (%u bytes) or descriptor "
				       "(%u bytes) runs past the %llu-byte section", index,
				       (unsigned long long)off, nh.n_namesz, nh.n_descsz,
				       (unsigned long long)sec->size);
			goto fail;
		}
		if (nh.n_type == SDT_NOTE_TYPE && nh.n_namesz == sizeof("stapsdt") &&
		    !memcmp(sec->data + name_off, "stapsdt", sizeof("stapsdt"))) {
			if (bel_grow(&notes, n, &cap, sizeof(*notes), 16)) {
				ret = bel_errf(err, ENOMEM, "out of memory for %u notes", n + 1);
				goto fail;
			}
			ret = parse_sdt_desc(sec->data + desc_off, nh.n_descsz, &notes[n], err);
			if (ret) {
				bel_err_prefix(err, "note %u at offset %llu", index, (unsigned long long)off);
				goto fail;
			}
			n++;
		}
		index++;
		off = next;
	}
	*out = notes;
	*count = n;
	return 0;
fail:
	free(notes);
	return bel_err_prefix(err, "section .note.stapsdt");
}

int bel_binary_usdt_sites(const struct bel_binary *b, const char *provider, const char *name,
			  struct bel_usdt_site **out, uint32_t *count, struct bel_err *err)
{
	const struct bel_binary_sec *base = bel_binary_sec_by_name(b, ".stapsdt.base");
	struct bel_usdt_note *notes;
	struct bel_usdt_site *sites = NULL;
	uint32_t nnotes, i, n = 0;
	int ret;

	*out = NULL;
	*count = 0;
	ret = bel_binary_usdt_notes(b, &notes, &nnotes, err);
	if (ret)
		return ret;
	for (i = 0; i < nnotes; i++)
		n += !strcmp(notes[i].provider, provider) && !strcmp(notes[i].name, name);
	if (!n) {
		free(notes);
		return bel_errf(err, ENOENT, "no USDT probe %s:%s (%u SDT notes%s)", provider, name,
				nnotes, bel_binary_sec_by_name(b, ".note.stapsdt") ? ""
				: ": the file has no .note.stapsdt section");
	}
	sites = calloc(n, sizeof(*sites));
	if (!sites) {
		free(notes);
		return bel_errf(err, ENOMEM, "out of memory for %u probe sites", n);
	}
	n = 0;
	for (i = 0; i < nnotes && !ret; i++) {
		const struct bel_usdt_note *note = &notes[i];
		struct bel_usdt_site *s = &sites[n];

		if (strcmp(note->provider, provider) || strcmp(note->name, name))
			continue;
		/* Prelinking moves sections but not the notes: the note keeps .stapsdt.base's
		 * address at link time, the section header has where it is now. */
		s->addr = note->pc;
		s->sema_addr = note->sema;
		if (base && note->base) {
			s->addr += base->addr - note->base;
			if (s->sema_addr)
				s->sema_addr += base->addr - note->base;
		}
		s->args = note->args;
		ret = bel_binary_addr_offset(b, s->addr, true, &s->offset, err);
		if (!ret && s->sema_addr)
			ret = bel_binary_addr_offset(b, s->sema_addr, false, &s->sema_offset, err);
		if (ret)
			bel_err_prefix(err, "USDT probe %s:%s, site %u (note %u)%s", provider, name, n, i,
				       s->sema_addr ? " or its semaphore" : "");
		n++;
	}
	free(notes);
	if (ret) {
		free(sites);
		return ret;
	}
	*out = sites;
	*count = n;
	return 0;
}
