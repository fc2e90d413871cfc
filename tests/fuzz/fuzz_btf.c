/* SPDX-License-Identifier: MIT */
/*
 * fuzz_btf: raw bytes as a BTF blob (bel_btf_parse), then every type id through
 * bel_btf_type, bel_btf_type_name, bel_btf_skip_mods and bel_btf_type_size, and lookups by
 * name. When the blob parses:
 * - the same bytes go through bel_btf_ext_parse against it (they rarely parse; harmless);
 * - the bytes after the blob (past its header, type and string sections), if any, go through
 *   bel_btf_ext_parse against it and, separately, through bel_btf_parse as split BTF on top
 *   of it (the way kernel module BTF sits on vmlinux BTF).
 * So an input "<.BTF><.BTF.ext>" (what scripts/fuzz.sh seeds it with) reaches the .BTF.ext
 * parser with names that resolve.
 */
#include "btf/btf.h"
#include "btf/ext.h"
#include "fuzz.h"
#include "walk.h"

static void try_ext(const uint8_t *data, size_t size, const struct bel_btf *btf)
{
	struct bel_btf_ext *ext;
	struct bel_err err = {0};

	if (bel_btf_ext_parse(data, size, btf, &ext, &err) == 0) {
		fuzz_check(ext != NULL, "ext_parse succeeded without a result");
		fuzz_walk_ext(ext);
		bel_btf_ext_free(ext);
	} else {
		fuzz_check(ext == NULL && err.code < 0 && err.msg[0], "ext_parse failed: code %d, '%s'",
			   err.code, err.msg);
	}
}

int bel_fuzz_btf(const uint8_t *data, size_t size)
{
	struct bel_btf *btf, *split;
	struct bel_err err = {0};
	const struct btf_header *h;
	uint64_t end;

	if (bel_btf_parse(data, size, NULL, true, &btf, &err)) {
		fuzz_check(btf == NULL && err.code < 0 && err.msg[0], "parse failed: code %d, '%s'",
			   err.code, err.msg);
		return 0;
	}
	fuzz_check(btf != NULL && btf->owned && btf->start_id == 1, "parse result");
	fuzz_walk_btf(btf);
	try_ext(data, size, btf);

	/* The rest of the input, after the blob's last section. */
	h = btf->hdr;
	end = (uint64_t)h->hdr_len + h->type_off + h->type_len;
	if (end < (uint64_t)h->hdr_len + h->str_off + h->str_len)
		end = (uint64_t)h->hdr_len + h->str_off + h->str_len;
	fuzz_check(end <= size, "blob ends at %llu of %zu bytes", (unsigned long long)end, size);
	if (end < size) {
		try_ext(data + end, size - end, btf);
		memset(&err, 0, sizeof(err));
		if (bel_btf_parse(data + end, size - end, btf, true, &split, &err) == 0) {
			fuzz_check(split->base == btf && split->start_id == bel_btf_type_count(btf),
				   "split BTF starts at %u", split->start_id);
			fuzz_walk_btf(split);
			bel_btf_free(split);
		} else {
			fuzz_check(split == NULL && err.code < 0 && err.msg[0],
				   "split parse failed: code %d, '%s'", err.code, err.msg);
		}
	}
	bel_btf_free(btf);
	return 1;
}

#ifndef BEL_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bel_fuzz_btf(data, size);
	return 0;
}
#endif
