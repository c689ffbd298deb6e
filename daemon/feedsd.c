/*
 * feedsd: editing the files under feeds.d/ safely (see feedsd.h):
 * whole-file atomic replacement, a reload check, and the rollback.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "config/config.h"
#include "daemon/feedsd.h"
#include "util/utf8.h"
#include "util/xmalloc.h"
#include "util/buf.h"
#include "util/fs.h"
#include "feeds/url.h"

#define FEEDSD_MAX_FILE	(16 * 1024 * 1024)

char *
feedsd_read(const char *path, size_t *len, char **errstr)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct buf b;
	char chunk[8192];
	size_t n;

	*errstr = NULL;
	if (fp == NULL) {
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	buf_init(&b, FEEDSD_MAX_FILE);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_append(&b, chunk, n) == -1) {
			*errstr = xasprintf("%s: larger than 16 MB", path);
			break;
		}
	if (*errstr == NULL && ferror(fp))
		*errstr = xasprintf("%s: %s", path, strerror(errno));
	if (fp != stdin)
		fclose(fp);
	if (*errstr != NULL) {
		buf_cleanup(&b);
		return NULL;
	}
	*len = b.len;
	return buf_detach(&b);
}

/* Cuts s to at most max bytes without splitting a UTF-8 sequence. */
static void
utf8_cut(char *s, size_t max)
{
	size_t len = strlen(s);

	if (len <= max)
		return;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	s[max] = '\0';
	while (max > 0 && s[max - 1] == ' ')
		s[--max] = '\0';
}

/*
 * inih would read " ;" as a comment, "]" as the end of the section, a
 * quote as the end of the name, and a newline as the next line.
 */
char *
feedsd_clean(const char *s, int is_tag, size_t max)
{
	const char *end = s + strlen(s);
	char *out = xmalloc(strlen(s) + 1), *o = out;
	int space = 1;	/* drops leading white space */

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		uint32_t cp;
		size_t	 n;

		/* a byte that is no UTF-8 reaches terminals and the config */
		if (c >= 0x80 && (n = utf8_decode((const unsigned char *)s,
		    (size_t)(end - s), &cp)) == 0)
			c = '?';
		else if (c >= 0x80 && cp > 0x9f &&
		    cp != 0x2028 && cp != 0x2029) {
			memcpy(o, s, n);
			o += n;
			s += n - 1;
			space = 0;
			continue;
		} else if (c >= 0x80) {
			/* C1 controls (NEL among them), the line separators:
			 * listings show them as blanks, so the name would not
			 * read back as written */
			s += n - 1;
			c = ' ';
		}
		if (c < 0x20 || c == 0x7f || c == ' ')
			c = ' ';
		else if (c == '"')
			c = '\'';
		else if (c == '[')
			c = '(';
		else if (c == ']')
			c = ')';
		else if (c == '\\')
			c = '/';
		else if (c == ';' || c == ',')
			c = is_tag ? ' ' : ',';
		if (c == ' ' && space)
			continue;
		space = c == ' ';
		*o++ = (char)c;
	}
	while (o > out && o[-1] == ' ')
		o--;
	*o = '\0';
	utf8_cut(out, max);
	return out;
}

/* Whether curl's URL parser finds a host in url ("http://?x": none). */
/* Why curl's URL parser refuses url ("http://?x": no host), or NULL. */
static const char *
url_parse_refusal(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL;
	CURLUcode rc = curl_url_set(u, CURLUPART_URL, url, 0);
	const char *why = NULL;

	if (rc == CURLUE_BAD_PORT_NUMBER)
		why = "URL with a port out of range";
	else if (rc != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    host == NULL || *host == '\0')
		why = "URL without a host";
	curl_free(host);
	curl_url_cleanup(u);
	return why;
}

const char *
feedsd_url_refusal(const char *url)
{
	if (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0)
		return "not an http(s) URL";
	if (strlen(url) > FEEDSD_URL_MAX)
		return "URL longer than 8,000 bytes";
	for (const char *p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '"')
			return "URL with white space, a control character or"
			    " a double quote";
	/* the config's own test ("http:///f"), then curl's ("http://?x"):
	 * one host-less outline aborted a whole import */
	if (strcspn(url + strcspn(url, ":") + 3, "/?#") == 0)
		return "URL without a host";
	return url_parse_refusal(url);
}

char *
feedsd_url_key(const char *url)
{
	char *k = url_canonical(url);

	return k ? k : xstrdup(url);
}

char *
feedsd_path(const char *config_dir, const char *name)
{
	return xasprintf("%s/feeds.d/%s", config_dir, name);
}

int
feedsd_lock(const char *cmd, const char *config_path)
{
	char *copy = xstrdup(config_path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	free(copy);
	if (fd == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			fprintf(stderr, "feedd: %s: waiting for another add, "
			    "remove or import-opml on this config\n", cmd);
		while (flock(fd, LOCK_EX) == -1 && errno == EINTR)
			;
	}
	return fd;
}

void
feedsd_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* util/fs: temporary file, fsync, rename, fsync of the folder. */
static int
write_atomic(const char *path, const char *data, size_t len, char **errstr)
{
	return fs_write_file(path, data, len, FS_MKDIR | FS_KEEP_MODE |
	    FS_FOLLOW_LINK, errstr);
}

void
feedsd_print_errors(const char *cmd, struct config_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		fprintf(stderr, "feedd: %s: %s\n", cmd, errs->msgs[i]);
	config_errors_cleanup(errs);
}

/*
 * Writes data to path, then loads the config; when that fails, old
 * (NULL: no file before) comes back.
 */
static int
replace_checked(const char *cmd, const char *config_path, const char *path,
    const char *data, size_t len, const char *old, size_t oldlen)
{
	struct config_errors errs = { NULL, 0 };
	struct config *cfg;
	char *err = NULL;

	if (write_atomic(path, data, len, &err) == -1) {
		fprintf(stderr, "feedd: %s: %s\n", cmd, err);
		free(err);
		return -1;
	}
	if ((cfg = config_load(config_path, &errs)) == NULL) {
		feedsd_print_errors(cmd, &errs);
		fprintf(stderr, "feedd: %s: the result does not load; "
		    "%s left as it was\n", cmd, path);
		if (old != NULL)
			(void)write_atomic(path, old, oldlen, &err);
		else
			(void)unlink(path);
		free(err);
		return -1;
	}
	config_free(cfg);
	config_errors_cleanup(&errs);
	return 0;
}

int
feedsd_replace(const char *cmd, const char *config_path, const char *path,
    const char *data, size_t len)
{
	char *old, *err = NULL;
	size_t oldlen = 0;
	int rc;

	if ((old = feedsd_read(path, &oldlen, &err)) == NULL) {
		fprintf(stderr, "feedd: %s: %s\n", cmd, err);
		free(err);
		return -1;
	}
	rc = replace_checked(cmd, config_path, path, data, len, old, oldlen);
	free(old);
	return rc;
}

int
feedsd_append(const char *cmd, const char *config_path,
    const char *config_dir, const char *name, const char *header,
    const char *sections)
{
	char *path = feedsd_path(config_dir, name), *old = NULL, *err = NULL;
	size_t oldlen = 0;
	struct buf b;
	int rc = -1;

	buf_init(&b, 0);
	if (access(path, F_OK) == 0 &&
	    (old = feedsd_read(path, &oldlen, &err)) == NULL) {
		fprintf(stderr, "feedd: %s: %s\n", cmd, err);
		goto out;
	}
	if (old != NULL) {
		buf_append(&b, old, oldlen);
		if (b.len > 0 && b.data[b.len - 1] != '\n')
			buf_putc(&b, '\n');
	} else
		buf_puts(&b, header);
	buf_puts(&b, sections);
	rc = replace_checked(cmd, config_path, path, b.data, b.len, old,
	    oldlen);
out:
	buf_cleanup(&b);
	free(err);
	free(old);
	free(path);
	return rc;
}
