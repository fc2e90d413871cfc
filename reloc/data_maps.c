/* SPDX-License-Identifier: MIT */
/*
 * Global data: each .data, .rodata and .bss section (and the custom .data.*, .rodata.*, .bss.*
 * ones clang makes for SEC() attributes and string literals) becomes a one-element array map
 * whose value is the section. BTF describes the value as the section's DATASEC.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static enum bel_data_kind data_kind(const struct bel_elf_sec *sec)
{
	if (sec->flags & SHF_EXECINSTR)
		return BEL_DATA_NONE;
	if (sec->type == SHT_PROGBITS) {
		if (!strcmp(sec->name, ".data") || has_prefix(sec->name, ".data."))
			return BEL_DATA_DATA;
		if (!strcmp(sec->name, ".rodata") || has_prefix(sec->name, ".rodata."))
			return BEL_DATA_RODATA;
	}
	if (sec->type == SHT_NOBITS && (!strcmp(sec->name, ".bss") || has_prefix(sec->name, ".bss.")))
		return BEL_DATA_BSS;
	return BEL_DATA_NONE;
}

/*
 * libbpf names the kernel object "<object prefix><section>" for .data, .rodata, .bss and
 * .kconfig, squeezing the prefix so the section name survives the 15-character limit, and uses
 * the section name alone for custom sections (those with a second '.'). bpftool finds metadata
 * by a ".rodata" in the map name, so matching this matters beyond cosmetics.
 */
void bel_data_map_kname(const char *obj_name, const char *sec_name, char out[BPF_OBJ_NAME_LEN])
{
	size_t sfx_len = strlen(sec_name), pfx_len = 0, i;

	if (sfx_len < 7)
		sfx_len = 7;
	if (sfx_len > BPF_OBJ_NAME_LEN - 1)
		sfx_len = BPF_OBJ_NAME_LEN - 1;
	if (!strchr(sec_name + 1, '.')) {
		pfx_len = BPF_OBJ_NAME_LEN - 1 - sfx_len;
		if (pfx_len > strlen(obj_name))
			pfx_len = strlen(obj_name);
	}
	snprintf(out, BPF_OBJ_NAME_LEN, "%.*s%.*s", (int)pfx_len, obj_name, (int)sfx_len, sec_name);
	for (i = 0; out[i]; i++)
		if (!((out[i] >= 'a' && out[i] <= 'z') || (out[i] >= 'A' && out[i] <= 'Z') ||
		      (out[i] >= '0' && out[i] <= '9') || out[i] == '_' || out[i] == '.'))
			out[i] = '_';
}

/*
 * libbpf (1.1.2 and later) makes a data map mmapable only when user space can see a variable in
 * it: a DATASEC with at least one non-static variable. Sections of string literals (no DATASEC)
 * or of static variables only are not. Same rule here, so both create the same maps.
 */
static bool datasec_has_global(const struct bel_btf *btf, int ds_id)
{
	const struct btf_type *ds = ds_id > 0 ? bel_btf_type(btf, (uint32_t)ds_id) : NULL;
	uint32_t i;

	for (i = 0; ds && i < btf_vlen(ds); i++) {
		const struct btf_type *var = bel_btf_type(btf, btf_secinfos(ds)[i].type);

		if (var && btf_kind(var) == BTF_KIND_VAR && btf_var(var)->linkage != BTF_VAR_STATIC)
			return true;
	}
	return false;
}

static bool datasec_has_metadata(const struct bel_btf *btf, uint32_t ds_id)
{
	const struct btf_type *ds = bel_btf_type(btf, ds_id);
	uint32_t i;

	for (i = 0; i < btf_vlen(ds); i++) {
		const struct btf_type *var = bel_btf_type(btf, btf_secinfos(ds)[i].type);

		if (var && !strncmp(bel_btf_type_name(btf, var), "bpf_metadata_", 13))
			return true;
	}
	return false;
}

/* Every program binds every metadata map: listed once, not found by a scan per program. */
static int list_metadata_maps(struct bel_spec *spec, struct bel_err *err)
{
	uint32_t i;

	spec->meta_maps = calloc(spec->nmaps ? spec->nmaps : 1, sizeof(*spec->meta_maps));
	if (!spec->meta_maps)
		return bel_errf(err, ENOMEM, "out of memory");
	for (i = 0; i < spec->nmaps; i++)
		if (spec->maps[i].has_metadata)
			spec->meta_maps[spec->nmeta_maps++] = i;
	return 0;
}

int bel_spec_collect_data_maps(struct bel_spec *spec, struct bel_err *err)
{
	size_t i;

	for (i = 1; i < spec->elf->nsecs; i++) {
		const struct bel_elf_sec *sec = &spec->elf->secs[i];
		enum bel_data_kind kind = data_kind(sec);
		struct bel_map_def *map;
		int ret, ds;

		/* An empty section cannot be a map (value_size 0) and no instruction can refer to it. */
		if (kind == BEL_DATA_NONE || sec->size == 0)
			continue;
		if (sec->size > UINT32_MAX)
			return bel_errf(err, E2BIG, "section '%s': %zu bytes is too large for a map",
					sec->name, sec->size);
		if (bel_spec_find_map(spec, sec->name) >= 0)
			return bel_errf(err, EEXIST, "section '%s' collides with a map of the same name",
					sec->name);
		ret = bel_spec_add_map(spec, sec->name, &map, err);
		if (ret)
			return ret;
		bel_data_map_kname(spec->obj_name, sec->name, map->kname);
		map->origin = BEL_MAP_FROM_DATA;
		map->data_kind = kind;
		map->type = BPF_MAP_TYPE_ARRAY;
		map->key_size = 4;
		map->value_size = (uint32_t)sec->size;
		map->max_entries = 1;
		map->sec_index = sec->index;
		map->sec_size = sec->size;
		map->init = kind == BEL_DATA_BSS ? NULL : sec->data;
		map->freeze = kind == BEL_DATA_RODATA;
		ds = bel_spec_find_datasec(spec, sec->name);
		/* Programs may not write read-only data. */
		map->map_flags = kind == BEL_DATA_RODATA ? BPF_F_RDONLY_PROG : 0;
		if (spec->btf && datasec_has_global(spec->btf, ds))
			map->map_flags |= BPF_F_MMAPABLE;
		if (ds > 0) {
			map->btf_value_type_id = (uint32_t)ds;
			map->has_metadata = datasec_has_metadata(spec->btf, (uint32_t)ds);
		}
	}
	return list_metadata_maps(spec, err);
}
