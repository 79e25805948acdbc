/*
 * `cocare score` (see score_cli.h). Input is one JSON document, several
 * pretty-printed ones one after another, or NDJSON: the first document
 * decides, since a document that ends on its first line means one per
 * line, and then a broken line cannot swallow the lines after it.
 */
#include "measures/score_cli.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/problem.h"
#include "measures/instrument.h"
#include "measures/questionnaire.h"
#include "measures/scoring.h"
#include "core/banned.h"

#define DOC_MAX (1 << 20)	/* bytes of one response */
#define DOC_ARENA_CAP (64 << 20)
#define CLI_ARENA_CAP (256 << 20)
#define MAX_IMPORTS 32

/* A questionnaire named with --questionnaire. */
struct import {
	const char *file;
	const char *as;			/* --as ID, or NULL */
	struct questionnaire *q;
	const char *instrument;		/* the library id of its rules */
};

struct run {
	struct arena *a;		/* the command's: imports */
	struct import imports[MAX_IMPORTS];
	size_t n_imports;
	int status;
	/* The scanner's state for the current input. */
	const char *file;		/* NULL for standard input */
	long line;
	enum { MODE_UNKNOWN, MODE_LINES, MODE_DOCS } mode;
	char *doc;
	size_t len;
	bool started, overflow, in_str, esc, junk;
	long depth, start_line;
};

static void
say(struct run *r, long line, const char *msg)
{
	if (r->file)
		fprintf(stderr, "cocare score: %s line %ld: %s\n", r->file,
			line, msg);
	else
		fprintf(stderr, "cocare score: line %ld: %s\n", line, msg);
}

/* A number rounded as people see it: whole numbers without ".0". */
static json_t *
number_json(double v)
{
	double r = round(v * 100) / 100;

	if (r == floor(r) && fabs(r) < 9e15)
		return json_integer((json_int_t)r);
	return json_real(r);
}

static void
emit(json_t *out)
{
	char *s = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER |
				  JSON_REAL_PRECISION(15));

	if (s) {
		puts(s);
		free(s);
	}
	json_decref(out);
}

static json_t *
scores_json(const struct score_report *rep)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < rep->n_scores; i++) {
		const struct score_result *s = &rep->scores[i];
		json_t *e = json_object();

		json_object_set_new(e, "value", s->computed ?
				    number_json(s->value) : json_null());
		if (s->band) {
			json_object_set_new(e, "band",
					    json_string(s->band->code));
			json_object_set_new(e, "label",
					    json_string(s->band->label));
		}
		if (s->reason)
			json_object_set_new(e, "reason",
					    json_string(s->reason));
		json_object_set_new(o, s->score->name, e);
	}
	return o;
}

static json_t *
flags_json(const struct score_report *rep)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < rep->n_flags; i++) {
		const struct q_flag *f = rep->flags[i].flag;
		json_t *e = json_object();

		json_object_set_new(e, "code", json_string(f->code));
		json_object_set_new(e, "label", json_string(f->label));
		if (f->item)
			json_object_set_new(e, "item",
					    json_string(f->item->link_id));
		else
			json_object_set_new(e, "score",
					    json_string(f->score->name));
		json_object_set_new(e, "value",
				    number_json(rep->flags[i].value));
		json_object_set_new(e, "urgent", json_boolean(f->urgent));
		json_array_append_new(arr, e);
	}
	return arr;
}

/* The questionnaire `canonical` names: an imported one, else the
 * library's; `*inst` gets the id of the rules. */
static const struct questionnaire *
find_questionnaire(struct run *r, const char *canonical, const char **inst)
{
	const struct instrument *list;
	size_t i, n;

	for (i = 0; i < r->n_imports; i++)
		if (q_is_named(r->imports[i].q, canonical)) {
			*inst = r->imports[i].instrument;
			return r->imports[i].q;
		}
	list = instrument_list(&n);
	for (i = 0; i < n; i++)
		if (q_is_named(list[i].q, canonical)) {
			*inst = list[i].id;
			return list[i].q;
		}
	return NULL;
}

/* Scores one response into `out`; an error message, or NULL. */
static const char *
score_one(struct run *r, struct arena *a, json_t *root, json_t *out)
{
	const struct questionnaire *q;
	struct problems ps = {0};
	struct score_report rep;
	struct q_answers ans;
	const char *canon, *inst = NULL, *why, *rt;
	json_t *id;

	if (!json_is_object(root))
		return "not a JSON object";
	id = json_object_get(root, "id");
	json_object_set(out, "response", json_is_string(id) ? id : json_null());
	rt = json_string_value(json_object_get(root, "resourceType"));
	if (!rt || strcmp(rt, "QuestionnaireResponse"))
		return arena_printf(a, "not a QuestionnaireResponse "
				       "(resourceType is '%s')",
				    rt ? rt : "missing");
	canon = json_string_value(json_object_get(root, "questionnaire"));
	if (!canon)
		return "the response names no questionnaire";
	json_object_set_new(out, "questionnaire", json_string(canon));
	if (!(q = find_questionnaire(r, canon, &inst)))
		return arena_printf(a, "unknown questionnaire '%s'", canon);
	json_object_set_new(out, "instrument",
			    inst ? json_string(inst) : json_null());
	if (q_answers_from_json(a, q, root, &ans, &why) != ERR_OK)
		return why;
	/* Drops answers that earlier answers hide. */
	if (q_answers_check(a, q, &ans, false, &ps) != ERR_OK)
		return arena_printf(a, "item '%s': %s", ps.p[0].field,
				    ps.p[0].msg);
	if (score_response(a, q, &ans, &rep) != ERR_OK)
		return err_str(ERR_NOMEM);
	json_object_set_new(out, "scores", scores_json(&rep));
	json_object_set_new(out, "flags", flags_json(&rep));
	return NULL;
}

/* Handles one document of the input, which began on `line`. */
static void
process(struct run *r, const char *text, size_t len, long line,
	const char *problem)
{
	struct arena *a = arena_new(DOC_ARENA_CAP);
	json_t *out = json_object(), *root = NULL;
	json_error_t jerr;
	const char *msg = problem;

	if (!a || !out) {
		fputs("cocare score: out of memory\n", stderr);
		exit(1);
	}
	json_object_set_new(out, "response", json_null());
	json_object_set_new(out, "line", json_integer(line));
	if (r->file)
		json_object_set_new(out, "file", json_string(r->file));
	if (!msg && !(root = json_loadb(text, len, JSON_REJECT_DUPLICATES,
					&jerr)))
		msg = arena_printf(a, "not JSON: %s", jerr.text);
	if (!msg)
		msg = score_one(r, a, root, out);
	if (msg) {
		if (arena_failed(a))
			msg = err_str(ERR_NOMEM);
		json_object_set_new(out, "error", json_string(msg));
		say(r, line, msg);
		r->status = 1;
	}
	json_decref(root);
	emit(out);
	arena_free(a);
}

static void
doc_reset(struct run *r)
{
	r->len = 0;
	r->started = r->overflow = r->in_str = r->esc = r->junk = false;
	r->depth = 0;
}

static void
doc_end(struct run *r)
{
	if (r->overflow)
		process(r, NULL, 0, r->start_line,
			"the document is larger than 1 MiB (the limit)");
	else if (r->junk)
		process(r, NULL, 0, r->start_line, "not a JSON object");
	else
		process(r, r->doc, r->len, r->start_line, NULL);
	doc_reset(r);
}

/* Feeds one character of the input to the scanner. */
static void
scan(struct run *r, char c)
{
	if (!r->started) {
		if (c == '\n')
			r->line++;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			return;
		r->started = true;
		r->start_line = r->line;
		r->junk = c != '{' && c != '[';
	}
	if (r->len < DOC_MAX)
		r->doc[r->len++] = c;
	else
		r->overflow = true;
	if (c == '\n') {
		r->line++;
		if (r->mode == MODE_UNKNOWN && !r->junk)
			r->mode = MODE_DOCS;
		/* One document per line: a line ends it, finished or not. */
		if (r->mode == MODE_LINES || r->junk) {
			doc_end(r);
			return;
		}
	}
	if (r->junk)
		return;
	if (r->in_str) {
		if (r->esc)
			r->esc = false;
		else if (c == '\\')
			r->esc = true;
		else if (c == '"')
			r->in_str = false;
	} else if (c == '"') {
		r->in_str = true;
	} else if (c == '{' || c == '[') {
		r->depth++;
	} else if ((c == '}' || c == ']') && --r->depth == 0) {
		if (r->mode == MODE_UNKNOWN)
			r->mode = MODE_LINES;
		doc_end(r);
	}
}

/* Scores every response in `f` (named `name`, NULL for stdin). */
static void
score_stream(struct run *r, FILE *f, const char *name)
{
	char chunk[65536];
	size_t n, i;

	r->file = name;
	r->line = 1;
	r->mode = MODE_UNKNOWN;
	doc_reset(r);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		for (i = 0; i < n; i++)
			scan(r, chunk[i]);
	if (ferror(f)) {
		fprintf(stderr, "cocare score: cannot read %s: %s\n",
			name ? name : "standard input", strerror(errno));
		r->status = 1;
	}
	if (r->started)
		doc_end(r);
}

/* The whole of file `path` (at most `max` bytes) in the arena. */
static char *
slurp(struct arena *a, const char *path, size_t max, size_t *len,
      const char **why)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	*why = NULL;
	if (!f) {
		*why = strerror(errno);
		return NULL;
	}
	if (!(buf = arena_alloc(a, max + 1))) {
		fclose(f);
		*why = "out of memory";
		return NULL;
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f))
		*why = strerror(errno);
	else if (n > max)
		*why = "the file is too large";
	fclose(f);
	if (*why)
		return NULL;
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Loads --questionnaire files and gives each its library rules. */
static int
load_import(struct run *r, struct import *im)
{
	const struct instrument *lib = NULL, *list;
	struct adopt_notes notes;
	const char *why;
	char *text;
	size_t len, i, n;

	if (!(text = slurp(r->a, im->file, Q_MAX_JSON, &len, &why))) {
		fprintf(stderr, "cocare score: cannot read '%s': %s\n",
			im->file, why);
		return 2;
	}
	if (q_parse(r->a, text, len, &im->q, &why) != ERR_OK) {
		fprintf(stderr, "cocare score: %s: %s\n", im->file, why);
		return 2;
	}
	if (!im->q->url && !im->q->id) {
		fprintf(stderr, "cocare score: %s: the questionnaire has no "
				"url or id, so no response can name it\n",
			im->file);
		return 2;
	}
	list = instrument_list(&n);
	if (im->as && !(lib = instrument_get(im->as, NULL))) {
		fprintf(stderr, "cocare score: no instrument '%s' in the "
				"library\n", im->as);
		return 2;
	}
	if (!lib)
		lib = instrument_match(im->q, list, n);
	if (!lib) {
		if (!im->q->n_scores)
			fprintf(stderr, "cocare score: %s: no library "
					"instrument matches and it has no "
					"scores of its own\n", im->file);
		return 0;
	}
	if (instrument_adopt(r->a, im->q, lib->q, &notes, &why) != ERR_OK) {
		fprintf(stderr, "cocare score: %s: cannot score it as '%s': "
				"%s\n", im->file, lib->id, why);
		return 2;
	}
	im->instrument = lib->id;
	for (i = 0; i < notes.n; i++)
		fprintf(stderr, "cocare score: %s: warning: %s\n", im->file,
			notes.msg[i]);
	return 0;
}

/* Adds every *.json of `dir` to the library, English files first. */
static int
load_dir(struct run *r, const char *dir)
{
	struct dirent *de;
	const char *why;
	char *path, *text;
	size_t len;
	int pass, rc = 0;
	DIR *d;

	for (pass = 0; pass < 2 && rc == 0; pass++) {
		if (!(d = opendir(dir))) {
			fprintf(stderr, "cocare score: cannot read '%s': "
					"%s\n", dir, strerror(errno));
			return 2;
		}
		while (rc == 0 && (de = readdir(d))) {
			size_t n = strlen(de->d_name);
			const char *dot = strchr(de->d_name, '.');

			if (n < 6 || strcmp(de->d_name + n - 5, ".json") ||
			    (dot == de->d_name + n - 5) != (pass == 0))
				continue;
			path = arena_printf(r->a, "%s/%s", dir, de->d_name);
			text = path ? slurp(r->a, path, Q_MAX_JSON, &len,
					    &why) : NULL;
			if (!text) {
				fprintf(stderr, "cocare score: cannot read "
						"'%s': %s\n", path ? path :
					de->d_name, path ? why :
					"out of memory");
				rc = 2;
			} else if (instrument_add(de->d_name, text, len,
						  &why) != ERR_OK) {
				fprintf(stderr, "cocare score: %s\n", why);
				rc = 2;
			}
		}
		closedir(d);
	}
	return rc;
}

static void
usage(void)
{
	fputs("usage: cocare score [--instruments DIR] [--questionnaire FILE "
	      "[--as ID]]... [FILE]...\n", stderr);
}

int
score_cli(int argc, char **argv)
{
	struct run r = {0};
	const char *why;
	int i, rc = 0, files = 0;
	FILE *f;

	if (!(r.a = arena_new(CLI_ARENA_CAP)) || !(r.doc = malloc(DOC_MAX))) {
		fputs("cocare score: out of memory\n", stderr);
		rc = 1;
		goto out;
	}
	if (instrument_load(&why) != ERR_OK)
		fprintf(stderr, "cocare score: instrument library: %s\n", why);
	/* Options first, so every questionnaire is loaded before input. */
	for (i = 1; i < argc && rc == 0; i++) {
		if (!strcmp(argv[i], "--instruments") && i + 1 < argc) {
			rc = load_dir(&r, argv[++i]);
		} else if (!strcmp(argv[i], "--questionnaire") &&
			   i + 1 < argc) {
			if (r.n_imports == MAX_IMPORTS) {
				fputs("cocare score: too many questionnaires\n",
				      stderr);
				rc = 2;
				break;
			}
			r.imports[r.n_imports++].file = argv[++i];
		} else if (!strcmp(argv[i], "--as") && i + 1 < argc &&
			   r.n_imports && !r.imports[r.n_imports - 1].as) {
			r.imports[r.n_imports - 1].as = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			usage();
			rc = 2;
		} else {
			files++;
		}
	}
	for (i = 0; rc == 0 && i < (int)r.n_imports; i++)
		rc = load_import(&r, &r.imports[i]);
	if (rc)
		goto out;
	if (!files)
		score_stream(&r, stdin, NULL);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--instruments") ||
		    !strcmp(argv[i], "--questionnaire") ||
		    !strcmp(argv[i], "--as")) {
			i++;
			continue;
		}
		if (!strcmp(argv[i], "-")) {
			score_stream(&r, stdin, NULL);
			continue;
		}
		if (!(f = fopen(argv[i], "rb"))) {
			fprintf(stderr, "cocare score: cannot read '%s': %s\n",
				argv[i], strerror(errno));
			r.status = 1;
			continue;
		}
		score_stream(&r, f, argv[i]);
		fclose(f);
	}
	fflush(stdout);
	rc = r.status;
out:
	free(r.doc);
	arena_free(r.a);
	return rc;
}
