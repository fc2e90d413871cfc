/* SPDX-License-Identifier: MIT */
/* The map behind a ring buffer or perf buffer reader: checked to be what the reader expects. */
#ifndef BEL_LOADER_EVENT_MAP_H
#define BEL_LOADER_EVENT_MAP_H

#include <linux/bpf.h>
#include <stdint.h>

#include "common/err.h"

/*
 * Read the info of map fd `fd` into *info and check that it is a BPF map of type `want`;
 * otherwise -errno with a message naming the fd and what it is ("reader: map fd 7 is a hash
 * map (type 1), not a ringbuf").
 */
int ldr_event_map_info(int fd, uint32_t want, const char *reader, struct bpf_map_info *info,
		       struct bel_err *err);

#endif
