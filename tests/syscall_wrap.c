/* SPDX-License-Identifier: MIT */
#include "syscall_wrap.h"

#include <stdarg.h>

long __real_syscall(long n, ...);
long __wrap_syscall(long n, ...);

long __wrap_syscall(long n, ...)
{
	long a[6];
	va_list ap;
	int i;

	va_start(ap, n);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return syscall_hook(n, a);
}

long real_syscall(long n, const long a[6])
{
	return __real_syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}
