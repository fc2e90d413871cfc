/* SPDX-License-Identifier: MIT */
/*
 * The "kernel" of the CO-RE tests: types as a target BTF has them. core_kernel.c compiles them
 * into a BTF blob (tests/meson.build extracts its .BTF into core_kernel.btf); test_core.c
 * includes this header too, so its expected offsets and sizes come from the host compiler's
 * offsetof()/sizeof() (x86-64 and BPF lay these types out alike) rather than from the code
 * under test. Bitfield positions, which offsetof() cannot give, are written next to them.
 *
 * Local (program-side) views of these types differ on purpose: fields moved, resized, nested
 * in anonymous members here but not there, missing, or of another kind.
 */
#ifndef BEL_TESTS_CORE_KERNEL_H
#define BEL_TESTS_CORE_KERNEL_H

struct core_inner {
	int a;
	long b;
};

enum core_state {
	CORE_RUNNING = 0,
	CORE_SLEEPING = 5,
	CORE_NEW = 7,
	CORE_NEG = -3,
};

struct core_task {
	long state;
	int pad0;
	int pid;
	unsigned long long flags;    /* locally a u32: the load widens */
	long long prio;              /* locally an int: a signed load cannot widen */
	struct core_inner inner;
	union {                      /* locally plain members */
		int anon_a;
		unsigned int anon_b;
	};
	struct {
		short anon_c;
		short anon_d;
	};
	int arr[4];
	struct core_inner items[2];
	struct core_task *parent;
	enum core_state st;
	/* one 4-byte unit right after st: bf_pad bits 0..2, bf_x 3..7, bf_y 8..19, bf_s 20..26;
	 * bf_wide does not fit in the 8-byte unit holding them and starts the next one */
	unsigned int bf_pad : 3, bf_x : 5, bf_y : 12;
	int bf_s : 7;
	unsigned long long bf_wide : 40;
	int kind_mismatch;           /* locally a struct */
	int tail_len;
	char data[];                 /* flexible array */
};

/* Packed: c2 straddles a byte (a 2-byte load covers it); huge starts at bit 10 and spans 60
 * bits, so no 8-byte load covers it. 9 bytes. Only in the BPF build: GCC, which may compile
 * test_core.c, prints an ABI note for this layout, and the tests need only its numbers. */
#define CORE_PACKED_SIZE 9
#ifdef __bpf__
struct core_packed {
	unsigned char c1 : 6;
	unsigned char c2 : 4;
	unsigned long long huge : 60;
} __attribute__((packed));
#endif

/* Two candidates putting x at different offsets: ambiguous. */
struct core_amb {
	int x;
	int y;
};
struct core_amb___x {
	int y;
	int x;
};

/* Two candidates agreeing on x's offset and size; y is where they agree on the offset but
 * not the size. */
struct core_same {
	int x;
	int y;
};
struct core_same___v2 {
	int x;
	char y;
	long long z;
};

/* Only flavors in the kernel, both alike. */
struct core_only___a {
	int v;
};
struct core_only___b {
	int v;
};

/* Kinds that differ from the program's view: a union here, a struct there; a typedef of a
 * struct here, of an int there. */
union core_kind {
	int a;
	long b;
};
typedef struct core_inner core_td;

/* TYPE_MATCHES material. */
struct core_m_inner {
	int x;
};
struct core_m_ptr {
	struct core_m_inner *p;
	int y;
};
struct core_m_anon {
	struct {
		long q;
	};
	union {
		int a;
		int b;
	};
};
enum core_m_enum {
	CORE_M_A = 1,
	CORE_M_B = 2,
};

#endif
