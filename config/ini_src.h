/*
 * ini_src: the line source config_load hands to inih's ini_parse_stream.
 * inih (as Debian builds it) gives the handler no line number and cuts
 * lines at 200 bytes; this reader counts lines, recognises section
 * headers itself (so empty sections are seen, with their line), keeps
 * over-long values aside and notices lines inih rejected silently.
 * Private to config/.
 */
#ifndef FEEDD_INI_SRC_H
#define FEEDD_INI_SRC_H

#include <stdio.h>

struct ini_src {
	FILE	*fp;
	char	*buf;		/* the physical line, as read */
	size_t	 cap;
	int	 lineno;	/* of the line last handed to inih */
	int	 is_key;	/* that line should have reached the handler */
	int	 handled;	/* ... and did (ini_src_value sets it) */
	char	*long_value;	/* value of an over-long key line, or NULL */
	size_t	 total;		/* bytes read so far */

	/* Called for each "[...]" line with the text between the brackets. */
	void	(*on_section)(void *ctx, const char *text, int lineno);
	/* Called for each line inih could not use. */
	void	(*on_error)(void *ctx, int lineno, const char *msg);
	void	*ctx;
};

/*
 * A config is small: a line past INI_SRC_MAX_LINE bytes is an error (the
 * rest of it read and dropped), and reading stops with an error past
 * INI_SRC_MAX_FILE bytes, so -c /dev/zero or a 4 GB file ends in a
 * message, not in gigabytes of memory.
 */
#define INI_SRC_MAX_LINE	(64 * 1024)
#define INI_SRC_MAX_FILE	(16 * 1024 * 1024)

/* The ini_reader: one physical line per call. */
char	*ini_src_read(char *str, int num, void *stream);
/*
 * For the handler: marks the current line as used and returns the real
 * value (the kept over-long one when inih saw the placeholder).
 */
const char *ini_src_value(struct ini_src *src, const char *value);
/* After ini_parse_stream: checks the last line, frees the buffers. */
void	 ini_src_finish(struct ini_src *src);

#endif
