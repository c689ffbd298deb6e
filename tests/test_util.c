/*
 * test_util: the shared utilities: UTF-8, the string hash, mkdir -p and
 * the atomic file writer, the growable buffer, the bounded key set and
 * record spool.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/helpers.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/spillset.h"
#include "util/spool.h"
#include "util/termtext.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#define U(s)	((const unsigned char *)(s))

Test(util, utf8_sequences)
{
	cr_expect_eq(utf8_seq_len(U("a"), 1), 1);
	cr_expect_eq(utf8_seq_len(U("\xc3\xa9"), 2), 2);
	cr_expect_eq(utf8_seq_len(U("\xe2\x82\xac"), 3), 3);
	cr_expect_eq(utf8_seq_len(U("\xf0\x9f\x98\x80"), 4), 4);
	cr_expect_eq(utf8_seq_len(U("\xe2\x82"), 2), -1, "cut short");
	cr_expect_eq(utf8_seq_len(U("\xc0\xaf"), 2), 0, "overlong");
	cr_expect_eq(utf8_seq_len(U("\xe0\x80\xaf"), 3), 0, "overlong");
	cr_expect_eq(utf8_seq_len(U("\xed\xa0\x80"), 3), 0, "surrogate");
	cr_expect_eq(utf8_seq_len(U("\xf4\x90\x80\x80"), 4), 0, "> 10FFFF");
	cr_expect_eq(utf8_seq_len(U("\x80"), 1), 0, "lone continuation");
	cr_expect_eq(utf8_len(U("\xe2\x82")), 0, "NUL ends it");
	cr_expect(utf8_valid("caf\xc3\xa9 \xe2\x82\xac", 9));
	cr_expect(!utf8_valid("caf\xc3", 4));
}

/* utf8_valid as it was, a sequence at a time: what the fast path keeps. */
static int
valid_bytewise(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		int len = s[i] < 0x80 ? 1 : utf8_seq_len(s + i, n - i);

		if (len <= 0)
			return 0;
		i += (size_t)len;
	}
	return 1;
}

/*
 * utf8_valid reads ASCII eight bytes at a time: a sequence, good or
 * bad, at every offset of a run and across each eight-byte boundary,
 * and cut short at the end, is judged as a byte-wise reading judges it.
 */
Test(util, utf8_valid_at_every_offset)
{
	static const char *const seqs[] = { "\xc3\xa9", "\xe2\x82\xac",
	    "\xf0\x9f\x98\x80", "\xe2\x82", "\xc0\xaf", "\xed\xa0\x80",
	    "\x80", "\xff" };
	unsigned char buf[64];

	for (size_t k = 0; k < sizeof(seqs) / sizeof(*seqs); k++) {
		size_t sl = strlen(seqs[k]);

		for (size_t off = 0; off + sl <= 40; off++) {
			for (size_t tail = 0; tail <= 9; tail += 9) {
				size_t n = off + sl + tail;
				int want;

				memset(buf, 'a', sizeof(buf));
				memcpy(buf + off, seqs[k], sl);
				want = valid_bytewise(buf, n);
				cr_expect_eq(utf8_valid((const char *)buf, n),
				    want, "seq %zu at %zu, %zu after", k, off,
				    tail);
				cr_expect_eq(want, k < 3, "reference, seq %zu",
				    k);
			}
		}
	}
	memset(buf, 'a', sizeof(buf));
	cr_expect(utf8_valid((const char *)buf, sizeof(buf)));
	cr_expect(utf8_valid((const char *)buf, 0));
}

Test(util, utf8_round_trip)
{
	static const uint32_t cps[] = { 0x41, 0xe9, 0x20ac, 0x1f600,
	    0x10ffff };
	char	 u[4];
	uint32_t cp;
	size_t	 n;

	for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		n = utf8_encode(cps[i], u);
		cr_expect_eq(utf8_decode(U(u), n, &cp), n);
		cr_expect_eq(cp, cps[i], "U+%X", (unsigned)cps[i]);
	}
	n = utf8_encode(0xd800, u);
	cr_expect(n == 3 && memcmp(u, "\xef\xbf\xbd", 3) == 0, "U+FFFD");
	cr_expect_eq(utf8_decode(U("\xc3"), 1, &cp), 0);
}

Test(util, fnv1a_vectors)
{
	/* The published FNV-1a 64 test vectors: stored hashes depend on it. */
	cr_expect_eq(hash_str(""), 0xcbf29ce484222325ULL);
	cr_expect_eq(hash_str("a"), 0xaf63dc4c8601ec8cULL);
	cr_expect_eq(hash_str("foobar"), 0x85944171f73967e8ULL);
	cr_expect_eq(hash_add(hash_add(HASH_INIT, "foo", 3), "bar", 3),
	    hash_str("foobar"));
}

Test(util, strv_join)
{
	char *v[] = { "tech", "", "ai news" };
	char *s;

	s = strv_join(v, 3, ",");
	cr_expect_str_eq(s, "tech,,ai news");
	free(s);
	s = strv_join(v, 1, "\x1f");
	cr_expect_str_eq(s, "tech");
	free(s);
	s = strv_join(v + 1, 2, " -- ");
	cr_expect_str_eq(s, " -- ai news");
	free(s);
	s = strv_join(NULL, 0, ",");
	cr_expect_str_eq(s, "");
	free(s);
}

Test(util, buf_put_escaped)
{
	static const char *const esc[256] = { ['<'] = "&lt;", ['\n'] = "\\n",
	    [0xc3] = "?" };
	struct buf b;

	buf_init(&b, 0);
	cr_expect_eq(buf_put_escaped(&b, "a<b\n\n<", esc), 0);
	cr_expect_eq(buf_put_escaped(&b, "", esc), 0);
	cr_expect_eq(buf_put_escaped(&b, "\xc3\xa9t\xc3", esc), 0);
	cr_expect_str_eq(buf_str(&b), "a&lt;b\\n\\n&lt;?\xa9t?");
	buf_cleanup(&b);
	buf_init(&b, 4);	/* a cap: what does not fit is not appended */
	cr_expect_eq(buf_put_escaped(&b, "ab<c", esc), -1);
	cr_expect_str_eq(buf_str(&b), "ab");
	buf_cleanup(&b);
}

Test(util, body_hash_is_xxh3)
{
	/* XXH3-64's value for no input; every byte counts, the last too */
	cr_expect_eq(hash_body("", 0), 0x2d06800538d394c2ULL);
	cr_expect_eq(hash_body("feed", 4), hash_body("feed", 4));
	cr_expect_neq(hash_body("feed", 4), hash_body("feee", 4));
	cr_expect_neq(hash_body("feed", 4), hash_body("feed", 3));
}

/* path holds exactly the n bytes at want. */
static void
expect_file(const char *path, const char *want, size_t n)
{
	size_t	 len = 0;
	char	*got = th_read_file(path, &len);

	cr_assert_not_null(got);
	cr_expect_eq(len, n);
	cr_expect(len == n && memcmp(got, want, n) == 0, "%s: other bytes",
	    path);
	free(got);
}

/* A FIFO where an output goes (no writer: opening it to compare would
 * block) is replaced, not read. */
Test(util, fs_write_atomic_replaces_a_fifo, .timeout = 10)
{
	char	*dir = th_tmpdir(), *path = th_path(dir, "feed.xml");
	char	*err = NULL, *got;
	struct stat st;

	cr_assert_eq(mkfifo(path, 0644), 0);
	cr_assert_eq(fs_write_file(path, "one\n", 4, FS_KEEP_SAME, &err), 0,
	    "%s", err ? err : "");
	cr_assert_eq(stat(path, &st), 0);
	cr_assert(S_ISREG(st.st_mode));
	cr_assert_str_eq(got = th_read_file(path, NULL), "one\n");
	free(got);
	free(path);
	free(dir);
}

Test(util, fs_write_atomic)
{
	char	*dir = th_tmpdir(), *sub = th_path(dir, "a/b/c");
	char	*path = th_path(sub, "f.txt"), *err = NULL, *got;
	struct stat st1, st2;

	cr_assert_eq(fs_write_file(path, "one\n", 4, FS_MKDIR, &err), 0,
	    "%s", err ? err : "");
	cr_assert_str_eq(got = th_read_file(path, NULL), "one\n");
	free(got);
	cr_assert_eq(stat(path, &st1), 0);
	cr_expect_eq(st1.st_mode & 0777, 0644);
	/* same bytes: left as it was (same inode) */
	cr_assert_eq(fs_write_file(path, "one\n", 4, FS_KEEP_SAME, &err), 0);
	cr_assert_eq(stat(path, &st2), 0);
	cr_expect_eq(st1.st_ino, st2.st_ino);
	/* new bytes: replaced by rename (a new inode) */
	cr_assert_eq(fs_write_file(path, "two\n", 4, FS_KEEP_SAME, &err), 0);
	cr_assert_eq(stat(path, &st2), 0);
	cr_expect_neq(st1.st_ino, st2.st_ino);
	cr_assert_str_eq(got = th_read_file(path, NULL), "two\n");
	free(got);
	/* a prefix of the old bytes, or more than them, is not the same */
	cr_assert_eq(stat(path, &st1), 0);
	cr_assert_eq(fs_write_file(path, "two", 3, FS_KEEP_SAME, &err), 0);
	cr_assert_eq(stat(path, &st2), 0);
	cr_expect_neq(st1.st_ino, st2.st_ino);
	cr_assert_str_eq(got = th_read_file(path, NULL), "two");
	free(got);
	cr_assert_eq(fs_write_file(path, "two\n", 4, FS_KEEP_SAME, &err), 0);
	cr_assert_str_eq(got = th_read_file(path, NULL), "two\n");
	free(got);
	/* a file larger than one comparison chunk, the same, then not */
	{
		size_t	 n = 200000;
		char	*big = malloc(n);

		cr_assert_not_null(big);

		for (size_t i = 0; i < n; i++)
			big[i] = (char)('a' + i % 26);
		cr_assert_eq(fs_write_file(path, big, n, 0, &err), 0);
		cr_assert_eq(stat(path, &st1), 0);
		cr_assert_eq(fs_write_file(path, big, n, FS_KEEP_SAME, &err),
		    0);
		cr_assert_eq(stat(path, &st2), 0);
		cr_expect_eq(st1.st_ino, st2.st_ino);
		/* the same up to the last byte (held back, then copied
		 * from the old file), in the middle, then a prefix */
		big[n - 1] = '!';
		cr_assert_eq(fs_write_file(path, big, n, FS_KEEP_SAME, &err),
		    0);
		cr_assert_eq(stat(path, &st2), 0);
		cr_expect_neq(st1.st_ino, st2.st_ino);
		expect_file(path, big, n);
		big[n / 2] = '?';
		cr_assert_eq(fs_write_file(path, big, n, FS_KEEP_SAME, &err),
		    0);
		expect_file(path, big, n);
		cr_assert_eq(fs_write_file(path, big, n - 70000, FS_KEEP_SAME,
		    &err), 0);
		expect_file(path, big, n - 70000);
		cr_assert_eq(fs_write_file(path, big, n, FS_KEEP_SAME, &err),
		    0);
		expect_file(path, big, n);
		free(big);
	}
	/* a folder that cannot be made: one line naming the file */
	free(path);
	path = th_path(dir, "a/b/c/f.txt/x/y");
	cr_expect_eq(fs_write_file(path, "x", 1, FS_MKDIR, &err), -1);
	cr_assert_not_null(err);
	cr_expect(strstr(err, path) == err, "%s", err);
	cr_expect_null(strchr(err, '\n'));
	free(err);
	cr_expect_eq(fs_mkdir_p(sub), 0, "exists already");
	th_rmdir(dir);
	free(path);
	free(sub);
	free(dir);
}

/* The unit's UMask=0027 does not narrow what fs makes: outputs stay public. */
Test(util, fs_modes_ignore_the_umask)
{
	char	*dir = th_tmpdir(), *sub = th_path(dir, "a/b");
	char	*path = th_path(sub, "f.xml"), *err = NULL;
	struct stat sb;

	umask(027);
	cr_assert_eq(fs_write_file(path, "x\n", 2, FS_MKDIR, &err), 0,
	    "%s", err ? err : "");
	cr_assert_eq(stat(path, &sb), 0);
	cr_expect_eq(sb.st_mode & 07777, 0644, "file %o", sb.st_mode & 07777);
	cr_assert_eq(stat(sub, &sb), 0);
	cr_expect_eq(sb.st_mode & 07777, 0755, "folder %o", sb.st_mode & 07777);
	/* a folder already there keeps its mode */
	cr_assert_eq(chmod(sub, 0700), 0);
	cr_expect_eq(fs_mkdir_p(sub), 0);
	cr_assert_eq(stat(sub, &sb), 0);
	cr_expect_eq(sb.st_mode & 07777, 0700, "folder %o", sb.st_mode & 07777);
	th_rmdir(dir);
	free(path);
	free(sub);
	free(dir);
}

/* ---- term ---- */

Test(util, term_escapes_every_control_and_separator)
{
	char *s = term_str("a\nb\tc\x1b[2Jd\xc2\x9b" "e\xe2\x80\xa8" "f\xe2\x80\xa9"
	    "g\x7fh\xffi\xc2\x85j", TERM_ESCAPE);

	cr_assert_str_eq(s, "a\\nb\\tc\\x1b[2Jd\\u009be\\u2028f\\u2029g\\x7fh"
	    "\\xffi\\u0085j");
	free(s);
	s = term_str("a\nb\xc2\x9b" "c\xe2\x80\xa8" "d\xff" "e", TERM_SPACE);
	cr_assert_str_eq(s, "a b c d\xef\xbf\xbd" "e");
	free(s);
	s = term_str("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", TERM_SPACE);
	cr_assert_str_eq(s, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    "printable UTF-8 is kept");
	free(s);
}

Test(util, term_copy_cuts_at_a_whole_escape)
{
	char out[8];

	term_copy(out, sizeof(out), "ab\x1b" "cdef", 7, TERM_ESCAPE);
	cr_assert_str_eq(out, "ab\\x1bc");
	term_copy(out, 6, "ab\x1b" "cdef", 7, TERM_ESCAPE);
	cr_assert_str_eq(out, "ab", "no half escape");
}

Test(util, term_url_percent_encodes_what_a_terminal_obeys)
{
	struct buf b;

	buf_init(&b, 0);
	term_url(&b, "http://x/\xc2\x9b" "a\xe2\x80\xa8<b> c\x1b\xff");
	cr_assert_str_eq(buf_str(&b),
	    "http://x/%C2%9Ba%E2%80%A8%3Cb%3E%20c%1B%FF");
	buf_cleanup(&b);
}

/*
 * buf_reserve_exact makes exactly the room asked for (a body of announced
 * length is kept at its size, not the next power of two), appends
 * within it do not move the text, and past it appends double as usual.
 */
Test(util, buf_reserve_exact_is_exact)
{
	struct buf b;
	char chunk[1000];
	const char *at;

	memset(chunk, 'x', sizeof(chunk));
	buf_init(&b, 0);
	cr_assert_eq(buf_reserve_exact(&b, 81000), 0);
	cr_assert_eq(b.cap, 81001);
	at = b.data;
	for (int i = 0; i < 81; i++)
		cr_assert_eq(buf_append(&b, chunk, sizeof(chunk)), 0);
	cr_assert_eq(b.data, at, "no move within the reserved room");
	cr_assert_eq(b.len, 81000);
	cr_assert_eq(buf_append(&b, "y", 1), 0);
	cr_assert_geq(b.cap, 2 * 81001);
	cr_assert_eq(b.data[81000], 'y');
	cr_assert_eq(b.data[81001], '\0');
	buf_cleanup(&b);

	buf_init(&b, 100);
	cr_assert_eq(buf_reserve_exact(&b, 101), -1, "past the cap");
	cr_assert_null(b.data);
	buf_cleanup(&b);
}

/* buf_drain_fn for the test: what was drained, in order, and the
 * largest piece. */
struct drained {
	struct buf all;
	size_t	 pieces, largest;
};

static void
drain_into(const char *data, size_t len, void *arg)
{
	struct drained *d = arg;

	buf_append(&d->all, data, len);
	d->pieces++;
	if (len > d->largest)
		d->largest = len;
}

/*
 * A draining buffer (a render's sink) writes a megabyte through one
 * allocation of its run: appends, reserves filled in place and printfs
 * come out whole and in order, an append longer than the run goes
 * through uncopied, and the window never grows or moves.
 */
Test(util, buf_drain_writes_through_a_fixed_window)
{
	struct buf b, want;
	struct drained d = { .pieces = 0 };
	char	 big[5000];
	const char *window;

	buf_init(&d.all, 0);
	buf_init(&want, 0);
	buf_init(&b, 0);
	buf_set_drain(&b, 1024, drain_into, &d);
	cr_assert_eq(b.cap, 1025);
	window = b.data;
	memset(big, 'B', sizeof(big));
	for (int i = 0; i < 1000; i++) {
		char	*o;

		cr_assert_eq(buf_printf(&b, "<%d>", i), 0);
		buf_printf(&want, "<%d>", i);
		cr_assert_eq(buf_reserve(&b, 300), 0);	/* as xml_put */
		o = b.data + b.len;
		memset(o, 'a' + i % 26, 300);
		b.len += 300;
		o[300] = '\0';
		for (int k = 0; k < 300; k++)
			buf_putc(&want, (char)('a' + i % 26));
		if (i % 100 == 7) {
			cr_assert_eq(buf_append(&b, big, sizeof(big)), 0);
			buf_append(&want, big, sizeof(big));
		}
	}
	buf_drain(&b);
	cr_assert_eq(b.len, 0);
	cr_assert_eq(b.data, window, "the window never moved");
	cr_assert_eq(b.cap, 1025, "the window never grew");
	cr_assert_eq(d.all.len, want.len);
	cr_assert(memcmp(d.all.data, want.data, want.len) == 0,
	    "what was written, in order");
	cr_assert_eq(d.largest, sizeof(big), "the long append, whole");
	cr_assert_gt(d.pieces, want.len / 1024);
	buf_cleanup(&b);
	buf_cleanup(&want);
	buf_cleanup(&d.all);
}

/* Keys as a render's hashes look: spread over all 64 bits. */
static uint64_t
key_at(uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ULL;	/* 0 apart */

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 27);
}

/*
 * A table of 16 slots spills every 12 keys: thousands of keys go
 * through the file, and every answer must still be exact (each key new
 * once, there ever after, whether in the table or in the file, found
 * through the Bloom filter or ruled out by it).
 */
Test(util, spillset_is_exact_past_its_table)
{
	struct spillset *set = spillset_new(16);
	const uint64_t n = 5000;

	for (uint64_t i = 0; i < n; i++) {
		cr_assert_eq(spillset_add(set, key_at(i)), 0, "key %llu new",
		    (unsigned long long)i);
		/* one seen long ago, in the file by now, and a recent one */
		cr_assert_eq(spillset_add(set, key_at(i / 7)), 1);
		cr_assert_eq(spillset_add(set, key_at(i)), 1);
	}
	cr_assert_gt(spillset_spills(set), 300, "the file path ran: %zu",
	    spillset_spills(set));
	for (uint64_t i = 0; i < n; i++)
		cr_assert_eq(spillset_add(set, key_at(i)), 1, "key %llu kept",
		    (unsigned long long)i);
	for (uint64_t i = n; i < 2 * n; i++)
		cr_assert_eq(spillset_add(set, key_at(i)), 0, "key %llu new",
		    (unsigned long long)i);
	/* the smallest and largest keys: the file's first and last blocks */
	cr_assert_eq(spillset_add(set, 0), 0);
	cr_assert_eq(spillset_add(set, 1), 1, "0 and 1 are one key");
	cr_assert_eq(spillset_add(set, UINT64_MAX), 0);
	for (uint64_t i = 0; i < 40; i++)
		cr_assert_eq(spillset_add(set, 2 + i), 0);
	for (uint64_t i = 0; i < 40; i++) {
		cr_assert_eq(spillset_add(set, 2 + i), 1);
		cr_assert_eq(spillset_add(set, UINT64_MAX - i), i == 0);
	}
	spillset_free(set);
}

/* Below its largest table the set never makes a file. */
Test(util, spillset_small_sets_stay_in_memory)
{
	struct spillset *set = spillset_new(0);

	for (uint64_t i = 0; i < SPILLSET_SLOTS * 4 / 5 - 1; i++)
		cr_assert_eq(spillset_add(set, key_at(i)), 0);
	cr_assert_eq(spillset_spills(set), 0);
	spillset_free(set);
}

/* No file can be opened any more (the test's own process). */
static void
no_more_files(void)
{
	struct rlimit rl;
	int	 fd = dup(0);		/* the lowest one free */

	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = (rlim_t)fd;
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

/* A temporary file goes to $TMPDIR, else to /var/tmp or /tmp. */
Test(util, tmpfd_falls_back_past_a_missing_tmpdir)
{
	int	 fd;

	cr_assert_eq(setenv("TMPDIR", "/nonexistent/feedd-test", 1), 0);
	cr_assert_geq(fd = fs_tmpfd(), 0, "%s", strerror(errno));
	cr_assert_eq(write(fd, "x", 1), 1);
	close(fd);
}

/* No temporary file to spill to: -1 with errno, not a wrong answer. */
Test(util, spillset_reports_a_file_it_cannot_make)
{
	struct spillset *set = spillset_new(16);
	int	 rc = 0;

	no_more_files();
	for (uint64_t i = 0; i < 13 && rc == 0; i++)
		rc = spillset_add(set, key_at(i));
	cr_assert_eq(rc, -1);
	cr_assert_eq(errno, EMFILE, "%s", strerror(errno));
	spillset_free(set);
}

/* Records read back in order and whole, from memory and from the file. */
static void
spool_round_trip(size_t maxmem, int n, int spilled)
{
	struct spool *sp = spool_new(3 * sizeof(int64_t), maxmem);
	int64_t	 rec[3];

	for (int i = 0; i < n; i++) {
		rec[0] = i;
		rec[1] = -i;
		rec[2] = (int64_t)key_at((uint64_t)i);
		cr_assert_eq(spool_put(sp, rec), 0);
	}
	cr_assert_eq(spool_spilled(sp), spilled);
	cr_assert_eq(spool_rewind(sp), 0);
	for (int i = 0; i < n; i++) {
		cr_assert_eq(spool_get(sp, rec), 1, "record %d", i);
		cr_assert(rec[0] == i && rec[1] == -i &&
		    rec[2] == (int64_t)key_at((uint64_t)i), "record %d", i);
	}
	cr_assert_eq(spool_get(sp, rec), 0, "nothing after the last");
	cr_assert_eq(spool_get(sp, rec), 0);
	spool_free(sp);
}

Test(util, spool_gives_back_what_it_took)
{
	spool_round_trip(4096, 0, 0);
	spool_round_trip(4096, 100, 0);
	/* 170 records of 24 bytes a buffer: full buffers, and a part */
	spool_round_trip(4096, 170 * 7, 1);
	spool_round_trip(4096, 170 * 7 + 5, 1);
	spool_round_trip(1, 50, 1);	/* a record at a time */
	/* written 2,730 at a time, read back in 4 KB (170): whole and part */
	spool_round_trip(65536, 2730 * 3 + 7, 1);
	spool_round_trip(65536, 170 * 97, 1);
}

Test(util, spool_reports_a_file_it_cannot_make)
{
	struct spool *sp = spool_new(8, 64);
	int64_t	 rec = 1;
	int	 rc = 0;

	no_more_files();
	for (int i = 0; i < 9 && rc == 0; i++)
		rc = spool_put(sp, &rec);
	cr_assert_eq(rc, -1);
	cr_assert_eq(errno, EMFILE, "%s", strerror(errno));
	spool_free(sp);
}
