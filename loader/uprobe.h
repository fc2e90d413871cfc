/* SPDX-License-Identifier: MIT */
/*
 * uprobes and USDT probes: the binary a probe goes into (found, read, parsed), the uprobe PMU,
 * and one probe as a BPF link.
 */
#ifndef BEL_LOADER_UPROBE_H
#define BEL_LOADER_UPROBE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <stdint.h>

#include "elf/binary.h"
#include "internal.h"

/* What bel reads of a binary at most (a probe needs its whole symbol and note tables). */
#define BEL_TARGET_MAX_SIZE (1ull << 30)

struct ldr_target_binary {
	int fd;                       /* the file that was read, kept open */
	char path[PATH_MAX];          /* as found: what the kernel is given, and what it reports */
	uint64_t dev, ino;            /* the file that was read: the path must still name it
					 when the probe is made */
	void *image;
	size_t size;
	struct bel_binary *bin;
};

/* Find (see bel_attach_opts.binary), open, read and parse a binary. */
int ldr_target_binary_open(const char *name, struct ldr_target_binary *t, struct bel_err *err);
void ldr_target_binary_close(struct ldr_target_binary *t);
/* Whether the path still names the file that was read (-ESTALE with a message if not). */
int ldr_target_binary_check(const struct ldr_target_binary *t, struct bel_err *err);
/* Where a bare name is found (path of PATH_MAX bytes). 0 or -ENOENT with a message. */
int ldr_target_binary_find(const char *name, char *path, struct bel_err *err);

struct ldr_uprobe {
	const struct ldr_target_binary *bin;
	uint64_t offset;              /* in the file */
	uint64_t ref_ctr_offset;      /* 0: none */
	uint64_t cookie;
	int pid;                      /* > 0: that process only */
	bool retprobe;
};
/* One uprobe on the uprobe PMU, linked to the program (BPF_LINK_CREATE with the cookie). */
int ldr_uprobe_link(int prog_fd, const struct ldr_uprobe *u, struct bel_err *err);

/* One USDT attach: what detaching it gives back. */
struct ldr_usdt_link {
	int32_t *ids;                 /* spec ids it took */
	uint32_t nids;
	uint64_t *ips;                /* keys it added to __bpf_usdt_ip_to_spec_id */
	uint32_t nips;
	bool pinned;                  /* its links were pinned: its ids are never given back */
};

/* The object's spec ids (indices into __bpf_usdt_specs): given back ones first, then new. */
struct ldr_usdt_ids {
	pthread_mutex_t lock;
	int32_t *free;
	uint32_t nfree, cap;
	uint32_t next;
};

int ldr_attach_uprobe(struct bel_program *prog, int prog_fd, const struct bel_attach_opts *o,
		      struct bel_err *err);
/* One uprobe_multi link on the functions a glob or the options name. */
int ldr_attach_uprobe_multi(const struct bel_program *prog, int prog_fd,
			    const struct bel_attach_opts *o, struct bel_err *err);
/* Every site of the USDT probe: its links are added to prog's (prog->lock held) but the last,
 * which is returned for the caller to add. */
int ldr_attach_usdt(struct bel_program *prog, int prog_fd, const struct bel_attach_opts *o,
		    struct bel_err *err);
/* The program's links are going (prog->lock held): give back their USDT spec ids and remove
 * their ip entries, except for links that were pinned, whose ids stay taken. */
void ldr_usdt_release(struct bel_program *prog);
/* bel_object_pin pinned every link: the spec ids of USDT links in use now are never reused. */
void ldr_usdt_keep_pinned(struct bel_object *obj);
void ldr_usdt_state_free(struct bel_object *obj);

#endif
