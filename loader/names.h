/* SPDX-License-Identifier: MIT */
/* Names of kernel enums for people: bpftool's spelling, so outputs can be compared. */
#ifndef BEL_LOADER_NAMES_H
#define BEL_LOADER_NAMES_H

#include <stdint.h>

const char *ldr_prog_type_name(uint32_t type);
const char *ldr_map_type_name(uint32_t type);
const char *ldr_link_type_name(uint32_t type);
/* The program type of a name ("socket_filter", "xdp", ...), or -1. */
int ldr_prog_type_by_name(const char *name);

#endif
