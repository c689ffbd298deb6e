/*
 * group: deciding whether a new item reports an event already stored,
 * so that items from many outlets form one story.  An in-memory index
 * of the items first seen within the window (48 h by default), with an
 * inverted index from each token (feeds/headline.h) to the items that
 * have it and its document frequency; the store builds it from SQLite
 * on first use and keeps it in step with what it inserts.
 *
 * The method, deterministic and explainable:
 *  - A token's weight is its IDF over the window, ln((N+100)/(df+1))
 *    (100: a prior of unseen items, for a database still near empty),
 *    doubled for names and entities.
 *  - Candidates are the items of other feeds, within the window, found
 *    through the inverted index, never by a scan: only the lists of the
 *    new item's rarest tokens are read, as far as an item missing them
 *    could no longer reach the evidence asked below (prefix filtering).
 *  - The score is the weight of the shared tokens over the geometric
 *    mean of the two headlines' weights, lowered by up to a quarter as
 *    the time gap nears the window.
 *  - It joins the story of the best candidate when the score reaches
 *    the threshold (0.6) with two shared tokens or more, no entity
 *    conflict (headline_conflict), and, when that story has a first
 *    item still in the window and in the same script, a score of 0.3
 *    against it too, so a story does not drift link by link into
 *    another.
 *  - A headline in a spaceless script against one without: only their
 *    other tokens count, and they must share an entity (a model name).
 */
#ifndef FEEDD_GROUP_H
#define FEEDD_GROUP_H

#include <stdint.h>

#include "feeds/headline.h"

struct group_params {
	int64_t	 window;		/* seconds */
	size_t	 max_items;		/* the newest kept past this */
	double	 threshold;		/* to join a story */
	double	 first_threshold;	/* against the story's first item */
	double	 time_penalty;		/* score lost at a gap of the window */
	double	 name_boost;		/* weight of names and entities */
	double	 evidence;		/* shared IDF, in units of ln(N+1) */
	double	 entity_threshold;	/* to join on a shared entity */
	double	 prior;			/* unseen documents IDF assumes */
};

/*
 * About 500 bytes an item: 10,000 keep the index near 5 MB, and hold a
 * 48-hour window of some 1,000 feeds posting 5 items a day.
 */
#define GROUP_MAX_ITEMS	10000

void	 group_params_default(struct group_params *p);

struct group_index;

struct group_index *group_index_new(const struct group_params *p);
void	 group_index_free(struct group_index *gi);		/* NULL ok */
/* Items in the index. */
size_t	 group_index_size(const struct group_index *gi);

/*
 * Adds an item, taking hl.  time: its date (published, else first seen);
 * seen: first seen, which orders the index and ages it out.
 */
void	 group_index_add(struct group_index *gi, int64_t item_id,
	    int64_t feed_id, int64_t story_id, int64_t time, int64_t seen,
	    struct headline *hl);
/* Drops the items first seen before now - window. */
void	 group_index_expire(struct group_index *gi, int64_t now);

struct group_match {
	int64_t	 story_id;
	int64_t	 item_id;		/* the item it matched */
	double	 score;
	char	*why;			/* "0.71 qwen3-coder alibaba ..."; caller frees */
};

/*
 * The story hl (an item of feed_id dated time) belongs to: 1 with *m
 * filled, 0 when none is close enough.
 */
int	 group_index_match(struct group_index *gi, const struct headline *hl,
	    int64_t feed_id, int64_t time, struct group_match *m);

/*
 * The pair rule alone, with the index's document frequencies: 1 when a
 * and b (gap seconds apart) would be grouped; *score set either way.
 */
int	 group_pair(struct group_index *gi, const struct headline *a,
	    const struct headline *b, int64_t gap, double *score);

#endif
