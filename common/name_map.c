/* SPDX-License-Identifier: MIT */
#include "name_map.h"

#include "hash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The slot a hash starts probing at: the top bits of a multiplicative mix, so every bit of
 * the name's hash (and the table's seed) decides it, not just the low ones. */
static uint32_t first_slot(const struct bel_name_map *map, uint32_t hash)
{
	uint64_t h = (uint64_t)(hash ^ map->seed) * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32) & map->mask;
}

static int grow(struct bel_name_map *map)
{
	uint32_t size = map->slots ? (map->mask + 1) * 2 : 16, i;
	struct bel_name_map bigger = {.mask = size - 1, .count = map->count};

	if (size == 0 || size > (1u << 31))
		return -ENOMEM;
	bigger.slots = calloc(size, sizeof(*bigger.slots));
	if (!bigger.slots)
		return -ENOMEM;
	/* the table's address: different from run to run and table to table, yet no syscall */
	bigger.seed = (uint32_t)((uintptr_t)bigger.slots >> 4) * 0x85ebca6bu;
	for (i = 0; map->slots && i <= map->mask; i++) {
		const struct bel_name_slot *s = &map->slots[i];
		uint32_t j;

		if (!s->name)
			continue;
		for (j = first_slot(&bigger, s->hash); bigger.slots[j].name; j = (j + 1) & bigger.mask)
			;
		bigger.slots[j] = *s;
	}
	free(map->slots);
	*map = bigger;
	return 0;
}

static struct bel_name_slot *probe(const struct bel_name_map *map, const char *name,
				   uint32_t hash)
{
	uint32_t j;

	for (j = first_slot(map, hash); map->slots[j].name; j = (j + 1) & map->mask)
		if (map->slots[j].hash == hash && !strcmp(map->slots[j].name, name))
			break;
	return &map->slots[j];
}

int bel_name_map_add(struct bel_name_map *map, const char *name, uint32_t value)
{
	uint32_t hash = bel_hash(name, strlen(name));
	struct bel_name_slot *s;

	if (value > INT32_MAX)
		return -EOVERFLOW;
	if ((!map->slots || (uint64_t)(map->count + 1) * 2 > (uint64_t)map->mask + 1) && grow(map))
		return -ENOMEM;
	s = probe(map, name, hash);
	if (s->name)
		return -EEXIST;
	s->name = name;
	s->hash = hash;
	s->value = value;
	map->count++;
	return 0;
}

int bel_name_map_get(const struct bel_name_map *map, const char *name)
{
	const struct bel_name_slot *s;

	if (!map->slots)
		return -ENOENT;
	s = probe(map, name, bel_hash(name, strlen(name)));
	return s->name ? (int)s->value : -ENOENT;
}

void bel_name_map_free(struct bel_name_map *map)
{
	free(map->slots);
	memset(map, 0, sizeof(*map));
}
