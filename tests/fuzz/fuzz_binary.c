/* SPDX-License-Identifier: MIT */
/*
 * fuzz_binary: bytes -> bel_binary_open, the reader of executables and shared libraries that
 * uprobes and USDT probes go into. On success: a lookup of every symbol name the tables hold
 * (and of each with a version asked for), every SDT note and the sites of each probe, each
 * site's argument spec through bel_usdt_spec_build; every offset handed out is checked to be
 * inside the image. The same bytes go through bel_ld_cache_lookup.
 */
#include <elf.h>

#include "fuzz.h"
#include "elf/binary.h"
#include "elf/ld_cache.h"
#include "elf/usdt_spec.h"

/* Lookups are bounded per input, so one input with a huge table stays fast. */
#define MAX_LOOKUPS 64

static void lookup(const struct bel_binary *bin, const char *name)
{
	struct bel_binary_func f;
	struct bel_err err = {0};

	if (!bel_binary_find_func(bin, name, &f, &err)) {
		fuzz_check(f.offset < bin->size, "offset %llu of '%s' past the image",
			   (unsigned long long)f.offset, name);
	} else {
		fuzz_check(err.msg[0], "lookup of '%s' failed without a message", name);
	}
}

static void symbols(const struct bel_binary *bin)
{
	unsigned int done = 0;
	uint32_t i;

	for (i = 1; i < bin->nsecs && done < MAX_LOOKUPS; i++) {
		const struct bel_binary_sec *s = &bin->secs[i];
		const struct bel_binary_sec *str;
		uint64_t n, j;

		fuzz_touch_str(s->name);
		if (s->data)
			fuzz_touch(s->data, s->size);
		if ((s->type != SHT_SYMTAB && s->type != SHT_DYNSYM) || !s->data ||
		    s->entsize != sizeof(Elf64_Sym) || s->link >= bin->nsecs)
			continue;
		str = &bin->secs[s->link];
		n = s->size / sizeof(Elf64_Sym);
		for (j = 1; j < n && done < MAX_LOOKUPS; j++) {
			char name[128];
			Elf64_Sym sym;

			memcpy(&sym, s->data + j * sizeof(sym), sizeof(sym));
			if (!str->data || sym.st_name >= str->size ||
			    !memchr(str->data + sym.st_name, '\0', str->size - sym.st_name) ||
			    strlen((const char *)str->data + sym.st_name) + 8 > sizeof(name))
				continue;
			strcpy(name, (const char *)str->data + sym.st_name);
			lookup(bin, name);
			strcat(name, "@@V");
			lookup(bin, name);
			done++;
		}
	}
	lookup(bin, "main");
}

/* uprobe.multi's globs: every match's offset is inside the image, sorted, each once. */
static void globs(const struct bel_binary *bin)
{
	static const char *const patterns[] = {"*", "m*", "*@*", "[a-z]?*"};
	struct bel_err err = {0};
	uint64_t *offsets;
	uint32_t n, i, p;

	for (p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
		if (bel_binary_match_funcs(bin, patterns[p], 4096, &offsets, &n, &err)) {
			fuzz_check(err.msg[0], "glob refused without a message");
			fuzz_check(!offsets, "offsets left after an error");
			continue;
		}
		fuzz_check(n > 0 && n <= 4096, "match count out of range");
		for (i = 0; i < n; i++) {
			fuzz_check(offsets[i] < bin->size, "offset past the image");
			fuzz_check(!i || offsets[i] > offsets[i - 1], "offsets not sorted and unique");
		}
		free(offsets);
	}
}

static void notes(const struct bel_binary *bin)
{
	struct bel_usdt_note *all;
	struct bel_err err = {0};
	uint32_t count, i, j;

	if (bel_binary_usdt_notes(bin, &all, &count, &err)) {
		fuzz_check(err.msg[0], "notes refused without a message");
		return;
	}
	for (i = 0; i < count && i < MAX_LOOKUPS; i++) {
		struct bel_usdt_site *sites;
		uint8_t spec[BEL_USDT_SPEC_SIZE];
		uint32_t n;

		fuzz_touch_str(all[i].provider);
		fuzz_touch_str(all[i].name);
		fuzz_touch_str(all[i].args);
		if (bel_binary_usdt_sites(bin, all[i].provider, all[i].name, &sites, &n, &err))
			continue;
		for (j = 0; j < n; j++) {
			fuzz_check(sites[j].offset < bin->size, "site past the image");
			fuzz_check(!sites[j].sema_offset || sites[j].sema_offset < bin->size,
				   "semaphore past the image");
			if (!bel_usdt_spec_build(sites[j].args, 1, spec, &err))
				fuzz_touch(spec, sizeof(spec));
		}
		free(sites);
	}
	free(all);
}

int bel_fuzz_binary(const uint8_t *data, size_t size)
{
	struct bel_binary *bin;
	struct bel_err err = {0};
	const char *path = bel_ld_cache_lookup(data, size, "libc.so.6");

	fuzz_touch_str(path);
	if (bel_binary_open(data, size, &bin, &err)) {
		fuzz_check(err.msg[0], "refused without a message");
		return 0;
	}
	symbols(bin);
	globs(bin);
	notes(bin);
	bel_binary_free(bin);
	return 1;
}

#ifndef BEL_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bel_fuzz_binary(data, size);
	return 0;
}
#endif
