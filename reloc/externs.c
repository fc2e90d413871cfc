/* SPDX-License-Identifier: MIT */
#include "externs.h"

#include "common/array.h"
#include "common/limits.h"
#include "insn.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bel_spec_find_extern(const struct bel_spec *spec, const char *name)
{
	return bel_name_map_get(&spec->externs_by_name, name);
}

/* The entries of a DATASEC (VARs or, in .ksyms, FUNCs) by name: the first of each name. */
static int index_datasec(const struct bel_btf *btf, int ds_id, struct bel_name_map *out,
			 struct bel_err *err)
{
	const struct btf_type *ds = ds_id > 0 ? bel_btf_type(btf, (uint32_t)ds_id) : NULL;
	uint32_t i;

	for (i = 0; ds && i < btf_vlen(ds); i++) {
		const struct btf_type *t = bel_btf_type(btf, btf_secinfos(ds)[i].type);
		int ret = t ? bel_name_map_add(out, bel_btf_type_name(btf, t), btf_secinfos(ds)[i].type)
			    : 0;

		if (ret && ret != -EEXIST)
			return bel_errf(err, -ret, "out of memory");
	}
	return 0;
}

/* The entry named `name` in an indexed DATASEC, or 0. */
static uint32_t datasec_entry(const struct bel_name_map *entries, const char *name)
{
	int id = bel_name_map_get(entries, name);

	return id > 0 ? (uint32_t)id : 0;
}

static int kcfg_classify(const struct bel_btf *btf, struct bel_extern *ext, struct bel_err *err)
{
	uint32_t id;
	const struct btf_type *t = bel_btf_skip_mods(btf, ext->btf_type_id, &id);

	if (t && btf_kind(t) == BTF_KIND_INT) {
		uint32_t enc = btf_int_encoding(t);

		ext->kcfg_size = ext->kcfg_align = t->size;
		ext->kcfg_signed = enc & BTF_INT_SIGNED;
		if (t->size == 1 && (enc & BTF_INT_BOOL))
			ext->kcfg_type = BEL_KCFG_BOOL;
		else if (t->size == 1 && (enc & BTF_INT_CHAR))
			ext->kcfg_type = BEL_KCFG_CHAR;
		else if (t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8)
			ext->kcfg_type = BEL_KCFG_INT;
	} else if (t && btf_kind(t) == BTF_KIND_ENUM &&
		   !strcmp(bel_btf_type_name(btf, t), "libbpf_tristate")) {
		ext->kcfg_type = BEL_KCFG_TRISTATE;
		ext->kcfg_size = ext->kcfg_align = 4;
	} else if (t && btf_kind(t) == BTF_KIND_ARRAY) {
		const struct btf_type *el = bel_btf_skip_mods(btf, btf_array(t)->type, NULL);

		if (el && btf_kind(el) == BTF_KIND_INT && el->size == 1 && btf_array(t)->nelems) {
			ext->kcfg_type = BEL_KCFG_CHAR_ARR;
			ext->kcfg_size = btf_array(t)->nelems;
			ext->kcfg_align = 1;
		}
	}
	if (ext->kcfg_type == BEL_KCFG_UNKNOWN)
		return bel_errf(err, ENOTSUP, "extern '%s' (.kconfig): type is not bool, tristate, char, "
				"an integer or a char array", ext->name);
	return 0;
}

/* libbpf's layout, so the map's contents agree: alignment descending, size ascending, name. */
static int cmp_kcfg(const void *a, const void *b)
{
	const struct bel_extern *x = *(const struct bel_extern *const *)a;
	const struct bel_extern *y = *(const struct bel_extern *const *)b;

	if (x->kcfg_align != y->kcfg_align)
		return x->kcfg_align > y->kcfg_align ? -1 : 1;
	if (x->kcfg_size != y->kcfg_size)
		return x->kcfg_size < y->kcfg_size ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int cmp_secinfo(const void *a, const void *b)
{
	const struct btf_var_secinfo *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/*
 * Lay out .kconfig and describe it as the value of an array map. Offsets are added up in 64
 * bits and the total bounded, so the map's value holds every extern at its offset: the
 * loader writes each value at kcfg_off into a buffer of value_size bytes.
 */
static int layout_kconfig(struct bel_spec *spec, int ds_id, struct bel_err *err)
{
	struct bel_extern **kcfg = calloc(spec->nexterns + 1, sizeof(*kcfg));
	struct btf_type *ds = ds_id > 0 ? bel_btf_type_mut(spec->btf, (uint32_t)ds_id) : NULL;
	struct bel_map_def *map;
	uint32_t i, n = 0;
	uint64_t off = 0;
	int ret = 0;

	if (!kcfg)
		return bel_errf(err, ENOMEM, "out of memory");
	for (i = 0; i < spec->nexterns; i++)
		if (spec->externs[i].kind == BEL_EXTERN_KCONFIG)
			kcfg[n++] = &spec->externs[i];
	qsort(kcfg, n, sizeof(*kcfg), cmp_kcfg);
	for (i = 0; i < n; i++) {
		uint64_t align = kcfg[i]->kcfg_align;

		if (!align || align > 8) {
			ret = bel_errf(err, EINVAL, "extern '%s' (.kconfig): alignment %llu", kcfg[i]->name,
				       (unsigned long long)align);
			break;
		}
		off = (off + align - 1) / align * align;
		if (off + kcfg[i]->kcfg_size > BEL_KCONFIG_MAX_SIZE) {
			ret = bel_errf(err, E2BIG, ".kconfig: extern '%s' (%u bytes) would end at byte %llu, "
				       "beyond the %u bytes bel allows for the map", kcfg[i]->name,
				       kcfg[i]->kcfg_size, (unsigned long long)(off + kcfg[i]->kcfg_size),
				       BEL_KCONFIG_MAX_SIZE);
			break;
		}
		kcfg[i]->kcfg_off = (uint32_t)off;
		off += kcfg[i]->kcfg_size;
	}
	free(kcfg);
	if (ret)
		return ret;
	if (!n)
		return 0;
	if (ds) { /* the DATASEC clang left with size 0 and offsets 0 */
		struct btf_var_secinfo *vsi = btf_secinfos(ds);

		ds->size = (uint32_t)off;
		for (i = 0; i < btf_vlen(ds); i++) {
			struct btf_type *var = bel_btf_type_mut(spec->btf, vsi[i].type);
			int e = var ? bel_spec_find_extern(spec, bel_btf_type_name(spec->btf, var)) : -1;

			if (e < 0 || btf_kind(var) != BTF_KIND_VAR)
				return bel_errf(err, EINVAL, "DATASEC '.kconfig': entry %u is not an extern", i);
			btf_var(var)->linkage = BTF_VAR_GLOBAL_ALLOCATED;
			vsi[i].offset = spec->externs[e].kcfg_off;
			vsi[i].size = spec->externs[e].kcfg_size;
		}
		qsort(vsi, btf_vlen(ds), sizeof(*vsi), cmp_secinfo);
	}
	ret = bel_spec_add_map(spec, ".kconfig", &map, err);
	if (ret)
		return ret;
	spec->kconfig_map = (int)spec->nmaps - 1;
	bel_data_map_kname(spec->obj_name, ".kconfig", map->kname);
	map->origin = BEL_MAP_FROM_DATA;
	map->data_kind = BEL_DATA_KCONFIG;
	map->type = BPF_MAP_TYPE_ARRAY;
	map->key_size = 4;
	map->value_size = (uint32_t)off;
	map->max_entries = 1;
	map->map_flags = BPF_F_RDONLY_PROG | BPF_F_MMAPABLE;
	map->freeze = true;
	map->btf_value_type_id = ds_id > 0 ? (uint32_t)ds_id : 0;
	return 0;
}

/* The kernel takes neither extern linkage nor FUNCs in a DATASEC: .ksyms becomes a struct of
 * ints (nothing refers to it), its variables allocated ints, extern functions static. */
static int sanitize_ksyms(struct bel_spec *spec, int ds_id, struct bel_err *err)
{
	struct btf_type *ds = bel_btf_type_mut(spec->btf, (uint32_t)ds_id);
	int int_id = -1;
	uint32_t i, n = bel_btf_type_count(spec->btf);

	for (i = 1; i < n && int_id < 0; i++) {
		const struct btf_type *t = bel_btf_type(spec->btf, i);

		if (btf_kind(t) == BTF_KIND_INT && t->size == 4 && btf_int_bits(t) == 32)
			int_id = (int)i;
	}
	if (int_id < 0)
		return bel_errf(err, ENOTSUP, "BTF has no 32-bit int to stand in for .ksyms externs");
	for (i = 0; i < btf_vlen(ds); i++) {
		struct btf_var_secinfo vsi = btf_secinfos(ds)[i];
		struct btf_type *ext = bel_btf_type_mut(spec->btf, vsi.type);
		struct btf_member *m = &btf_members(ds)[i];

		if (!ext)
			return bel_errf(err, EINVAL, "DATASEC '.ksyms': bad entry %u", i);
		if (btf_kind(ext) == BTF_KIND_VAR) {
			btf_var(ext)->linkage = BTF_VAR_GLOBAL_ALLOCATED;
			ext->type = (uint32_t)int_id;
		}
		m->name_off = ext->name_off;
		m->type = (uint32_t)int_id;
		m->offset = i * 32;
	}
	ds->info = (BTF_KIND_STRUCT << 24) | btf_vlen(ds);
	ds->size = 4 * btf_vlen(ds);
	for (i = 1; i < n; i++) {
		struct btf_type *t = bel_btf_type_mut(spec->btf, i);

		if (t && btf_kind(t) == BTF_KIND_FUNC && btf_vlen(t) == BTF_FUNC_EXTERN) {
			struct btf_type *proto = bel_btf_type_mut(spec->btf, t->type);
			uint32_t p;

			t->info = (BTF_KIND_FUNC << 24) | BTF_FUNC_STATIC;
			/* the kernel wants every parameter of a FUNC named; declarations leave them
			 * unnamed, so they take the function's name */
			for (p = 0; proto && btf_kind(proto) == BTF_KIND_FUNC_PROTO && p < btf_vlen(proto); p++)
				if (!btf_params(proto)[p].name_off && btf_params(proto)[p].type)
					btf_params(proto)[p].name_off = t->name_off;
		}
	}
	return 0;
}

int bel_spec_collect_externs(struct bel_spec *spec, struct bel_err *err)
{
	struct bel_name_map kconfig_entries = {0}, ksyms_entries = {0};
	int kconfig_ds = -1, ksyms_ds = -1, ret = 0;
	size_t i;

	spec->kconfig_map = -1;
	if (spec->btf) {
		kconfig_ds = bel_spec_find_datasec(spec, ".kconfig");
		ksyms_ds = bel_spec_find_datasec(spec, ".ksyms");
		ret = index_datasec(spec->btf, kconfig_ds, &kconfig_entries, err);
		if (!ret)
			ret = index_datasec(spec->btf, ksyms_ds, &ksyms_entries, err);
	}
	for (i = 1; !ret && i < spec->elf->nsyms; i++) {
		const struct bel_elf_sym *sym = &spec->elf->syms[i];
		struct bel_extern *ext;
		uint32_t id = 0;

		if (sym->shndx != SHN_UNDEF || !*sym->name ||
		    (sym->bind != STB_GLOBAL && sym->bind != STB_WEAK))
			continue;
		/* programs name externs by symbol: one name, one extern */
		if (bel_spec_find_extern(spec, sym->name) >= 0) {
			ret = bel_errf(err, EEXIST, "extern '%s' is declared twice", sym->name);
			break;
		}
		if (bel_grow(&spec->externs, spec->nexterns, &spec->externs_cap, sizeof(*spec->externs),
			     16)) {
			ret = bel_errf(err, ENOMEM, "out of memory");
			break;
		}
		ext = &spec->externs[spec->nexterns];
		memset(ext, 0, sizeof(*ext));
		ext->name = strdup(sym->name);
		if (!ext->name) {
			ret = bel_errf(err, ENOMEM, "out of memory");
			break;
		}
		spec->nexterns++;
		ret = bel_name_map_add(&spec->externs_by_name, ext->name, spec->nexterns - 1);
		if (ret) {
			ret = bel_errf(err, -ret, "out of memory");
			break;
		}
		ext->weak = sym->bind == STB_WEAK;
		if (spec->btf && (id = datasec_entry(&kconfig_entries, sym->name))) {
			ext->kind = BEL_EXTERN_KCONFIG;
			ext->btf_id = id;
			ext->btf_type_id = bel_btf_type(spec->btf, id)->type;
			ret = kcfg_classify(spec->btf, ext, err);
		} else if (spec->btf && (id = datasec_entry(&ksyms_entries, sym->name))) {
			const struct btf_type *t = bel_btf_type(spec->btf, id);

			ext->btf_id = id;
			if (btf_kind(t) == BTF_KIND_FUNC) {
				ext->kind = BEL_EXTERN_KFUNC;
			} else {
				ext->kind = BEL_EXTERN_KSYM_VAR;
				/* `const void` means typeless: an address from kallsyms */
				bel_btf_skip_mods(spec->btf, t->type, &ext->btf_type_id);
			}
		} else {
			/* an extern neither __kconfig nor __ksym (no BTF for it): an error if a
			 * program uses it (btf_id 0 says so), harmless otherwise */
			ext->kind = BEL_EXTERN_KSYM_VAR;
			ext->btf_id = 0;
		}
	}
	bel_name_map_free(&kconfig_entries);
	bel_name_map_free(&ksyms_entries);
	if (!ret)
		ret = layout_kconfig(spec, kconfig_ds, err);
	if (!ret && ksyms_ds > 0)
		ret = sanitize_ksyms(spec, ksyms_ds, err);
	return ret;
}

void bel_externs_patch(const struct bel_spec *spec, const struct bel_prog_def *prog,
		       const uint64_t *values, const struct bel_extern_module *modules,
		       struct bpf_insn *insns)
{
	static const struct bel_extern_module vmlinux;
	uint32_t i;

	for (i = 0; i < prog->extern_ref_cnt; i++) {
		const struct bel_extern_ref *r = &prog->extern_refs[i];
		const struct bel_extern *ext = &spec->externs[r->ext];
		uint64_t v = values[r->ext];
		const struct bel_extern_module *m = modules ? &modules[r->ext] : &vmlinux;
		struct bpf_insn *insn = &insns[r->insn];

		if (ext->kind == BEL_EXTERN_KFUNC && insn_is_call(insn)) {
			/* unresolved weak kfunc: imm 0, which the verifier refuses only if reached */
			insn->src_reg = BPF_PSEUDO_KFUNC_CALL;
			insn->imm = (int32_t)v;
			insn->off = v ? m->fd_slot : 0; /* fd_array[off]: the module's BTF */
		} else if (ext->btf_type_id || ext->kind == BEL_EXTERN_KFUNC) {
			/* a typed ksym, or a kfunc taken as a value: its BTF id (a missing weak one
			 * reads as 0) */
			insn[0].src_reg = v ? BPF_PSEUDO_BTF_ID : 0;
			insn[0].imm = (int32_t)v;
			insn[1].imm = v ? m->btf_fd : 0; /* the BTF object: 0 for vmlinux */
		} else {
			insn[0].src_reg = 0;
			insn[0].imm = (int32_t)(uint32_t)v;
			insn[1].imm = (int32_t)(uint32_t)(v >> 32);
		}
	}
}
