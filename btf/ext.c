/* SPDX-License-Identifier: MIT */
#include "ext.h"

#include "common/array.h"
#include "common/limits.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ext_header {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len;
	uint32_t func_info_off, func_info_len;
	uint32_t line_info_off, line_info_len;
	uint32_t core_relo_off, core_relo_len; /* present when hdr_len allows */
};

static uint32_t rec_insn_off(const uint8_t *rec)
{
	uint32_t off;

	memcpy(&off, rec, sizeof(off));
	return off;
}

static bool records_sorted(const uint8_t *recs, uint32_t count, uint32_t rec_size)
{
	uint32_t i;

	for (i = 1; i < count; i++)
		if (rec_insn_off(recs + (size_t)i * rec_size) <
		    rec_insn_off(recs + (size_t)(i - 1) * rec_size))
			return false;
	return true;
}

struct rec_key {
	uint32_t insn_off, index;
};

static int cmp_rec_key(const void *a, const void *b)
{
	const struct rec_key *x = a, *y = b;

	if (x->insn_off != y->insn_off)
		return x->insn_off < y->insn_off ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Records out of order are put in order (keeping the order of equal offsets), so every user
 * can search them: finding a function's records by a scan of the whole section, once per
 * program that holds the function, grows with programs times records. They go in a copy of
 * their own (NULL when out of memory; the caller frees it), since the data is the caller's.
 */
static uint8_t *sorted_copy(const uint8_t *recs, uint32_t count, uint32_t rec_size)
{
	struct rec_key *keys = malloc((size_t)count * sizeof(*keys));
	uint8_t *copy = malloc((size_t)count * rec_size);
	uint32_t i;

	if (!keys || !copy) {
		free(keys);
		free(copy);
		return NULL;
	}
	for (i = 0; i < count; i++) {
		keys[i].insn_off = rec_insn_off(recs + (size_t)i * rec_size);
		keys[i].index = i;
	}
	qsort(keys, count, sizeof(*keys), cmp_rec_key);
	for (i = 0; i < count; i++)
		memcpy(copy + (size_t)i * rec_size, recs + (size_t)keys[i].index * rec_size, rec_size);
	free(keys);
	return copy;
}

static int parse_info(struct bel_btf_ext *ext, const struct bel_btf *btf, const char *what,
		      uint32_t off, uint32_t len, uint32_t min_rec, struct bel_btf_ext_info *info,
		      struct bel_err *err)
{
	const uint8_t *p, *end;
	uint32_t cap = 0;

	if (!len)
		return 0;
	if ((uint64_t)off + len > ext->raw_size || len < 4)
		return bel_errf(err, EINVAL, ".BTF.ext %s: [%u, +%u) out of range", what, off, len);
	p = ext->raw + off;
	end = p + len;
	memcpy(&info->rec_size, p, 4);
	p += 4;
	if (info->rec_size < min_rec || info->rec_size % 4 || info->rec_size > 1024)
		return bel_errf(err, EINVAL, ".BTF.ext %s: bad record size %u", what, info->rec_size);
	while (p < end) {
		uint32_t name_off, count;
		const char *name;

		if (end - p < 8)
			return bel_errf(err, EINVAL, ".BTF.ext %s: truncated section header", what);
		memcpy(&name_off, p, 4);
		memcpy(&count, p + 4, 4);
		p += 8;
		name = bel_btf_str(btf, name_off);
		if (!name || !*name || strnlen(name, BEL_BTF_NAME_MAX + 1) > BEL_BTF_NAME_MAX)
			return bel_errf(err, EINVAL, ".BTF.ext %s: section name offset %u is not a string "
					"of at most %u bytes", what, name_off, BEL_BTF_NAME_MAX);
		if (count == 0 || (uint64_t)count * info->rec_size > (uint64_t)(end - p))
			return bel_errf(err, EINVAL, ".BTF.ext %s: section '%s': %u records overrun the data",
					what, name, count);
		if (bel_grow(&info->secs, (uint32_t)info->nsecs, &cap, sizeof(*info->secs), 8))
			return bel_errf(err, ENOMEM, "out of memory");
		info->secs[info->nsecs].name = name;
		info->secs[info->nsecs].count = count;
		info->secs[info->nsecs].recs = p;
		info->secs[info->nsecs].owned = NULL;
		if (!records_sorted(p, count, info->rec_size)) {
			info->secs[info->nsecs].owned = sorted_copy(p, count, info->rec_size);
			if (!info->secs[info->nsecs].owned)
				return bel_errf(err, ENOMEM, "out of memory");
			info->secs[info->nsecs].recs = info->secs[info->nsecs].owned;
		}
		info->secs[info->nsecs].sorted = true;
		info->nsecs++;
		p += (size_t)count * info->rec_size;
	}
	return 0;
}

int bel_btf_ext_parse(const void *data, size_t size, const struct bel_btf *btf,
		      struct bel_btf_ext **out, struct bel_err *err)
{
	struct ext_header h = {0};
	struct bel_btf_ext *ext;
	int ret;

	*out = NULL;
	if (size < offsetof(struct ext_header, core_relo_off))
		return bel_errf(err, EINVAL, ".BTF.ext: %zu bytes is shorter than its header", size);
	memcpy(&h, data, offsetof(struct ext_header, core_relo_off));
	if (h.magic != BTF_MAGIC)
		return bel_errf(err, EINVAL, ".BTF.ext: bad magic 0x%04x", h.magic);
	if (h.version != BTF_VERSION)
		return bel_errf(err, ENOTSUP, ".BTF.ext: version %u not supported", h.version);
	if (h.hdr_len < offsetof(struct ext_header, core_relo_off) || h.hdr_len > size)
		return bel_errf(err, EINVAL, ".BTF.ext: header length %u out of range", h.hdr_len);
	if (h.hdr_len >= sizeof(h))
		memcpy(&h, data, sizeof(h));

	ext = calloc(1, sizeof(*ext));
	if (!ext)
		return bel_errf(err, ENOMEM, "out of memory");
	ext->raw_size = size - h.hdr_len;
	ext->raw = (const uint8_t *)data + h.hdr_len;
	ret = parse_info(ext, btf, "func_info", h.func_info_off, h.func_info_len, BEL_FUNC_INFO_MIN,
			 &ext->func_info, err);
	if (!ret)
		ret = parse_info(ext, btf, "line_info", h.line_info_off, h.line_info_len,
				 BEL_LINE_INFO_MIN, &ext->line_info, err);
	if (!ret && h.hdr_len >= sizeof(h))
		ret = parse_info(ext, btf, "core_relo", h.core_relo_off, h.core_relo_len,
				 BEL_CORE_RELO_MIN, &ext->core_relo, err);
	if (ret) {
		bel_btf_ext_free(ext);
		return ret;
	}
	*out = ext;
	return 0;
}

int bel_btf_ext_parse_owned(void *data, size_t size, const struct bel_btf *btf,
			    struct bel_btf_ext **out, struct bel_err *err)
{
	int ret = bel_btf_ext_parse(data, size, btf, out, err);

	if (ret)
		free(data);
	else
		(*out)->owned_data = data;
	return ret;
}

/* Every record pointer into [from, from + size) moved to the same place in to. */
static void rebase(struct bel_btf_ext_info *info, const uint8_t *from, size_t size, const uint8_t *to)
{
	size_t i;

	for (i = 0; i < info->nsecs; i++)
		if (!info->secs[i].owned && info->secs[i].recs >= from &&
		    info->secs[i].recs < from + size)
			info->secs[i].recs = to + (info->secs[i].recs - from);
}

int bel_btf_ext_own(struct bel_btf_ext *ext)
{
	uint8_t *copy;

	if (ext->owned_data)
		return 0;
	copy = malloc(ext->raw_size ? ext->raw_size : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, ext->raw, ext->raw_size);
	rebase(&ext->func_info, ext->raw, ext->raw_size, copy);
	rebase(&ext->line_info, ext->raw, ext->raw_size, copy);
	rebase(&ext->core_relo, ext->raw, ext->raw_size, copy);
	ext->raw = copy;
	ext->owned_data = copy;
	return 0;
}

static void infos_free(struct bel_btf_ext_info *info)
{
	size_t i;

	for (i = 0; i < info->nsecs; i++)
		free(info->secs[i].owned);
	free(info->secs);
}

void bel_btf_ext_free(struct bel_btf_ext *ext)
{
	if (!ext)
		return;
	infos_free(&ext->func_info);
	infos_free(&ext->line_info);
	infos_free(&ext->core_relo);
	free(ext->owned_data);
	free(ext);
}

const struct bel_btf_ext_sec *bel_btf_ext_find(const struct bel_btf_ext_info *info, const char *sec)
{
	size_t i;

	for (i = 0; i < info->nsecs; i++)
		if (strcmp(info->secs[i].name, sec) == 0)
			return &info->secs[i];
	return NULL;
}
