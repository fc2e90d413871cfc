/* SPDX-License-Identifier: MIT */
#include "spec.h"

#include "btf/fixup.h"
#include "externs.h"
#include <stdio.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int bel_spec_add_map(struct bel_spec *spec, struct bel_map_def **out, struct bel_err *err)
{
	struct bel_map_def *grown = realloc(spec->maps, (spec->nmaps + 1) * sizeof(*grown));

	if (!grown)
		return bel_errf(err, ENOMEM, "out of memory");
	spec->maps = grown;
	*out = &spec->maps[spec->nmaps++];
	memset(*out, 0, sizeof(**out));
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
	free(def->name);
}

int bel_spec_find_map(const struct bel_spec *spec, const char *name)
{
	uint32_t i;

	for (i = 0; i < spec->nmaps; i++)
		if (spec->maps[i].name && !strcmp(spec->maps[i].name, name))
			return (int)i;
	return -ENOENT;
}

int bel_spec_find_prog(const struct bel_spec *spec, const char *name)
{
	uint32_t i;

	for (i = 0; i < spec->nprogs; i++)
		if (spec->progs[i].name && !strcmp(spec->progs[i].name, name))
			return (int)i;
	return -ENOENT;
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

static int read_btf(struct bel_spec *spec, struct bel_err *err)
{
	const struct bel_elf_sec *sec = bel_elf_sec_by_name(spec->elf, ".BTF");
	int ret;

	if (!sec)
		return 0;
	if (!sec->data)
		return bel_errf(err, EINVAL, "section '.BTF' is empty");
	ret = bel_btf_parse(sec->data, sec->size, NULL, true, &spec->btf, err);
	if (!ret)
		ret = bel_btf_fixup_datasecs(spec->btf, spec->elf, err);
	if (!ret)
		ret = bel_btf_fixup_hidden_funcs(spec->btf, spec->elf, err);
	if (ret)
		return bel_err_prefix(err, "section '.BTF'");
	sec = bel_elf_sec_by_name(spec->elf, ".BTF.ext");
	if (sec && sec->data) {
		ret = bel_btf_ext_parse(sec->data, sec->size, spec->btf, &spec->btf_ext, err);
		if (ret)
			return bel_err_prefix(err, "section '.BTF.ext'");
	}
	return 0;
}

int bel_spec_build(const void *image, size_t size, bool copy, const char *obj_name,
		   struct bel_spec **out, struct bel_err *err)
{
	struct bel_spec *spec;
	int ret;

	*out = NULL;
	spec = calloc(1, sizeof(*spec));
	if (!spec)
		return bel_errf(err, ENOMEM, "out of memory");
	spec->obj_name = strdup(obj_name ? obj_name : "");
	if (!spec->obj_name) {
		free(spec);
		return bel_errf(err, ENOMEM, "out of memory");
	}
	ret = bel_elf_open(image, size, copy, &spec->elf, err);
	if (!ret)
		ret = read_license_and_version(spec, err);
	if (!ret)
		ret = read_btf(spec, err);
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
		free(p->insns);
		free(p->map_refs);
		free(p->maps);
		free(p->func_info);
		free(p->line_info);
		free(p->core_relos);
		free(p->extern_refs);
	}
	free(spec->progs);
	for (i = 0; i < spec->nmaps; i++)
		bel_map_def_release(&spec->maps[i]);
	free(spec->maps);
	for (i = 0; i < spec->nexterns; i++)
		free(spec->externs[i].name);
	free(spec->externs);
	free(spec->vars);
	bel_btf_ext_free(spec->btf_ext);
	bel_btf_free(spec->btf);
	bel_elf_free(spec->elf);
	free(spec->obj_name);
	free(spec);
}
