/* SPDX-License-Identifier: MIT */
/*
 * Legacy map definitions: SEC("maps") holds an array of struct bpf_map_def
 * { type, key_size, value_size, max_entries, map_flags } (older objects, and iproute2's
 * struct bpf_elf_map, which appends id, pinning, inner_id and inner_idx). libbpf 1.x refuses
 * them; bel loads them, since real objects still ship them. Each map is a symbol in the section,
 * its definition as long as the symbol says (st_size): definitions need not be the same size,
 * and there may be space between them (a statically linked object keeps the room of the weak
 * copies it dropped). Symbols without a size (hand-made objects) fall back to the old rule:
 * every definition the same size, the section's size divided by the number of symbols.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "spec.h"

#define LEGACY_DEF_MIN 20 /* the five u32 fields every definition starts with */

int bel_spec_collect_legacy_maps(struct bel_spec *spec, struct bel_err *err)
{
	const struct bel_elf_sec *sec = bel_elf_sec_by_name(spec->elf, "maps");
	size_t i, nsyms = 0, sized = 0, def_size = 0;

	if (!sec)
		return 0;
	if (sec->type != SHT_PROGBITS || !sec->data)
		return bel_errf(err, EINVAL, "section 'maps' has no data");
	for (i = 1; i < spec->elf->nsyms; i++) {
		if (spec->elf->syms[i].shndx != sec->index || spec->elf->syms[i].type == STT_SECTION)
			continue;
		nsyms++;
		sized += spec->elf->syms[i].size != 0;
	}
	if (!nsyms)
		return bel_errf(err, EINVAL, "section 'maps' has no map symbols");
	if (sized < nsyms) {
		def_size = sec->size / nsyms;
		if (def_size < LEGACY_DEF_MIN || sec->size % nsyms)
			return bel_errf(err, EINVAL, "section 'maps': %zu bytes do not divide into %zu "
					"definitions", sec->size, nsyms);
	}
	for (i = 1; i < spec->elf->nsyms; i++) {
		const struct bel_elf_sym *sym = &spec->elf->syms[i];
		uint32_t f[9] = {0};
		struct bel_map_def *map;
		int ret;

		if (sym->shndx != sec->index || sym->type == STT_SECTION)
			continue;
		if (sized == nsyms) {
			if (sym->size < LEGACY_DEF_MIN)
				return bel_errf(err, EINVAL, "legacy map '%s': %llu bytes, fewer than the %d "
						"of a definition", sym->name,
						(unsigned long long)sym->size, LEGACY_DEF_MIN);
			def_size = sym->size > sec->size ? sec->size + 1 : (size_t)sym->size;
		}
		if (sym->value % 4 || sym->value > sec->size || def_size > sec->size - sym->value)
			return bel_errf(err, EINVAL, "legacy map '%s': offset %llu out of range", sym->name,
					(unsigned long long)sym->value);
		if (!*sym->name || bel_spec_find_map(spec, sym->name) >= 0)
			return bel_errf(err, EEXIST, "legacy map '%s': unnamed or defined twice", sym->name);
		memcpy(f, sec->data + sym->value, def_size < sizeof(f) ? def_size : sizeof(f));
		ret = bel_spec_add_map(spec, sym->name, &map, err);
		if (ret)
			return ret;
		snprintf(map->kname, sizeof(map->kname), "%s", sym->name);
		map->origin = BEL_MAP_FROM_LEGACY;
		map->type = f[0];
		map->key_size = f[1];
		map->value_size = f[2];
		map->max_entries = f[3];
		map->map_flags = f[4];
		/* iproute2's bpf_elf_map: pinning 2 (PIN_GLOBAL_NS) shares by name like libbpf's 1;
		 * 1 (PIN_OBJECT_NS) is per object, which bel's pin layout gives every map anyway. */
		if (def_size >= 28 && f[6] == 2)
			map->pinning = BEL_PIN_BY_NAME;
		map->sec_index = sec->index;
		map->sec_offset = sym->value;
		map->sec_size = def_size;
		bel_map_def_fix_sizes(map);
	}
	return 0;
}
