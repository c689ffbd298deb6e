/*
 * opml: subscription lists in and out, OPML 1.0/1.1/2.0 on libxml2.
 * Reading flattens the outline tree into feeds, each carrying the names
 * of its enclosing folders as tags; writing nests feeds by their first
 * tag.  Knows nothing of the config file.
 */
#ifndef FEEDD_OPML_H
#define FEEDD_OPML_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

struct opml_feed {
	char	*title;		/* text, else title attribute; NULL if neither */
	char	*xml_url;	/* never NULL when read */
	char	*html_url;	/* NULL when absent */
	char	**tags;		/* enclosing folders outermost first, then
				   the category attribute's entries; unique */
	size_t	 ntags;
};

struct opml_doc {
	char	*title;		/* head/title, or NULL */
	struct opml_feed *feeds;	/* document order */
	size_t	 nfeeds;
	size_t	 feedcap;	/* grown by doubling (xgrow) */
};

/*
 * Parses an OPML document (any declared encoding; no network, no DTD).
 * Returns the document (caller frees with opml_doc_free) or NULL with
 * *errstr set (caller frees) when it is not XML, not OPML, or has no
 * <body>.  Outlines with an xmlUrl are feeds; others are folders.
 */
struct opml_doc *opml_parse(const char *data, size_t len, char **errstr);
void	 opml_doc_free(struct opml_doc *doc);		/* NULL ok */

/*
 * Writes OPML 2.0 to fp: head with title and dateCreated (RFC 822),
 * then one outline per feed (text, title, type="rss", xmlUrl, htmlUrl
 * when set, category when it has tags).  Feeds with tags are nested in
 * a folder outline named by their first tag, in order of first
 * appearance, after the untagged ones.  0, or -1 with *errstr set.
 */
int	 opml_write(FILE *fp, const char *title, time_t created,
	    const struct opml_feed *feeds, size_t nfeeds, char **errstr);

#define OPML_DATE_LEN	64
/* RFC 822 date in GMT, as dateCreated wants, into OPML_DATE_LEN bytes. */
void	 opml_format_date(time_t t, char buf[OPML_DATE_LEN]);

#endif
