/*
 * The kinds of home reading a patient records (blood pressure, heart rate,
 * weight, glucose, SpO2, temperature, steps, sleep): one table with each
 * kind's key, English label, LOINC codes, UCUM units and conversions,
 * decimals to show and physiologically possible limits; and the parser
 * that turns what a person typed ("128/82", "81,2", "180 lb") into a value
 * in the kind's storage unit, refusing impossible values with a sentence
 * that says what to do. Pure code: no database, no HTML.
 */
#ifndef MEASURES_READING_H
#define MEASURES_READING_H

#include <stdbool.h>
#include <stddef.h>

#include "core/str.h"

struct buf;

enum reading_kind {
	READING_BLOOD_PRESSURE,
	READING_HEART_RATE,
	READING_WEIGHT,
	READING_GLUCOSE,
	READING_SPO2,
	READING_TEMPERATURE,
	READING_STEPS,
	READING_SLEEP,
	READING__MAX
};

#define READING_PARTS_MAX 2	/* blood pressure: systolic, diastolic */
#define READING_UNITS_MAX 3	/* storage unit plus two others */
#define READING_ALIASES_MAX 8

/*
 * One unit a kind accepts. Every kind stores its values in units[0]; a
 * value `v` in this unit is (v + add) * mul / div in the storage unit,
 * which keeps the exact conversions exact (°F: add -32, mul 5, div 9).
 */
struct reading_unit {
	const char *ucum;	/* UCUM code: "kg", "[lb_av]", "Cel" */
	const char *label;	/* shown after a value: "kg", "lb", "°C" */
	double add;
	double mul;
	double div;
	int decimals;		/* decimals to show in this unit */
	/* What people type for it, compared ignoring ASCII case and
	 * spaces; the UCUM code and label always match too. */
	const char *aliases[READING_ALIASES_MAX];
};

/*
 * One number of a reading (blood pressure has two). The limits are what
 * is physiologically possible, in the storage unit and inclusive; the
 * messages are English msgids with no format directives.
 */
struct reading_part {
	const char *loinc;	/* "8480-6" */
	const char *label;	/* msgid: "Systolic" */
	double min;
	double max;
	const char *too_low;	/* msgid: "A systolic pressure below 50 ..." */
	const char *too_high;
};

struct reading_def {
	enum reading_kind kind;
	const char *key;	/* stable: "blood-pressure"; URLs, CSV, DB */
	const char *label;	/* msgid: "Blood pressure" */
	const char *loinc;	/* the observation's code (BP: the panel) */
	const char *loinc_alt;	/* another code read on import, or NULL */
	struct reading_part parts[READING_PARTS_MAX];
	size_t n_parts;
	struct reading_unit units[READING_UNITS_MAX];	/* [0]: storage */
	size_t n_units;
	const char *example;	/* msgid: how to type a value */
	const char *bad_unit;	/* msgid: which units this kind takes */
	bool whole;		/* counts (steps): "10,000" is ten thousand */
};

/*
 * A parsed reading: v[i] is part i in the storage unit (units[0]); for
 * blood pressure v[0] is systolic and v[1] diastolic, otherwise v[1] is 0.
 * Values are not rounded: display goes through reading_format().
 */
struct reading_value {
	enum reading_kind kind;
	double v[READING_PARTS_MAX];
	const struct reading_unit *entered;	/* the unit it was typed in
						 * (reading_parse()), to offer
						 * it next time; may be NULL */
};

/* The table entry for `k` (< READING__MAX); never NULL. Static storage. */
const struct reading_def *reading_def(enum reading_kind k);

/*
 * The kind named by `name`: its key or its English label, ignoring ASCII
 * case, white space at both ends and '-', '_' or ' ' between words (so
 * "Blood pressure", "blood_pressure" and "BLOOD-PRESSURE" all match).
 * NULL when none does.
 */
const struct reading_def *reading_find(struct str name);

/* The kind whose loinc or loinc_alt is `code`, or NULL. */
const struct reading_def *reading_find_loinc(struct str code);

/*
 * The unit of `d` that `text` names (UCUM code, label or alias, ignoring
 * ASCII case and spaces); empty or blank text gives the storage unit.
 * NULL when `text` names no unit of this kind.
 */
const struct reading_unit *reading_unit_find(const struct reading_def *d,
					     struct str text);

/* The storage unit (units[0]) of kind `k`. */
const struct reading_unit *reading_storage_unit(enum reading_kind k);

/*
 * `v` in unit `from` converted to unit `to`. Both must be units of the
 * same kind (from reading_unit_find() or the table); no rounding.
 */
double reading_unit_convert(const struct reading_unit *from,
			    const struct reading_unit *to, double v);

/*
 * Parses what a person typed for a reading of kind `k` into *out, in the
 * storage unit. `value`: a number with a decimal point or a decimal comma
 * ("81.2", "81,2"), optional white space around it and an optional minus;
 * for blood pressure two numbers with a slash ("128/82", "128 / 82"); for
 * sleep also hours:minutes ("7:30"); for steps, whose values are whole,
 * '.', ',' or a space between groups of three digits separate thousands
 * ("10,000" is 10000) and any other fraction is refused. The value may end
 * with its unit ("81.2 kg", "98%") when `unit` is blank; when both name a
 * unit they must agree. `unit`: as reading_unit_find(); blank means the
 * storage unit.
 *
 * True on success. False when the text is not a number of this kind, the
 * unit is unknown, a value is outside the part's limits, or a diastolic
 * pressure is not below the systolic; then *why is a static English msgid
 * saying what to do (no format directives; translate with tr()) and *out
 * is unchanged. `why` may be NULL.
 */
bool reading_parse(enum reading_kind k, struct str value, struct str unit,
		   struct reading_value *out, const char **why);

/*
 * True when every part of `v` is within its limits (and, for blood
 * pressure, diastolic < systolic); else false with *why as above. For
 * values from elsewhere than reading_parse() (FHIR, a device).
 */
bool reading_check(const struct reading_value *v, const char **why);

enum reading_format_flags {
	READING_FMT_UNIT = (1 << 0),	/* append " " and the unit's label */
	READING_FMT_COMMA = (1 << 1)	/* decimal comma ("81,2") */
};

/*
 * Appends `v` converted to `unit` (a unit of v->kind; NULL: the storage
 * unit) and rounded to that unit's decimals: "81.2", "128/82",
 * "178.6 lb" with READING_FMT_UNIT. Never "-0". Returns false when the
 * buffer is full (its sticky flag is set).
 */
bool reading_format(struct buf *b, const struct reading_value *v,
		    const struct reading_unit *unit, unsigned flags);

/* Appends one number rounded to `decimals` (0-6); same rules as above. */
bool reading_format_number(struct buf *b, double x, int decimals,
			   unsigned flags);

#endif
