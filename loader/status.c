/* SPDX-License-Identifier: MIT */
/*
 * What a pinned tree holds, and, given the object, how each pin compares with what the object
 * would load: adopt's own judgement (pinned_match.c), without taking anything. What an operator
 * checks before and after a rollout (`bel status`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "pin_tree.h"
#include "pinned_match.h"

struct bel_pin_status {
	struct bel_pinned *items;
	unsigned int count, cap;
};

static struct bel_pinned *add(struct bel_pin_status *st, enum bel_pinned_kind kind,
			      const char *name, struct bel_err *err)
{
	struct bel_pinned *it;

	if (st->count == st->cap) {
		unsigned int cap = st->cap ? st->cap * 2 : 32;
		struct bel_pinned *grown = realloc(st->items, cap * sizeof(*grown));

		if (!grown) {
			bel_errf(err, ENOMEM, "out of memory");
			return NULL;
		}
		st->items = grown;
		st->cap = cap;
	}
	it = &st->items[st->count++];
	memset(it, 0, sizeof(*it));
	it->sz = sizeof(*it);
	it->kind = kind;
	snprintf(it->name, sizeof(it->name), "%s", name);
	return it;
}

static void describe(struct bel_pinned *it, int fd)
{
	union {
		struct bpf_map_info map;
		struct bpf_prog_info prog;
		struct bpf_link_info link;
	} info;
	uint32_t len = sizeof(info), i;

	memset(&info, 0, sizeof(info));
	if (bel_sys_obj_get_info_by_fd(fd, &info, &len))
		return;
	switch (it->kind) {
	case BEL_PINNED_MAP:
		it->id = info.map.id;
		it->type = info.map.type;
		it->key_size = info.map.key_size;
		it->value_size = info.map.value_size;
		it->max_entries = info.map.max_entries;
		it->flags = info.map.map_flags;
		break;
	case BEL_PINNED_PROGRAM:
		it->id = info.prog.id;
		it->type = info.prog.type;
		for (i = 0; i < BPF_TAG_SIZE; i++)
			snprintf(it->tag + 2 * i, 3, "%02x", info.prog.tag[i]);
		break;
	case BEL_PINNED_LINK:
		it->id = info.link.id;
		it->type = info.link.type;
		it->prog_id = info.link.prog_id;
		break;
	}
}

/* Maps and programs of the object against the tree: states, and the ids maps would have. */
static int compare(struct bel_pin_status *st, const struct ldr_pin_tree *t,
		   struct bel_object *obj, struct bel_err *err)
{
	uint32_t *taken = calloc(obj->spec->nmaps + 1, sizeof(*taken));
	uint32_t *map_ids = NULL, i, j;
	int ret = 0;

	if (!taken)
		return bel_errf(err, ENOMEM, "out of memory");
	if (obj->spec->kconfig_map >= 0)
		ldr_obj_resolve_externs(obj, err); /* .kconfig's values, to compare with its pin */
	for (i = 0; i < obj->spec->nmaps; i++) {
		struct bel_pinned *it;
		char name[BEL_NAME_MAX + 1], where[PATH_MAX + 320];
		const struct ldr_tree_pin *pin;
		struct bel_err why = {0};

		bel_pin_name(obj->spec->maps[i].name, name, sizeof(name));
		pin = ldr_pin_tree_find(t, BEL_PIN_MAPS, name);
		if (!pin)
			continue;
		it = &st->items[pin - t->dirs[BEL_PIN_MAPS].pins];
		snprintf(where, sizeof(where), "%s/maps/%s", t->shown, name);
		if (!ldr_pinned_map_matches(&obj->maps[i], pin->fd, where, &taken[i], &why)) {
			it->state = BEL_PINNED_SAME;
		} else {
			taken[i] = 0;
			it->state = BEL_PINNED_CHANGED;
			snprintf(it->why, sizeof(it->why), "%s", why.msg);
		}
	}
	map_ids = ldr_expected_map_ids(obj, taken);
	for (i = 0; map_ids && i < obj->spec->nprogs; i++) {
		unsigned int at = t->dirs[BEL_PIN_MAPS].count;
		const struct ldr_tree_pin *pin;
		char name[BEL_NAME_MAX + 1];
		struct bel_pinned *it;
		uint32_t id = 0;

		bel_pin_name(obj->spec->progs[i].name, name, sizeof(name));
		pin = ldr_pin_tree_find(t, BEL_PIN_PROGRAMS, name);
		if (!pin)
			continue;
		it = &st->items[at + (pin - t->dirs[BEL_PIN_PROGRAMS].pins)];
		it->state = ldr_pinned_prog_matches(&obj->progs[i], map_ids, pin->fd, &id, it->why,
						    sizeof(it->why)) ? BEL_PINNED_SAME
								      : BEL_PINNED_CHANGED;
		if (it->state == BEL_PINNED_SAME)
			it->why[0] = '\0';
	}
	if (!map_ids)
		ret = bel_errf(err, ENOMEM, "out of memory");
	/* a link goes as its program goes */
	for (i = 0; i < st->count; i++) {
		struct bel_pinned *link = &st->items[i];

		if (link->kind != BEL_PINNED_LINK)
			continue;
		link->state = BEL_PINNED_EXTRA;
		for (j = 0; j < st->count; j++)
			if (st->items[j].kind == BEL_PINNED_PROGRAM && st->items[j].id == link->prog_id)
				link->state = st->items[j].state;
		if (link->state == BEL_PINNED_CHANGED)
			snprintf(link->why, sizeof(link->why), "its program changed: the link moves to "
				 "the new one (or is made anew, where its kind cannot move)");
	}
	free(taken);
	free(map_ids);
	return ret;
}

/* What the object has that the tree does not (only what it could pin: maps, programs). */
static int missing(struct bel_pin_status *st, const struct ldr_pin_tree *t,
		   const struct bel_object *obj, struct bel_err *err)
{
	uint32_t i;

	for (i = 0; i < obj->spec->nmaps + obj->spec->nprogs; i++) {
		bool map = i < obj->spec->nmaps;
		const char *orig = map ? obj->spec->maps[i].name
				       : obj->spec->progs[i - obj->spec->nmaps].name;
		char name[BEL_NAME_MAX + 1];
		struct bel_pinned *it;

		bel_pin_name(orig, name, sizeof(name));
		if (ldr_pin_tree_find(t, map ? BEL_PIN_MAPS : BEL_PIN_PROGRAMS, name))
			continue;
		it = add(st, map ? BEL_PINNED_MAP : BEL_PINNED_PROGRAM, name, err);
		if (!it)
			return err->code;
		it->state = BEL_PINNED_MISSING;
	}
	return 0;
}

static int status(const char *path, struct bel_object *obj, struct bel_pin_status *st,
		  struct bel_err *err)
{
	static const enum bel_pinned_kind kinds[] = {BEL_PINNED_MAP, BEL_PINNED_PROGRAM,
						     BEL_PINNED_LINK};
	struct ldr_pin_tree t;
	uint32_t k, i;
	int ret;

	ldr_pin_tree_init(&t);
	ret = ldr_pin_tree_locate(&t, path, err);
	if (!ret)
		ret = ldr_pin_tree_read(&t, t.shown, err);
	/* the tree's pins, in its order: maps, programs, links (compare relies on it) */
	for (k = 0; !ret && k < BEL_PIN_KINDS; k++)
		for (i = 0; !ret && i < t.dirs[k].count; i++) {
			struct bel_pinned *it = add(st, kinds[k], t.dirs[k].pins[i].name, err);

			if (!it) {
				ret = err->code;
				break;
			}
			describe(it, t.dirs[k].pins[i].fd);
			it->state = obj ? BEL_PINNED_EXTRA : BEL_PINNED_LISTED;
		}
	if (!ret && obj)
		ret = compare(st, &t, obj, err);
	if (!ret && obj)
		ret = missing(st, &t, obj, err);
	ldr_pin_tree_free(&t);
	return ret;
}

int bel_pin_status_read(const char *path, struct bel_object *obj, struct bel_pin_status **out)
{
	struct bel_pin_status *st = calloc(1, sizeof(*st));
	struct bel_err err = {0};
	int ret;

	*out = NULL;
	if (!st) {
		bel_errf(&err, ENOMEM, "out of memory");
		return obj ? ldr_obj_fail(obj, &err) : ldr_thread_fail(&err);
	}
	ret = path ? status(path, obj, st, &err) : bel_errf(&err, EINVAL, "no path given");
	if (ret) {
		bel_pin_status_free(st);
		bel_err_prefix(&err, "status of %s", path ? path : "(null)");
		if (obj) {
			bel_err_prefix(&err, "object '%s'", obj->spec->obj_name);
			return ldr_obj_fail(obj, &err);
		}
		return ldr_thread_fail(&err);
	}
	*out = st;
	return 0;
}

unsigned int bel_pin_status_count(const struct bel_pin_status *st)
{
	return st ? st->count : 0;
}

int bel_pin_status_item(const struct bel_pin_status *st, unsigned int i, struct bel_pinned *out)
{
	size_t sz;

	if (!st || !out || i >= st->count || out->sz < sizeof(size_t))
		return !st || !out || out->sz < sizeof(size_t) ? -EINVAL : -ENOENT;
	sz = out->sz < sizeof(*out) ? out->sz : sizeof(*out);
	memcpy(out, &st->items[i], sz);
	out->sz = sz;
	return 0;
}

void bel_pin_status_free(struct bel_pin_status *st)
{
	if (!st)
		return;
	free(st->items);
	free(st);
}
