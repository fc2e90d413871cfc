/* SPDX-License-Identifier: MIT */
/*
 * Global variables: the VARs of each global data section's DATASEC, so that user space can
 * list them and set or read one by name before and after load (and a skeleton can lay out a
 * struct over the section). .kconfig is not among them: its values come from the kernel.
 */
#include <errno.h>
#include <string.h>

#include "common/array.h"
#include "spec.h"

static bool user_data(const struct bel_map_def *map)
{
	return map->origin == BEL_MAP_FROM_DATA && map->btf_value_type_id &&
	       (map->data_kind == BEL_DATA_DATA || map->data_kind == BEL_DATA_RODATA ||
		map->data_kind == BEL_DATA_BSS);
}

int bel_spec_collect_vars(struct bel_spec *spec, struct bel_err *err)
{
	uint32_t m, i, cap = 0;

	for (m = 0; m < spec->nmaps && spec->btf; m++) {
		const struct bel_map_def *map = &spec->maps[m];
		const struct btf_type *ds;

		if (!user_data(map))
			continue;
		ds = bel_btf_type(spec->btf, map->btf_value_type_id);
		if (!ds || btf_kind(ds) != BTF_KIND_DATASEC)
			continue;
		uint64_t end = 0;
		const char *prev = NULL;

		for (i = 0; i < btf_vlen(ds); i++) {
			const struct btf_var_secinfo *vsi = &btf_secinfos(ds)[i];
			const struct btf_type *var = bel_btf_type(spec->btf, vsi->type);
			const char *name;
			struct bel_var_def *v;

			if (!var || btf_kind(var) != BTF_KIND_VAR)
				continue;
			name = bel_btf_type_name(spec->btf, var);
			if ((uint64_t)vsi->offset + vsi->size > map->value_size)
				return bel_errf(err, EINVAL, "variable '%s' at [%u, +%u) lies outside '%s' "
						"(%u bytes)", name, vsi->offset, vsi->size, map->name,
						map->value_size);
			/*
			 * A variable is set and read by its extent (bel_object_set_var, --set, a
			 * skeleton's member): one that overlaps another or that is not its type's
			 * size would write past what the program reads as it. The kernel refuses the
			 * first in a DATASEC (and bel then loads without BTF); no compiler makes
			 * either. Secinfos are sorted by offset (btf/fixup.c).
			 */
			if (vsi->offset < end)
				return bel_errf(err, EINVAL, "variables '%s' and '%s' of '%s' overlap (at "
						"%u)", prev, name, map->name, vsi->offset);
			if (bel_btf_type_size(spec->btf, var->type) != (int64_t)vsi->size)
				return bel_errf(err, EINVAL, "variable '%s' of '%s' takes %u bytes, but "
						"its type is %lld", name, map->name, vsi->size,
						(long long)bel_btf_type_size(spec->btf, var->type));
			end = (uint64_t)vsi->offset + vsi->size;
			prev = name;
			if (bel_grow(&spec->vars, spec->nvars, &cap, sizeof(*spec->vars), 16))
				return bel_errf(err, ENOMEM, "out of memory");
			v = &spec->vars[spec->nvars++];
			v->name = name;
			v->map = m;
			v->offset = vsi->offset;
			v->size = vsi->size;
			v->btf_id = vsi->type;
			v->type_id = var->type;
			v->global = btf_var(var)->linkage != BTF_VAR_STATIC;
		}
	}
	return 0;
}

int bel_spec_find_var(const struct bel_spec *spec, const char *name)
{
	uint32_t i;

	for (i = 0; i < spec->nvars; i++)
		if (!strcmp(spec->vars[i].name, name))
			return (int)i;
	return -ENOENT;
}
