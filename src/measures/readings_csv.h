/*
 * Import of home readings from a CSV file (a spreadsheet export or a
 * device app's download). A push parser: the caller feeds the file in
 * chunks of any size and gets one callback per good row and one per
 * problem, so 100,000 rows need a row's worth of buffer plus the table
 * that spots repeated rows. Pure code: the caller stores the rows.
 *
 * The format
 *
 *   date,time,measure,value,unit
 *   2026-03-01,08:30,blood-pressure,128/82,mmHg
 *   2026-03-01,08:31,Heart rate,72,
 *   2026-03-01,,weight,"81,2",kg
 *
 * - UTF-8, with or without a byte-order mark; lines end in CRLF, LF or CR.
 * - The first non-blank row is the header. Its separator, ',' or ';' (or
 *   a tab), is the one it has most of outside quotes (',' first on a
 *   tie) and is used for the whole file.
 * - Columns, in any order, named ignoring ASCII case and spaces at either
 *   end: "date" (required), "time" (optional), "measure" (required),
 *   "value" (required), "unit" (optional). Other named columns are ignored
 *   with a warning; columns with an empty name are ignored silently.
 * - date: YYYY-MM-DD, optionally followed by 'T' or a space and a time.
 * - time: HH:MM or HH:MM:SS, 24-hour clock ("8:30" is fine). Blank, or no
 *   time column: the reading is dated midnight and has_time is false.
 *   Date and time are the patient's local time, which utc_offset (below)
 *   turns into Unix seconds, unless the time ends with its own zone as
 *   device exports write it ("08:30:00Z", "08:30+01:00", "08:30-0500").
 * - measure: a kind's key ("blood-pressure") or English label ("Blood
 *   pressure"), see reading_find().
 * - value, unit: as reading_parse(); blank unit means the kind's storage
 *   unit. Blood pressure is one value, "128/82". With ',' as separator a
 *   decimal comma needs quotes ("81,2").
 * - Fields may be quoted with '"'; a quote inside is written "". Quoted
 *   fields may hold separators and line breaks.
 * - Blank rows (nothing, or only separators) are skipped silently.
 *
 * Row numbers are the ones a spreadsheet shows: the header is row 1 when
 * the file starts with it, and a quoted line break does not start a row.
 */
#ifndef MEASURES_READINGS_CSV_H
#define MEASURES_READINGS_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "measures/reading.h"

struct arena;

#define READINGS_CSV_MAX_BYTES (20u << 20)	/* whole file */
#define READINGS_CSV_MAX_ROWS 200000u		/* rows after the header */
#define READINGS_CSV_MAX_FIELD 1000u		/* bytes of one field */
#define READINGS_CSV_MAX_ROW 16384u		/* bytes of one row */
#define READINGS_CSV_MAX_COLUMNS 64u
#define READINGS_CSV_FUTURE_GRACE 300		/* seconds of clock skew */

/* A good row: the reading in its kind's storage unit. */
struct readings_csv_row {
	size_t row;			/* spreadsheet row number */
	struct reading_value value;	/* .entered: the unit the file used */
	int64_t time;			/* Unix seconds */
	bool has_time;			/* false: the row gave a date only */
};

enum readings_csv_level {
	READINGS_CSV_WARNING,	/* noted; nothing was left out */
	READINGS_CSV_ROW,	/* this row was not imported */
	READINGS_CSV_FATAL	/* the import stopped here */
};

/*
 * A problem. `msg` is a static English msgid with no format directives
 * (translate it with tr()); the other strings are valid only during the
 * callback.
 */
struct readings_csv_problem {
	enum readings_csv_level level;
	size_t row;		/* spreadsheet row number; 0: the whole file */
	const char *column;	/* "date", "value", ... or an ignored
				 * column's name as written; NULL: the row */
	const char *text;	/* the field as written (may be cut to
				 * READINGS_CSV_MAX_FIELD), or NULL */
	size_t same_as;		/* a repeated row: the row it repeats */
	const char *msg;
};

/*
 * The callbacks return ERR_OK to go on; anything else stops the import
 * and is returned by readings_csv_feed() or readings_csv_finish().
 */
struct readings_csv_opts {
	int64_t now;		/* Unix seconds: later readings are refused */
	int32_t utc_offset;	/* the patient's offset, seconds east of
				 * UTC, applied to every row.
				 * NEEDSWORK: one offset for the whole file
				 * is an hour off across a DST change; a
				 * time-zone name would fix it. */
	size_t max_bytes;	/* 0: READINGS_CSV_MAX_BYTES */
	size_t max_rows;	/* 0: READINGS_CSV_MAX_ROWS */
	enum err (*on_row)(void *ud, const struct readings_csv_row *r);
	enum err (*on_problem)(void *ud,
			       const struct readings_csv_problem *p);
	void *ud;
};

struct readings_csv_totals {
	size_t rows;		/* data rows read, blank ones left out */
	size_t good;		/* rows passed to on_row */
	size_t bad;		/* rows refused (repeats included) */
	size_t repeated;	/* of which repeats of an earlier row */
	size_t warnings;
};

struct readings_csv;

/*
 * A new import whose state lives in `a`: about 33 KB, plus 16 to 32
 * bytes a good row for spotting repeats (3 MB for 100,000 rows). `o` is
 * copied and both callbacks must be set. NULL when the arena is full.
 */
struct readings_csv *readings_csv_new(struct arena *a,
				      const struct readings_csv_opts *o);

/*
 * Parses the next `len` bytes of the file. ERR_OK to go on. A fatal
 * problem is reported through on_problem (level READINGS_CSV_FATAL) and
 * returned, after which every call returns it again:
 * ERR_TOO_LARGE  the file is over max_bytes or has more than max_rows rows
 * ERR_BAD_UTF8   the text is not UTF-8 (the message names the likely
 *                encoding and says to save the file as UTF-8)
 * ERR_INVALID    the header lacks a required column, repeats one, or has
 *                more than READINGS_CSV_MAX_COLUMNS
 * ERR_NOMEM      the arena is full
 * or what a callback returned. Rows already passed to on_row stay passed:
 * a caller that wants all or nothing imports in one transaction and rolls
 * back on error.
 */
enum err readings_csv_feed(struct readings_csv *c, const char *p,
			   size_t len);

/*
 * Ends the file: parses the last row if it had no line break, reports an
 * empty file or one with only a header (ERR_INVALID, fatal), and fills
 * *totals (may be NULL). Returns as readings_csv_feed().
 */
enum err readings_csv_finish(struct readings_csv *c,
			     struct readings_csv_totals *totals);

/* The whole file in one call: new, feed, finish. */
enum err readings_csv_parse(struct arena *a,
			    const struct readings_csv_opts *o,
			    const char *p, size_t len,
			    struct readings_csv_totals *totals);

#endif
