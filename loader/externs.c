/* SPDX-License-Identifier: MIT */
/*
 * Extern values from the running kernel, resolved once per object at the first load:
 * .kconfig from /proc/config.gz (zlib) or /boot/config-$(uname -r), LINUX_KERNEL_VERSION from
 * uname, LINUX_HAS_* from kernel BTF; __ksym variables through kernel BTF (typed) or
 * /proc/kallsyms (typeless); kfuncs through kernel BTF. A program that uses one that did not
 * resolve fails alone; the others get their instructions patched (reloc/externs.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <zlib.h>

#include "internal.h"
#include "reloc/externs.h"

#define TRI_NO 0
#define TRI_YES 1
#define TRI_MODULE 2

static uint32_t kernel_version_code(void)
{
	unsigned int major = 0, minor = 0, patch = 0;
	struct utsname u;

	if (uname(&u) || sscanf(u.release, "%u.%u.%u", &major, &minor, &patch) < 2)
		return 0;
	if (patch > 255) /* KERNEL_VERSION saturates the sublevel */
		patch = 255;
	return (major << 16) + (minor << 8) + patch;
}

/* Set one extern's bytes from a config value ("y", "m", "n", a number or a "string"). */
static int set_kcfg(const struct bel_extern *ext, const char *value, uint8_t *data,
		    struct bel_err *err)
{
	uint8_t *p = data + ext->kcfg_off;
	size_t len = strlen(value);

	if ((len == 1) && (value[0] == 'y' || value[0] == 'n' || value[0] == 'm')) {
		switch (ext->kcfg_type) {
		case BEL_KCFG_BOOL:
			if (value[0] == 'm')
				return bel_errf(err, EINVAL, "extern '%s': 'm' needs a tristate or char",
						ext->name);
			*p = value[0] == 'y';
			return 0;
		case BEL_KCFG_TRISTATE: {
			uint32_t v = value[0] == 'y' ? TRI_YES : value[0] == 'm' ? TRI_MODULE : TRI_NO;

			memcpy(p, &v, 4);
			return 0;
		}
		case BEL_KCFG_CHAR:
			*p = (uint8_t)value[0];
			return 0;
		default:
			return bel_errf(err, EINVAL, "extern '%s': '%c' needs a bool, tristate or char",
					ext->name, value[0]);
		}
	}
	if (value[0] == '"') {
		if (ext->kcfg_type != BEL_KCFG_CHAR_ARR)
			return bel_errf(err, EINVAL, "extern '%s': a string needs a char array", ext->name);
		if (len < 2 || value[len - 1] != '"')
			return bel_errf(err, EINVAL, "extern '%s': unterminated string", ext->name);
		len -= 2;
		if (len >= ext->kcfg_size)
			len = ext->kcfg_size - 1; /* truncated, still NUL-terminated */
		memcpy(p, value + 1, len);
		p[len] = '\0';
		return 0;
	}
	if (ext->kcfg_type == BEL_KCFG_INT) {
		char *end;
		unsigned long long v;

		errno = 0;
		v = ext->kcfg_signed ? (unsigned long long)strtoll(value, &end, 0)
				     : strtoull(value, &end, 0);
		if (errno || *end)
			return bel_errf(err, EINVAL, "extern '%s': '%s' is not a number", ext->name, value);
		if (ext->kcfg_size < 8) {
			unsigned long long max = 1ull << (ext->kcfg_size * 8 - (ext->kcfg_signed ? 1 : 0));

			if (ext->kcfg_signed ? ((long long)v >= (long long)max || (long long)v < -(long long)max)
					     : v >= max)
				return bel_errf(err, ERANGE, "extern '%s': %s does not fit %u bytes",
						ext->name, value, ext->kcfg_size);
		}
		memcpy(p, &v, ext->kcfg_size); /* little endian: the low bytes */
		return 0;
	}
	return bel_errf(err, EINVAL, "extern '%s': value '%s' does not fit its type", ext->name, value);
}

/* Read the kernel config, one "CONFIG_X=value" line at a time, into the externs it names. */
static int read_kconfig(const struct bel_spec *spec, uint8_t *data, bool *set, struct bel_err *err)
{
	char path[256], line[4096];
	struct utsname u;
	gzFile gz;
	int ret = 0, e;

	gz = gzopen("/proc/config.gz", "rb");
	if (!gz && !uname(&u)) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		gz = gzopen(path, "rb"); /* zlib reads plain files too */
	}
	if (!gz)
		return bel_errf(err, ENOENT, "no kernel config: neither /proc/config.gz nor "
				"/boot/config-$(uname -r) can be read");
	while (!ret && gzgets(gz, line, sizeof(line))) {
		char *eq, *nl;

		if (strncmp(line, "CONFIG_", 7) || !(eq = strchr(line, '=')))
			continue;
		*eq = '\0';
		nl = strchr(eq + 1, '\n');
		if (nl)
			*nl = '\0';
		e = bel_spec_find_extern(spec, line);
		if (e >= 0 && spec->externs[e].kind == BEL_EXTERN_KCONFIG) {
			ret = set_kcfg(&spec->externs[e], eq + 1, data, err);
			set[e] = true;
		}
	}
	gzclose(gz);
	return ret;
}

static bool enum_has_value(const struct bel_btf *btf, const char *enum_name, const char *value)
{
	int id = btf ? bel_btf_find(btf, enum_name, BTF_KIND_ENUM) : -1;
	const struct btf_type *t = id > 0 ? bel_btf_type(btf, (uint32_t)id) : NULL;
	uint32_t i;

	for (i = 0; t && i < btf_vlen(t); i++)
		if (!strcmp(bel_btf_str(btf, btf_enums(t)[i].name_off) ?: "", value))
			return true;
	return false;
}

static int resolve_kconfig(struct bel_object *obj, struct bel_err *err)
{
	const struct bel_spec *spec = obj->spec;
	const struct bel_map_def *map = &spec->maps[spec->kconfig_map];
	const struct bel_btf *vmlinux = ldr_kernel_btf(NULL);
	bool *set = calloc(spec->nexterns + 1, sizeof(*set)), need_config = false;
	uint32_t i;
	int ret = 0;

	obj->target.kconfig_data = calloc(1, map->value_size);
	if (!set || !obj->target.kconfig_data) {
		free(set);
		return bel_errf(err, ENOMEM, "out of memory");
	}
	for (i = 0; i < spec->nexterns && !ret; i++) {
		const struct bel_extern *ext = &spec->externs[i];
		uint8_t yes = 1, no = 0;

		if (ext->kind != BEL_EXTERN_KCONFIG)
			continue;
		/* every value below is written at kcfg_off into the value_size-byte buffer */
		if ((uint64_t)ext->kcfg_off + ext->kcfg_size > map->value_size || !ext->kcfg_size) {
			ret = bel_errf(err, EINVAL, "extern '%s' at [%u, +%u) lies outside the %u-byte "
				       ".kconfig map", ext->name, ext->kcfg_off, ext->kcfg_size,
				       map->value_size);
			break;
		}
		if (!strcmp(ext->name, "LINUX_KERNEL_VERSION")) {
			uint32_t v = kernel_version_code();

			if (ext->kcfg_type != BEL_KCFG_INT || ext->kcfg_size != 4)
				ret = bel_errf(err, EINVAL, "extern 'LINUX_KERNEL_VERSION' must be a 32-bit int");
			else
				memcpy(obj->target.kconfig_data + ext->kcfg_off, &v, 4);
			set[i] = true;
		} else if (!strcmp(ext->name, "LINUX_HAS_BPF_COOKIE")) {
			memcpy(obj->target.kconfig_data + ext->kcfg_off,
			       enum_has_value(vmlinux, "bpf_func_id", "BPF_FUNC_get_attach_cookie") ? &yes : &no, 1);
			set[i] = true;
		} else if (!strcmp(ext->name, "LINUX_HAS_SYSCALL_WRAPPER")) {
			memcpy(obj->target.kconfig_data + ext->kcfg_off,
			       strcmp(ldr_syscall_prefix(), "sys_") ? &yes : &no, 1);
			set[i] = true;
		} else if (!strncmp(ext->name, "LINUX_", 6)) {
			ret = bel_errf(err, ENOTSUP, "extern '%s': unknown LINUX_ value", ext->name);
		} else if (!strncmp(ext->name, "CONFIG_", 7)) {
			need_config = true;
		} else {
			ret = bel_errf(err, EINVAL, "extern '%s' (.kconfig) is neither CONFIG_* nor LINUX_*",
				       ext->name);
		}
	}
	if (!ret && need_config) {
		struct bel_err cfg_err = {0};

		/* without a config file every CONFIG_ extern is unset: fine if all are weak */
		if (read_kconfig(spec, obj->target.kconfig_data, set, &cfg_err) && cfg_err.code != -ENOENT)
			ret = bel_errf(err, -cfg_err.code, "%s", cfg_err.msg);
	}
	for (i = 0; i < spec->nexterns && !ret; i++) {
		const struct bel_extern *ext = &spec->externs[i];

		if (ext->kind == BEL_EXTERN_KCONFIG && !set[i] && !ext->weak)
			ret = bel_errf(err, ENOENT, "extern '%s' (.kconfig) is not set by this kernel's "
				       "config (declare it __weak to default to zero)", ext->name);
	}
	free(set);
	return ret;
}

static bool typeless_ksym(const struct bel_extern *ext)
{
	return ext->kind == BEL_EXTERN_KSYM_VAR && ext->btf_id && !ext->btf_type_id;
}

static bool typed_ksym(const struct bel_extern *ext)
{
	return ext->kind != BEL_EXTERN_KCONFIG && ext->btf_id && !typeless_ksym(ext);
}

/* Typeless __ksym addresses: one read of /proc/kallsyms for them all, each name looked up. */
static void kallsyms_addresses(const struct bel_spec *spec, uint64_t *values)
{
	char line[512], sym[256], type;
	unsigned long long addr;
	FILE *f = fopen("/proc/kallsyms", "re");
	int e;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) != 3)
			continue;
		e = bel_spec_find_extern(spec, sym);
		/* the first address that is not hidden (kptr_restrict shows zeros) */
		if (e >= 0 && typeless_ksym(&spec->externs[e]) && !values[e])
			values[e] = addr;
	}
	fclose(f);
}

/* Typed __ksym variables and kfuncs: one walk of kernel BTF for them all, the first VAR or
 * FUNC of each name taken, as a search by name from the first id would take it. */
static void kernel_btf_ids(const struct bel_spec *spec, const struct bel_btf *vmlinux,
			   uint64_t *values)
{
	uint32_t id, n = bel_btf_type_count(vmlinux);

	for (id = 1; id < n; id++) {
		const struct btf_type *t = bel_btf_type(vmlinux, id);
		const struct bel_extern *ext;
		int e;

		if (btf_kind(t) != BTF_KIND_FUNC && btf_kind(t) != BTF_KIND_VAR)
			continue;
		e = bel_spec_find_extern(spec, bel_btf_type_name(vmlinux, t));
		if (e < 0 || values[e])
			continue;
		ext = &spec->externs[e];
		if (typed_ksym(ext) &&
		    btf_kind(t) == (ext->kind == BEL_EXTERN_KFUNC ? BTF_KIND_FUNC : BTF_KIND_VAR))
			values[e] = id;
	}
}

/* A kfunc's slot in the object's fd_array: where its module's BTF fd is (index 0 is never
 * read by the kernel: an offset of 0 means vmlinux). */
static int fd_slot(struct bel_object *obj, int fd, struct bel_err *err)
{
	uint32_t i;
	int *grown;

	for (i = 1; i < obj->target.ksym_fd_array_cnt; i++)
		if (obj->target.ksym_fd_array[i] == fd)
			return (int)i;
	if (obj->target.ksym_fd_array_cnt >= INT16_MAX)
		return bel_errf(err, E2BIG, "kfuncs from more than %d modules", INT16_MAX - 1);
	i = obj->target.ksym_fd_array_cnt ? obj->target.ksym_fd_array_cnt : 1;
	grown = realloc(obj->target.ksym_fd_array, (i + 1) * sizeof(*grown));
	if (!grown)
		return bel_errf(err, ENOMEM, "out of memory");
	if (!obj->target.ksym_fd_array_cnt)
		grown[0] = fd; /* never read: a real fd rather than an uninitialised one */
	grown[i] = fd;
	obj->target.ksym_fd_array = grown;
	obj->target.ksym_fd_array_cnt = i + 1;
	return (int)i;
}

/* A kfunc or typed ksym that vmlinux lacks, from a module's BTF: its id (-ENOENT: in no module),
 * with the module's BTF object recorded where the instruction will name it. */
static int module_ksym(struct bel_object *obj, uint32_t i, const char *name, uint32_t kind,
		       struct bel_err *err)
{
	uint32_t module, id;
	int fd, slot = 0;

	if (ldr_module_btf_find(name, kind, &module, &id) || id > INT32_MAX)
		return -ENOENT;
	fd = ldr_module_btf_fd(module, err);
	if (fd < 0)
		return bel_err_prefix(err, "extern '%s' (__ksym)", name);
	if (!obj->target.ksym_modules &&
	    !(obj->target.ksym_modules = calloc(obj->spec->nexterns + 1,
						sizeof(*obj->target.ksym_modules))))
		return bel_errf(err, ENOMEM, "out of memory");
	if (kind == BTF_KIND_FUNC && (slot = fd_slot(obj, fd, err)) < 0)
		return slot;
	obj->target.ksym_modules[i].btf_fd = fd;
	obj->target.ksym_modules[i].fd_slot = (int16_t)slot;
	return (int)id;
}

/* Each __ksym and kfunc on its own: one that does not resolve fails only the programs that
 * use it (its message is kept in ksym_errs[i]). */
static int resolve_ksyms(struct bel_object *obj, struct bel_err *err)
{
	const struct bel_spec *spec = obj->spec;
	const struct bel_btf *vmlinux = NULL;
	struct bel_err btf_err = {0};
	bool typed = false, typeless = false;
	uint32_t i;

	obj->target.ksym_values = calloc(spec->nexterns + 1, sizeof(*obj->target.ksym_values));
	obj->target.ksym_errs = calloc(spec->nexterns + 1, sizeof(*obj->target.ksym_errs));
	if (!obj->target.ksym_values || !obj->target.ksym_errs)
		return bel_errf(err, ENOMEM, "out of memory");
	for (i = 0; i < spec->nexterns; i++) {
		typed |= typed_ksym(&spec->externs[i]);
		typeless |= typeless_ksym(&spec->externs[i]);
	}
	if (typeless)
		kallsyms_addresses(spec, obj->target.ksym_values);
	if (typed && (vmlinux = ldr_kernel_btf(&btf_err)))
		kernel_btf_ids(spec, vmlinux, obj->target.ksym_values);
	for (i = 0; i < spec->nexterns; i++) {
		const struct bel_extern *ext = &spec->externs[i];
		struct bel_err *e = &obj->target.ksym_errs[i];
		uint32_t kind = ext->kind == BEL_EXTERN_KFUNC ? BTF_KIND_FUNC : BTF_KIND_VAR;
		int id;

		if (typed_ksym(ext) && !vmlinux) {
			*e = btf_err;
			bel_err_prefix(e, "extern '%s' (__ksym) needs kernel BTF", ext->name);
			continue;
		}
		if (obj->target.ksym_values[i] || !(typed_ksym(ext) || typeless_ksym(ext)))
			continue;
		if (typeless_ksym(ext)) {
			if (!ext->weak)
				bel_errf(e, ENOENT, "extern '%s' (__ksym): not in /proc/kallsyms (or "
					 "addresses hidden by kptr_restrict)", ext->name);
			continue;
		}
		/* not in vmlinux: in a module's BTF? */
		id = module_ksym(obj, i, ext->name, kind, e);
		if (id < 0 && !e->code && !ext->weak)
			bel_errf(e, ENOENT, "extern '%s' (__ksym): no %s of that name in kernel BTF "
				 "(vmlinux and %u modules)", ext->name,
				 kind == BTF_KIND_FUNC ? "kfunc" : "variable", ldr_module_btf_count());
		obj->target.ksym_values[i] = id < 0 ? 0 : (uint64_t)id;
	}
	return 0;
}

int ldr_obj_resolve_externs(struct bel_object *obj, struct bel_err *err)
{
	int ret = 0;

	if (!obj->spec->nexterns)
		return 0;
	pthread_mutex_lock(&obj->target.lock);
	if (!obj->target.externs_done) {
		/* .kconfig as a whole: its failure fails the programs using the .kconfig map */
		if (obj->spec->kconfig_map >= 0)
			resolve_kconfig(obj, &obj->target.kconfig_err);
		resolve_ksyms(obj, &obj->target.externs_err);
		obj->target.externs_done = true;
	}
	ret = obj->target.externs_err.code; /* only out of memory */
	if (ret)
		*err = obj->target.externs_err;
	pthread_mutex_unlock(&obj->target.lock);
	return ret;
}

static bool uses_map(const struct bel_prog_def *def, int map)
{
	uint32_t i;

	for (i = 0; map >= 0 && i < def->nmaps; i++)
		if (def->maps[i] == (uint32_t)map)
			return true;
	return false;
}

int ldr_prog_check_externs(struct bel_program *prog, struct bel_err *err)
{
	const struct bel_prog_def *def = prog->def;
	const struct bel_spec *spec = prog->obj->spec;
	uint32_t i;
	int ret;

	if (!def->extern_ref_cnt && !uses_map(def, spec->kconfig_map))
		return 0;
	ret = ldr_obj_resolve_externs(prog->obj, err);
	if (ret)
		return ret;
	if (uses_map(def, spec->kconfig_map) && prog->obj->target.kconfig_err.code) {
		*err = prog->obj->target.kconfig_err;
		return err->code;
	}
	for (i = 0; i < def->extern_ref_cnt; i++)
		if (prog->obj->target.ksym_errs[def->extern_refs[i].ext].code) {
			*err = prog->obj->target.ksym_errs[def->extern_refs[i].ext];
			return err->code;
		}
	return 0;
}
