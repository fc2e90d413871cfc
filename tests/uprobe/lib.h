/* SPDX-License-Identifier: MIT */
#ifndef BEL_TESTS_UPROBE_LIB_H
#define BEL_TESTS_UPROBE_LIB_H

long bel_lib_add(long a, long b);
long bel_lib_versioned(long a);   /* the default version, BEL_2 */

#endif
