// The vserver(2) system call number: the slot mainline reserves for it.
// Plain C preprocessor, so that programs that call it raw (bench/ctxbench)
// share the one definition with the library.
#pragma once

#include <sys/syscall.h>

#ifdef __NR_vserver
#define VSERVER_NR __NR_vserver
#elif defined(__x86_64__)
#define VSERVER_NR 236
#elif defined(__i386__)
#define VSERVER_NR 273
#else
#error "the vserver system call number of this architecture is unknown"
#endif
