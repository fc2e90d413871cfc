/* SPDX-License-Identifier: MIT */
/*
 * Fix up object BTF so the kernel accepts it. clang emits DATASECs before the final layout is
 * known: their sizes and the offsets of global variables are left for the loader, which takes
 * them from the ELF section headers and symbol table. Pure.
 */
#ifndef BEL_BTF_FIXUP_H
#define BEL_BTF_FIXUP_H

#include "btf.h"
#include "elf/elf.h"

/* Set each DATASEC's size from its ELF section and each global VAR's offset from its symbol;
 * mark hidden globals static; sort the variables by offset, as the kernel requires.
 * DATASECs with no ELF section (.kconfig, .ksyms) are left to the extern resolver. */
int bel_btf_fixup_datasecs(struct bel_btf *btf, const struct bel_elf *elf, struct bel_err *err);
/* Global FUNCs of hidden (or internal) function symbols become static, as in libbpf. */
int bel_btf_fixup_hidden_funcs(struct bel_btf *btf, const struct bel_elf *elf, struct bel_err *err);

/* A hidden (or internal) global or weak function of .text, a subprogram that is local to the
 * object, gets static linkage in BTF as in libbpf: the verifier then checks it with its caller
 * instead of alone with only its declared argument types (what <bpf/usdt.bpf.h>'s helpers
 * need). */
int bel_btf_fixup_hidden_funcs(struct bel_btf *btf, const struct bel_elf *elf, struct bel_err *err);

#endif
