/*
 * zip_helper: a buffer compressed whole with zlib, for the test
 * server's coded answers and the suite that undoes codings.
 */
#ifndef FEEDD_TEST_ZIP_HELPER_H
#define FEEDD_TEST_ZIP_HELPER_H

#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "util/buf.h"

/* in compressed onto out: wbits 15 + 16 gzip, 15 zlib, -15 raw. 0 or -1. */
static inline int
th_zip(const char *in, size_t len, int wbits, struct buf *out)
{
	unsigned char chunk[16384];
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -1;
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = deflate(&z, Z_FINISH);
		buf_append(out, chunk, sizeof(chunk) - z.avail_out);
	} while (rc == Z_OK);
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

#endif
