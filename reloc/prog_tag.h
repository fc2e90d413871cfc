/* SPDX-License-Identifier: MIT */
#ifndef BEL_RELOC_PROG_TAG_H
#define BEL_RELOC_PROG_TAG_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>

enum bel_tag_digest {
	BEL_TAG_SHA1,      /* Linux up to 6.16 */
	BEL_TAG_SHA256,    /* Linux 6.17 and later */
};

/* The kernel's tag of a program loaded from these instructions (fds need not be filled).
 * 0, or -1 when out of memory. Pure. */
int bel_prog_tag(const struct bpf_insn *insns, uint32_t count, enum bel_tag_digest digest,
		 uint8_t tag[BPF_TAG_SIZE]);

#endif
