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
		for (i = 0; i < btf_vlen(ds); i++) {
			const struct btf_var_secinfo *vsi = &btf_secinfos(ds)[i];
			const struct btf_type *var = bel_btf_type(spec->btf, vsi->type);
			struct bel_var_def *v;

			if (!var || btf_kind(var) != BTF_KIND_VAR)
				continue;
			if ((uint64_t)vsi->offset + vsi->size > map->value_size)
				return bel_errf(err, EINVAL, "variable '%s' at [%u, +%u) lies outside '%s' "
						"(%u bytes)", bel_btf_type_name(spec->btf, var),
						vsi->offset, vsi->size, map->name, map->value_size);
			if (bel_grow(&spec->vars, spec->nvars, &cap, sizeof(*spec->vars), 16))
				return bel_errf(err, ENOMEM, "out of memory");
			v = &spec->vars[spec->nvars++];
			v->name = bel_btf_type_name(spec->btf, var);
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
