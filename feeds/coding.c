/*
 * coding: a body's Content-Encoding undone on a parse worker (see
 * coding.h).  zlib, as libcurl does it: gzip read with zlib's automatic
 * header detection, deflate as a zlib stream, else (a common server
 * mistake) as raw deflate.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "feeds/coding.h"
#include "feeds/parse.h"
#include "util/buf.h"
#include "util/xmalloc.h"

/* Codings undone on one body: no server stacks more. */
#define CODINGS_MAX	4
#define CHUNK		(64 * 1024)

enum coding { CODING_GZIP, CODING_DEFLATE };

/* The coding named by len bytes at name: 1, 0 for none, -1 unknown. */
static int
coding_of(const char *name, size_t len, enum coding *c)
{
#define IS(s) (len == sizeof(s) - 1 && strncasecmp(name, s, len) == 0)
	if (IS("identity"))
		return 0;
	if (IS("gzip") || IS("x-gzip")) {
		*c = CODING_GZIP;
		return 1;
	}
	if (IS("deflate")) {
		*c = CODING_DEFLATE;
		return 1;
	}
	return -1;
#undef IS
}

/*
 * The codings value lists, in order, into c (the first CODINGS_MAX):
 * how many, or -1 for one it does not know (*err says which, when err
 * is not NULL).
 */
static int
codings_parse(const char *value, enum coding *c, char **err)
{
	const char *p = value;
	enum coding one;
	size_t	 len;
	int	 n = 0, rc;

	for (;;) {
		p += strspn(p, ", \t");
		if ((len = strcspn(p, ", \t")) == 0)
			return n;
		if ((rc = coding_of(p, len, &one)) == -1) {
			if (err != NULL)
				*err = xasprintf("body in Content-Encoding %.*s,"
				    " which feedd does not ask for", (int)len, p);
			return -1;
		}
		if (rc == 1 && n < CODINGS_MAX)
			c[n] = one;
		n += rc;
		p += len;
	}
}

int
coding_undoes(const char *value, size_t len)
{
	enum coding c[CODINGS_MAX];
	char	*v = xstrndup(value, len);
	int	 n = codings_parse(v, c, NULL);

	free(v);
	return n != -1;
}

/* inflate_with's answer past max: no zlib code is positive and > 2. */
#define INFLATE_OVER	100

/*
 * in inflated with zlib's wbits into out, in place (buf_reserve): up to
 * a CHUNK past max is held before it is told.  Z_STREAM_END, or Z_OK
 * for a stream cut short (what it gave is kept), INFLATE_OVER past max,
 * or zlib's error (*msg says which).
 */
static int
inflate_with(int wbits, const char *in, size_t len,
    unsigned long long max, struct buf *out, const char **msg)
{
	z_stream z;
	int	 rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, wbits) != Z_OK)
		return Z_MEM_ERROR;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	do {
		(void)buf_reserve(out, CHUNK);	/* no cap: it grows */
		z.next_out = (Bytef *)out->data + out->len;
		z.avail_out = CHUNK;
		rc = inflate(&z, Z_NO_FLUSH);
		out->len += CHUNK - z.avail_out;
		out->data[out->len] = '\0';
		if (max > 0 && out->len > max)
			rc = INFLATE_OVER;
	} while (rc == Z_OK && (z.avail_in > 0 || z.avail_out == 0));
	if (rc == Z_BUF_ERROR)
		rc = Z_OK;	/* the input ended first */
	*msg = z.msg;
	inflateEnd(&z);
	return rc;
}

/* One coding undone on in, into out: 0, or -1 with *err. */
static int
undo_one(enum coding c, const char *in, size_t len,
    unsigned long long max, struct buf *out, char **err)
{
	const char *name = c == CODING_GZIP ? "gzip" : "deflate";
	const char *msg = NULL;
	char	*w;
	int	 rc;

	rc = inflate_with(c == CODING_GZIP ? 15 + 32 : 15, in, len, max, out,
	    &msg);
	if (rc == Z_DATA_ERROR && c == CODING_DEFLATE && out->len == 0)
		rc = inflate_with(-15, in, len, max, out, &msg);
	if (rc == Z_STREAM_END || rc == Z_OK)
		return 0;
	if (rc == INFLATE_OVER) {
		w = feed_size_words(max);
		*err = xasprintf("document over max_size (%s) once inflated",
		    w);
		free(w);
	} else {
		*err = xasprintf("body does not match its Content-Encoding"
		    " (%s: %s)", name, msg ? msg : "not in it");
	}
	return -1;
}

int
coding_undo(const char *coding, const char *body, size_t len,
    unsigned long long max, char **out, size_t *outlen, char **err)
{
	enum coding c[CODINGS_MAX];
	struct buf cur, next;
	const char *in = body;
	int	 n;

	*out = NULL;
	*outlen = 0;
	if (coding == NULL || (n = codings_parse(coding, c, err)) == 0)
		return 0;
	if (n == -1)
		return -1;
	if (n > CODINGS_MAX) {
		*err = xasprintf("body in more than %d Content-Encodings",
		    CODINGS_MAX);
		return -1;
	}
	if (len > UINT_MAX) {
		*err = xstrdup("body too large to inflate");
		return -1;
	}
	buf_init(&cur, 0);
	/* the last coding listed is the outermost */
	while (n-- > 0) {
		buf_init(&next, 0);
		if (undo_one(c[n], in, len, max, &next, err) == -1) {
			buf_cleanup(&next);
			buf_cleanup(&cur);
			return -1;
		}
		buf_cleanup(&cur);
		cur = next;
		in = buf_str(&cur);
		len = cur.len;
	}
	*outlen = cur.len;
	*out = cur.data != NULL ? buf_detach(&cur) : xstrdup("");
	return 0;
}
