/*
 * banned.h - functions that are easy to misuse. Included last by every
 * project source file (via the compiler's -include), so using one of these
 * is a compile error. Use snprintf / lm_buf, the lm_parse cursors,
 * gmtime_r / localtime_r instead.
 */
#ifndef LM_BANNED_H
#define LM_BANNED_H

/* The real declarations first: glibc's headers define inline versions of some of
 * these (atoi at -O2), which must be seen before the macros below exist. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LM__BANNED(func) sorry_##func##_is_banned_in_limes

#undef strcpy
#define strcpy(x, y) LM__BANNED(strcpy)
#undef strcat
#define strcat(x, y) LM__BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) LM__BANNED(strncpy)
#undef sprintf
#define sprintf(...) LM__BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) LM__BANNED(vsprintf)
#undef strtok
#define strtok(x, y) LM__BANNED(strtok)
#undef atoi
#define atoi(x) LM__BANNED(atoi)
#undef atol
#define atol(x) LM__BANNED(atol)
#undef gmtime
#define gmtime(x) LM__BANNED(gmtime)
#undef localtime
#define localtime(x) LM__BANNED(localtime)
#undef gets
#define gets(x) LM__BANNED(gets)

#endif
