/*
 * textfix: two repairs of decoded text that browsers and feed readers
 * make, applied to each text field (title, summary, content, author,
 * category) of a document.  UTF-8 that was read as Latin-1 and encoded
 * again ("CinÃ©ma") is decoded once more ("Cinéma"), when every
 * character of the field is below U+0100 and their bytes form valid,
 * non-ASCII UTF-8.  C1 controls U+0080-U+009F, which no feed means, are
 * read as the windows-1252 characters of those bytes (smart quotes,
 * dashes, the euro sign), as browsers read such bytes and references.
 */
#ifndef FEEDD_TEXTFIX_H
#define FEEDD_TEXTFIX_H

#include <stddef.h>

/* s[0..n) repaired: a new string (caller frees), or NULL when fine. */
char	*textfix(const char *s, size_t n);

#endif
