/*
 * output: renders what users subscribe to from the store: the aggregated
 * Atom feed, the optional JSON Feed, and one Atom feed per alert rule.
 * Each file is streamed to a temporary file in its folder, fsync'd and
 * renamed, so a reader never sees half a file.  Nothing is rewritten
 * when the store's generation has not moved since the last render.
 */
#ifndef FEEDD_OUTPUT_H
#define FEEDD_OUTPUT_H

#include <stdint.h>

#include "config/config.h"
#include "storage/store.h"

struct output;

struct output *output_new(void);
void	 output_free(struct output *out);		/* NULL ok */
/*
 * Writes every configured output if the store changed since the last
 * call (or force: pass it after a config reload, since the title, paths
 * or rules may have changed).  A first call (a new process) writes
 * nothing when the database says the files are there as of the store's
 * generation and the same configuration.  Missing folders are created.  A file
 * whose bytes would not change is not replaced (same inode and mtime).
 * 0, or -1 with *errstr (caller frees); after -1 the next call renders
 * again.
 */
int	 output_render(struct output *out, struct store *st,
	    const struct config *cfg, int force, char **errstr);
/*
 * When the outputs first failed to be written since they last were
 * (Unix seconds, kept in the database for `feedd status`), or 0.
 */
int64_t	 output_failing_since(struct store *st);

#endif
