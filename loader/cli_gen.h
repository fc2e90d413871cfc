/* SPDX-License-Identifier: MIT */
/* bel gen ...: headers generated from BTF (loader/cli_gen.c). */
#ifndef BEL_LOADER_CLI_GEN_H
#define BEL_LOADER_CLI_GEN_H

/* bel gen vmlinux [--btf FILE] [-o FILE]; argv[0] is "vmlinux". Returns the exit status. */
int cli_gen_vmlinux(int argc, char **argv);

#endif
