/* SPDX-License-Identifier: MIT */
/*
 * The bounds bel enforces on what an object file can make it do, in one place (README.md,
 * "Threat model", lists them with their reasons). An object past one is refused with a message
 * saying which; none of them is near what a compiler emits.
 */
#ifndef BEL_COMMON_LIMITS_H
#define BEL_COMMON_LIMITS_H

/*
 * Longest names bel looks up. Names are hashed or compared once per item that uses them, and
 * items can share one name, so without a bound a file could make that work grow with its size
 * squared. ELF symbol and section names (section names hold uprobe paths, up to PATH_MAX);
 * BTF names of the object (types, members, enumerators, parameters, .BTF.ext sections), which
 * the kernel limits to KSYM_NAME_LEN (512) bytes itself.
 */
#define BEL_NAME_MAX 8192
#define BEL_BTF_NAME_MAX 1024

/* Longest CO-RE access string ("0:1:2..."): 64 accessors of up to 10 digits and a colon. */
#define BEL_CORE_ACCESS_MAX 1024

/*
 * Largest .kconfig map value: config values are short strings and numbers, and the kernel
 * refuses array values larger than KMALLOC_MAX_SIZE (4 MiB on x86-64) anyway.
 */
#define BEL_KCONFIG_MAX_SIZE (1u << 20)

/*
 * Most bytes the relocated programs of one object may take: instructions and func_info,
 * line_info and CO-RE records, counted after each program got its own copy of every
 * subprogram it calls. Subprograms shared by many programs are copied into each, so a small
 * file could otherwise ask for any amount of memory.
 */
#define BEL_PROGS_MAX_BYTES (256ull << 20)

/*
 * Most steps CO-RE may take to resolve one relocation: a step is one type of a name chain (or
 * of an unindexed target) looked at, one pair of types compared, one member, parameter or
 * enumerator compared; a candidate matched counts 32. The corpus's relocations take at most
 * a few hundred; TYPE_MATCHES of all of vmlinux's struct task_struct against itself 33,000.
 * Past the bound the relocation fails (E2BIG), whatever the type graph: a few milliseconds.
 */
#define BEL_CORE_MAX_STEPS (1u << 18)

#endif
