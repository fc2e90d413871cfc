/* SPDX-License-Identifier: MIT */
/*
 * struct_ops: SEC(".struct_ops") and SEC(".struct_ops.link") hold variables of a kernel struct
 * type (struct tcp_congestion_ops, ...) whose function pointers name programs of the object
 * (through relocations in .rel.struct_ops[.link]). Each variable becomes a
 * BPF_MAP_TYPE_STRUCT_OPS map whose initial value is the variable's bytes; each program a
 * pointer names is bound to the struct type and member, which the kernel loads it against.
 * Pure: what the kernel's side says (its value type, member indexes) is the loader's business
 * (loader/struct_ops.c). Members are matched to the kernel's by name, so an object may declare
 * only the members it sets, as libbpf allows.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "spec.h"

/* The struct_ops map (of first..spec->nmaps, by offset) whose variable holds this offset. */
static int map_at(const struct bel_spec *spec, uint32_t first, uint64_t off)
{
	uint32_t lo = first, hi = spec->nmaps;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (spec->maps[mid].sec_offset <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == first)
		return -1;
	lo--;
	return off < spec->maps[lo].sec_offset + spec->maps[lo].sec_size ? (int)lo : -1;
}

/* The member of the struct that starts at byte `off`, as a function pointer: its index. */
static int pointer_member(const struct bel_btf *btf, const struct btf_type *st, uint64_t off)
{
	const struct btf_member *m = btf_members(st);
	uint32_t i;

	for (i = 0; i < btf_vlen(st); i++) {
		const struct btf_type *t;

		if (btf_member_bit_offset(st, &m[i]) != off * 8)
			continue;
		t = bel_btf_skip_mods(btf, m[i].type, NULL);
		return t && btf_kind(t) == BTF_KIND_PTR ? (int)i : -1;
	}
	return -1;
}

static int bind_prog(struct bel_spec *spec, uint32_t map_index, const struct btf_type *st,
		     uint32_t member, const struct bel_elf_sym *sym, struct bel_err *err)
{
	struct bel_map_def *map = &spec->maps[map_index];
	const char *type = bel_btf_type_name(spec->btf, st);
	const char *mname = bel_btf_str(spec->btf, btf_members(st)[member].name_off) ?: "";
	struct bel_prog_def *prog;
	int p = sym->type == STT_FUNC ? bel_spec_find_prog(spec, sym->name) : -1;

	if (p < 0 || spec->progs[p].sec_index != sym->shndx ||
	    (uint64_t)spec->progs[p].sec_insn_off * 8 != sym->value)
		return bel_errf(err, EINVAL, "struct_ops map '%s': member '%s' points to '%s', which "
				"is not a program", map->name, mname, sym->name);
	prog = &spec->progs[p];
	if (prog->attach_kind != BEL_ATTACH_STRUCT_OPS)
		return bel_errf(err, EINVAL, "struct_ops map '%s': member '%s' points to prog '%s' "
				"of section '%s', not a struct_ops program", map->name, mname,
				prog->name, prog->sec_name);
	/* one program, one prototype: the kernel loads it against a single member */
	if (prog->struct_ops_type && (strcmp(prog->struct_ops_type, type) ||
				      strcmp(prog->struct_ops_member, mname)))
		return bel_errf(err, EINVAL, "prog '%s' is both %s.%s and %s.%s", prog->name,
				prog->struct_ops_type, prog->struct_ops_member, type, mname);
	if (!prog->struct_ops_type) {
		prog->struct_ops_type = type;
		prog->struct_ops_member = mname;
		prog->struct_ops_map = (int32_t)map_index;
	}
	if (bel_grow(&map->st_refs, map->nst_refs, &map->st_refs_cap, sizeof(*map->st_refs), 4))
		return bel_errf(err, ENOMEM, "out of memory");
	map->st_refs[map->nst_refs].member = member;
	map->st_refs[map->nst_refs].prog = (uint32_t)p;
	map->nst_refs++;
	return 0;
}

static int collect_relocs(struct bel_spec *spec, const struct bel_elf_sec *sec, uint32_t first,
			  struct bel_err *err)
{
	const struct bel_elf *elf = spec->elf;
	struct bel_elf_rel *rels = NULL;
	size_t i, count = 0;
	int ret = 0;

	for (i = 1; i < elf->nsecs; i++)
		if (elf->secs[i].type == SHT_REL && elf->secs[i].info == sec->index)
			break;
	if (i == elf->nsecs)
		return 0;
	ret = bel_elf_rels(elf, &elf->secs[i], &rels, &count, err);
	for (i = 0; !ret && i < count; i++) {
		const struct bel_elf_sym *sym = &elf->syms[rels[i].sym];
		int m = map_at(spec, first, rels[i].offset), member;
		const struct btf_type *st;

		if (m < 0) {
			ret = bel_errf(err, EINVAL, "'%s': relocation at offset %llu is in no variable",
				       sec->name, (unsigned long long)rels[i].offset);
			break;
		}
		st = bel_btf_type(spec->btf, spec->maps[m].struct_ops_type_id);
		member = pointer_member(spec->btf, st, rels[i].offset - spec->maps[m].sec_offset);
		if (member < 0) {
			ret = bel_errf(err, EINVAL, "struct_ops map '%s': relocation at +%llu is not on "
				       "a function pointer member", spec->maps[m].name,
				       (unsigned long long)(rels[i].offset - spec->maps[m].sec_offset));
			break;
		}
		ret = bind_prog(spec, (uint32_t)m, st, (uint32_t)member, sym, err);
	}
	free(rels);
	return ret;
}

static int collect_section(struct bel_spec *spec, const char *name, bool link, struct bel_err *err)
{
	const struct bel_elf_sec *sec = bel_elf_sec_by_name(spec->elf, name);
	const struct btf_type *ds;
	uint32_t i, first = spec->nmaps;
	int id, ret;

	if (!sec)
		return 0;
	if (!spec->btf)
		return bel_errf(err, EINVAL, "section '%s' needs BTF, but the object has none", name);
	id = bel_spec_find_datasec(spec, name);
	if (id < 0)
		return bel_errf(err, ENOENT, "section '%s' has no DATASEC in BTF", name);
	if (sec->type != SHT_PROGBITS || !sec->data)
		return bel_errf(err, EINVAL, "section '%s' has no data", name);
	ds = bel_btf_type(spec->btf, (uint32_t)id);
	/* the DATASEC's variables are sorted by offset (btf/fixup.c): so are the maps */
	for (i = 0; i < btf_vlen(ds); i++) {
		const struct btf_var_secinfo *vsi = &btf_secinfos(ds)[i];
		const struct btf_type *var = bel_btf_type(spec->btf, vsi->type), *st;
		const char *vname = var ? bel_btf_type_name(spec->btf, var) : "";
		struct bel_map_def *map;
		uint32_t st_id = 0;

		if (!var || btf_kind(var) != BTF_KIND_VAR || !*vname)
			return bel_errf(err, EINVAL, "'%s' entry %u is not a named variable", name, i);
		st = bel_btf_skip_mods(spec->btf, var->type, &st_id);
		if (!st || btf_kind(st) != BTF_KIND_STRUCT || !*bel_btf_type_name(spec->btf, st))
			return bel_errf(err, EINVAL, "struct_ops map '%s' is not of a named struct type",
					vname);
		if (st->size != vsi->size || (uint64_t)vsi->offset + vsi->size > sec->size)
			return bel_errf(err, EINVAL, "struct_ops map '%s': %u bytes at %u, for a %u-byte "
					"struct in a %zu-byte section", vname, vsi->size, vsi->offset,
					st->size, sec->size);
		ret = bel_spec_add_map(spec, vname, &map, err);
		if (ret)
			return ret;
		snprintf(map->kname, sizeof(map->kname), "%s", vname);
		map->origin = BEL_MAP_FROM_STRUCT_OPS;
		map->type = BPF_MAP_TYPE_STRUCT_OPS;
		map->key_size = 4;
		map->value_size = vsi->size; /* the object's struct: the kernel's is known at load */
		map->max_entries = 1;
		map->map_flags = link ? BEL_BPF_F_LINK : 0;
		map->struct_ops_type_id = st_id;
		map->sec_index = sec->index;
		map->sec_offset = vsi->offset;
		map->sec_size = vsi->size;
		map->init = sec->data + vsi->offset;
	}
	return collect_relocs(spec, sec, first, err);
}

int bel_spec_collect_struct_ops(struct bel_spec *spec, struct bel_err *err)
{
	int ret = collect_section(spec, ".struct_ops", false, err);

	return ret ? ret : collect_section(spec, ".struct_ops.link", true, err);
}
