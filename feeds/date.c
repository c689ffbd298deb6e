/*
 * date: feed dates to and from Unix seconds UTC.  Two readers: a strict
 * numeric one for RFC 3339 / ISO 8601 (W3DTF reduced, basic, ordinal and
 * two-digit-year forms; 10-digit Unix timestamps), and a token reader
 * for RFC 822 and its real-world variants: localised month names
 * (English, German, Dutch, French, Spanish, Italian, Portuguese, Polish,
 * Czech, Russian, Greek, Hungarian, Turkish), zone names (obsolete,
 * military, US two-letter, Etc/GMT+N), 12-hour clocks, asctime, year
 * first (Perforce's "2006/09/15"), and the unit-suffixed CJK forms
 * ("2004년 5월 28일 오후 1:31", "2004年5月28日").  What neither reads is
 * an error, never a guess.  No mktime, no TZ.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "feeds/date.h"

/* Dates outside [1970-01-01, 2201-01-01) are garbage, not news. */
#define YEAR_MIN 1970
#define YEAR_MAX 2200

struct dp {
	int	 year, month, day;	/* 0: not seen */
	int	 hour, min, sec;
	int	 have_time;
	int	 ampm;			/* 0 none, 1 am, 2 pm */
	int	 zone;			/* minutes east of UTC */
	int	 have_offset;		/* numeric zone seen (wins over names) */
	int	 seen_number;
	int	 ylen;			/* digits the year was written with */
	int	 ymd;			/* the year came first: month, day next */
	const char *num_end;		/* where the last number ended */
};

struct zone_name {
	const char *name;
	int	 minutes;
};

/* Ambiguous abbreviations take their most common feed meaning. */
static const struct zone_name zones[] = {
	{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 }, { "zulu", 0 },
	{ "wet", 0 }, { "bst", 60 }, { "ist", 330 }, { "west", 60 },
	{ "est", -300 }, { "edt", -240 }, { "cst", -360 }, { "cdt", -300 },
	{ "mst", -420 }, { "mdt", -360 }, { "pst", -480 }, { "pdt", -420 },
	{ "akst", -540 }, { "akdt", -480 }, { "hst", -600 }, { "ast", -240 },
	{ "adt", -180 }, { "nst", -210 }, { "ndt", -150 }, { "cet", 60 },
	{ "cest", 120 }, { "met", 60 }, { "mest", 120 }, { "mez", 60 },
	{ "mesz", 120 }, { "eet", 120 }, { "eest", 180 }, { "msk", 180 },
	{ "msd", 240 }, { "jst", 540 }, { "kst", 540 }, { "hkt", 480 },
	{ "sgt", 480 }, { "pht", 480 }, { "awst", 480 }, { "acst", 570 },
	{ "acdt", 630 }, { "aest", 600 }, { "aedt", 660 }, { "nzst", 720 },
	{ "nzdt", 780 }, { "wib", 420 }, { "ict", 420 }, { "pkt", 300 },
	{ "brt", -180 }, { "brst", -120 }, { "art", -180 }, { "clt", -240 },
	{ "sast", 120 }, { "cat", 120 }, { "eat", 180 }, { "wat", 60 },
	/* US forms without the standard/daylight letter: standard time */
	{ "et", -300 }, { "ct", -360 }, { "mt", -420 }, { "pt", -480 },
	{ "at", -240 }, { "akt", -540 }, { "ht", -600 },
};

struct month_name {
	const char *name;	/* lowercase UTF-8 */
	int	 month;
};

/*
 * Full names and abbreviations that are not prefixes of a full name.
 * A word matches a name exactly, or is a prefix (3+ letters) of names
 * that all agree on the month.
 */
static const struct month_name months[] = {
	/* English, German, Dutch, Scandinavian */
	{ "january", 1 }, { "february", 2 }, { "march", 3 }, { "april", 4 },
	{ "may", 5 }, { "june", 6 }, { "july", 7 }, { "august", 8 },
	{ "september", 9 }, { "october", 10 }, { "november", 11 },
	{ "december", 12 }, { "januar", 1 }, { "jänner", 1 },
	{ "februar", 2 }, { "märz", 3 }, { "maerz", 3 }, { "mrz", 3 },
	{ "mai", 5 }, { "juni", 6 }, { "juli", 7 }, { "oktober", 10 },
	{ "dezember", 12 }, { "januari", 1 }, { "februari", 2 },
	{ "maart", 3 }, { "mrt", 3 }, { "mei", 5 }, { "augustus", 8 },
	{ "mars", 3 }, { "marts", 3 }, { "maj", 5 }, { "augusti", 8 },
	{ "desember", 12 }, { "okt", 10 },
	/* French */
	{ "janvier", 1 }, { "février", 2 }, { "fevrier", 2 }, { "avril", 4 },
	{ "juin", 6 }, { "juillet", 7 }, { "août", 8 }, { "aout", 8 },
	{ "septembre", 9 }, { "octobre", 10 }, { "novembre", 11 },
	{ "décembre", 12 }, { "decembre", 12 },
	/* Spanish, Italian, Portuguese */
	{ "enero", 1 }, { "febrero", 2 }, { "marzo", 3 }, { "abril", 4 },
	{ "mayo", 5 }, { "junio", 6 }, { "julio", 7 }, { "agosto", 8 },
	{ "septiembre", 9 }, { "setiembre", 9 }, { "octubre", 10 },
	{ "noviembre", 11 }, { "diciembre", 12 }, { "gennaio", 1 },
	{ "febbraio", 2 }, { "aprile", 4 }, { "maggio", 5 }, { "giugno", 6 },
	{ "luglio", 7 }, { "settembre", 9 }, { "ottobre", 10 },
	{ "dicembre", 12 }, { "janeiro", 1 }, { "fevereiro", 2 },
	{ "março", 3 }, { "marco", 3 }, { "maio", 5 }, { "junho", 6 },
	{ "julho", 7 }, { "setembro", 9 }, { "outubro", 10 },
	{ "dezembro", 12 },
	/* Polish (nominative, genitive) */
	{ "styczeń", 1 }, { "stycznia", 1 }, { "luty", 2 }, { "lutego", 2 },
	{ "marzec", 3 }, { "marca", 3 }, { "kwiecień", 4 }, { "kwietnia", 4 },
	{ "maja", 5 }, { "czerwiec", 6 }, { "czerwca", 6 }, { "lipiec", 7 },
	{ "lipca", 7 }, { "sierpień", 8 }, { "sierpnia", 8 },
	{ "wrzesień", 9 }, { "września", 9 }, { "październik", 10 },
	{ "października", 10 }, { "listopad", 11 }, { "listopada", 11 },
	{ "grudzień", 12 }, { "grudnia", 12 },
	/* Czech (nominative, genitive) */
	{ "leden", 1 }, { "ledna", 1 }, { "únor", 2 }, { "února", 2 },
	{ "březen", 3 }, { "března", 3 }, { "duben", 4 }, { "dubna", 4 },
	{ "květen", 5 }, { "května", 5 }, { "červen", 6 }, { "června", 6 },
	{ "červenec", 7 }, { "července", 7 }, { "srpen", 8 }, { "srpna", 8 },
	{ "září", 9 }, { "říjen", 10 }, { "října", 10 }, { "listopadu", 11 },
	{ "prosinec", 12 }, { "prosince", 12 },
	/* Russian (nominative, genitive, abbreviations) */
	{ "январь", 1 }, { "января", 1 }, { "февраль", 2 }, { "февраля", 2 },
	{ "март", 3 }, { "марта", 3 }, { "апрель", 4 }, { "апреля", 4 },
	{ "май", 5 }, { "мая", 5 }, { "июнь", 6 }, { "июня", 6 },
	{ "июль", 7 }, { "июля", 7 }, { "август", 8 }, { "августа", 8 },
	{ "сентябрь", 9 }, { "сентября", 9 }, { "октябрь", 10 },
	{ "октября", 10 }, { "ноябрь", 11 }, { "ноября", 11 },
	{ "декабрь", 12 }, { "декабря", 12 },
	/* Hungarian */
	{ "január", 1 }, { "február", 2 }, { "március", 3 }, { "április", 4 },
	{ "május", 5 }, { "június", 6 }, { "július", 7 }, { "augusztus", 8 },
	{ "szeptember", 9 }, { "október", 10 },
	/* Greek (nominative, genitive, feedparser's abbreviations) */
	{ "ιανουάριος", 1 }, { "ιανουαρίου", 1 }, { "φεβρουάριος", 2 },
	{ "φεβρουαρίου", 2 }, { "μάρτιος", 3 }, { "μαρτίου", 3 },
	{ "μάώ", 3 }, { "μαώ", 3 }, { "απρίλιος", 4 }, { "απριλίου", 4 },
	{ "μάιος", 5 }, { "μαΐου", 5 }, { "μαϊ", 5 }, { "μαι", 5 },
	{ "ιούνιος", 6 }, { "ιουνίου", 6 }, { "ιον", 6 }, { "ιούλιος", 7 },
	{ "ιουλίου", 7 }, { "ιολ", 7 }, { "αύγουστος", 8 },
	{ "αυγούστου", 8 }, { "σεπτέμβριος", 9 }, { "σεπτεμβρίου", 9 },
	{ "οκτώβριος", 10 }, { "οκτωβρίου", 10 }, { "νοέμβριος", 11 },
	{ "νοεμβρίου", 11 }, { "δεκέμβριος", 12 }, { "δεκεμβρίου", 12 },
	/* Turkish */
	{ "ocak", 1 }, { "şubat", 2 }, { "subat", 2 }, { "mart", 3 },
	{ "nisan", 4 }, { "mayıs", 5 }, { "haziran", 6 }, { "temmuz", 7 },
	{ "ağustos", 8 }, { "eylül", 9 }, { "ekim", 10 }, { "kasım", 11 },
	{ "aralık", 12 },
};

/* Filler words of long-hand dates ("10 de enero de 2020", "10 января 2020 г."). */
static const char *const fillers[] = { "de", "of", "at", "à", "um", "г", "года",
	"del", "el", "le", "den", "der" };

/*
 * Korean, Chinese and Japanese write a unit after each number
 * ("2004년 5월 28일", "2004年5月28日 13時05分"): the unit says what the
 * number is.
 */
enum { U_YEAR = 1, U_MONTH, U_DAY, U_HOUR, U_MIN, U_SEC };
static const struct {
	const char *s;
	int	 unit;
} units[] = {
	{ "년", U_YEAR }, { "월", U_MONTH }, { "일", U_DAY }, { "시", U_HOUR },
	{ "분", U_MIN }, { "초", U_SEC }, { "年", U_YEAR }, { "月", U_MONTH },
	{ "日", U_DAY }, { "時", U_HOUR }, { "时", U_HOUR }, { "分", U_MIN },
	{ "秒", U_SEC },
};

/* am (1) or pm (2) words that may come before the time, else 0. */
static int
ampm_word(const char *w)
{
	static const char *const am[] = { "오전", "午前", "上午" };
	static const char *const pm[] = { "오후", "午後", "下午" };

	for (size_t i = 0; i < 3; i++) {
		if (strcmp(w, am[i]) == 0)
			return 1;
		if (strcmp(w, pm[i]) == 0)
			return 2;
	}
	return 0;
}

/* The unit written right after a number at p, or 0. */
static int
unit_at(const char *p, size_t *len)
{
	if ((unsigned char)*p < 0xE0)
		return 0;	/* every unit is a CJK or Hangul character */
	for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++) {
		size_t n = strlen(units[i].s);

		if (strncmp(p, units[i].s, n) == 0) {
			*len = n;
			return units[i].unit;
		}
	}
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
days_in_month(int y, int m)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dim[m - 1];
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/* U+00A0, which HTML-minded feeds put between date parts. */
static int
is_nbsp(const char *p)
{
	return (unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xa0;
}

/* Letters of a word; any UTF-8 byte counts, except a no-break space. */
static int
is_alpha(const char *p)
{
	unsigned char c = (unsigned char)*p;

	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= 0x80 && !is_nbsp(p));
}

/* Reads min..max digits at *pp into *val; number read, or -1. */
static int
read_digits(const char **pp, int min, int max, int *val)
{
	const char *p = *pp;
	int n = 0, v = 0;

	while (n < max && is_digit(p[n]))
		v = v * 10 + (p[n++] - '0');
	if (n < min)
		return -1;
	*pp = p + n;
	*val = v;
	return n;
}

/* Validates the fields and turns them into seconds; 0 or -1. */
static int
dp_finish(struct dp *d, int64_t *out)
{
	int64_t t;

	if (d->ylen == 2)
		d->year += d->year < 50 ? 2000 : 1900;
	else if (d->ylen != 4)
		return -1;
	if (d->ampm != 0) {
		if (d->hour < 1 || d->hour > 12)
			return -1;
		d->hour = d->hour % 12 + (d->ampm == 2 ? 12 : 0);
	}
	if (d->year < YEAR_MIN || d->year > YEAR_MAX || d->month < 1 ||
	    d->month > 12 || d->day < 1 ||
	    d->day > days_in_month(d->year, d->month) || d->hour > 23 ||
	    d->min > 59 || d->sec > 60)
		return -1;
	t = days_from_civil(d->year, d->month, d->day) * 86400 +
	    d->hour * 3600 + d->min * 60 + d->sec - (int64_t)d->zone * 60;
	if (t < 0 || t >= days_from_civil(YEAR_MAX + 1, 1, 1) * 86400)
		return -1;
	*out = t;
	return 0;
}

/* "hh:mm[:ss[.frac]]" (or "hhmm[ss]" when basic); 0 or -1. */
static int
read_time(const char **pp, struct dp *d, int basic)
{
	const char *p = *pp;

	if (basic) {
		if (read_digits(&p, 2, 2, &d->hour) < 0 ||
		    read_digits(&p, 2, 2, &d->min) < 0)
			return -1;
		if (is_digit(*p) && read_digits(&p, 2, 2, &d->sec) < 0)
			return -1;
	} else {
		if (read_digits(&p, 1, 2, &d->hour) < 0 || *p++ != ':' ||
		    read_digits(&p, 2, 2, &d->min) < 0)
			return -1;
		if (*p == ':' && (p++, read_digits(&p, 1, 2, &d->sec) < 0))
			return -1;
	}
	if ((*p == '.' || *p == ',') && is_digit(p[1]))
		for (p++; is_digit(*p); p++)
			;
	d->have_time = 1;
	*pp = p;
	return 0;
}

/* "hh:mm", "hhmm" or "hh" after the sign at **pp; 0 or -1. */
static int
read_offset(const char **pp, int *minutes)
{
	const char *p = *pp;
	int sign = *p++ == '-' ? -1 : 1, h = 0, m = 0, n;

	n = read_digits(&p, 1, 4, &h);
	if (n == 4) {
		m = h % 100;
		h /= 100;
	} else if (n < 0 || n == 3) {
		return -1;
	} else if (*p == ':') {
		p++;
		if (read_digits(&p, 2, 2, &m) < 0)
			return -1;
	}
	if (h > 18 || m > 59 || is_digit(*p))
		return -1;
	*minutes = sign * (h * 60 + m);
	*pp = p;
	return 0;
}

/*
 * Lowercases an ASCII, Latin-1, Latin Extended-A or Cyrillic word into
 * out (UTF-8); returns its length in code points, or -1 when too long.
 */
static int
fold_word(const char *w, size_t n, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)w;
	size_t i = 0, o = 0;
	int ncp = 0;

	while (i < n) {
		unsigned int cp = s[i];
		size_t len = 1;

		if (cp >= 0xc0 && cp < 0xe0 && i + 1 < n) {
			cp = ((cp & 0x1f) << 6) | (s[i + 1] & 0x3f);
			len = 2;
		}
		if (cp >= 'A' && cp <= 'Z')
			cp += 0x20;
		else if ((cp >= 0xc0 && cp <= 0xde && cp != 0xd7) ||
		    (cp >= 0x410 && cp <= 0x42f))
			cp += 0x20;
		else if (cp >= 0x400 && cp <= 0x40f)
			cp += 0x50;
		else if ((cp >= 0x391 && cp <= 0x3a9) && cp != 0x3a2)
			cp += 0x20;		/* Greek capitals */
		else if (cp == 0x386)
			cp = 0x3ac;
		else if (cp >= 0x388 && cp <= 0x38a)
			cp += 0x25;
		else if (cp == 0x38c)
			cp = 0x3cc;
		else if (cp == 0x38e || cp == 0x38f)
			cp += 0x3f;
		else if (cp >= 0x100 && cp <= 0x17f && len == 2)
			cp += ((cp >= 0x139 && cp <= 0x148) ||
			    cp >= 0x179) ? (cp & 1) : !(cp & 1);
		if (o + 3 > outsz)
			return -1;
		if (len == 2) {
			out[o++] = (char)(0xc0 | (cp >> 6));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[o++] = (char)s[i];
			if (cp < 0x80)
				out[o - 1] = (char)cp;
		}
		i += len;
		ncp++;
	}
	out[o] = '\0';
	return ncp;
}

/* Month 1-12 named by word, or 0 when none or ambiguous. */
static int
month_lookup(const char *w, int ncp)
{
	/* RFC 822's own abbreviations first: nearly every feed date */
	static const char en[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	size_t i, n = strlen(w);
	int found = 0;

	if (n == 3)
		for (i = 0; i < 12; i++)
			if (memcmp(en + 3 * i, w, 3) == 0)
				return (int)i + 1;

	for (i = 0; i < sizeof(months) / sizeof(months[0]); i++) {
		/* both tests below need the first byte to agree */
		if (months[i].name[0] != w[0])
			continue;
		if (strcmp(months[i].name, w) == 0)
			return months[i].month;
		if (ncp >= 3 && strncmp(months[i].name, w, n) == 0) {
			if (found != 0 && found != months[i].month)
				found = -1;
			else if (found == 0)
				found = months[i].month;
		}
	}
	return found < 0 ? 0 : found;
}

/* 0 and *minutes for a zone name (military letters: RFC 2822 says UTC). */
static int
zone_lookup(const char *w, int *minutes)
{
	size_t i;

	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (strcmp(zones[i].name, w) == 0) {
			*minutes = zones[i].minutes;
			return 0;
		}
	if (strlen(w) == 1 && w[0] >= 'a' && w[0] <= 'z' && w[0] != 'j') {
		*minutes = 0;
		return 0;
	}
	return -1;
}

static int
is_filler(const char *w, const char *start, const struct dp *d)
{
	static const char *const ordinals[] = { "st", "nd", "rd", "th",
	    "er" };
	size_t i;

	for (i = 0; i < sizeof(fillers) / sizeof(fillers[0]); i++)
		if (strcmp(fillers[i], w) == 0)
			return 1;
	if (d->num_end != start)
		return 0;
	for (i = 0; i < sizeof(ordinals) / sizeof(ordinals[0]); i++)
		if (strcmp(ordinals[i], w) == 0)
			return 1;
	return 0;
}

static int
upper_word(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (w[i] < 'A' || w[i] > 'Z')
			return 0;
	return 1;
}

/* A word of the RFC 822 style reader; rest is what follows it. */
static int
word_token(struct dp *d, const char *w, size_t n, const char *rest)
{
	char lw[64];
	int ncp, m, z;

	if ((ncp = fold_word(w, n, lw, sizeof(lw))) < 0)
		return -1;
	if (d->have_time && (strcmp(lw, "am") == 0 || strcmp(lw, "pm") == 0)) {
		d->ampm = lw[0] == 'a' ? 1 : 2;
		return 0;
	}
	if ((m = ampm_word(lw)) != 0) {
		d->ampm = m;
		return 0;
	}
	if ((d->have_time || (d->ylen != 0 && ncp > 1)) &&
	    zone_lookup(lw, &z) == 0) {
		if (!d->have_offset)
			d->zone = z;
		return 0;
	}
	while (*rest == '.' || is_space(*rest))
		rest++;
	/*
	 * A zone name not known, last after the time ("10:00:00 XYZ"):
	 * RFC 2822 4.3 has such "multi-character (up to 5)" names read
	 * as -0000, the date kept.
	 */
	if (d->have_time && (*rest == '\0' || *rest == '(') && n >= 2 &&
	    n <= 5 && upper_word(w, n))
		return 0;
	/* A leading word before a comma is a weekday ("mar, 10 mar"). */
	if (!d->seen_number && d->month == 0 && *rest == ',')
		return 0;
	if (d->month == 0 && (m = month_lookup(lw, ncp)) != 0) {
		d->month = m;
		return 0;
	}
	if (!d->seen_number && d->month == 0)
		return 0;	/* weekday in any language */
	return is_filler(lw, w, d) ? 0 : -1;
}

/* A number of the RFC 822 style reader: day, year, time or "hhmm". */
static int
number_token(struct dp *d, const char **pp)
{
	const char *p = *pp;
	int v = 0, n;

	size_t ulen = 0;
	int unit;

	n = read_digits(&p, 1, 4, &v);
	if ((unit = unit_at(p, &ulen)) != 0) {
		int *slot[] = { NULL, &d->year, &d->month, &d->day, &d->hour,
		    &d->min, &d->sec };

		if (*slot[unit] != 0 && unit <= U_DAY)
			return -1;
		*slot[unit] = v;
		if (unit == U_YEAR) {
			if (n != 2 && n != 4)
				return -1;
			d->ylen = n;
			d->ymd = 1;
		} else if (unit >= U_HOUR)
			d->have_time = 1;
		d->seen_number = 1;
		d->num_end = *pp = p + ulen;
		return 0;
	}
	if (n == 4 && !d->seen_number && d->month == 0) {
		/* year first: "2006/09/15", "2004-05-25 오후 ...", "2004.
		 * március 13." read month, then day */
		d->seen_number = 1;
		d->year = v;
		d->ylen = 4;
		d->ymd = 1;
		if (is_digit(*p))
			return -1;
		d->num_end = *pp = p;
		return 0;
	}
	d->seen_number = 1;
	if (*p == ':' && !d->have_time) {
		p = *pp;
		if (read_time(&p, d, 0) < 0)
			return -1;
	} else if (n <= 2 && d->ymd && d->month == 0) {
		d->month = v;
	} else if (n <= 2 && d->day == 0) {
		d->day = v;
	} else if ((n == 2 || n == 4) && d->ylen == 0) {
		d->year = v;
		d->ylen = n;
	} else if (n == 4 && !d->have_time) {
		d->hour = v / 100;
		d->min = v % 100;
		d->have_time = 1;
	} else {
		return -1;
	}
	if (is_digit(*p))
		return -1;
	d->num_end = *pp = p;
	return 0;
}

/*
 * IANA's "Etc/" zones: Etc/UTC, Etc/GMT, and Etc/GMT+5, which is five
 * hours behind UTC (POSIX signs, the inverse of ISO 8601's).
 */
static int
etc_zone(const char **pp, struct dp *d)
{
	static const char *const utc[] = { "gmt", "utc", "uct", "ut",
	    "zulu", "universal", "greenwich" };
	const char *p = *pp + 4, *w = p;
	char lw[16];
	int found = 0, h = 0, sign;

	while (is_alpha(p))
		p++;
	if (fold_word(w, (size_t)(p - w), lw, sizeof(lw)) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(utc) / sizeof(*utc); i++)
		found |= strcmp(lw, utc[i]) == 0;
	if (!found)
		return -1;
	if ((*p == '+' || *p == '-') && is_digit(p[1])) {
		sign = *p++ == '-' ? 1 : -1;
		if (read_digits(&p, 1, 2, &h) < 0 || h > 14)
			return -1;
		if (strcmp(lw, "gmt") != 0)
			return -1;
	} else
		sign = 1;
	d->zone = sign * h * 60;
	d->have_offset = 1;
	*pp = p;
	return 0;
}

static int
rfc822_parse(const char *p, struct dp *d)
{
	const char *w;

	while (*p != '\0') {
		if (is_space(*p) || *p == ',' || *p == '.' || *p == '/') {
			p++;
		} else if (is_nbsp(p)) {
			p += 2;
		} else if (*p == '(') {
			while (*p != '\0' && *p != ')')
				p++;
			p += *p == ')';
		} else if (is_digit(*p)) {
			if (number_token(d, &p) < 0)
				return -1;
		} else if ((*p == 'T' || *p == 't') && is_digit(p[1]) &&
		    d->day != 0 && !d->have_time) {
			p++;		/* ISO's date/time separator */
		} else if (strncasecmp(p, "etc/", 4) == 0 &&
		    (d->have_time || d->ylen != 0)) {
			if (etc_zone(&p, d) < 0)
				return -1;
		} else if ((*p == '+' || *p == '-') && d->have_time &&
		    is_digit(p[1])) {
			if (read_offset(&p, &d->zone) < 0)
				return -1;
			d->have_offset = 1;
		} else if (*p == '-') {
			p++;
		} else if (is_alpha(p)) {
			for (w = p; is_alpha(p); p++)
				;
			if (word_token(d, w, (size_t)(p - w), p) < 0)
				return -1;
		} else {
			return -1;
		}
	}
	return d->month != 0 && d->day != 0 && d->ylen != 0 ? 0 : -1;
}

/* The zone after an ISO 8601 time, up to the end of the text. */
static int
iso_zone(const char *p, struct dp *d)
{
	char lw[16];
	const char *w;

	while (is_space(*p))
		p++;
	if (*p == '+' || *p == '-') {
		if (read_offset(&p, &d->zone) < 0)
			return -1;
	} else if (is_alpha(p)) {
		for (w = p; is_alpha(p); p++)
			;
		if (fold_word(w, (size_t)(p - w), lw, sizeof(lw)) < 0 ||
		    zone_lookup(lw, &d->zone) < 0)
			return -1;
	}
	while (is_space(*p))
		p++;
	return *p == '\0' ? 0 : -1;
}

/* Day-of-year doy of d->year into month and day; 0 or -1. */
static int
ordinal_date(struct dp *d, int doy)
{
	int leap = (d->year % 4 == 0 && d->year % 100 != 0) ||
	    d->year % 400 == 0;

	if (doy < 1 || doy > 365 + leap)
		return -1;
	for (d->month = 1; doy > days_in_month(d->year, d->month);
	    d->month++)
		doy -= days_in_month(d->year, d->month);
	d->day = doy;
	return 0;
}

/*
 * ISO 8601 as feeds write it (the W3DTF profile and more): YYYY,
 * YYYY-MM, YYYY-MM-DD, YYYY/M/D, YYYYMMDD, YYYY-DDD, YYYYDDD, YY-MM-DD,
 * YYMMDD, then an optional time and zone.
 */
static int
iso_parse(const char *p, struct dp *d)
{
	int basic = 0, n, doy;
	char sep;

	for (n = 0; is_digit(p[n]); n++)
		;
	d->ylen = n == 2 || n == 6 ? 2 : 4;
	if (read_digits(&p, d->ylen, d->ylen, &d->year) < 0)
		return -1;
	sep = *p;
	if (*p == '\0') {
		d->month = d->day = 1;		/* YYYY */
		return 0;
	}
	if (sep == '-' || sep == '/') {
		p++;
		for (n = 0; is_digit(p[n]); n++)
			;
		if (n == 3 && sep == '-') {
			if (read_digits(&p, 3, 3, &doy) < 0 ||
			    ordinal_date(d, doy) < 0)
				return -1;
		} else {
			if (read_digits(&p, 1, 2, &d->month) < 0)
				return -1;
			if (*p == '\0' && sep == '-') {
				d->day = 1;
				return 0;
			}
			if (*p++ != sep || read_digits(&p, 1, 2, &d->day) < 0)
				return -1;
		}
	} else {
		basic = 1;
		for (n = 0; is_digit(p[n]); n++)
			;
		if (n == 3) {
			if (read_digits(&p, 3, 3, &doy) < 0 ||
			    ordinal_date(d, doy) < 0)
				return -1;
		} else if (read_digits(&p, 2, 2, &d->month) < 0 ||
		    read_digits(&p, 2, 2, &d->day) < 0)
			return -1;
	}
	if (*p == 'T' || *p == 't')
		p++;
	else if (!is_space(*p))
		return iso_zone(p, d);
	while (is_space(*p))
		p++;
	if (!is_digit(*p))
		return iso_zone(p, d);
	for (n = 0; is_digit(p[n]); n++)
		;
	if (read_time(&p, d, basic || (n >= 4 && p[n] != ':')) < 0)
		return -1;
	return iso_zone(p, d);
}

int
date_parse(const char *text, int64_t *out)
{
	struct dp d;
	size_t n, len;

	if (text == NULL)
		return -1;
	while (is_space(*text))
		text++;
	memset(&d, 0, sizeof(d));
	for (n = 0; is_digit(text[n]); n++)
		;
	for (len = strlen(text); len > 0 && is_space(text[len - 1]); len--)
		;
	if (n == 10 && n == len) {
		/* A plain Unix timestamp, as some JSON and RSS feeds give. */
		int64_t t = 0;

		for (n = 0; n < 10; n++)
			t = t * 10 + (text[n] - '0');
		if (t >= days_from_civil(YEAR_MAX + 1, 1, 1) * 86400)
			return -1;
		*out = t;
		return 0;
	}
	if ((n == 4 && (text[4] == '-' || text[4] == '/' || n == len)) ||
	    ((n == 8 || n == 7) && (text[n] == 'T' || text[n] == 't' ||
	    n == len)) || (n == 6 && n == len) ||
	    (n == 2 && text[2] == '-' && is_digit(text[3]) &&
	    is_digit(text[4]) && text[5] == '-')) {
		if (iso_parse(text, &d) == 0 && dp_finish(&d, out) == 0)
			return 0;
		/* "2004-július-13", "2004-05-25 오후 11:23:17" */
		memset(&d, 0, sizeof(d));
	}
	if (rfc822_parse(text, &d) < 0)
		return -1;
	return dp_finish(&d, out);
}

/* Clamps t to years 1..9999 so the fields always fit the formats. */
static void
split_time(int64_t t, int *y, int *mo, int *d, int *h, int *mi, int *s,
    int *wday)
{
	int64_t days, secs;

	if (t < -62135596800LL)
		t = -62135596800LL;
	if (t > 253402300799LL)
		t = 253402300799LL;
	days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	secs = t - days * 86400;
	civil_from_days(days, y, mo, d);
	*h = (int)(secs / 3600);
	*mi = (int)(secs / 60 % 60);
	*s = (int)(secs % 60);
	*wday = (int)(((days + 4) % 7 + 7) % 7);
}

/* v in 0..99 as two digits (split_time keeps years within 1..9999). */
static void
put_2digits(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

char *
date_format_rfc3339(int64_t t, char *buf, size_t len)
{
	char out[21];
	size_t n;
	int y, mo, d, h, mi, s, wd;

	/* By hand, not snprintf: every item of `feedd parse` prints two. */
	split_time(t, &y, &mo, &d, &h, &mi, &s, &wd);
	put_2digits(out, y / 100);
	put_2digits(out + 2, y % 100);
	out[4] = '-';
	put_2digits(out + 5, mo);
	out[7] = '-';
	put_2digits(out + 8, d);
	out[10] = 'T';
	put_2digits(out + 11, h);
	out[13] = ':';
	put_2digits(out + 14, mi);
	out[16] = ':';
	put_2digits(out + 17, s);
	out[19] = 'Z';
	out[20] = '\0';
	if (len > 0) {
		n = len < sizeof(out) ? len - 1 : sizeof(out) - 1;
		memcpy(buf, out, n);
		buf[n] = '\0';
	}
	return buf;
}

char *
date_format_http(int64_t t, char *buf, size_t len)
{
	static const char wdays[][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char mons[][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int y, mo, d, h, mi, s, wd;

	split_time(t, &y, &mo, &d, &h, &mi, &s, &wd);
	snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d GMT", wdays[wd],
	    d, mons[mo - 1], y, h, mi, s);
	return buf;
}
