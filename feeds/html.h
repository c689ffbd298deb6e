/*
 * html: what feedd does with HTML found in feeds, on libxml2's HTML
 * parser: plain text for titles and the search index, and sanitized
 * markup for the outputs.  Callers own the returned strings.
 */
#ifndef FEEDD_HTML_H
#define FEEDD_HTML_H

#include <stddef.h>
#include <stdint.h>

/*
 * Text of an HTML fragment: tags removed, entities decoded, whitespace
 * runs folded to one space, trimmed.  Never NULL for non-NULL input.
 */
char	*html_to_text(const char *html);
/*
 * A title that is plain text by its format (RSS, JSON Feed) as text:
 * through html_to_text when it was written as HTML all the same (a
 * closing tag or a reference, and only HTML's elements and names),
 * else as written with its white space folded.  NULL for NULL.
 */
char	*html_title_text(const char *s);
/* html_title_text's judge: 1 when s was written as HTML. */
int	 html_looks_like_html(const char *s);

/*
 * Sanitized HTML: an allowlist of elements and attributes; no script,
 * style, iframe, object, event handlers, or javascript:/data: URLs;
 * relative URLs resolved against base (may be NULL); characters XML
 * forbids removed; output is well-formed XHTML-compatible markup.
 */
char	*html_sanitize(const char *html, const char *base);
/*
 * The same for HTML whose relative URLs were left as written (content
 * with FEED_PARSE_KEEP_REFS): they resolve against inner, the base in
 * scope where it was written, then as above.  The output is what
 * html_sanitize makes of html_resolve(html, inner)'s, but for what
 * libxml2's serializer did to URLs on that round trip (%-escaped
 * non-ASCII and brackets: an IRI stays as written here).
 */
char	*html_sanitize_within(const char *html, const char *inner,
	    const char *base);
/*
 * h (util/hash.h) with what html_sanitize's output depends on besides
 * its arguments added: its revision (bump HTML_SANITIZE_REV with any
 * change to what it writes) and the libxml2 it runs on.  HTML kept
 * from under another is made again (feeds/entry.c, entry_html_key).
 */
#define HTML_SANITIZE_REV	4
uint64_t html_sanitize_hash(uint64_t h);

/*
 * html with its relative href, src (and like) URLs resolved against
 * base, the rest of the markup kept (html_base.c); NULL when there is
 * nothing to resolve.  Caller frees.
 */
char	*html_resolve(const char *html, const char *base);
/*
 * 1 when some href= or src= value in html looks relative: html_resolve
 * would parse it (a cheap scan, and a false 1 only costs that parse).
 */
int	 html_has_relative(const char *html);
/* 1 when an attribute of that name holds a URL (href, src, ...). */
int	 html_url_attr(const char *name);
/* 1 when v[0..n) starts with a URL scheme ("https:", "mailto:"). */
int	 html_has_scheme(const char *v, size_t n);

struct buf;

/*
 * s with & < > written as references, and " too when quotes is set (for
 * attribute values): text made safe to put in HTML.
 */
void	 html_escape_into(struct buf *b, const char *s, int quotes);
/* html_escape_into of s, without quotes, as a new string; NULL for NULL. */
char	*html_escape_text(const char *s);

/*
 * A copy of html (its length, capped at 256 MiB, in *n) behind "<body>",
 * which keeps libxml2 from adding <p> around a fragment; with
 * browser_refs, html_legacy_refs's rewriting too.  For html.c and
 * html_base.c's parses.  Caller frees.
 */
char	*html_body_wrap(const char *html, int browser_refs, size_t *n);

/*
 * A copy of html (n bytes, any ASCII-compatible charset) whose start
 * tags keep their first 64 attributes, as html_body_wrap's do (libxml2
 * checks each attribute against all the tag's earlier ones): for other
 * parses of HTML, a web page's.  Its length in *outn; caller frees.
 */
char	*html_cap_attrs(const char *html, size_t n, size_t *outn);

/*
 * html with the references HTML5 reads its legacy ways made ones that
 * libxml2's parser reads alike: named ones without ';' ("&nbsp",
 * "&copy 2024") and numeric ones for 0x80-0x9F ("&#146;", windows-1252's
 * quote); NULL when there are none (html_legacy.c).
 */
char	*html_legacy_refs(const char *html);

/* Decodes one HTML named entity ("nbsp", "eacute"); 0 when unknown. */
unsigned int html_entity_codepoint(const char *name);

#endif
