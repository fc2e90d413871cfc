/* SPDX-License-Identifier: MIT */
/*
 * The program tag as the kernel computes it (kernel/bpf/core.c, bpf_prog_calc_tag): the first
 * eight bytes of the digest of the instructions, with the immediate of both halves of every
 * ldimm64 that names a map (by fd or by value) set to zero, since fds differ from load to load.
 * The digest is SHA-1 up to Linux 6.16 and SHA-256 since. With it, bel can tell whether a pinned
 * program was loaded from the instructions it would load now, without loading them.
 */
#include <string.h>

#include "common/sha1.h"
#include "common/sha256.h"
#include "insn.h"
#include "prog_tag.h"

struct digest {
	enum bel_tag_digest kind;
	struct bel_sha1 sha1;
	struct bel_sha256 sha256;
};

static void update(struct digest *d, const void *data, size_t size)
{
	if (d->kind == BEL_TAG_SHA256)
		bel_sha256_update(&d->sha256, data, size);
	else
		bel_sha1_update(&d->sha1, data, size);
}

int bel_prog_tag(const struct bpf_insn *insns, uint32_t count, enum bel_tag_digest kind,
		 uint8_t tag[BPF_TAG_SIZE])
{
	uint8_t out[BEL_SHA256_SIZE];
	struct digest d = {.kind = kind};
	uint32_t run = 0, i;

	if (kind == BEL_TAG_SHA256)
		bel_sha256_init(&d.sha256);
	else
		bel_sha1_init(&d.sha1);
	/* runs of instructions as they are; the ldimm64 pairs naming maps with zeroed immediates */
	for (i = 0; i < count; i++) {
		struct bpf_insn pair[2];

		if (!insn_is_ldimm64(&insns[i]) || i + 1 >= count ||
		    (insns[i].src_reg != BPF_PSEUDO_MAP_FD && insns[i].src_reg != BPF_PSEUDO_MAP_VALUE))
			continue;
		update(&d, insns + run, (size_t)(i - run) * sizeof(*insns));
		pair[0] = insns[i];
		pair[1] = insns[i + 1];
		pair[0].imm = 0;
		if (!pair[1].code && !pair[1].dst_reg && !pair[1].src_reg && !pair[1].off)
			pair[1].imm = 0;
		update(&d, pair, sizeof(pair));
		run = ++i + 1;
	}
	update(&d, insns + run, (size_t)(count - run) * sizeof(*insns));
	if (kind == BEL_TAG_SHA256)
		bel_sha256_final(&d.sha256, out);
	else
		bel_sha1_final(&d.sha1, out);
	memcpy(tag, out, BPF_TAG_SIZE);
	return 0;
}
