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
 * call (or force).  A first call (a new process, or after
 * output_forget) writes nothing when the database says the files are
 * there as of the store's generation and the same configuration.
 * Missing folders are created.  A file whose bytes would not change is
 * not replaced (same inode and mtime).  0, or -1 with *errstr (caller
 * frees); after -1 the next call renders again.
 */
int	 output_render(struct output *out, struct store *st,
	    const struct config *cfg, int force, char **errstr);
/*
 * The configuration was reloaded: the next output_render decides as a
 * first call does, from the database's marks, so a SIGHUP that changed
 * nothing the outputs show writes nothing (at max_entries 100,000 it
 * rendered every entry again, 1.3 s on the loop).
 */
void	 output_forget(struct output *out);
/*
 * When the outputs first failed to be written since they last were
 * (Unix seconds, kept in the database for `feedd status`), or 0.
 */
int64_t	 output_failing_since(struct store *st);

#endif
