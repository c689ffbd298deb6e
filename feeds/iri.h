/*
 * iri: what an identifier or a link must look like before a writer
 * prints it.  Readers and the W3C feed validator reject characters that
 * RFC 3986/3987 reserve for nothing ("[", "]" outside a host, spaces,
 * "{", ...), ids that only look like URNs or tags, and links a browser
 * would run (javascript:, data:).  These functions make a source's
 * string acceptable or say that it cannot be.
 */
#ifndef FEEDD_IRI_H
#define FEEDD_IRI_H

/*
 * s as a URI a validator accepts: valid UTF-8 first (invalid bytes,
 * controls and noncharacters dropped), then every byte outside
 * RFC 3986's unreserved and reserved sets percent-encoded (non-ASCII
 * as its UTF-8 octets, "%" not starting an escape, a second "#",
 * "[" and "]" outside a bracketed host).  Idempotent.  NULL in, NULL
 * out; caller frees.
 */
char	*iri_encode(const char *s);

/*
 * Whether s is an absolute IRI fit to be an atom:id as it is: http,
 * https or ftp with a host; tag: as RFC 4151 shapes it; urn: with a
 * namespace (urn:uuid: with a well-formed UUID).  Other schemes, and
 * anything iri_encode would change, are not.
 */
int	 iri_id_ok(const char *s);

/*
 * A link a reader may follow: s encoded by iri_encode when it is an
 * absolute http or https URL with a host, its scheme and host in lower
 * case; NULL otherwise (relative, javascript:, data:, mailto:, ...).
 * Caller frees.
 */
char	*iri_http_link(const char *s);

/*
 * iri_http_link with scheme and host as the source wrote them: what ids
 * minted from a link were made from before links were lower-cased, so
 * that those ids stay the same.
 */
char	*iri_http_link_as_written(const char *s);

#endif
