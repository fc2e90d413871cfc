/* SPDX-License-Identifier: MIT */
#include "pinned_match.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PROG_MAPS 1024

uint32_t ldr_fd_id(int fd, bool map)
{
	struct bpf_map_info minfo;
	struct bpf_prog_info pinfo;
	uint32_t len = map ? sizeof(minfo) : sizeof(pinfo);

	memset(&minfo, 0, sizeof(minfo));
	memset(&pinfo, 0, sizeof(pinfo));
	if (bel_sys_obj_get_info_by_fd(fd, map ? (void *)&minfo : (void *)&pinfo, &len))
		return 0;
	return map ? minfo.id : pinfo.id;
}

/* A frozen section holds what this load would freeze. */
static bool same_frozen_contents(struct bel_map *map, int fd)
{
	const struct bel_map_def *def = map->def;
	uint8_t *theirs, *ours = map->data ? map->data : (uint8_t *)def->init;
	uint32_t key = 0;
	bool same;

	if (!def->freeze)
		return true;
	if (def->data_kind == BEL_DATA_KCONFIG)
		ours = map->obj->target.kconfig_data;
	theirs = calloc(1, def->value_size ? def->value_size : 1);
	if (!theirs)
		return false;
	same = !bel_sys_map_lookup_elem(fd, &key, theirs, 0);
	if (same && ours)
		same = !memcmp(ours, theirs, def->value_size);
	else if (same) /* zeros */
		for (key = 0; key < def->value_size && same; key++)
			same = !theirs[key];
	free(theirs);
	return same;
}

int ldr_pinned_map_matches(struct bel_map *map, int fd, const char *where, uint32_t *id,
			   struct bel_err *why)
{
	int ret = ldr_map_check_compat(map, fd, where, id, why);

	if (ret)
		return ret;
	if (!same_frozen_contents(map, fd))
		return bel_errf(why, ESTALE, "map '%s': %s is frozen with other values than this load "
				"sets (its programs were verified with those)", map->def->name, where);
	return 0;
}

uint32_t *ldr_expected_map_ids(struct bel_object *obj, const uint32_t *taken_id)
{
	uint32_t *ids = calloc(obj->spec->nmaps + 1, sizeof(*ids)), i;

	for (i = 0; ids && i < obj->spec->nmaps; i++) {
		const struct bel_map *map = &obj->maps[i];
		char path[PATH_MAX + 256];
		int fd;

		if (taken_id[i]) {
			ids[i] = taken_id[i];
		} else if (map->def->pinning == BEL_PIN_BY_NAME &&
			   (size_t)snprintf(path, sizeof(path), "%s/%s", obj->pin_root,
					    map->def->name) < sizeof(path) &&
			   (fd = bel_sys_obj_get(path, 0)) >= 0) {
			ids[i] = ldr_fd_id(fd, true);
			close(fd);
		}
	}
	return ids;
}

/* The ids of the maps prog would use: its map table, then the metadata maps it binds. */
static uint32_t prog_map_ids(const struct bel_program *prog, const uint32_t *map_ids,
			     uint32_t *ids, uint32_t max)
{
	const struct bel_spec *spec = prog->obj->spec;
	uint32_t n = 0, i, j;

	for (i = 0; i < prog->def->nmaps && n < max; i++)
		ids[n++] = map_ids[prog->def->maps[i]];
	for (i = 0; i < spec->nmeta_maps && n < max; i++) {
		uint32_t m = spec->meta_maps[i];
		bool in_table = false;

		for (j = 0; j < prog->def->nmaps && !in_table; j++)
			in_table = prog->def->maps[j] == m;
		if (!in_table)
			ids[n++] = map_ids[m];
	}
	return n;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

bool ldr_pinned_prog_matches(struct bel_program *prog, const uint32_t *map_ids, int fd,
			     uint32_t *id, char *why, size_t why_size)
{
	uint32_t *have = calloc(MAX_PROG_MAPS, sizeof(*have));
	uint32_t *want = calloc(MAX_PROG_MAPS, sizeof(*want));
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), nwant, i;
	char tag[17], kernel_tag[17], ignored[8];
	bool same = false;

	if (!why) {
		why = ignored;
		why_size = sizeof(ignored);
	}
	snprintf(why, why_size, "cannot be told");
	if (!have || !want || bel_program_tag(prog, tag))
		goto out;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = MAX_PROG_MAPS;
	info.map_ids = (uint64_t)(uintptr_t)have;
	if (bel_sys_obj_get_info_by_fd(fd, &info, &len) || info.nr_map_ids > MAX_PROG_MAPS)
		goto out;
	*id = info.id;
	for (i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(kernel_tag + 2 * i, 3, "%02x", info.tag[i]);
	if (strcmp(tag, kernel_tag)) {
		snprintf(why, why_size, "other instructions: tag %s here, %s pinned", tag, kernel_tag);
		goto out;
	}
	if (info.type != prog->cfg.prog_type) {
		snprintf(why, why_size, "another program type: %u here, %u pinned",
			 prog->cfg.prog_type, info.type);
		goto out;
	}
	nwant = prog_map_ids(prog, map_ids, want, MAX_PROG_MAPS);
	qsort(have, info.nr_map_ids, sizeof(*have), cmp_u32);
	qsort(want, nwant, sizeof(*want), cmp_u32);
	/* sorted, a map that will be new (id 0) comes first */
	same = nwant == info.nr_map_ids && !memcmp(have, want, nwant * sizeof(*have)) &&
	       (!nwant || want[0]);
	if (!same)
		snprintf(why, why_size, "it uses other maps than this load would (%u there, %u here%s)",
			 info.nr_map_ids, nwant, nwant && !want[0] ? ", some of them new" : "");
out:
	free(have);
	free(want);
	return same;
}
