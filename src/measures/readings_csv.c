/*
 * The CSV import of readings: a byte-at-a-time scanner finds where each
 * row ends (quotes may hide line breaks), the row is split into fields
 * and checked as a whole, and a hash table of good rows spots repeats.
 * Only one row is held at a time.
 */
#include "measures/readings_csv.h"

#include <math.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/msgid.h"
#include "core/str.h"
#include "core/banned.h"

enum column {
	COL_DATE,
	COL_TIME,
	COL_MEASURE,
	COL_VALUE,
	COL_UNIT,
	COL__MAX,
	COL_IGNORED = COL__MAX
};

static const char *const col_names[COL__MAX] = {
	"date", "time", "measure", "value", "unit"
};

static const bool col_required[COL__MAX] = {true, false, true, true, false};

static const char *const col_missing[COL__MAX] = {
	N_("The file has no “date” column. The first row must name the "
	   "columns: date, time, measure, value and unit (time and unit "
	   "may be left out)."),
	NULL,
	N_("The file has no “measure” column. The first row must name the "
	   "columns: date, time, measure, value and unit (time and unit "
	   "may be left out)."),
	N_("The file has no “value” column. The first row must name the "
	   "columns: date, time, measure, value and unit (time and unit "
	   "may be left out)."),
	NULL
};

static const char msg_no_header[] =
	N_("The first row must name the columns: date, time, measure, value "
	   "and unit. This file starts with a reading instead. Add a row "
	   "with the column names at the top.");
static const char msg_twice[] =
	N_("This column appears twice in the first row. Keep one of them "
	   "and import the file again.");
static const char msg_columns[] =
	N_("The first row has too many columns. Keep the columns date, "
	   "time, measure, value and unit and import the file again.");
static const char msg_ignored[] =
	N_("This column is not one cocare reads, so it was ignored. The "
	   "columns it reads are date, time, measure, value and unit.");
static const char msg_latin1[] =
	N_("The file is not saved as UTF-8: it looks like another "
	   "encoding, such as Latin-1 or Windows-1252 (“ANSI”). In your "
	   "spreadsheet choose Save as, then “CSV UTF-8”, and import the "
	   "new file.");
static const char msg_utf16[] =
	N_("The file is saved as UTF-16 (“Unicode text”), not UTF-8. In "
	   "your spreadsheet choose Save as, then “CSV UTF-8”, and import "
	   "the new file.");
static const char msg_too_big[] =
	N_("The file is larger than 20 MB. Split it into smaller files and "
	   "import them one at a time.");
static const char msg_too_many[] =
	N_("The file has more than 200,000 readings. Split it into smaller "
	   "files and import them one at a time.");
static const char msg_empty[] =
	N_("The file is empty. Choose a CSV file with a row of column "
	   "names and a row for each reading.");
static const char msg_no_rows[] =
	N_("The file has column names but no readings. Add a row for each "
	   "reading under the first row.");
static const char msg_header_long[] =
	N_("The first row is too long to be a row of column names. Check "
	   "that the file is a CSV file.");
static const char msg_fields[] =
	N_("This row does not have the same number of fields as the first "
	   "row. Check for a missing or extra separator; a number with a "
	   "decimal comma needs quotes around it.");
static const char msg_row_long[] =
	N_("This row is longer than 16,000 characters. Check it for a "
	   "missing line break.");
static const char msg_field_long[] =
	N_("This field is longer than 1,000 characters. Check that it is "
	   "in the right column.");
static const char msg_open_quote[] =
	N_("A quote mark (\") in this row opens a field that is never "
	   "closed. Add the closing quote mark or remove the opening one.");
static const char msg_after_quote[] =
	N_("A field in quotes has more text after its closing quote mark. "
	   "Put the whole field inside the quotes.");
static const char msg_date[] =
	N_("Write the date as year-month-day, for example 2026-03-01.");
static const char msg_time[] =
	N_("Write the time as hours:minutes on a 24-hour clock, for "
	   "example 08:30 or 21:15.");
static const char msg_two_times[] =
	N_("The date has a time and the time column has one too. Leave "
	   "one of them empty.");
static const char msg_measure[] =
	N_("This is not a measure cocare knows. Use one of: "
	   "blood-pressure, heart-rate, weight, glucose, spo2, temperature, "
	   "steps, sleep.");
static const char msg_future[] =
	N_("This reading is dated in the future. Check the date and time.");
static const char msg_repeat[] =
	N_("This row repeats an earlier row (same measure, time and value), "
	   "so it was imported only once.");

/*
 * Good rows' fingerprints, to spot a later row that repeats one: an
 * open-addressed table in two arrays (12 bytes a slot, where a struct
 * would pad to 16), filled to at most three quarters.
 */
#define SEEN_FIRST 1024

struct readings_csv {
	struct arena *a;
	struct readings_csv_opts o;
	enum err fatal;			/* sticky once set */
	size_t bytes;
	size_t row;			/* rows ended so far */
	struct readings_csv_totals t;

	/* The scanner, over the raw bytes of the row being read. */
	char *raw;
	size_t raw_len;
	bool started;			/* a byte of this row was seen */
	bool in_quotes;
	bool quote_pending;		/* '"' inside quotes: end or "" */
	bool field_start;
	bool after_cr;			/* skip an LF that ends a CRLF */
	bool overflow;			/* the row outgrew raw: skipping */
	bool overflow_in_quotes;
	bool first;			/* the file's first bytes are next */

	/* The split row: fields unquoted into `text`. */
	char *text;
	size_t off[READINGS_CSV_MAX_COLUMNS];
	size_t len[READINGS_CSV_MAX_COLUMNS];
	size_t nf;

	/* The header. */
	bool have_header;
	char sep;
	size_t ncols;
	int col_of[COL__MAX];		/* field index, or -1 */

	uint64_t *seen_hash;		/* 0: an empty slot */
	uint32_t *seen_row;
	size_t seen_cap;		/* a power of two */
	size_t seen_n;
};

struct readings_csv *
readings_csv_new(struct arena *a, const struct readings_csv_opts *o)
{
	struct readings_csv *c;

	c = arena_alloc(a, sizeof(*c));
	if (!c)
		return NULL;
	c->a = a;
	c->o = *o;
	if (!c->o.max_bytes)
		c->o.max_bytes = READINGS_CSV_MAX_BYTES;
	if (!c->o.max_rows)
		c->o.max_rows = READINGS_CSV_MAX_ROWS;
	c->raw = arena_alloc_uninit(a, READINGS_CSV_MAX_ROW);
	/* Unquoting never lengthens a field; each gains a NUL. */
	c->text = arena_alloc_uninit(a, READINGS_CSV_MAX_ROW +
					    READINGS_CSV_MAX_COLUMNS);
	c->seen_hash = arena_calloc(a, SEEN_FIRST, sizeof(*c->seen_hash));
	c->seen_row = arena_calloc(a, SEEN_FIRST, sizeof(*c->seen_row));
	if (!c->raw || !c->text || !c->seen_hash || !c->seen_row)
		return NULL;
	c->seen_cap = SEEN_FIRST;
	c->field_start = true;
	c->first = true;
	c->fatal = ERR_OK;
	return c;
}

static enum err
report(struct readings_csv *c, enum readings_csv_level level, size_t row,
       const char *column, const char *text, const char *msg)
{
	struct readings_csv_problem p;

	p.level = level;
	p.row = row;
	p.column = column;
	p.text = text;
	p.same_as = 0;
	p.msg = msg;
	if (level == READINGS_CSV_WARNING)
		c->t.warnings++;
	return c->o.on_problem(c->o.ud, &p);
}

/* Reports a fatal problem and makes it stick. */
static enum err
fatal(struct readings_csv *c, enum err e, size_t row, const char *column,
      const char *msg)
{
	enum err cb;

	cb = report(c, READINGS_CSV_FATAL, row, column, NULL, msg);
	c->fatal = cb != ERR_OK ? cb : e;
	return c->fatal;
}

/* Reports a row left out. */
static enum err
bad_row(struct readings_csv *c, const char *column, const char *text,
	const char *msg)
{
	c->t.bad++;
	return report(c, READINGS_CSV_ROW, c->row, column, text, msg);
}

static bool
is_blank(char ch, char sep)
{
	return (ch == ' ' || ch == '\t') && ch != sep;
}

/* The field i as a view (already unquoted). */
static struct str
field(const struct readings_csv *c, size_t i)
{
	return (struct str){c->text + c->off[i], c->len[i]};
}

/* Field i as a C string (split() ends each with a NUL); -1 gives NULL. */
static const char *
field_c(const struct readings_csv *c, int i)
{
	return i < 0 ? NULL : c->text + c->off[i];
}

/*
 * Splits the raw row into fields with separator `sep`. Returns NULL or
 * the message of a row that cannot be split.
 */
static const char *
split(struct readings_csv *c, char sep)
{
	const char *p = c->raw, *end = c->raw + c->raw_len;
	size_t o = 0, start;

	c->nf = 0;
	for (;;) {
		if (c->nf == READINGS_CSV_MAX_COLUMNS)
			return msg_fields;
		while (p < end && is_blank(*p, sep))
			p++;
		start = o;
		if (p < end && *p == '"') {
			for (p++; p < end; p++) {
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"')
						p++;
					else
						break;
				}
				c->text[o++] = *p;
			}
			if (p == end)
				return msg_open_quote;
			p++;
			while (p < end && is_blank(*p, sep))
				p++;
			if (p < end && *p != sep)
				return msg_after_quote;
		} else {
			while (p < end && *p != sep)
				c->text[o++] = *p++;
			while (o > start && is_blank(c->text[o - 1], sep))
				o--;
		}
		if (o - start > READINGS_CSV_MAX_FIELD)
			return msg_field_long;
		c->off[c->nf] = start;
		c->len[c->nf] = o - start;
		c->text[o++] = '\0';
		c->nf++;
		if (p == end)
			return NULL;
		p++;		/* the separator */
	}
}

/* The separator the header has most of outside quotes. */
static char
detect_sep(const char *p, size_t len)
{
	static const char seps[] = {',', ';', '\t'};
	size_t n[3] = {0, 0, 0}, i, k, best = 0;
	bool q = false;

	for (i = 0; i < len; i++) {
		if (p[i] == '"')
			q = !q;
		for (k = 0; k < 3 && !q; k++)
			if (p[i] == seps[k])
				n[k]++;
	}
	for (k = 1; k < 3; k++)
		if (n[k] > n[best])
			best = k;
	return seps[best];
}

static bool
blank_row(const struct readings_csv *c)
{
	size_t i;

	for (i = 0; i < c->raw_len; i++)
		if (c->raw[i] != ' ' && c->raw[i] != '\t' &&
		    c->raw[i] != ',' && c->raw[i] != ';' && c->raw[i] != '"')
			return false;
	return true;
}

static bool
digits(const char *s, size_t n, int *out)
{
	size_t i;
	int v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* "H:MM", "HH:MM" or "HH:MM:SS" as seconds after midnight. */
static bool
parse_time(struct str s, int64_t *out)
{
	int h, m, sec = 0;
	size_t hl;

	s = str_trim(s);
	hl = s.len >= 2 && s.p[1] == ':' ? 1 : 2;
	if (s.len != hl + 3 && s.len != hl + 6)
		return false;
	if (!digits(s.p, hl, &h) || s.p[hl] != ':' ||
	    !digits(s.p + hl + 1, 2, &m))
		return false;
	if (s.len == hl + 6 &&
	    (s.p[hl + 3] != ':' || !digits(s.p + hl + 4, 2, &sec)))
		return false;
	if (h > 23 || m > 59 || sec > 59)
		return false;
	*out = h * 3600 + m * 60 + sec;
	return true;
}

/* "YYYY-MM-DD" as Unix seconds at midnight UTC. */
static bool
parse_date(struct str s, int64_t *out)
{
	char d[11];

	if (s.len != 10)
		return false;
	memcpy(d, s.p, 10);
	d[10] = '\0';
	return clock_parse_date(d, out);
}

static bool
looks_like_date(struct str s)
{
	int64_t t;

	s = str_trim(s);
	return s.len >= 10 && parse_date((struct str){s.p, 10}, &t);
}

/* `s` equals the lowercase ASCII `name`, ignoring ASCII case. */
static bool
eq_fold(struct str s, const char *name)
{
	size_t i;
	char ch;

	if (s.len != strlen(name))
		return false;
	for (i = 0; i < s.len; i++) {
		ch = s.p[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch != name[i])
			return false;
	}
	return true;
}

static enum err
take_header(struct readings_csv *c)
{
	enum column kind[READINGS_CSV_MAX_COLUMNS];
	const char *why;
	struct str name;
	size_t i, k;
	enum err e;
	bool missing = false;

	c->sep = detect_sep(c->raw, c->raw_len);
	if ((why = split(c, c->sep)))
		return fatal(c, ERR_INVALID, c->row, NULL,
			     why == msg_fields ? msg_columns : why);
	for (k = 0; k < COL__MAX; k++)
		c->col_of[k] = -1;
	for (i = 0; i < c->nf; i++) {
		name = str_trim(field(c, i));
		for (k = 0; k < COL__MAX; k++)
			if (eq_fold(name, col_names[k]))
				break;
		kind[i] = (enum column)k;
		if (k == COL__MAX)
			continue;
		if (c->col_of[k] >= 0)
			return fatal(c, ERR_INVALID, c->row, col_names[k],
				     msg_twice);
		c->col_of[k] = (int)i;
	}
	for (k = 0; k < COL__MAX; k++)
		if (col_required[k] && c->col_of[k] < 0)
			missing = true;
	/* Data where the names should be: one message, not one a column. */
	if (missing && c->nf && looks_like_date(field(c, 0)))
		return fatal(c, ERR_INVALID, c->row, NULL, msg_no_header);
	for (i = 0; i < c->nf; i++) {
		if (kind[i] != COL_IGNORED || !str_trim(field(c, i)).len)
			continue;
		e = report(c, READINGS_CSV_WARNING, c->row, field_c(c, (int)i),
			   field_c(c, (int)i), msg_ignored);
		if (e != ERR_OK)
			return c->fatal = e;
	}
	for (k = 0; k < COL__MAX && missing; k++) {
		if (!col_required[k] || c->col_of[k] >= 0)
			continue;
		e = report(c, READINGS_CSV_FATAL, c->row, col_names[k], NULL,
			   col_missing[k]);
		c->fatal = e != ERR_OK ? e : ERR_INVALID;
		if (e != ERR_OK)
			return e;
	}
	if (missing)
		return c->fatal;
	c->ncols = c->nf;
	c->have_header = true;
	return ERR_OK;
}

static struct str
col(const struct readings_csv *c, enum column k)
{
	return c->col_of[k] < 0 ? (struct str){"", 0}
				: field(c, (size_t)c->col_of[k]);
}

static const char *
col_text(const struct readings_csv *c, enum column k)
{
	return field_c(c, c->col_of[k]);
}

/* A 64-bit mix (splitmix64's finaliser) of the row's identity. */
static uint64_t
mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15u + (h << 6) + (h >> 2);
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9u;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebu;
	h ^= h >> 31;
	return h;
}

/*
 * Values are compared to a ten-thousandth of the storage unit, so that
 * "81.2" and "81,2" are the same reading. Two different readings share
 * a 64-bit hash with a chance of about 1 in 10^9 at 200,000 rows.
 */
static uint64_t
row_hash(const struct readings_csv_row *r)
{
	uint64_t h = 0;
	size_t i;

	h = mix(h, (uint64_t)r->value.kind);
	h = mix(h, (uint64_t)r->time);
	for (i = 0; i < READING_PARTS_MAX; i++)
		h = mix(h, (uint64_t)(int64_t)llround(r->value.v[i] * 1e4));
	return h ? h : 1;
}

static bool
seen_grow(struct readings_csv *c)
{
	size_t cap = c->seen_cap * 2, i, j;
	uint64_t *h;
	uint32_t *r;

	h = arena_calloc(c->a, cap, sizeof(*h));
	r = arena_calloc(c->a, cap, sizeof(*r));
	if (!h || !r)
		return false;
	for (i = 0; i < c->seen_cap; i++) {
		if (!c->seen_hash[i])
			continue;
		j = c->seen_hash[i] & (cap - 1);
		while (h[j])
			j = (j + 1) & (cap - 1);
		h[j] = c->seen_hash[i];
		r[j] = c->seen_row[i];
	}
	c->seen_hash = h;
	c->seen_row = r;
	c->seen_cap = cap;
	return true;
}

/*
 * Sets *same to the row an earlier good row with hash `h` came from, or
 * to 0 after recording this one. False when the table cannot grow.
 */
static bool
seen_check(struct readings_csv *c, uint64_t h, size_t row, size_t *same)
{
	size_t j, mask;

	*same = 0;
	if ((c->seen_n + 1) * 4 > c->seen_cap * 3 && !seen_grow(c))
		return false;
	mask = c->seen_cap - 1;
	for (j = h & mask; c->seen_hash[j]; j = (j + 1) & mask)
		if (c->seen_hash[j] == h) {
			*same = c->seen_row[j];
			return true;
		}
	c->seen_hash[j] = h;
	c->seen_row[j] = (uint32_t)row;
	c->seen_n++;
	return true;
}

/*
 * A time with an optional zone after it, as device exports write it:
 * "08:30", "08:30:00Z", "08:30+01:00", "08:30:00-0500". *zone is set
 * to the offset (seconds east) when one is given.
 */
static bool
parse_time_zone(struct str s, int64_t *secs, bool *has_zone, int32_t *zone)
{
	size_t i;
	int h, m = 0, sign;
	bool ok;

	s = str_trim(s);
	*has_zone = false;
	for (i = 0; i < s.len; i++)
		if (s.p[i] == 'Z' || s.p[i] == '+' || s.p[i] == '-')
			break;
	if (!parse_time((struct str){s.p, i}, secs))
		return false;
	if (i == s.len)
		return true;
	*has_zone = true;
	*zone = 0;
	if (s.p[i] == 'Z')
		return i + 1 == s.len;
	sign = s.p[i] == '-' ? -1 : 1;
	s.p += i + 1;
	s.len -= i + 1;
	/* "01", "0100" or "01:00". */
	if (s.len < 2 || !digits(s.p, 2, &h))
		return false;
	if (s.len == 5 && s.p[2] == ':')
		ok = digits(s.p + 3, 2, &m);
	else if (s.len == 4)
		ok = digits(s.p + 2, 2, &m);
	else
		ok = s.len == 2;
	if (!ok || h > 14 || m > 59)
		return false;
	*zone = sign * (h * 3600 + m * 60);
	return true;
}

/* The date (and time) columns as Unix seconds; NULL or a message. */
static const char *
row_time(struct readings_csv *c, struct readings_csv_row *r,
	 enum column *bad)
{
	struct str d = str_trim(col(c, COL_DATE));
	struct str tm = str_trim(col(c, COL_TIME));
	int64_t day, secs = 0;
	int32_t zone = c->o.utc_offset, given = 0;
	bool has_zone = false;

	*bad = COL_DATE;
	if (d.len < 10 || !parse_date((struct str){d.p, 10}, &day))
		return msg_date;
	r->has_time = false;
	if (d.len > 10) {
		if (d.p[10] != 'T' && d.p[10] != ' ')
			return msg_date;
		if (!parse_time_zone((struct str){d.p + 11, d.len - 11},
				     &secs, &has_zone, &given))
			return msg_time;
		if (tm.len) {
			*bad = COL_TIME;
			return msg_two_times;
		}
		r->has_time = true;
	} else if (tm.len) {
		*bad = COL_TIME;
		if (!parse_time_zone(tm, &secs, &has_zone, &given))
			return msg_time;
		r->has_time = true;
	}
	if (has_zone)
		zone = given;
	r->time = day + secs - zone;
	*bad = COL_DATE;
	if (r->time > c->o.now + READINGS_CSV_FUTURE_GRACE)
		return msg_future;
	return NULL;
}

static enum err
take_row(struct readings_csv *c)
{
	struct readings_csv_problem p;
	struct readings_csv_row r;
	const struct reading_def *d;
	const char *why;
	enum column bad;
	size_t same;
	enum err e;

	if (++c->t.rows > c->o.max_rows)
		return fatal(c, ERR_TOO_LARGE, c->row, NULL, msg_too_many);
	if ((why = split(c, c->sep)))
		return bad_row(c, NULL, NULL, why);
	if (c->nf != c->ncols)
		return bad_row(c, NULL, NULL, msg_fields);
	memset(&r, 0, sizeof(r));
	r.row = c->row;
	if ((why = row_time(c, &r, &bad)))
		return bad_row(c, col_names[bad], col_text(c, bad), why);
	d = reading_find(col(c, COL_MEASURE));
	if (!d)
		return bad_row(c, col_names[COL_MEASURE],
			       col_text(c, COL_MEASURE), msg_measure);
	if (!reading_parse(d->kind, col(c, COL_VALUE), col(c, COL_UNIT),
			   &r.value, &why)) {
		bad = why == d->bad_unit && str_trim(col(c, COL_UNIT)).len
			      ? COL_UNIT
			      : COL_VALUE;
		return bad_row(c, col_names[bad], col_text(c, bad), why);
	}
	if (!seen_check(c, row_hash(&r), c->row, &same))
		return fatal(c, ERR_NOMEM, c->row, NULL,
			     err_str(ERR_NOMEM));
	if (same) {
		c->t.bad++;
		c->t.repeated++;
		p.level = READINGS_CSV_ROW;
		p.row = c->row;
		p.column = NULL;
		p.text = NULL;
		p.same_as = same;
		p.msg = msg_repeat;
		return c->o.on_problem(c->o.ud, &p);
	}
	c->t.good++;
	e = c->o.on_row(c->o.ud, &r);
	return e;
}

/* A row's bytes are complete: check the encoding, then use them. */
static enum err
end_row(struct readings_csv *c)
{
	enum err e = ERR_OK;
	bool blank;

	c->row++;
	if (c->overflow) {
		if (!c->have_header)
			return fatal(c, ERR_INVALID, c->row, NULL,
				     msg_header_long);
		if (++c->t.rows > c->o.max_rows)
			return fatal(c, ERR_TOO_LARGE, c->row, NULL,
				     msg_too_many);
		e = bad_row(c, NULL, NULL, c->overflow_in_quotes
					   ? msg_open_quote : msg_row_long);
		goto out;
	}
	if (c->raw_len >= 3 && c->row == 1 &&
	    memcmp(c->raw, "\xef\xbb\xbf", 3) == 0) {
		c->raw_len -= 3;
		memmove(c->raw, c->raw + 3, c->raw_len);
	}
	if (!utf8_valid(c->raw, c->raw_len))
		return fatal(c, ERR_BAD_UTF8, c->row, NULL,
			     memchr(c->raw, '\0', c->raw_len) ? msg_utf16
							      : msg_latin1);
	blank = blank_row(c);
	if (blank)
		goto out;
	if (!c->have_header)
		e = take_header(c);
	else
		e = take_row(c);
out:
	if (e != ERR_OK && c->fatal == ERR_OK)
		c->fatal = e;
	c->raw_len = 0;
	c->started = false;
	c->in_quotes = false;
	c->quote_pending = false;
	c->field_start = true;
	c->overflow = false;
	c->overflow_in_quotes = false;
	return c->fatal;
}

/* Whether `ch` separates fields: before the header any candidate does. */
static bool
is_sep(const struct readings_csv *c, char ch)
{
	if (c->have_header)
		return ch == c->sep;
	return ch == ',' || ch == ';' || ch == '\t';
}

static void
keep(struct readings_csv *c, char ch)
{
	if (c->overflow)
		return;
	if (c->raw_len == READINGS_CSV_MAX_ROW) {
		/* Resynchronise at the next line break even if a quote is
		 * open: an unclosed quote would otherwise swallow the
		 * rest of the file. */
		c->overflow = true;
		c->overflow_in_quotes = c->in_quotes;
		c->in_quotes = false;
		c->quote_pending = false;
		return;
	}
	c->raw[c->raw_len++] = ch;
}

enum err
readings_csv_feed(struct readings_csv *c, const char *p, size_t len)
{
	size_t i;
	char ch;
	enum err e;

	if (c->fatal != ERR_OK)
		return c->fatal;
	if (len > c->o.max_bytes || c->bytes > c->o.max_bytes - len)
		return fatal(c, ERR_TOO_LARGE, 0, NULL, msg_too_big);
	c->bytes += len;
	if (c->first && len) {
		c->first = false;
		if (len >= 2 && ((unsigned char)p[0] == 0xff ||
				 (unsigned char)p[0] == 0xfe) &&
		    ((unsigned char)p[1] ^ (unsigned char)p[0]) == 0x01)
			return fatal(c, ERR_BAD_UTF8, 1, NULL, msg_utf16);
	}
	for (i = 0; i < len; i++) {
		ch = p[i];
		if (c->after_cr) {
			c->after_cr = false;
			if (ch == '\n')
				continue;
		}
		if (c->in_quotes) {
			if (c->quote_pending) {
				c->quote_pending = false;
				if (ch == '"') {
					keep(c, ch);
					continue;
				}
				c->in_quotes = false;
			} else {
				if (ch == '"')
					c->quote_pending = true;
				keep(c, ch);
				continue;
			}
		}
		if (ch == '\n' || ch == '\r') {
			c->after_cr = ch == '\r';
			if ((e = end_row(c)) != ERR_OK)
				return e;
			continue;
		}
		c->started = true;
		if (ch == '"' && c->field_start) {
			c->in_quotes = true;
			c->field_start = false;
		} else if (is_sep(c, ch)) {
			c->field_start = true;
		} else if (ch != ' ' && ch != '\t') {
			c->field_start = false;
		}
		keep(c, ch);
	}
	return ERR_OK;
}

enum err
readings_csv_finish(struct readings_csv *c,
		    struct readings_csv_totals *totals)
{
	enum err e = c->fatal;

	if (e == ERR_OK && (c->started || c->raw_len || c->overflow))
		e = end_row(c);
	if (e == ERR_OK && !c->have_header)
		e = fatal(c, ERR_INVALID, 0, NULL, msg_empty);
	if (e == ERR_OK && !c->t.rows)
		e = fatal(c, ERR_INVALID, 0, NULL, msg_no_rows);
	if (totals)
		*totals = c->t;
	return e;
}

enum err
readings_csv_parse(struct arena *a, const struct readings_csv_opts *o,
		   const char *p, size_t len,
		   struct readings_csv_totals *totals)
{
	struct readings_csv *c;
	enum err e;

	c = readings_csv_new(a, o);
	if (!c)
		return ERR_NOMEM;
	e = readings_csv_feed(c, p, len);
	if (e == ERR_OK)
		return readings_csv_finish(c, totals);
	if (totals)
		*totals = c->t;
	return e;
}
