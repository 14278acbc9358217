/*
 * utf8.h - strict UTF-8 validation (RFC 3629, Unicode 15 §3.9 table 3-7).
 *
 * Anything that takes text from a peer and may echo it back (the control
 * server's error messages quote names and methods) validates the raw bytes
 * first, so the daemon never emits what it did not accept.  json-c's own
 * check (JSON_TOKENER_VALIDATE_UTF8) only looks at the shape of each
 * sequence: it lets overlong forms ("\xc0\xaf" for '/'), UTF-16 surrogates
 * ("\xed\xa0\x80") and code points past U+10FFFF through.  This one refuses
 * all three, as the standard requires.
 */
#ifndef LIB_UTF8_H
#define LIB_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True if the 'len' bytes at 'buf' are well-formed UTF-8: no overlong
 * form, no surrogate (U+D800..U+DFFF), nothing above U+10FFFF, no
 * truncated sequence.  NUL bytes are well-formed; callers that refuse them
 * check for them.  When false and 'bad' is not NULL, '*bad' is the offset
 * of the first byte of the first ill-formed sequence.  Pure; safe
 * anywhere. */
bool utf8_is_valid(const void *buf, size_t len, size_t *bad);

#endif /* LIB_UTF8_H */
