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

/* The other kinds (kind_flag: bit 31 of info). */
#define T_INFO_KFLAG(kind, vlen) (T_INFO(kind, vlen) | 0x80000000u)
#define T_INT_ENC(name, bytes, enc) T_TYPE(name, BTF_KIND_INT, 0, bytes), (((uint32_t)(enc) << 24) | ((bytes) * 8))
#define T_STRUCT_K(name, vlen, size) (name), T_INFO_KFLAG(BTF_KIND_STRUCT, vlen), (size)
#define T_UNION(name, vlen, size) T_TYPE(name, BTF_KIND_UNION, vlen, size)
#define T_BITFIELD(name, type, bit_off, bits) (name), (type), (((uint32_t)(bits) << 24) | (bit_off))
#define T_ENUM(name, vlen, size) T_TYPE(name, BTF_KIND_ENUM, vlen, size)
#define T_ENUM_SIGNED(name, vlen, size) (name), T_INFO_KFLAG(BTF_KIND_ENUM, vlen), (size)
#define T_ENUM_VAL(name, val) (name), (uint32_t)(val)
#define T_ENUM64(name, vlen, size) T_TYPE(name, BTF_KIND_ENUM64, vlen, size)
#define T_ENUM64_SIGNED(name, vlen, size) (name), T_INFO_KFLAG(BTF_KIND_ENUM64, vlen), (size)
#define T_ENUM64_VAL(name, val) (name), (uint32_t)(uint64_t)(val), (uint32_t)((uint64_t)(val) >> 32)
#define T_FWD(name, is_union) (name), ((is_union) ? T_INFO_KFLAG(BTF_KIND_FWD, 0) : T_INFO(BTF_KIND_FWD, 0)), 0
#define T_CONST(type) T_TYPE(0, BTF_KIND_CONST, 0, type)
#define T_VOLATILE(type) T_TYPE(0, BTF_KIND_VOLATILE, 0, type)
#define T_RESTRICT(type) T_TYPE(0, BTF_KIND_RESTRICT, 0, type)
#define T_TYPE_TAG(name, type) T_TYPE(name, BTF_KIND_TYPE_TAG, 0, type)
#define T_DECL_TAG(name, type, index) T_TYPE(name, BTF_KIND_DECL_TAG, 0, type), (uint32_t)(index)
#define T_FUNC_PROTO(ret, vlen) T_TYPE(0, BTF_KIND_FUNC_PROTO, vlen, ret)
#define T_PARAM(name, type) (name), (type)
#define T_FUNC(name, proto) T_TYPE(name, BTF_KIND_FUNC, 0, proto)
#define T_FLOAT(name, bytes) T_TYPE(name, BTF_KIND_FLOAT, 0, bytes)

#endif
