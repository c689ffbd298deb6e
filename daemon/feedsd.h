/*
 * feedsd: the files under feeds.d/ beside the config, which `add`,
 * `remove` and `import-opml` edit for the user.  Every change replaces
 * the whole file atomically (temporary file, fsync, rename), then loads
 * the config again; when that fails, the old file comes back and the
 * reasons are printed.  Also what makes a value safe inside an INI
 * line.
 */
#ifndef FEEDD_FEEDSD_H
#define FEEDD_FEEDSD_H

#include <stddef.h>

/*
 * What a line written for the user may hold.  Names and tags are read
 * in listings; a URL is as long as its server needs (RSS-Bridge and
 * search feeds pass 180 bytes), up to the 8,000 octets RFC 9110 asks
 * every server to accept, far inside the config's line limit
 * (INI_SRC_MAX_LINE, 64 KB).
 */
#define FEEDSD_NAME_MAX	120
#define FEEDSD_URL_MAX	8000
#define FEEDSD_TAGS_MAX	180

/*
 * s made safe inside an INI line: quotes, brackets, backslashes, ";"
 * (and "," in a tag) replaced by look-alikes, white space collapsed and
 * trimmed, cut to max bytes on a UTF-8 boundary.  New string, maybe "".
 */
char	*feedsd_clean(const char *s, int is_tag, size_t max);
/* NULL when url can go into the config, else why not. */
const char *feedsd_url_refusal(const char *url);
/* Canonical form of url for duplicate checks (url itself when none). */
char	*feedsd_url_key(const char *url);

/* "DIR/feeds.d/NAME"; caller frees. */
char	*feedsd_path(const char *config_dir, const char *name);

/*
 * Appends sections to feeds.d/NAME (created with header as its first
 * line when new), then checks that the config still loads.  0, or -1
 * with the reasons printed as "feedd: CMD: ...".
 */
int	 feedsd_append(const char *cmd, const char *config_path,
	    const char *config_dir, const char *name, const char *header,
	    const char *sections);
/*
 * Replaces the file at path (under feeds.d/) by data, same checks and
 * rollback.  0 or -1.
 */
int	 feedsd_replace(const char *cmd, const char *config_path,
	    const char *path, const char *data, size_t len);

/*
 * add, remove and import-opml each read the config, change a file under
 * feeds.d and put it back: run at once, each wrote the file it had read,
 * and the others' changes were lost, all reported done.  This takes an
 * exclusive flock on the config's folder, held from before the config
 * is read until the process exits (or feedsd_unlock); one that waits
 * says so on stderr.  The descriptor, or -1 when the folder cannot be
 * opened or locked (then the config's own load says what is wrong).
 */
int	 feedsd_lock(const char *cmd, const char *config_path);
void	 feedsd_unlock(int fd);

/* The whole file (max 16 MB), or NULL with *errstr.  "-" is stdin. */
char	*feedsd_read(const char *path, size_t *len, char **errstr);
/* "feedd: CMD: problem" for each of errs, which it cleans up. */
struct config_errors;
void	 feedsd_print_errors(const char *cmd, struct config_errors *errs);

#endif
