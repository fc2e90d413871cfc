/* SPDX-License-Identifier: MIT */
#include "spec.h"

#include "btf/fixup.h"
#include "common/array.h"
#include "externs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bel_spec_add_map(struct bel_spec *spec, const char *name, struct bel_map_def **out,
		     struct bel_err *err)
{
	struct bel_map_def *map;
	char *copy;
	int ret;

	*out = NULL;
	if (bel_spec_find_map(spec, name) >= 0)
		return bel_errf(err, EEXIST, "map '%s' is defined twice", name);
	if (bel_grow(&spec->maps, spec->nmaps, &spec->maps_cap, sizeof(*spec->maps), 16))
		return bel_errf(err, ENOMEM, "out of memory");
	copy = strdup(name);
	if (!copy)
		return bel_errf(err, ENOMEM, "out of memory");
	ret = bel_name_map_add(&spec->maps_by_name, copy, spec->nmaps);
	if (ret) {
		free(copy);
		return bel_errf(err, -ret, "out of memory");
	}
	map = &spec->maps[spec->nmaps++];
	memset(map, 0, sizeof(*map));
	map->name = copy;
	*out = map;
	return 0;
}

void bel_map_def_release(struct bel_map_def *def)
{
	if (!def)
		return;
	if (def->inner) {
		bel_map_def_release(def->inner);
		free(def->inner);
	}
	free(def->slots);
	free(def->st_refs);
	free(def->name);
	if (def->owns_init)
		free((uint8_t *)def->init);
}

/*
 * Sizes a definition may leave out, filled in as cilium/ebpf does (libbpf passes them on and the
 * kernel refuses the map, so no object that libbpf loads changes): a perf event array's key and
 * value are a CPU index and an event fd, 4 bytes each, whatever was declared (bpf2go users give
 * it a __type(value, ...) for the event struct, to have Go types generated); a ring buffer has
 * neither key nor value, and a value type declared for the same reason is dropped.
 */
void bel_map_def_fix_sizes(struct bel_map_def *def)
{
	if (def->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
		if (!def->key_size)
			def->key_size = 4;
		if (!def->value_size || def->btf_value_type_id)
			def->value_size = 4;
		def->btf_key_type_id = def->btf_value_type_id = 0;
	} else if (def->type == BPF_MAP_TYPE_RINGBUF && def->btf_value_type_id) {
		def->value_size = 0;
		def->btf_key_type_id = def->btf_value_type_id = 0;
	}
}

int bel_spec_find_map(const struct bel_spec *spec, const char *name)
{
	return bel_name_map_get(&spec->maps_by_name, name);
}

int bel_spec_find_prog(const struct bel_spec *spec, const char *name)
{
	return bel_name_map_get(&spec->progs_by_name, name);
}

int bel_spec_find_datasec(const struct bel_spec *spec, const char *name)
{
	return bel_name_map_get(&spec->datasecs_by_name, name);
}

/* DATASECs by name, once: several steps look up one per section, map or extern kind. */
static int index_datasecs(struct bel_spec *spec, struct bel_err *err)
{
	uint32_t id, n = bel_btf_type_count(spec->btf);

	for (id = 1; id < n; id++) {
		const struct btf_type *t = bel_btf_type(spec->btf, id);
		int ret;

		if (btf_kind(t) != BTF_KIND_DATASEC)
			continue;
		/* the first of a name is the one found, as a scan would find it */
		ret = bel_name_map_add(&spec->datasecs_by_name, bel_btf_type_name(spec->btf, t), id);
		if (ret && ret != -EEXIST)
			return bel_errf(err, -ret, "out of memory indexing BTF");
	}
	return 0;
}

static int read_license_and_version(struct bel_spec *spec, struct bel_err *err)
{
	const struct bel_elf_sec *sec = bel_elf_sec_by_name(spec->elf, "license");

	if (sec && sec->data) {
		if (!memchr(sec->data, '\0', sec->size))
			return bel_errf(err, EINVAL, "section 'license' is not a NUL-terminated string");
		snprintf(spec->license, sizeof(spec->license), "%s", (const char *)sec->data);
	}
	sec = bel_elf_sec_by_name(spec->elf, "version");
	if (sec && sec->data) {
		if (sec->size != sizeof(uint32_t))
			return bel_errf(err, EINVAL, "section 'version' is %zu bytes, not 4", sec->size);
		memcpy(&spec->kern_version, sec->data, sizeof(uint32_t));
	}
	return 0;
}

/* A section given apart, when the image has that section and its size: else NULL (freed). */
static void *given(const struct bel_spec *spec, const char *name, void *data, size_t size)
{
	const struct bel_elf_sec *sec = bel_elf_sec_by_name(spec->elf, name);

	if (data && (!sec || sec->size != size)) {
		free(data); /* not what this image has there: the image's own, as read */
		data = NULL;
	}
	return data;
}

/* apart: .BTF and .BTF.ext read apart (owned, freed here when not taken). */
static int read_btf(struct bel_spec *spec, struct bel_spec_apart *apart, struct bel_err *err)
{
	const struct bel_elf_sec *sec = bel_elf_sec_by_name(spec->elf, ".BTF");
	void *btf_data = given(spec, ".BTF", apart->btf, apart->btf_size);
	void *ext_data = given(spec, ".BTF.ext", apart->btf_ext, apart->btf_ext_size);
	int ret;

	if (!sec) {
		free(btf_data);
		free(ext_data);
		return 0;
	}
	if (!sec->data && !btf_data) {
		free(ext_data);
		return bel_errf(err, EINVAL, "section '.BTF' is empty");
	}
	if (btf_data)
		ret = bel_btf_parse_owned(btf_data, apart->btf_size, &spec->btf, err);
	else
		ret = bel_btf_parse(sec->data, sec->size, NULL, true, &spec->btf, err);
	if (!ret)
		ret = bel_btf_fixup_datasecs(spec->btf, spec->elf, err);
	if (!ret)
		ret = bel_btf_fixup_hidden_funcs(spec->btf, spec->elf, err);
	if (!ret)
		ret = index_datasecs(spec, err);
	if (!ret)
		ret = bel_btf_fixup_hidden_funcs(spec->btf, spec->elf, err);
	if (ret) {
		free(ext_data);
		return bel_err_prefix(err, "section '.BTF'");
	}
	sec = bel_elf_sec_by_name(spec->elf, ".BTF.ext");
	if (ext_data)
		ret = bel_btf_ext_parse_owned(ext_data, apart->btf_ext_size, spec->btf, &spec->btf_ext,
					      err);
	else if (sec && sec->data)
		ret = bel_btf_ext_parse(sec->data, sec->size, spec->btf, &spec->btf_ext, err);
	return ret ? bel_err_prefix(err, "section '.BTF.ext'") : 0;
}

int bel_spec_build(const void *image, size_t size, bool copy, const char *obj_name,
		   struct bel_spec **out, struct bel_err *err)
{
	return bel_spec_build_apart(image, size, copy, NULL, obj_name, out, err);
}

static void apart_free(struct bel_spec_apart *apart)
{
	free(apart->btf);
	free(apart->btf_ext);
}

int bel_spec_build_apart(const void *image, size_t size, bool copy, struct bel_spec_apart *apart,
			 const char *obj_name, struct bel_spec **out, struct bel_err *err)
{
	struct bel_spec_apart none = {0};
	struct bel_spec *spec;
	int ret;

	if (!apart)
		apart = &none;

	*out = NULL;
	spec = calloc(1, sizeof(*spec));
	if (spec)
		spec->obj_name = strdup(obj_name ? obj_name : "");
	if (!spec || !spec->obj_name) {
		free(spec);
		apart_free(apart);
		return bel_errf(err, ENOMEM, "out of memory");
	}
	ret = bel_elf_open(image, size, copy, &spec->elf, err);
	if (!ret)
		ret = read_license_and_version(spec, err);
	if (ret)
		apart_free(apart);
	else
		ret = read_btf(spec, apart, err);
	if (!ret)
		ret = bel_spec_collect_btf_maps(spec, err);
	if (!ret)
		ret = bel_spec_collect_legacy_maps(spec, err);
	if (!ret)
		ret = bel_spec_collect_data_maps(spec, err);
	if (!ret)
		ret = bel_spec_collect_externs(spec, err);
	if (!ret)
		ret = bel_spec_collect_progs(spec, err);
	if (!ret)
		ret = bel_spec_collect_struct_ops(spec, err);
	if (!ret)
		ret = bel_spec_collect_map_slots(spec, err);
	if (!ret)
		ret = bel_spec_collect_vars(spec, err);
	if (ret) {
		bel_spec_free(spec);
		return ret;
	}
	*out = spec;
	return 0;
}

void bel_spec_free(struct bel_spec *spec)
{
	uint32_t i;

	if (!spec)
		return;
	for (i = 0; i < spec->nprogs; i++) {
		struct bel_prog_def *p = &spec->progs[i];

		free(p->name);
		if (p->owns_sec_name)
			free((char *)p->sec_name);
		free(p->insns);
		free(p->map_refs);
		free(p->maps);
		free(p->func_info);
		free(p->line_runs);
		free(p->core_relos);
		free(p->extern_refs);
		free(p->open_error);
	}
	free(spec->progs);
	for (i = 0; i < spec->nmaps; i++)
		bel_map_def_release(&spec->maps[i]);
	free(spec->maps);
	for (i = 0; i < spec->nexterns; i++)
		free(spec->externs[i].name);
	free(spec->externs);
	free(spec->vars);
	bel_name_map_free(&spec->maps_by_name);
	bel_name_map_free(&spec->progs_by_name);
	bel_name_map_free(&spec->externs_by_name);
	bel_name_map_free(&spec->datasecs_by_name);
	free(spec->meta_maps);
	free(spec->prog_slots);
	free(spec->prog_slots_start);
	bel_btf_ext_free(spec->btf_ext);
	bel_btf_free(spec->btf);
	bel_elf_free(spec->elf);
	free(spec->obj_name);
	free(spec);
}

int bel_spec_release_image(struct bel_spec *spec, struct bel_err *err)
{
	uint32_t i;

	for (i = 0; i < spec->nprogs; i++) {
		struct bel_prog_def *p = &spec->progs[i];
		char *name;

		if (p->owns_sec_name)
			continue;
		name = strdup(p->sec_name);
		if (!name)
			return bel_errf(err, ENOMEM, "out of memory");
		/* the attach target is the end of the section name ("kprobe/<target>") */
		if (p->attach_target)
			p->attach_target = name + (p->attach_target - p->sec_name);
		p->sec_name = name;
		p->owns_sec_name = true;
	}
	for (i = 0; i < spec->nmaps; i++) {
		struct bel_map_def *map = &spec->maps[i];
		uint8_t *init;

		if (!map->init || map->owns_init)
			continue;
		init = malloc(map->value_size ? map->value_size : 1);
		if (!init)
			return bel_errf(err, ENOMEM, "out of memory");
		memcpy(init, map->init, map->value_size);
		map->init = init;
		map->owns_init = true;
	}
	/* line_info is renumbered from .BTF.ext at each load (bel_prog_line_info) */
	if (spec->btf_ext && bel_btf_ext_own(spec->btf_ext))
		return bel_errf(err, ENOMEM, "out of memory");
	bel_elf_free(spec->elf);
	spec->elf = NULL;
	return 0;
}
