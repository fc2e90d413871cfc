/* SPDX-License-Identifier: MIT */
/* Functions of an executable or shared library by name (with symbol versions) or by glob. */
#include "binary.h"
#include "binary_int.h"

#include "common/array.h"

#include <elf.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

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
	t->syms = bel_binary_sec_by_type(b, type);
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
	t->versym = bel_binary_sec_by_type(b, SHT_GNU_versym);
	if (t->versym && (!t->versym->data || t->versym->size / 2 < t->count))
		t->versym = NULL; /* unusable: no symbol has a version */
	t->verdef = bel_binary_sec_by_type(b, SHT_GNU_verdef);
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

		if (!bel_binary_in_range(off, sizeof(def), vd->size))
			return NULL;
		memcpy(&def, vd->data + off, sizeof(def));
		if (def.vd_ndx == ndx) {
			if (!bel_binary_in_range(off + def.vd_aux, sizeof(aux), vd->size))
				return NULL;
			memcpy(&aux, vd->data + off + def.vd_aux, sizeof(aux));
			return bel_binary_str(t->verdef_strs, aux.vda_name);
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
		sname = bel_binary_str(t->strs, sym.st_name);
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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The symbol's name without a version suffix ("name@VER" in .symtab), into buf, or NULL when it
 * does not fit. */
static const char *bare_name(const char *sname, char *buf, size_t size)
{
	const char *at = strchr(sname, '@');
	size_t len = at ? (size_t)(at - sname) : strlen(sname);

	if (!at)
		return sname;
	if (len >= size)
		return NULL;
	memcpy(buf, sname, len);
	buf[len] = '\0';
	return buf;
}

int bel_binary_match_funcs(const struct bel_binary *b, const char *glob, uint32_t max,
			   uint64_t **offsets, uint32_t *count, struct bel_err *err)
{
	static const uint32_t types[] = {SHT_DYNSYM, SHT_SYMTAB};
	uint64_t *found = NULL;
	uint32_t n = 0, cap = 0, i, kept;
	char buf[1024];
	struct symtab t;
	int ret = 0;

	*offsets = NULL;
	*count = 0;
	for (i = 0; i < 2 && !ret; i++) {
		uint64_t s;

		ret = open_symtab(b, types[i], &t, err);
		for (s = 1; !ret && t.syms && s < t.count; s++) {
			Elf64_Sym sym;
			const char *sname;

			memcpy(&sym, t.syms->data + s * sizeof(sym), sizeof(sym));
			if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF ||
			    !sym.st_value)
				continue;
			sname = bel_binary_str(t.strs, sym.st_name);
			if (!sname || !(sname = bare_name(sname, buf, sizeof(buf))) ||
			    fnmatch(glob, sname, 0))
				continue;
			if (n == max) {
				ret = bel_errf(err, E2BIG, "'%s' matches more than %u functions", glob, max);
				break;
			}
			if (bel_grow(&found, n, &cap, sizeof(*found), 16)) {
				ret = bel_errf(err, ENOMEM, "out of memory");
				break;
			}
			ret = bel_binary_addr_offset(b, sym.st_value, true, &found[n], err);
			if (ret)
				bel_err_prefix(err, "symbol '%s'", sname);
			else
				n++;
		}
	}
	if (!ret && !n)
		ret = bel_errf(err, ENOENT, "no function matches '%s' (defined functions of .dynsym "
			       "and .symtab)", glob);
	if (ret) {
		free(found);
		return ret;
	}
	/* a function in both tables, or aliases of one address, is probed once */
	qsort(found, n, sizeof(*found), cmp_u64);
	for (i = 1, kept = 1; i < n; i++)
		if (found[i] != found[kept - 1])
			found[kept++] = found[i];
	*offsets = found;
	*count = kept;
	return 0;
}
