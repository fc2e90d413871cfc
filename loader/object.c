/* SPDX-License-Identifier: MIT */
/* Opening and closing objects, messages, and the accessors of bel.h. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "uprobe.h"

static __thread char thread_error[BEL_ERR_MSG_MAX];

#define STR(x) #x
#define VERSION(a, b, c) STR(a) "." STR(b) "." STR(c)

const char *bel_version(void)
{
	return VERSION(BEL_VERSION_MAJOR, BEL_VERSION_MINOR, BEL_VERSION_PATCH);
}

const char *bel_thread_error(void)
{
	return thread_error;
}

int ldr_thread_fail(struct bel_err *err)
{
	snprintf(thread_error, sizeof(thread_error), "%s", err->msg);
	return err->code;
}

int ldr_obj_fail(struct bel_object *obj, struct bel_err *err)
{
	pthread_mutex_lock(&obj->lock);
	obj->last = *err;
	pthread_mutex_unlock(&obj->lock);
	if (obj->msg)
		obj->msg(BEL_MSG_ERROR, err->msg, obj->msg_ctx);
	return err->code;
}

void ldr_obj_msg(struct bel_object *obj, enum bel_msg_level level, const char *fmt, ...)
{
	char buf[BEL_ERR_MSG_MAX];
	va_list ap;

	if (!obj->msg)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	obj->msg(level, buf, obj->msg_ctx);
}

/* "dir/foo.bpf.o" -> "foo": libbpf's convention, so map names agree with its. */
static void name_from_path(const char *path, char *out, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strcspn(base, ".");
	snprintf(out, size, "%.*s", (int)len, base);
}

static int open_spec(struct bel_spec *spec, const struct bel_open_opts *opts,
		     struct bel_object **out)
{
	const char *btf_path = BEL_OPT(opts, btf_path, NULL);
	const char *pin_root = BEL_OPT(opts, pin_root, NULL) ?: "/sys/fs/bpf";
	struct bel_object *obj;
	uint32_t i;

	obj = calloc(1, sizeof(*obj));
	if (!obj)
		return -ENOMEM;
	obj->spec = spec;
	snprintf(obj->pin_root, sizeof(obj->pin_root), "%s", pin_root);
	obj->msg = BEL_OPT(opts, msg, NULL);
	obj->msg_ctx = BEL_OPT(opts, msg_ctx, NULL);
	obj->keep_maps = BEL_OPT(opts, keep_maps, false);
	obj->ignore_pinning = BEL_OPT(opts, ignore_pinning, false);
	if (ldr_target_init(&obj->target, btf_path)) {
		free(obj);
		return -ENOMEM;
	}
	pthread_mutex_init(&obj->lock, NULL);
	pthread_mutex_init(&obj->publish_lock, NULL);
	obj->maps = calloc(spec->nmaps ? spec->nmaps : 1, sizeof(*obj->maps));
	obj->progs = calloc(spec->nprogs ? spec->nprogs : 1, sizeof(*obj->progs));
	if (!obj->maps || !obj->progs) {
		free(obj->maps);
		free(obj->progs);
		ldr_target_free(&obj->target);
		free(obj);
		return -ENOMEM;
	}
	for (i = 0; i < spec->nmaps; i++) {
		obj->maps[i].obj = obj;
		obj->maps[i].def = &spec->maps[i];
		ldr_map_state_init(&obj->maps[i]);
	}
	for (i = 0; i < spec->nprogs; i++) {
		obj->progs[i].obj = obj;
		obj->progs[i].def = &spec->progs[i];
		obj->progs[i].fd = -1;
		ldr_prog_config_init(&obj->progs[i]);
		pthread_mutex_init(&obj->progs[i].lock, NULL);
	}
	*out = obj;
	return 0;
}

static int open_failed(const struct bel_open_opts *opts, struct bel_err *err)
{
	bel_msg_fn msg = BEL_OPT(opts, msg, NULL);

	if (msg)
		msg(BEL_MSG_ERROR, err->msg, BEL_OPT(opts, msg_ctx, NULL));
	return ldr_thread_fail(err);
}

/* apart: sections read apart from buf (owned from here on), or NULL. */
static int open_image(const void *buf, size_t size, bool copy, struct bel_spec_apart *apart,
		      const char *name, const struct bel_open_opts *opts, struct bel_object **obj)
{
	struct bel_err err = {0};
	struct bel_spec *spec;
	int ret;

	ret = bel_spec_build_apart(buf, size, copy, apart, name, &spec, &err);
	/* what is loaded is kept, not the file: the image can go once open returns */
	if (!ret && (ret = bel_spec_release_image(spec, &err)))
		bel_spec_free(spec);
	if (ret) {
		bel_err_prefix(&err, "object '%s'", name);
		return open_failed(opts, &err);
	}
	ret = open_spec(spec, opts, obj);
	if (ret) {
		bel_spec_free(spec);
		bel_errf(&err, ENOMEM, "object '%s': out of memory", name);
		return open_failed(opts, &err);
	}
	return 0;
}

/* The options, before anything is read. */
static int check_open_opts(const struct bel_open_opts *opts, struct bel_err *err)
{
	const char *pin_root = BEL_OPT(opts, pin_root, NULL);

	if (bel_opts_check(opts, sizeof(*opts), "bel_open_opts", err))
		return err->code;
	/* room for "/<name>" after it, a name being at most NAME_MAX */
	if (pin_root && strlen(pin_root) >= sizeof(((struct bel_object *)0)->pin_root) - 257)
		return bel_errf(err, ENAMETOOLONG, "bel_open_opts: pin_root is %zu bytes long: with a "
				"map name after it, over PATH_MAX", strlen(pin_root));
	return 0;
}

int bel_object_open_mem(const void *buf, size_t size, const struct bel_open_opts *opts,
			struct bel_object **obj)
{
	const char *name = BEL_OPT(opts, name, NULL) ?: "bel_obj";
	struct bel_err err = {0};

	*obj = NULL;
	thread_error[0] = '\0';
	if (check_open_opts(opts, &err))
		return open_failed(opts, &err);
	return open_image(buf, size, true, NULL, name, opts, obj);
}

/*
 * The object file, read into memory: bel keeps no mapping of it, so a file truncated or
 * rewritten later cannot fault (SIGBUS) or change the object. O_NONBLOCK so that opening a
 * FIFO returns at once, to be refused with anything else that is not a regular file.
 */
static int read_object(const char *path, void **image, size_t *size,
		       struct bel_spec_apart *apart, struct bel_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), ret;

	if (fd < 0)
		return bel_errf(err, errno, "cannot open %s: %s", path, strerror(errno));
	ret = ldr_read_object_fd(fd, path, image, size, apart, err);
	close(fd);
	return ret;
}

int bel_object_open_file(const char *path, const struct bel_open_opts *opts,
			 struct bel_object **obj)
{
	char name[256];
	struct bel_err err = {0};
	struct bel_spec_apart apart;
	void *image = NULL;
	size_t size = 0;
	int ret;

	*obj = NULL;
	thread_error[0] = '\0';
	if (check_open_opts(opts, &err))
		return open_failed(opts, &err);
	if (BEL_OPT(opts, name, NULL))
		snprintf(name, sizeof(name), "%s", opts->name);
	else
		name_from_path(path, name, sizeof(name));
	if (read_object(path, &image, &size, &apart, &err)) {
		bel_err_prefix(&err, "object '%s'", name);
		return open_failed(opts, &err);
	}
	/* one copy of the image, parsed in place, and gone when open returns */
	ret = open_image(image, size, false, &apart, name, opts, obj);
	free(image);
	return ret;
}

void bel_object_close(struct bel_object *obj)
{
	uint32_t i;

	if (!obj)
		return;
	ldr_obj_adoption_free(obj);
	bel_object_unload(obj);
	/* keep_maps leaves maps alive with no users; they go with the object. */
	for (i = 0; i < obj->spec->nmaps; i++)
		ldr_map_state_free(&obj->maps[i]);
	for (i = 0; i < obj->spec->nprogs; i++) {
		free(obj->progs[i].log);
		free(obj->progs[i].acquired);
		free(obj->progs[i].insns);
		free(obj->progs[i].error);
		ldr_prog_config_free(&obj->progs[i]);
		pthread_mutex_destroy(&obj->progs[i].lock);
	}
	ldr_target_free(&obj->target);
	ldr_usdt_state_free(obj);
	pthread_mutex_destroy(&obj->lock);
	pthread_mutex_destroy(&obj->publish_lock);
	free(obj->maps);
	free(obj->progs);
	bel_spec_free(obj->spec);
	free(obj);
}

const char *bel_object_name(const struct bel_object *obj)
{
	return obj->spec->obj_name;
}

const char *bel_object_last_error(const struct bel_object *obj)
{
	struct bel_object *o = (struct bel_object *)obj;

	pthread_mutex_lock(&o->lock);
	memcpy(o->last_copy, o->last.msg, sizeof(o->last_copy));
	pthread_mutex_unlock(&o->lock);
	return o->last_copy;
}

const char *bel_object_license(const struct bel_object *obj)
{
	return obj->spec->license;
}

const void *bel_object_btf(const struct bel_object *obj, uint32_t *size)
{
	if (!obj->spec->btf) {
		*size = 0;
		return NULL;
	}
	return bel_btf_raw(obj->spec->btf, size);
}

uint32_t bel_object_btf_type_count(const struct bel_object *obj)
{
	return obj->spec->btf ? bel_btf_type_count(obj->spec->btf) - 1 : 0;
}

void bel_program_btf_ext_counts(const struct bel_program *prog, uint32_t *func_info,
				uint32_t *line_info)
{
	*func_info = prog->def->func_info_cnt;
	*line_info = prog->def->line_info_cnt;
}

int bel_object_btf_fd(const struct bel_object *obj)
{
	return ldr_obj_btf_fd((struct bel_object *)obj);
}

unsigned int bel_object_program_count(const struct bel_object *obj)
{
	return obj->spec->nprogs;
}

struct bel_program *bel_object_program(const struct bel_object *obj, unsigned int i)
{
	return i < obj->spec->nprogs ? &obj->progs[i] : NULL;
}

struct bel_program *bel_object_find_program(const struct bel_object *obj, const char *name)
{
	int i = bel_spec_find_prog(obj->spec, name);

	return i < 0 ? NULL : &obj->progs[i];
}

unsigned int bel_object_map_count(const struct bel_object *obj)
{
	return obj->spec->nmaps;
}

struct bel_map *bel_object_map(const struct bel_object *obj, unsigned int i)
{
	return i < obj->spec->nmaps ? &obj->maps[i] : NULL;
}

struct bel_map *bel_object_find_map(const struct bel_object *obj, const char *name)
{
	int i = bel_spec_find_map(obj->spec, name);

	return i < 0 ? NULL : &obj->maps[i];
}

struct bel_object *bel_program_object(const struct bel_program *prog) { return prog->obj; }
struct bel_object *bel_map_object(const struct bel_map *map) { return map->obj; }
const char *bel_program_name(const struct bel_program *prog) { return prog->def->name; }
const char *bel_program_section(const struct bel_program *prog) { return prog->def->sec_name; }
uint32_t bel_program_type(const struct bel_program *prog) { return prog->cfg.prog_type; }
uint32_t bel_program_flags(const struct bel_program *prog) { return prog->cfg.prog_flags; }

uint32_t bel_program_expected_attach_type(const struct bel_program *prog)
{
	return prog->cfg.expected_attach_type;
}

const void *bel_program_insns(const struct bel_program *prog, unsigned int *count)
{
	*count = prog->def->insn_cnt;
	return prog->def->insns;
}

unsigned int bel_program_map_count(const struct bel_program *prog)
{
	return prog->def->nmaps;
}

struct bel_map *bel_program_map(const struct bel_program *prog, unsigned int i)
{
	return i < prog->def->nmaps ? &prog->obj->maps[prog->def->maps[i]] : NULL;
}

int bel_program_fd(const struct bel_program *prog)
{
	return __atomic_load_n(&prog->fd, __ATOMIC_ACQUIRE);
}

int bel_program_status(const struct bel_program *prog)
{
	return __atomic_load_n(&prog->status, __ATOMIC_RELAXED);
}
const char *bel_program_error(const struct bel_program *prog)
{
	return prog->error ? prog->error : "";
}
const char *bel_program_log(const struct bel_program *prog) { return prog->log ? prog->log : ""; }

const char *bel_map_name(const struct bel_map *map) { return map->def->name; }
const char *bel_map_kernel_name(const struct bel_map *map) { return map->def->kname; }
uint32_t bel_map_type(const struct bel_map *map) { return map->shape.type; }
uint32_t bel_map_key_size(const struct bel_map *map) { return map->shape.key_size; }
uint32_t bel_map_value_size(const struct bel_map *map) { return map->shape.value_size; }
uint32_t bel_map_max_entries(const struct bel_map *map) { return map->shape.max_entries; }
uint32_t bel_map_flags(const struct bel_map *map) { return map->shape.map_flags; }
bool bel_map_has_metadata(const struct bel_map *map) { return map->def->has_metadata; }
const char *bel_map_pin_path(const struct bel_map *map) { return map->pin_path; }

const char *bel_map_data_section(const struct bel_map *map)
{
	return map->def->origin == BEL_MAP_FROM_DATA ? map->def->name : NULL;
}

int bel_map_fd(const struct bel_map *map)
{
	return __atomic_load_n(&map->fd, __ATOMIC_ACQUIRE);
}

uint32_t bel_map_id(const struct bel_map *map)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int fd = bel_map_fd(map);

	memset(&info, 0, sizeof(info));
	if (fd < 0 || bel_sys_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}
