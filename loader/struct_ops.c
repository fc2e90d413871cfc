/* SPDX-License-Identifier: MIT */
/*
 * struct_ops on the kernel's side: the map is created with the kernel's value type
 * (struct bpf_struct_ops_<name> in vmlinux BTF, which wraps struct <name> in a member "data"),
 * its programs are loaded against the kernel struct (attach_btf_id) and the member they
 * implement (expected_attach_type: its index there), and attaching writes the value (the
 * object's members copied by name, each function pointer the fd of its loaded program) then
 * registers it: through a link for SEC(".struct_ops.link") maps (BPF_F_LINK), by the map update
 * itself for SEC(".struct_ops") and on kernels without struct_ops links (before 6.4, where a
 * link map is made without the flag). Detaching unregisters (the link closed, or the value
 * deleted).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const struct btf_type *kernel_struct(const struct bel_btf *vmlinux, const char *name,
					    uint32_t *id, struct bel_err *err)
{
	int found = bel_btf_find(vmlinux, name, BTF_KIND_STRUCT);

	if (found < 0) {
		bel_errf(err, ENOTSUP, "the kernel has no struct %s in its BTF (vmlinux)", name);
		return NULL;
	}
	*id = (uint32_t)found;
	return bel_btf_type(vmlinux, (uint32_t)found);
}

/* The kernel member of this name: its index, or -1. */
static int kernel_member(const struct bel_btf *vmlinux, const struct btf_type *st, const char *name)
{
	uint32_t i;

	for (i = 0; i < btf_vlen(st); i++)
		if (!strcmp(bel_btf_str(vmlinux, btf_members(st)[i].name_off) ?: "", name))
			return (int)i;
	return -1;
}

/* struct bpf_struct_ops_<name>: the value the kernel's map holds. */
static const struct btf_type *value_type(const struct bel_btf *vmlinux, const char *name,
					 uint32_t *id, struct bel_err *err)
{
	char vname[256];

	if (strlen(name) > sizeof(vname) - sizeof("bpf_struct_ops_")) {
		bel_errf(err, ENAMETOOLONG, "struct_ops type name of %zu bytes", strlen(name));
		return NULL;
	}
	snprintf(vname, sizeof(vname), "bpf_struct_ops_%s", name);
	if (!kernel_struct(vmlinux, vname, id, err)) {
		bel_errf(err, ENOTSUP, "the kernel has no struct_ops of type %s (no struct %s in its "
			 "BTF)", name, vname);
		return NULL;
	}
	return bel_btf_type(vmlinux, *id);
}

static const char *local_type_name(const struct bel_map *map)
{
	const struct bel_btf *btf = map->obj->spec->btf;

	return bel_btf_type_name(btf, bel_btf_type(btf, map->def->struct_ops_type_id));
}

void ldr_struct_ops_kernel_shape(const struct bel_map *map, struct ldr_map_shape *out)
{
	struct bel_err err = {0};
	const struct bel_btf *vmlinux = ldr_kernel_btf(&err);
	const struct btf_type *vt;
	uint32_t vid;

	out->type = BPF_MAP_TYPE_STRUCT_OPS;
	out->key_size = 4;
	out->max_entries = 1;
	out->numa_node = 0;
	out->map_extra = 0;
	vt = vmlinux ? value_type(vmlinux, local_type_name(map), &vid, &err) : NULL;
	if (vt)
		out->value_size = vt->size; /* else the kernel has no such type: creating says so */
}

int ldr_struct_ops_create(struct bel_map *map, const struct ldr_map_shape *shape,
			  struct bel_err *err)
{
	const struct bel_map_def *def = map->def;
	const struct bel_btf *vmlinux = ldr_kernel_btf(err);
	const struct btf_type *vt;
	struct bel_map_create_args args = {0};
	uint32_t vid;
	int btf_fd, fd;

	if (!vmlinux)
		return bel_err_prefix(err, "struct_ops map '%s' needs kernel BTF", def->name);
	vt = value_type(vmlinux, local_type_name(map), &vid, err);
	if (!vt)
		return bel_err_prefix(err, "struct_ops map '%s'", def->name);
	/* the kernel finds its own type from the map's BTF object: the object's must be there */
	btf_fd = ldr_obj_btf_fd(map->obj);
	if (btf_fd < 0)
		return bel_errf(err, EINVAL, "struct_ops map '%s': the object BTF did not load",
				def->name);
	args.map_type = shape->type;
	args.key_size = shape->key_size;
	args.value_size = shape->value_size;
	args.max_entries = shape->max_entries;
	args.map_flags = shape->map_flags;
	args.btf_fd = (uint32_t)btf_fd;
	args.btf_vmlinux_value_type_id = vid;
	args.name = bel_kernel_features()->prog_name ? def->kname : NULL;
	fd = bel_sys_map_create(&args);
	if (fd == -EINVAL && (args.map_flags & BEL_BPF_F_LINK)) {
		/* before Linux 6.4 there are no struct_ops links: registered by the update instead */
		ldr_obj_msg(map->obj, BEL_MSG_WARN, "struct_ops map '%s': the kernel refused "
			    "BPF_F_LINK; it will be registered without a link", def->name);
		args.map_flags &= ~BEL_BPF_F_LINK;
		fd = bel_sys_map_create(&args);
		if (fd >= 0)
			map->shape.map_flags &= ~BEL_BPF_F_LINK;
	}
	if (fd < 0)
		return bel_errf(err, -fd, "struct_ops map '%s': BPF_MAP_CREATE (value %s, %u bytes, "
				"flags %#x) failed: %s", def->name, bel_btf_type_name(vmlinux, vt),
				vt->size, args.map_flags, strerror(-fd));
	return fd;
}

int ldr_struct_ops_prog_target(const struct bel_program *prog, uint32_t *btf_id,
			       uint32_t *member, struct bel_err *err)
{
	const struct bel_prog_def *def = prog->def;
	const struct bel_btf *vmlinux;
	const struct btf_type *st;
	int m;

	if (!def->struct_ops_type)
		return bel_errf(err, EINVAL, "no struct_ops map of the object points to this program, "
				"so there is no member to load it as");
	vmlinux = ldr_kernel_btf(err);
	if (!vmlinux)
		return err->code;
	st = kernel_struct(vmlinux, def->struct_ops_type, btf_id, err);
	if (!st)
		return err->code;
	m = kernel_member(vmlinux, st, def->struct_ops_member);
	if (m < 0)
		return bel_errf(err, ENOTSUP, "the kernel's struct %s has no member '%s'",
				def->struct_ops_type, def->struct_ops_member);
	*member = (uint32_t)m;
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* The program the object's member `i` points to, or NULL. */
static const struct bel_program *member_prog(const struct bel_map *map, uint32_t i)
{
	uint32_t r;

	for (r = 0; r < map->def->nst_refs; r++)
		if (map->def->st_refs[r].member == i)
			return &map->obj->progs[map->def->st_refs[r].prog];
	return NULL;
}

/* One member of the object's struct into the kernel's value (data: the value's "data"). */
static int fill_member(const struct bel_map *map, const struct bel_btf *vmlinux,
		       const struct btf_type *kst, uint32_t i, const uint8_t *local, uint8_t *data,
		       uint32_t room, struct bel_err *err)
{
	const struct bel_btf *btf = map->obj->spec->btf;
	const struct btf_type *st = bel_btf_type(btf, map->def->struct_ops_type_id);
	const struct btf_member *m = &btf_members(st)[i];
	const char *name = bel_btf_str(btf, m->name_off) ?: "";
	const struct bel_program *prog = member_prog(map, i);
	const struct btf_type *t = bel_btf_skip_mods(btf, m->type, NULL);
	int64_t size = bel_btf_type_size(btf, m->type), ksize;
	uint64_t off = btf_member_bit_offset(st, m) / 8, koff;
	int k;

	if (size < 0 || off + (uint64_t)size > map->def->value_size ||
	    (btf_kflag(st) && BTF_MEMBER_BITFIELD_SIZE(m->offset)) ||
	    btf_member_bit_offset(st, m) % 8)
		return bel_errf(err, EINVAL, "member '%s': not a whole-byte member bel can copy", name);
	k = kernel_member(vmlinux, kst, name);
	if (k < 0) {
		if (!prog && all_zero(local + off, (size_t)size))
			return 0; /* declared, never set: nothing for the kernel to miss */
		return bel_errf(err, ENOTSUP, "member '%s' is set, but the kernel's struct %s has "
				"no such member", name, bel_btf_type_name(vmlinux, kst));
	}
	koff = btf_member_bit_offset(kst, &btf_members(kst)[k]) / 8;
	ksize = bel_btf_type_size(vmlinux, btf_members(kst)[k].type);
	if (ksize < 0 || koff + (uint64_t)ksize > room)
		return bel_errf(err, EINVAL, "member '%s': the kernel's member cannot be sized", name);
	if (t && btf_kind(t) == BTF_KIND_PTR) {
		uint64_t fd;

		if (!prog) {
			if (!all_zero(local + off, (size_t)size))
				return bel_errf(err, EINVAL, "member '%s' points to something other "
						"than a program", name);
			return 0;
		}
		if (bel_program_fd(prog) < 0)
			return bel_errf(err, ENOENT, "member '%s': prog '%s' is not loaded", name,
					prog->def->name);
		if (ksize != 8)
			return bel_errf(err, EINVAL, "member '%s' is not a pointer in the kernel", name);
		fd = (uint64_t)bel_program_fd(prog);
		memcpy(data + koff, &fd, sizeof(fd));
		return 0;
	}
	if (ksize != size)
		return bel_errf(err, EINVAL, "member '%s' is %lld bytes in the object, %lld in the "
				"kernel", name, (long long)size, (long long)ksize);
	memcpy(data + koff, local + off, (size_t)size);
	return 0;
}

/* The value for BPF_MAP_UPDATE_ELEM; *out is malloc'd. map->lock held. */
static int build_value(const struct bel_map *map, uint8_t **out, struct bel_err *err)
{
	const struct bel_btf *vmlinux = ldr_kernel_btf(err);
	const struct btf_type *vt, *kst, *st;
	const uint8_t *local = map->data ? map->data : map->def->init;
	uint32_t vid, kid, i;
	uint64_t doff;
	uint8_t *value;
	int d, ret = 0;

	if (!vmlinux)
		return err->code;
	vt = value_type(vmlinux, local_type_name(map), &vid, err);
	kst = vt ? kernel_struct(vmlinux, local_type_name(map), &kid, err) : NULL;
	if (!vt || !kst)
		return err->code;
	d = kernel_member(vmlinux, vt, "data");
	doff = d < 0 ? 0 : btf_member_bit_offset(vt, &btf_members(vt)[d]) / 8;
	if (d < 0 || doff + kst->size > vt->size)
		return bel_errf(err, ENOTSUP, "the kernel's %s has no member 'data' holding the struct",
				bel_btf_type_name(vmlinux, vt));
	value = calloc(1, vt->size);
	if (!value)
		return bel_errf(err, ENOMEM, "out of memory");
	st = bel_btf_type(map->obj->spec->btf, map->def->struct_ops_type_id);
	for (i = 0; i < btf_vlen(st) && !ret && local; i++)
		ret = fill_member(map, vmlinux, kst, i, local, value + doff, kst->size, err);
	if (ret) {
		free(value);
		return ret;
	}
	*out = value;
	return 0;
}

/* Whether a struct_ops map is registered: its value's state (after the refcount) is INUSE. */
static bool registered(int fd)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info), zero = 0, state = 0;
	uint8_t *value;

	memset(&info, 0, sizeof(info));
	if (bel_sys_obj_get_info_by_fd(fd, &info, &len) || info.value_size < 8 ||
	    !(value = calloc(1, info.value_size)))
		return false;
	if (!bel_sys_map_lookup_elem(fd, &zero, value, 0))
		memcpy(&state, value + 4, sizeof(state));
	free(value);
	return state == 1; /* BPF_STRUCT_OPS_STATE_INUSE */
}

int bel_map_attach_struct_ops(struct bel_map *map)
{
	struct bel_err err = {0};
	uint8_t *value = NULL;
	uint32_t zero = 0;
	int ret, link = -1;

	if (!map->obj || map->def->origin != BEL_MAP_FROM_STRUCT_OPS) {
		bel_errf(&err, EINVAL, "map '%s' is not a struct_ops map", map->def->name);
		return ldr_map_fail(map, &err);
	}
	if (ldr_map_acquire(map, &err))
		goto fail;
	pthread_mutex_lock(&map->lock);
	if (map->st_attached) {
		ret = bel_errf(&err, EBUSY, "already attached");
		goto unlock;
	}
	ret = build_value(map, &value, &err);
	if (!ret)
		ret = bel_sys_map_update_elem(map->fd, &zero, value, 0);
	/* a link map whose value was set before (an earlier link) is registered again as is */
	if (ret == -EBUSY && (map->shape.map_flags & BEL_BPF_F_LINK))
		ret = 0;
	/* a map taken from a pin (a restart) that an earlier run registered by its update: it
	 * is registered, and stays so as it was */
	if (ret == -EBUSY && map->reuse_fd >= 0 && registered(map->fd)) {
		map->st_attached = true;
		map->st_kept = true;
		map->st_link_fd = -1;
		goto unlock;
	}
	if (ret && !err.code)
		bel_errf(&err, -ret, "registering it (BPF_MAP_UPDATE_ELEM) failed: %s", strerror(-ret));
	if (!ret && (map->shape.map_flags & BEL_BPF_F_LINK)) {
		struct bel_link_create_args args = {.prog_fd = map->fd,
						    .attach_type = BEL_BPF_STRUCT_OPS};

		link = bel_sys_link_create_ext(&args);
		if (link < 0)
			ret = bel_errf(&err, -link, "BPF_LINK_CREATE failed: %s", strerror(-link));
	}
	if (!ret) {
		map->st_attached = true;
		map->st_link_fd = link;
	}
unlock:
	pthread_mutex_unlock(&map->lock);
	free(value);
	if (!ret)
		return link >= 0 ? link : 0;
	ldr_map_release(map, false);
fail:
	bel_err_prefix(&err, "struct_ops map '%s'", map->def->name);
	if (map->obj)
		bel_err_prefix(&err, "object '%s'", map->obj->spec->obj_name);
	return ldr_map_fail(map, &err);
}

/* Unregister (map->lock held): the link closed, or the value of a map without one deleted. */
void ldr_struct_ops_unregister(struct bel_map *map)
{
	uint32_t zero = 0;

	if (!map->st_attached)
		return;
	if (map->st_link_fd >= 0)
		close(map->st_link_fd);
	else if (map->fd >= 0)
		bel_sys_map_delete_elem(map->fd, &zero);
	map->st_link_fd = -1;
	map->st_attached = false;
}

void ldr_struct_ops_keep_pinned(struct bel_object *obj)
{
	size_t i;

	for (i = 0; i < obj->spec->nmaps; i++) {
		struct bel_map *map = &obj->maps[i];

		pthread_mutex_lock(&map->lock);
		if (map->st_attached && map->st_link_fd < 0)
			map->st_kept = true;
		pthread_mutex_unlock(&map->lock);
	}
}

int bel_map_detach_struct_ops(struct bel_map *map)
{
	bool was;

	if (!map->obj)
		return 0;
	pthread_mutex_lock(&map->lock);
	map->st_kept = false; /* asked for: unregistered even when pinned */
	was = map->st_attached;
	ldr_struct_ops_unregister(map);
	pthread_mutex_unlock(&map->lock);
	if (was)
		ldr_map_release(map, false);
	return 0;
}

int bel_map_struct_ops_link_fd(const struct bel_map *map)
{
	return map->obj && map->st_attached ? map->st_link_fd : -1;
}
