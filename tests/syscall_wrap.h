/* SPDX-License-Identifier: MIT */
/*
 * For test binaries linked with -Wl,--wrap=syscall (syscall_wrap.c beside them): every
 * syscall() of the binary, bel's own bpf() calls among them, reaches the binary's
 * syscall_hook() with its six arguments, which answers it or passes it on to real_syscall().
 */
#ifndef BEL_TESTS_SYSCALL_WRAP_H
#define BEL_TESTS_SYSCALL_WRAP_H

/* Defined by the binary. */
long syscall_hook(long n, const long a[6]);
/* The call as the C library makes it. */
long real_syscall(long n, const long a[6]);

#endif
