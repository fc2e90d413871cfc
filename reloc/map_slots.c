/* SPDX-License-Identifier: MIT */
/*
 * Initial slots of BTF-defined prog arrays and maps-in-maps: `.values = { [2] = &prog }` leaves
 * zeros in .maps and a relocation at the slot's address naming the program or map. The slot is
 * (relocation offset - map offset - offset of `values`) / 8, since each slot is a pointer.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

static struct bel_map_def *map_at(struct bel_spec *spec, uint32_t sec_index, uint64_t off)
{
	uint32_t i;

	for (i = 0; i < spec->nmaps; i++) {
		struct bel_map_def *m = &spec->maps[i];

		if (m->origin == BEL_MAP_FROM_BTF && m->sec_index == sec_index && off >= m->sec_offset &&
		    off < m->sec_offset + m->sec_size)
			return m;
	}
	return NULL;
}

static int add_slot(struct bel_map_def *map, uint32_t slot, uint32_t target, struct bel_err *err)
{
	struct bel_slot_init *grown;
	uint32_t i;

	for (i = 0; i < map->nslots; i++)
		if (map->slots[i].slot == slot)
			return bel_errf(err, EEXIST, "map '%s': slot %u initialised twice", map->name, slot);
	grown = realloc(map->slots, (map->nslots + 1) * sizeof(*grown));
	if (!grown)
		return bel_errf(err, ENOMEM, "out of memory");
	map->slots = grown;
	map->slots[map->nslots].slot = slot;
	map->slots[map->nslots].target = target;
	map->nslots++;
	return 0;
}

int bel_spec_collect_map_slots(struct bel_spec *spec, struct bel_err *err)
{
	const struct bel_elf_sec *maps = bel_elf_sec_by_name(spec->elf, ".maps");
	struct bel_elf_rel *rels = NULL;
	size_t i, j, n = 0;
	int ret = 0;

	if (!maps)
		return 0;
	for (i = 1; i < spec->elf->nsecs && !ret; i++) {
		const struct bel_elf_sec *relsec = &spec->elf->secs[i];

		if (relsec->type != SHT_REL || relsec->info != maps->index)
			continue;
		ret = bel_elf_rels(spec->elf, relsec, &rels, &n, err);
		for (j = 0; j < n && !ret; j++) {
			const struct bel_elf_sym *sym = &spec->elf->syms[rels[j].sym];
			struct bel_map_def *map = map_at(spec, maps->index, rels[j].offset);
			uint64_t rel_off;
			int target;

			if (!map) {
				ret = bel_errf(err, EINVAL, ".maps: relocation at offset %llu is in no map",
					       (unsigned long long)rels[j].offset);
				break;
			}
			rel_off = rels[j].offset - map->sec_offset;
			if (!map->values_offset || rel_off < map->values_offset ||
			    (rel_off - map->values_offset) % 8) {
				ret = bel_errf(err, EINVAL, "map '%s': relocation at offset %llu is not a "
					       "'values' slot", map->name, (unsigned long long)rel_off);
				break;
			}
			if (map->type == BPF_MAP_TYPE_PROG_ARRAY) {
				target = sym->type == STT_FUNC ? bel_spec_find_prog(spec, sym->name) : -1;
				if (target < 0)
					ret = bel_errf(err, ENOENT, "map '%s': slot names '%s', which is not a "
						       "program of this object", map->name, sym->name);
			} else {
				struct bel_map_def *inner = sym->shndx == maps->index ?
					map_at(spec, maps->index, sym->value) : NULL;

				target = inner ? (int)(inner - spec->maps) : -1;
				if (target < 0)
					ret = bel_errf(err, ENOENT, "map '%s': slot names '%s', which is not a "
						       "map of this object", map->name, sym->name);
			}
			if (!ret)
				ret = add_slot(map, (uint32_t)((rel_off - map->values_offset) / 8),
					       (uint32_t)target, err);
			if (!ret && map->nslots && map->slots[map->nslots - 1].slot >= map->max_entries)
				ret = bel_errf(err, E2BIG, "map '%s': slot %u beyond max_entries %u",
					       map->name, map->slots[map->nslots - 1].slot, map->max_entries);
		}
		free(rels);
		rels = NULL;
	}
	return ret;
}
