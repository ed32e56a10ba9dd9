/*
 * text.h - checks on text that people type: valid UTF-8 (through ICU, not a
 * home-made decoder) and free of control characters, which have no place in
 * a name or a reason and break logs and CSV exports.
 */
#ifndef LM_CORE_TEXT_H
#define LM_CORE_TEXT_H

#include <stddef.h>

enum lm_text_flags {
	LM_TEXT_MULTILINE = 1 << 0, /* allow \n and \t (notes, reasons) */
};

/* 0 when s[0..len) is well-formed UTF-8 without disallowed control characters;
 * otherwise -1 and *bad_offset is the byte offset of the first problem. */
int lm_text_check(const char *s, size_t len, unsigned flags, size_t *bad_offset);

#endif
