/* SPDX-License-Identifier: MIT */
/*
 * /etc/ld.so.cache, as glibc's ldconfig writes it ("glibc-ld.so.cache1.1", alone or after the
 * old "ld.so-1.7.0" table): which file a library name ("libc.so.6") stands for on this machine.
 * Pure: the caller reads the file. Every count, offset and string is checked against the
 * buffer.
 */
#ifndef BEL_ELF_LD_CACHE_H
#define BEL_ELF_LD_CACHE_H

#include <stddef.h>

/* The path of the first entry for this machine's ABI whose name is name, pointing into buf;
 * NULL when there is none or the cache is not one this parser reads. */
const char *bel_ld_cache_lookup(const void *buf, size_t size, const char *name);

#endif
