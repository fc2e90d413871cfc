/* SPDX-License-Identifier: MIT */
/*
 * What the running kernel offers an object (target.h): the object BTF it accepts, rewritten for
 * what its BTF lacks; the CO-RE target BTF. The externs' values are resolved in externs.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btf/core.h"
#include "btf/sanitize.h"
#include "internal.h"

int ldr_target_init(struct ldr_target *t, const char *btf_path)
{
	memset(t, 0, sizeof(*t));
	t->obj_btf_fd = -1;
	if (btf_path && !(t->btf_path = strdup(btf_path)))
		return -ENOMEM;
	pthread_mutex_init(&t->lock, NULL);
	return 0;
}

void ldr_target_free(struct ldr_target *t)
{
	if (t->obj_btf_fd >= 0)
		close(t->obj_btf_fd);
	bel_btf_free(t->btf);
	free(t->kconfig_data);
	free(t->ksym_values);
	free(t->ksym_modules);
	free(t->ksym_fd_array);
	free(t->ksym_errs);
	free(t->btf_path);
	pthread_mutex_destroy(&t->lock);
}

/* A copy of the object BTF rewritten for what this kernel's BTF lacks, or NULL if it lacks
 * nothing (or the rewrite fails: then the original is tried and the kernel says why). */
static struct bel_btf *sanitize_for_kernel(struct bel_object *obj, const struct bel_features *f,
					   const void **raw, uint32_t *size)
{
	unsigned int have = (f->btf_datasec ? BEL_BTF_HAS_DATASEC : 0) |
			    (f->btf_func_global ? BEL_BTF_HAS_FUNC_GLOBAL : 0) |
			    (f->btf_float ? BEL_BTF_HAS_FLOAT : 0) |
			    (f->btf_decl_tag ? BEL_BTF_HAS_DECL_TAG : 0) |
			    (f->btf_type_tag ? BEL_BTF_HAS_TYPE_TAG : 0) |
			    (f->btf_enum64 ? BEL_BTF_HAS_ENUM64 : 0);
	struct bel_err err = {0};
	struct bel_btf *copy;
	int n;

	if (have == BEL_BTF_HAS_ALL)
		return NULL;
	if (bel_btf_parse(*raw, *size, NULL, true, &copy, &err))
		return NULL;
	n = bel_btf_sanitize(copy, have, &err);
	if (n <= 0) {
		if (n < 0)
			ldr_obj_msg(obj, BEL_MSG_WARN, "object '%s': %s", obj->spec->obj_name, err.msg);
		bel_btf_free(copy);
		return NULL;
	}
	ldr_obj_msg(obj, BEL_MSG_INFO, "object '%s': %d BTF types rewritten for this kernel",
		    obj->spec->obj_name, n);
	*raw = bel_btf_raw(copy, size);
	return copy;
}

int ldr_obj_btf_fd(struct bel_object *obj)
{
	const struct bel_features *feat;
	struct bel_btf *sanitized;
	uint32_t size;
	const void *raw;
	char *log;
	int fd, retry;

	pthread_mutex_lock(&obj->target.lock);
	if (obj->target.obj_btf_tried || !obj->spec->btf) {
		fd = obj->target.obj_btf_fd;
		pthread_mutex_unlock(&obj->target.lock);
		return fd;
	}
	obj->target.obj_btf_tried = true;
	feat = bel_kernel_features();
	if (!feat->btf) {
		pthread_mutex_unlock(&obj->target.lock);
		ldr_obj_msg(obj, BEL_MSG_WARN, "object '%s': kernel has no BTF support; loading "
			    "without BTF", obj->spec->obj_name);
		return -1;
	}
	raw = bel_btf_raw(obj->spec->btf, &size);
	sanitized = sanitize_for_kernel(obj, feat, &raw, &size);
	fd = bel_sys_btf_load(raw, size, NULL, 0, 0);
	if (fd < 0) {
		/* Run it again with a log, to say why. If this time it loads (the first failure
		 * was transient), that is the fd to keep. */
		log = calloc(1, 1 << 20);
		if (log && (retry = bel_sys_btf_load(raw, size, log, 1 << 20, 1)) >= 0)
			fd = retry;
		else
			ldr_obj_msg(obj, BEL_MSG_WARN, "object '%s': kernel refused the object BTF (%s); "
				    "loading without BTF: %s", obj->spec->obj_name, strerror(-fd),
				    log ? ldr_log_tail(log, 3) : "");
		free(log);
	}
	bel_btf_free(sanitized);
	obj->target.obj_btf_fd = fd;
	pthread_mutex_unlock(&obj->target.lock);
	return fd;
}

/* The target BTF: a file given at open, else the running kernel's (shared, indexed once). */
static const struct bel_btf *target_btf(struct bel_object *obj, struct bel_err *err)
{
	const struct bel_btf *btf;

	pthread_mutex_lock(&obj->target.lock);
	if (obj->target.btf || !obj->target.btf_path) {
		btf = obj->target.btf;
		pthread_mutex_unlock(&obj->target.lock);
		return btf ? btf : ldr_kernel_btf(err);
	}
	if (!obj->target.btf_err.code) {
		size_t size = 0;
		void *raw = ldr_read_file(obj->target.btf_path, &size);
		struct bel_btf *parsed = NULL;

		if (!raw)
			bel_errf(&obj->target.btf_err, errno ? errno : EINVAL, "cannot read BTF file %s",
				 obj->target.btf_path);
		else if (!bel_btf_parse(raw, size, NULL, true, &parsed, &obj->target.btf_err) &&
			 !bel_btf_index_names(parsed, &obj->target.btf_err))
			obj->target.btf = parsed;
		else {
			bel_btf_free(parsed);
			bel_err_prefix(&obj->target.btf_err, "target BTF %s", obj->target.btf_path);
		}
		free(raw);
	}
	btf = obj->target.btf;
	if (!btf)
		*err = obj->target.btf_err;
	pthread_mutex_unlock(&obj->target.lock);
	return btf;
}

int ldr_obj_targets(struct bel_object *obj, struct bel_core_target *targets, struct bel_err *err)
{
	const struct bel_btf *btf = target_btf(obj, err);

	if (!btf)
		return err->code;
	targets[0].btf = btf;
	targets[0].name = obj->target.btf_path ? obj->target.btf_path : "vmlinux";
	return 1;
}
