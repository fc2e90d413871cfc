/* SPDX-License-Identifier: MIT */
#include "ld_cache.h"

#include <stdint.h>
#include <string.h>

#define OLD_MAGIC "ld.so-1.7.0"
#define NEW_MAGIC "glibc-ld.so.cache1.1"
#define OLD_HEADER 16u    /* magic[11], then nlibs at offset 12 */
#define OLD_ENTRY 12u     /* flags, key, value */
#define NEW_HEADER 48u    /* magic+version[20], nlibs, len_strings, flags, pad, extension, unused */
#define NEW_ENTRY 24u     /* flags, key, value, osversion, hwcap */

/* Entry flags: the library type in the low byte, the ABI it needs in the next. */
#define FLAG_TYPE_MASK 0x00ff
#define FLAG_ELF_LIBC6 0x0003
#define FLAG_REQUIRED_MASK 0xff00
#if defined(__x86_64__)
#define HOST_ABI 0x0300   /* x86-64 */
#elif defined(__aarch64__)
#define HOST_ABI 0x0a00   /* AArch64 */
#else
#define HOST_ABI -1       /* unknown: no entry matches */
#endif

static const char *str_at(const uint8_t *buf, size_t size, uint32_t off)
{
	if (off >= size || !memchr(buf + off, '\0', size - off))
		return NULL;
	return (const char *)buf + off;
}

const char *bel_ld_cache_lookup(const void *data, size_t size, const char *name)
{
	const uint8_t *buf = data;
	uint64_t base = 0, i;
	uint32_t nlibs;

	if (!buf)
		return NULL;
	if (size >= OLD_HEADER && !memcmp(buf, OLD_MAGIC, sizeof(OLD_MAGIC) - 1)) {
		/* the new table follows the old one, 8-byte aligned */
		memcpy(&nlibs, buf + 12, 4);
		base = OLD_HEADER + (uint64_t)nlibs * OLD_ENTRY;
		base = (base + 7) & ~7ull;
	}
	if (base > size || size - base < NEW_HEADER ||
	    memcmp(buf + base, NEW_MAGIC, sizeof(NEW_MAGIC) - 1))
		return NULL;
	memcpy(&nlibs, buf + base + 20, 4);
	if ((uint64_t)nlibs * NEW_ENTRY > size - base - NEW_HEADER)
		return NULL;
	for (i = 0; i < nlibs; i++) {
		const uint8_t *e = buf + base + NEW_HEADER + i * NEW_ENTRY;
		int32_t flags;
		uint32_t key, value;
		const char *k, *v;

		memcpy(&flags, e, 4);
		memcpy(&key, e + 4, 4);
		memcpy(&value, e + 8, 4);
		if ((flags & FLAG_TYPE_MASK) != FLAG_ELF_LIBC6 ||
		    (flags & FLAG_REQUIRED_MASK) != HOST_ABI)
			continue;
		/* string offsets count from the start of the new table's header */
		k = str_at(buf + base, size - base, key);
		v = str_at(buf + base, size - base, value);
		if (k && v && !strcmp(k, name))
			return v;
	}
	return NULL;
}
