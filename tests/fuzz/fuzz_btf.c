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
 * Every blob that parses, and the same bytes parsed as the kernel's BTF is (layout only, so
 * bad references get through), is also written as C (btf/c_dump.h): the whole BTF, and each
 * of its first types as a declaration.
 */
#include "btf/btf.h"
#include "btf/c_dump.h"
#include "btf/ext.h"
#include "fuzz.h"
#include "walk.h"

/* Writing C: 0, or -errno with a message and the caller's text left as it was. */
static void try_c(const struct bel_btf *btf)
{
	struct bel_strbuf out = BEL_STRBUF_INIT;
	struct bel_err err = {0};
	uint32_t id;
	int ret;

	bel_strbuf_puts(&out, "x");
	ret = bel_btf_dump_c(btf, NULL, 0, NULL, &out, &err);
	fuzz_check(ret == 0 ? out.len >= 1 && out.buf[0] == 'x'
			    : ret < 0 && err.msg[0] && out.len == 1 && !out.oom,
		   "dump_c: %d '%s', %zu bytes", ret, err.msg, out.len);
	for (id = 0; id < bel_btf_type_count(btf) && id < 8; id++) {
		bel_strbuf_truncate(&out, 1);
		ret = bel_btf_c_decl(btf, id, "v", &out, &err);
		fuzz_check(ret == 0 || (ret < 0 && err.msg[0] && out.len == 1),
			   "c_decl [%u]: %d '%s'", id, ret, err.msg);
	}
	bel_strbuf_free(&out);
}

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
	try_c(btf);
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
	if (bel_btf_parse_kernel(data, size, NULL, &btf, &err) == 0) {
		try_c(btf);
		bel_btf_free(btf);
	}
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
