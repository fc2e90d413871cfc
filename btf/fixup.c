/* SPDX-License-Identifier: MIT */
#include "fixup.h"

#include "common/name_map.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int cmp_secinfo(const void *a, const void *b)
{
	const struct btf_var_secinfo *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int fixup_datasec(struct bel_btf *btf, struct btf_type *ds, const struct bel_elf_sec *sec,
			 const struct bel_elf *elf, struct bel_err *err)
{
	const char *ds_name = bel_btf_type_name(btf, ds);
	struct btf_var_secinfo *vsi = btf_secinfos(ds);
	uint32_t i, vlen = btf_vlen(ds);

	if (sec->size > UINT32_MAX)
		return bel_errf(err, E2BIG, "DATASEC '%s': section is %zu bytes", ds_name, sec->size);
	ds->size = (uint32_t)sec->size;
	for (i = 0; i < vlen; i++) {
		struct btf_type *var = bel_btf_type_mut(btf, vsi[i].type);
		const struct bel_elf_sym *sym;
		const char *var_name;

		if (!var || btf_kind(var) != BTF_KIND_VAR)
			return bel_errf(err, EINVAL, "DATASEC '%s': entry %u is not a VAR", ds_name, i);
		var_name = bel_btf_type_name(btf, var);
		/* clang already placed static variables; their symbols may be gone. */
		if (btf_var(var)->linkage == BTF_VAR_STATIC)
			goto check;
		sym = bel_elf_find_sym(elf, var_name, STT_OBJECT, sec->index);
		if (!sym)
			return bel_errf(err, ENOENT, "DATASEC '%s': no symbol for variable '%s'",
					ds_name, var_name);
		if (sym->value > UINT32_MAX)
			return bel_errf(err, EINVAL, "DATASEC '%s': variable '%s' at offset %llu",
					ds_name, var_name, (unsigned long long)sym->value);
		vsi[i].offset = (uint32_t)sym->value;
		/* A hidden global is local to the object: the kernel should treat it as static. */
		if (sym->visibility == STV_HIDDEN || sym->visibility == STV_INTERNAL)
			btf_var(var)->linkage = BTF_VAR_STATIC;
check:
		if ((uint64_t)vsi[i].offset + vsi[i].size > ds->size)
			return bel_errf(err, EINVAL,
					"DATASEC '%s': variable '%s' at [%u, +%u) lies outside the %u-byte section",
					ds_name, var_name, vsi[i].offset, vsi[i].size, ds->size);
	}
	qsort(vsi, vlen, sizeof(*vsi), cmp_secinfo);
	return 0;
}

int bel_btf_fixup_datasecs(struct bel_btf *btf, const struct bel_elf *elf, struct bel_err *err)
{
	uint32_t id, n = bel_btf_type_count(btf);

	for (id = btf->start_id; id < n; id++) {
		struct btf_type *t = bel_btf_type_mut(btf, id);
		const struct bel_elf_sec *sec;
		int ret;

		if (!t)
			return bel_errf(err, EINVAL, "BTF is read-only");
		if (btf_kind(t) != BTF_KIND_DATASEC)
			continue;
		sec = bel_elf_sec_by_name(elf, bel_btf_type_name(btf, t));
		if (!sec)
			continue;
		ret = fixup_datasec(btf, t, sec, elf, err);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * A function the object hides (visibility hidden or internal) cannot be called from outside it,
 * whatever its binding: the verifier may then check it in each caller's context, as a static
 * one, instead of alone against its declared argument types (what <bpf/usdt.bpf.h>'s helpers,
 * hidden and weak, need to pass a verifier that knows nothing of their pointers). libbpf does
 * the same. The hidden function symbols are indexed by name first, then BTF is walked once:
 * linear in symbols plus types.
 */
int bel_btf_fixup_hidden_funcs(struct bel_btf *btf, const struct bel_elf *elf, struct bel_err *err)
{
	struct bel_name_map hidden = {0};
	uint32_t id, n = bel_btf_type_count(btf);
	size_t i;
	int ret = 0;

	for (i = 1; i < elf->nsyms && !ret; i++) {
		const struct bel_elf_sym *sym = &elf->syms[i];
		const struct bel_elf_sec *sec;

		if (sym->type != STT_FUNC || (sym->bind != STB_GLOBAL && sym->bind != STB_WEAK) ||
		    (sym->visibility != STV_HIDDEN && sym->visibility != STV_INTERNAL) ||
		    sym->shndx == SHN_UNDEF || sym->shndx >= SHN_LORESERVE || !*sym->name)
			continue;
		sec = bel_elf_sec(elf, sym->shndx);
		if (!sec || !(sec->flags & SHF_EXECINSTR))
			continue;
		ret = bel_name_map_add(&hidden, sym->name, 0);
		if (ret == -EEXIST)
			ret = 0;
	}
	for (id = btf->start_id; id < n && !ret && hidden.count; id++) {
		struct btf_type *t = bel_btf_type_mut(btf, id);

		if (!t) {
			bel_name_map_free(&hidden);
			return bel_errf(err, EINVAL, "BTF is read-only");
		}
		if (btf_kind(t) == BTF_KIND_FUNC && btf_vlen(t) == BTF_FUNC_GLOBAL &&
		    bel_name_map_get(&hidden, bel_btf_type_name(btf, t)) >= 0)
			t->info = (BTF_KIND_FUNC << 24) | BTF_FUNC_STATIC;
	}
	if (ret)
		ret = bel_errf(err, -ret, "out of memory");
	bel_name_map_free(&hidden);
	return ret;
}
