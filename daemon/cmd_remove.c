/*
 * cmd_remove: `feedd remove NAME` takes a feed's section out of the
 * feeds.d/ file that defines it (feedsd.c: atomic, checked, rolled
 * back) and tells a running daemon; a feed in the main config is left
 * to the user, with its FILE:LINE.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "daemon/cmd.h"
#include "daemon/feedsd.h"
#include "util/buf.h"
#include "util/termtext.h"
#include "util/xmalloc.h"

/*
 * text without the section starting on line `line` (1-based): from its
 * header to the next section header, and the blank lines before it.
 */
static char *
cut_section(const char *text, int line, size_t *len)
{
	struct buf b;
	const char *p = text, *start = NULL, *end = NULL, *comments = NULL;

	for (int n = 1; *p; n++) {
		const char *nl = strchr(p, '\n'), *next = nl ? nl + 1 :
		    p + strlen(p);
		const char *q = p + strspn(p, " \t");

		if (n == line)
			start = p;
		else if (start && end == NULL && *q == '[')
			/* comments right above the next header are its own */
			end = comments ? comments : p;
		if (*q == ';' || *q == '#')
			comments = comments ? comments : p;
		else
			comments = NULL;
		p = next;
	}
	if (start == NULL)
		return NULL;
	if (end == NULL)
		end = p;
	/* blank lines just before the header go with it */
	while (start > text && start[-1] == '\n' && start - 1 > text &&
	    start[-2] == '\n')
		start--;
	buf_init(&b, 0);
	buf_append(&b, text, (size_t)(start - text));
	buf_puts(&b, end);
	*len = b.len;
	return buf_detach(&b);
}

static int
in_feeds_d(const struct config *cfg, const char *file)
{
	/*
	 * The folders compared, not the names: with `-c ./feedd.conf` the
	 * files are named "./feeds.d/x.conf" and cfg->dir is absolute.  The
	 * file's own folder, since the file may be a link out of it.
	 */
	char *dcopy = xstrdup(file), *fdir = realpath(dirname(dcopy), NULL);
	char *want = xasprintf("%s/feeds.d", cfg->dir);
	char *wdir = realpath(want, NULL);
	int yes = fdir != NULL && wdir != NULL && strcmp(fdir, wdir) == 0;

	free(wdir);
	free(want);
	free(fdir);
	free(dcopy);
	return yes;
}

static int
remove_from(const char *cmd, const struct config *cfg,
    const struct feed_conf *f)
{
	char *text, *out, *err = NULL;
	size_t len, outlen = 0;
	int rc = -1;

	if ((text = feedsd_read(f->def.file, &len, &err)) == NULL) {
		cmd_error(cmd, "%s", err);
		free(err);
		return -1;
	}
	if ((out = cut_section(text, f->def.line, &outlen)) == NULL)
		cmd_error(cmd, "%s:%d: no section there", f->def.file,
		    f->def.line);
	else
		rc = feedsd_replace(cmd, cfg->path, f->def.file, out, outlen);
	free(out);
	free(text);
	return rc;
}

int
cmd_remove(int argc, char **argv, const char *config_path)
{
	const struct feed_conf *f;
	struct config *cfg;
	int rc = EXIT_RUNTIME, lock;

	if (argc != 2 || argv[1][0] == '-')
		return cmd_usage(cmd_find(argv[0]));
	lock = feedsd_lock(argv[0], config_path);
	if ((cfg = cmd_config_load(argv[0], config_path)) == NULL) {
		feedsd_unlock(lock);
		return EXIT_USAGE;
	}
	if ((f = config_find_feed(cfg, argv[1])) == NULL) {
		cmd_error(argv[0], "no feed named \"%s\" (feedd feeds lists them)",
		    argv[1]);
		rc = EXIT_USAGE;
	} else if (!in_feeds_d(cfg, f->def.file))
		cmd_error(argv[0], "feed \"%s\" is in the main config; edit it "
		    "there: %s:%d", f->def.name, f->def.file, f->def.line);
	else if (remove_from(argv[0], cfg, f) == 0) {
		printf("removed \"");
		term_put(stdout, argv[1]);
		printf("\" from %s (its stored items stay until retention "
		    "prunes them)\n", f->def.file);
		cmd_notify_daemon(cfg);
		rc = EXIT_OK;
	}
	config_free(cfg);
	feedsd_unlock(lock);
	return rc;
}
