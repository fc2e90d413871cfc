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

#include "common/array.h"
#include "spec.h"

/* BTF maps by where they sit in .maps, to find a map from an offset by binary search. */
struct btf_maps {
	uint32_t *order;   /* indices into spec->maps, by sec_offset */
	uint32_t n;
	uint32_t *slots_cap; /* per map: room in its slots array */
};

static int cmp_offset(const void *a, const void *b, void *arg)
{
	const struct bel_spec *spec = arg;
	const struct bel_map_def *x = &spec->maps[*(const uint32_t *)a];
	const struct bel_map_def *y = &spec->maps[*(const uint32_t *)b];

	if (x->sec_offset != y->sec_offset)
		return x->sec_offset < y->sec_offset ? -1 : 1;
	return x->sec_size < y->sec_size ? -1 : x->sec_size > y->sec_size;
}

/* Definitions must not overlap: a slot's relocation then lies in one map at most. */
static int index_btf_maps(struct bel_spec *spec, struct btf_maps *bm, struct bel_err *err)
{
	uint32_t i;

	bm->order = malloc((spec->nmaps ? spec->nmaps : 1) * sizeof(*bm->order));
	bm->slots_cap = calloc(spec->nmaps ? spec->nmaps : 1, sizeof(*bm->slots_cap));
	if (!bm->order || !bm->slots_cap)
		return bel_errf(err, ENOMEM, "out of memory");
	for (i = 0; i < spec->nmaps; i++)
		if (spec->maps[i].origin == BEL_MAP_FROM_BTF)
			bm->order[bm->n++] = i;
	qsort_r(bm->order, bm->n, sizeof(*bm->order), cmp_offset, spec);
	for (i = 1; i < bm->n; i++) {
		const struct bel_map_def *a = &spec->maps[bm->order[i - 1]];
		const struct bel_map_def *b = &spec->maps[bm->order[i]];

		if (a->sec_offset + a->sec_size > b->sec_offset)
			return bel_errf(err, EINVAL, ".maps: maps '%s' and '%s' overlap", a->name, b->name);
	}
	return 0;
}

/* The BTF map whose definition holds this offset of .maps, or NULL. */
static struct bel_map_def *map_at(struct bel_spec *spec, const struct btf_maps *bm, uint64_t off)
{
	uint32_t lo = 0, hi = bm->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (spec->maps[bm->order[mid]].sec_offset <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* lo - 1: the last map starting at or before off */
	if (lo > 0) {
		struct bel_map_def *m = &spec->maps[bm->order[lo - 1]];

		if (off < m->sec_offset + m->sec_size)
			return m;
	}
	return NULL;
}

static int add_slot(struct bel_spec *spec, struct btf_maps *bm, struct bel_map_def *map,
		    uint32_t slot, uint32_t target, struct bel_err *err)
{
	if (slot >= map->max_entries)
		return bel_errf(err, E2BIG, "map '%s': slot %u beyond max_entries %u", map->name, slot,
				map->max_entries);
	if (bel_grow(&map->slots, map->nslots, &bm->slots_cap[map - spec->maps],
		     sizeof(*map->slots), 4))
		return bel_errf(err, ENOMEM, "out of memory");
	map->slots[map->nslots].slot = slot;
	map->slots[map->nslots].target = target;
	map->nslots++;
	return 0;
}

static int cmp_slot(const void *a, const void *b)
{
	const struct bel_slot_init *x = a, *y = b;

	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* Each slot once: sorted, neighbours compared (a search per slot grows with slots squared). */
static int check_slots_unique(const struct bel_spec *spec, struct bel_err *err)
{
	uint32_t i, s;

	for (i = 0; i < spec->nmaps; i++) {
		struct bel_map_def *map = &spec->maps[i];

		if (map->nslots > 1)
			qsort(map->slots, map->nslots, sizeof(*map->slots), cmp_slot);
		for (s = 1; s < map->nslots; s++)
			if (map->slots[s].slot == map->slots[s - 1].slot)
				return bel_errf(err, EEXIST, "map '%s': slot %u initialised twice",
						map->name, map->slots[s].slot);
	}
	return 0;
}

static int cmp_prog_slot(const void *a, const void *b)
{
	const struct bel_prog_slot *x = a, *y = b;

	if (x->prog != y->prog)
		return x->prog < y->prog ? -1 : 1;
	if (x->map != y->map)
		return x->map < y->map ? -1 : 1;
	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* Prog array slots by program, so loading a program finds its slots directly. */
static int list_prog_slots(struct bel_spec *spec, struct bel_err *err)
{
	uint32_t i, s, n = 0, p;

	for (i = 0; i < spec->nmaps; i++)
		if (spec->maps[i].type == BPF_MAP_TYPE_PROG_ARRAY)
			n += spec->maps[i].nslots;
	spec->prog_slots = malloc((n ? n : 1) * sizeof(*spec->prog_slots));
	spec->prog_slots_start = calloc(spec->nprogs + 1, sizeof(*spec->prog_slots_start));
	if (!spec->prog_slots || !spec->prog_slots_start)
		return bel_errf(err, ENOMEM, "out of memory");
	for (i = 0; i < spec->nmaps; i++) {
		const struct bel_map_def *map = &spec->maps[i];

		if (map->type != BPF_MAP_TYPE_PROG_ARRAY)
			continue;
		for (s = 0; s < map->nslots; s++)
			spec->prog_slots[spec->nprog_slots++] =
				(struct bel_prog_slot){map->slots[s].target, i, map->slots[s].slot};
	}
	qsort(spec->prog_slots, spec->nprog_slots, sizeof(*spec->prog_slots), cmp_prog_slot);
	for (p = 0, s = 0; p <= spec->nprogs; p++) {
		while (s < spec->nprog_slots && spec->prog_slots[s].prog < p)
			s++;
		spec->prog_slots_start[p] = s;
	}
	return 0;
}

static int collect(struct bel_spec *spec, const struct bel_elf_sec *maps, struct btf_maps *bm,
		   const struct bel_elf_sec *relsec, struct bel_err *err)
{
	struct bel_elf_rel *rels = NULL;
	size_t j, n = 0;
	int ret;

	ret = bel_elf_rels(spec->elf, relsec, &rels, &n, err);
	for (j = 0; j < n && !ret; j++) {
		const struct bel_elf_sym *sym = &spec->elf->syms[rels[j].sym];
		struct bel_map_def *map = map_at(spec, bm, rels[j].offset), *inner;
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
			inner = sym->shndx == maps->index ? map_at(spec, bm, sym->value) : NULL;
			target = inner ? (int)(inner - spec->maps) : -1;
			if (target < 0)
				ret = bel_errf(err, ENOENT, "map '%s': slot names '%s', which is not a "
					       "map of this object", map->name, sym->name);
			/* the kernel nests maps one level deep; creating a map acquires its slots'
			 * maps first, which for a map-in-map in a slot (itself, even) never ends */
			else if (inner->type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
				 inner->type == BPF_MAP_TYPE_HASH_OF_MAPS)
				ret = bel_errf(err, EINVAL, "map '%s': slot names map '%s', a map-in-map; "
					       "maps nest one level deep", map->name, inner->name);
		}
		if (!ret)
			ret = add_slot(spec, bm, map, (uint32_t)((rel_off - map->values_offset) / 8),
				       (uint32_t)target, err);
	}
	free(rels);
	return ret;
}

int bel_spec_collect_map_slots(struct bel_spec *spec, struct bel_err *err)
{
	const struct bel_elf_sec *maps = bel_elf_sec_by_name(spec->elf, ".maps");
	struct btf_maps bm = {0};
	size_t i;
	int ret = 0;

	if (maps)
		ret = index_btf_maps(spec, &bm, err);
	for (i = 1; maps && i < spec->elf->nsecs && !ret; i++) {
		const struct bel_elf_sec *relsec = &spec->elf->secs[i];

		if (relsec->type == SHT_REL && relsec->info == maps->index)
			ret = collect(spec, maps, &bm, relsec, err);
	}
	if (!ret)
		ret = check_slots_unique(spec, err);
	if (!ret)
		ret = list_prog_slots(spec, err);
	free(bm.order);
	free(bm.slots_cap);
	return ret;
}
