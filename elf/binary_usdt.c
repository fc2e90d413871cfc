/* SPDX-License-Identifier: MIT */
/* SystemTap SDT notes of an executable or shared library: where USDT probes are. */
#include "binary.h"
#include "binary_int.h"

#include "common/array.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

		if (!bel_binary_in_range(off, sizeof(nh), sec->size)) {
			ret = bel_errf(err, EINVAL, "note %u at offset %llu: header runs past the %llu-byte "
				       "section", index, (unsigned long long)off,
				       (unsigned long long)sec->size);
			goto fail;
		}
		memcpy(&nh, sec->data + off, sizeof(nh));
		name_off = off + sizeof(nh);
		desc_off = name_off + ((nh.n_namesz + align - 1) & ~(align - 1));
		next = desc_off + ((nh.n_descsz + align - 1) & ~(align - 1));
		if (!bel_binary_in_range(name_off, nh.n_namesz, sec->size) ||
		    !bel_binary_in_range(desc_off, nh.n_descsz, sec->size)) {
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
