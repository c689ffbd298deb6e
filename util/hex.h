/*
 * hex: the value of a hexadecimal digit, for the percent-decoders (URLs,
 * the HTTP server's targets) and JSON's \uXXXX escapes.
 */
#ifndef FEEDD_HEX_H
#define FEEDD_HEX_H

/* 0-15 for [0-9A-Fa-f], else -1. */
static inline int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
