/* SPDX-License-Identifier: MIT */
/* A tree made by bel_object_pin, read safely as it is now (pin_tree.c); what unpin, adopt and
 * status work from. */
#ifndef BEL_LOADER_PIN_TREE_H
#define BEL_LOADER_PIN_TREE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "common/err.h"
#include "pin_names.h"

enum { BEL_PIN_MAPS, BEL_PIN_PROGRAMS, BEL_PIN_LINKS, BEL_PIN_KINDS };
extern const char *const ldr_pin_dirs[BEL_PIN_KINDS]; /* "maps", "programs", "links" */

struct ldr_tree_pin {
	char name[BEL_NAME_MAX + 1];
	int fd;              /* the pinned object, opened as the tree was read */
	bool removed;
};

struct ldr_tree_dir {
	bool present, removed;
	int fd;
	struct ldr_tree_pin *pins;
	uint32_t count, cap;
};

struct ldr_pin_tree {
	char parent_path[PATH_MAX];
	char shown[PATH_MAX + 64];  /* parent/name, for messages */
	int parent_fd, fd;
	char name[BEL_NAME_MAX + 1];
	char tmp[64];               /* a name it has for a while (unpin, adopt) */
	struct stat st;
	struct ldr_tree_dir dirs[BEL_PIN_KINDS];
};

void ldr_pin_tree_init(struct ldr_pin_tree *t);
void ldr_pin_tree_free(struct ldr_pin_tree *t);
/* Split path into its parent (opened, on bpffs) and its name (checked as a component). */
int ldr_pin_tree_locate(struct ldr_pin_tree *t, const char *path, struct bel_err *err);
/* Read the tree parent_fd/name whole (see pin_tree.c for what it must be). path: for messages. */
int ldr_pin_tree_read(struct ldr_pin_tree *t, const char *path, struct bel_err *err);
const struct ldr_tree_pin *ldr_pin_tree_find(const struct ldr_pin_tree *t, int kind,
					     const char *name);
/* Why an entry cannot be opened, in words. */
const char *ldr_pin_open_failure(int err);

#endif
