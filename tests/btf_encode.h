/* SPDX-License-Identifier: MIT */
/* Writing BTF by hand in tests: each macro expands to the u32 words of one record (the encoding
 * of the kernel selftests' test_btf.h). */
#ifndef BEL_TESTS_BTF_ENCODE_H
#define BEL_TESTS_BTF_ENCODE_H

#include <linux/btf.h>
#include <stdint.h>

#define T_INFO(kind, vlen) (((uint32_t)(kind) << 24) | ((vlen) & 0xffff))
#define T_TYPE(name, kind, vlen, size_or_type) (name), T_INFO(kind, vlen), (size_or_type)
#define T_INT(name, bytes) T_TYPE(name, BTF_KIND_INT, 0, bytes), ((bytes) * 8)
#define T_PTR(type) T_TYPE(0, BTF_KIND_PTR, 0, type)
#define T_TYPEDEF(name, type) T_TYPE(name, BTF_KIND_TYPEDEF, 0, type)
#define T_STRUCT(name, vlen, size) T_TYPE(name, BTF_KIND_STRUCT, vlen, size)
#define T_MEMBER(name, type, bit_off) (name), (type), (bit_off)
#define T_ARRAY(type, index_type, nelems) T_TYPE(0, BTF_KIND_ARRAY, 0, 0), (type), (index_type), (nelems)
#define T_VAR(name, type, linkage) T_TYPE(name, BTF_KIND_VAR, 0, type), (linkage)
#define T_DATASEC(name, vlen, size) T_TYPE(name, BTF_KIND_DATASEC, vlen, size)
#define T_SECINFO(type, off, size) (type), (off), (size)

#endif
