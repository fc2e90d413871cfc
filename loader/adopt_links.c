/* SPDX-License-Identifier: MIT */
/*
 * An adoption's links (adopt.h): a pinned link follows its program. Kept when the program was
 * taken; moved to the new program with BPF_LINK_UPDATE (naming the old one, so two upgraders
 * cannot both win) when the program changed; where the link kind cannot be moved, a new link is
 * made (the two overlap until the old one goes with the old tree) if the section says where to
 * attach, else reported lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "adopt.h"
#include "internal.h"
#include "pin_names.h"
#include "pinned_match.h"

/* The object's program that the pinned program with this id was loaded for (by its pin name),
 * and that program's pinned fd; NULL when the object has none by that name any more. */
static struct bel_program *owner(struct bel_object *obj, struct ldr_adoption *a, uint32_t prog_id,
				 int *old_fd)
{
	const struct ldr_tree_dir *dir = &a->tree.dirs[BEL_PIN_PROGRAMS];
	uint32_t i, p;

	for (i = 0; i < dir->count; i++) {
		if (!a->old_prog_ids[i])
			a->old_prog_ids[i] = ldr_fd_id(dir->pins[i].fd, false);
		if (a->old_prog_ids[i] != prog_id)
			continue;
		*old_fd = dir->pins[i].fd;
		for (p = 0; p < obj->spec->nprogs; p++) {
			char name[BEL_NAME_MAX + 1];

			bel_pin_name(obj->spec->progs[p].name, name, sizeof(name));
			if (!strcmp(name, dir->pins[i].name))
				return &obj->progs[p];
		}
	}
	return NULL;
}

int ldr_adopt_links(struct bel_object *obj, struct ldr_adoption *a, struct bel_err *err)
{
	const struct ldr_tree_dir *dir = &a->tree.dirs[BEL_PIN_LINKS];
	uint32_t i;

	for (i = 0; i < dir->count; i++) {
		struct bpf_link_info info;
		uint32_t len = sizeof(info);
		struct bel_program *prog;
		int old_fd = -1, fd, ret;

		memset(&info, 0, sizeof(info));
		if (bel_sys_obj_get_info_by_fd(dir->pins[i].fd, &info, &len))
			continue;
		prog = owner(obj, a, info.prog_id, &old_fd);
		if (!prog || bel_program_fd(prog) < 0) {
			a->report.links_dropped++;
			continue;
		}
		if (ldr_fd_id(bel_program_fd(prog), false) != info.prog_id) {
			/* the program changed: move the link, atomically, if no one else did */
			ret = bel_sys_link_update(dir->pins[i].fd, bel_program_fd(prog), old_fd);
			if (ret) {
				fd = bel_program_attachable(prog, NULL) ? bel_program_attach(prog, NULL)
									  : -EOPNOTSUPP;
				if (fd < 0) {
					a->report.links_lost++;
					ldr_obj_msg(obj, BEL_MSG_WARN, "object '%s': prog '%s': link %s "
						    "cannot move to the new program (%s) and its section "
						    "does not say where to attach it again: it goes with "
						    "the old tree", obj->spec->obj_name, prog->def->name,
						    dir->pins[i].name, strerror(-ret));
				} else {
					a->report.links_replaced++; /* the old one goes at the exchange */
				}
				continue;
			}
			a->report.links_updated++;
		} else {
			a->report.links_kept++;
		}
		fd = fcntl(dir->pins[i].fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return bel_errf(err, errno, "cannot keep link %s: %s", dir->pins[i].name,
					strerror(errno));
		pthread_mutex_lock(&prog->lock);
		ret = ldr_prog_keep_link(prog, fd);
		pthread_mutex_unlock(&prog->lock);
		if (ret) {
			close(fd);
			return bel_errf(err, ENOMEM, "out of memory");
		}
	}
	return 0;
}
