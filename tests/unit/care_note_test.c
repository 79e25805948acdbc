/*
 * Unit tests for src/care/note.c: validation (lengths, withheld reasons,
 * unsafe Markdown) and that refused writes store nothing, version
 * conflicts, correction requests (accepted as a new version keeping the
 * old text, answered only by the author), co-written paragraphs with
 * their voices, and notes withheld from the patient's view, on SQLite
 * and PostgreSQL.
 */
#include "support.h"

#include <string.h>

#include "care/note.h"
#include "care/version.h"
#include "core/arena.h"
#include "core/id.h"

static int
up(void **state)
{
	return test_care_up(state, TEST_CARE_CARER);
}

/* A note by the fixture's professional, ready for note_create(). */
static struct note_write
new_note(struct test_care *f, const char *body, bool shared,
	 const char *reason)
{
	struct note_write nw;

	memset(&nw, 0, sizeof(nw));
	nw.org_id = f->org;
	nw.patient_id = f->patient;
	nw.author_id = f->pro;
	nw.voice = "professional";
	nw.at_ms = 1000;
	nw.id = id_new();
	nw.title = "Visit";
	nw.body = body;
	nw.shared = shared;
	nw.withheld_reason = reason;
	return nw;
}

/* Runs a write function in a transaction of its own. */
static enum err
put(struct test_care *f, enum err (*fn)(struct db *, void *), void *arg)
{
	return store_write(f->t.store, fn, arg);
}

/* Note `id` as the patient sees it. */
static enum err
shared_note(struct test_care *f, int64_t id, struct note *out)
{
	return note_get(f->t.db, f->a, f->patient, id, false, out);
}

static int64_t
count(struct test_care *f, const char *sql)
{
	return test_count(f->t.db, sql);
}

static const char sql_notes[] = "SELECT COUNT(*) FROM note";
static const char sql_versions[] =
	"SELECT COUNT(*) FROM care_version WHERE subject_type = 'note'";
static const char sql_paragraphs[] = "SELECT COUNT(*) FROM note_paragraph";
static const char sql_views[] = "SELECT COUNT(*) FROM note_view";
static const char sql_amendments[] = "SELECT COUNT(*) FROM note_amendment";

/* A string of `n` letters in the test arena. */
static char *
letters(struct test_care *f, size_t n)
{
	char *s = arena_alloc(f->a, n + 1);

	memset(s, 'a', n);
	s[n] = '\0';
	return s;
}

static bool
has_problem(const struct problems *ps, const char *field)
{
	return problems_for(ps, field) != NULL;
}

static void
test_validation(void **state)
{
	struct test_care *f = *state;
	struct problems ps;
	struct note_paragraph para[2] = {
		{1, "patient", 1, "What I said."},
		{2, "robot", 1, "Beep."},
	};

	memset(&ps, 0, sizeof(ps));
	note_validate("Visit", "We talked.", true, "", &ps);
	assert_int_equal(ps.n, 0);
	note_validate(letters(f, 300), letters(f, 20000), false, "legal",
		      &ps);
	assert_int_equal(ps.n, 0);

	note_validate(letters(f, 301), letters(f, 20001), true, "", &ps);
	assert_true(has_problem(&ps, "title"));
	assert_true(has_problem(&ps, "body"));
	memset(&ps, 0, sizeof(ps));
	note_validate("", "", true, "", &ps);
	assert_true(has_problem(&ps, "body"));
	assert_false(has_problem(&ps, "title"));	/* optional */

	/* Withheld only with a reason from the list. */
	memset(&ps, 0, sizeof(ps));
	note_validate("", "Text", false, "", &ps);
	assert_true(has_problem(&ps, "reason"));
	memset(&ps, 0, sizeof(ps));
	note_validate("", "Text", false, "because", &ps);
	assert_true(has_problem(&ps, "reason"));
	memset(&ps, 0, sizeof(ps));
	note_validate("", "Text", false, "third-party", &ps);
	assert_int_equal(ps.n, 0);
	assert_string_equal(note_reason_label("safeguarding"),
			    "A safeguarding enquiry is in progress");
	assert_string_equal(note_reason_label("nope"), "");

	/* Unsafe Markdown, with the checker's message. */
	memset(&ps, 0, sizeof(ps));
	note_validate("", "Hello <script>alert(1)</script>", true, "", &ps);
	assert_true(has_problem(&ps, "body"));
	memset(&ps, 0, sizeof(ps));
	note_validate("", "[click](javascript:alert(1))", true, "", &ps);
	assert_true(has_problem(&ps, "body"));
	memset(&ps, 0, sizeof(ps));
	note_validate("", "Control \x01 character", true, "", &ps);
	assert_true(has_problem(&ps, "body"));
	memset(&ps, 0, sizeof(ps));
	note_validate("", "[advice](https://www.nhs.uk/) and **bold**", true,
		      "", &ps);
	assert_int_equal(ps.n, 0);

	/* Text beside a note and co-written paragraphs. */
	memset(&ps, 0, sizeof(ps));
	note_text_validate("view", letters(f, 4000), true, &ps);
	note_text_validate("answer", "", false, &ps);
	assert_int_equal(ps.n, 0);
	note_text_validate("view", letters(f, 4001), true, &ps);
	note_text_validate("request", "", true, &ps);
	assert_true(has_problem(&ps, "view"));
	assert_true(has_problem(&ps, "request"));
	memset(&ps, 0, sizeof(ps));
	note_paragraphs_validate(para, 2, &ps);
	assert_true(has_problem(&ps, "voice2"));
	assert_false(has_problem(&ps, "p1"));
	para[1].voice = "professional";
	para[1].body = "<b>bold</b>";
	memset(&ps, 0, sizeof(ps));
	note_paragraphs_validate(para, 2, &ps);
	assert_true(has_problem(&ps, "p2"));
	memset(&ps, 0, sizeof(ps));
	note_paragraphs_validate(para, 0, &ps);
	assert_true(has_problem(&ps, "p1"));
}

/* Refused notes store nothing: no note, no version. */
static void
test_refused_store_nothing(void **state)
{
	struct test_care *f = *state;
	const char *bad[] = {
		"<script>alert('x')</script>",
		"Safe text and <img src=x onerror=alert(1)>",
		"[link](javascript:alert(1))",
		"[link](  JavaScript:alert(1))",
		"![pic](data:image/png;base64,AAAA)",
	};
	struct note_write nw;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nw = new_note(f, bad[i], true, "");
		assert_int_equal(put(f, note_create, &nw), ERR_INVALID);
	}
	nw = new_note(f, "Text", false, "");	/* withheld, no reason */
	assert_int_equal(put(f, note_create, &nw), ERR_INVALID);
	nw = new_note(f, "Text", false, "gossip");
	assert_int_equal(put(f, note_create, &nw), ERR_INVALID);
	nw = new_note(f, letters(f, 20001), true, "");
	assert_int_equal(put(f, note_create, &nw), ERR_INVALID);
	assert_int_equal(count(f, sql_notes), 0);
	assert_int_equal(count(f, sql_versions), 0);

	nw = new_note(f, "Fine **text**", true, "");
	assert_int_equal(put(f, note_create, &nw), ERR_OK);
	assert_int_equal(count(f, sql_notes), 1);
	assert_int_equal(count(f, sql_versions), 1);
}

static void
test_version_conflict(void **state)
{
	struct test_care *f = *state;
	struct note_write nw = new_note(f, "First text", true, "");
	struct note_write ed;
	struct note n;

	assert_int_equal(put(f, note_create, &nw), ERR_OK);
	ed = nw;
	ed.version = 1;
	ed.body = "Second text";
	ed.at_ms = 2000;
	assert_int_equal(put(f, note_edit, &ed), ERR_OK);
	assert_int_equal(ed.new_version, 2);
	/* The same stale form again: refused, the second text stays. */
	ed.body = "Third text";
	assert_int_equal(put(f, note_edit, &ed), ERR_CONFLICT);
	/* Only the author edits; an unsafe edit is refused. */
	ed.version = 2;
	ed.author_id = f->other_pro;
	assert_int_equal(put(f, note_edit, &ed), ERR_FORBIDDEN);
	ed.author_id = f->pro;
	ed.body = "<script>x</script>";
	assert_int_equal(put(f, note_edit, &ed), ERR_INVALID);
	ed.id = id_new();
	ed.body = "Text";
	assert_int_equal(put(f, note_edit, &ed), ERR_NOT_FOUND);
	assert_int_equal(shared_note(f, nw.id, &n), ERR_OK);
	assert_string_equal(n.body, "Second text");
	assert_int_equal(n.version, 2);
	assert_int_equal(count(f, sql_versions), 2);
}

static struct note_beside
beside(struct test_care *f, int64_t note_id, const char *text)
{
	struct note_beside b = {
		.org_id = f->org,
		.patient_id = f->patient,
		.note_id = note_id,
		.author_id = f->patient_acc,
		.voice = "patient",
		.at_ms = 3000,
		.text = text,
		.id = id_new(),
	};

	return b;
}

static struct note_answer
answer(struct test_care *f, const struct note_write *nw, int64_t aid,
       bool accept, const char *text, const char *body)
{
	struct note_answer na = {
		.org_id = f->org,
		.patient_id = f->patient,
		.note_id = nw->id,
		.amendment_id = aid,
		.answered_by = f->pro,
		.voice = "professional",
		.at_ms = 4000,
		.accept = accept,
		.answer = text,
		.body = body,
		.version = 1,
	};

	return na;
}

static void
test_amendment_accept(void **state)
{
	struct test_care *f = *state;
	struct note_write nw = new_note(f, "The right knee hurts.", true, "");
	struct note_beside req;
	struct note_answer na;
	struct note_amendment *m;
	struct care_version v;
	struct note n;
	size_t k;

	assert_int_equal(put(f, note_create, &nw), ERR_OK);
	req = beside(f, nw.id, "It is my left knee.");
	assert_int_equal(put(f, note_amend_request, &req), ERR_OK);
	na = answer(f, &nw, req.id, true, "Corrected, thank you.",
		    "The left knee hurts.");
	assert_int_equal(put(f, note_amend_answer, &na), ERR_OK);
	assert_int_equal(na.new_version, 2);

	assert_int_equal(shared_note(f, nw.id, &n), ERR_OK);
	assert_string_equal(n.body, "The left knee hurts.");
	assert_string_equal(n.title, "Visit");	/* kept */
	assert_int_equal(n.version, 2);
	/* The old text stays in the history. */
	assert_int_equal(care_version_get(f->t.db, f->a, CARE_NOTE, nw.id, 1,
					  &v),
			 ERR_OK);
	assert_string_equal(care_version_field(f->a, v.fields, "body"),
			    "The right knee hurts.");
	assert_int_equal(care_version_get(f->t.db, f->a, CARE_NOTE, nw.id, 2,
					  &v),
			 ERR_OK);
	assert_string_equal(v.change, "correct");
	assert_string_equal(care_version_field(f->a, v.fields, "body"),
			    "The left knee hurts.");
	assert_string_equal(care_version_field(f->a, v.fields, "title"),
			    "Visit");
	/* The request stays, with its answer; it cannot be answered twice. */
	assert_int_equal(note_amendment_list(f->t.db, f->a, nw.id, &m, &k),
			 ERR_OK);
	assert_int_equal(k, 1);
	assert_string_equal(m[0].status, "accepted");
	assert_string_equal(m[0].request, "It is my left knee.");
	assert_string_equal(m[0].answer, "Corrected, thank you.");
	assert_int_equal(m[0].answered_by, f->pro);
	na.version = 2;
	assert_int_equal(put(f, note_amend_answer, &na), ERR_CONFLICT);
	assert_int_equal(count(f, sql_versions), 2);
}

static void
test_amendment_rules(void **state)
{
	struct test_care *f = *state;
	struct note_write nw = new_note(f, "Sleeps seven hours.", true, "");
	struct note_write ed;
	struct note_beside req;
	struct note_answer na;
	struct note_amendment m;
	struct note n;

	assert_int_equal(put(f, note_create, &nw), ERR_OK);
	req = beside(f, nw.id, "I said six hours.");
	assert_int_equal(put(f, note_amend_request, &req), ERR_OK);

	/* Only the note's author answers. */
	na = answer(f, &nw, req.id, true, "", "Sleeps six hours.");
	na.answered_by = f->other_pro;
	assert_int_equal(put(f, note_amend_answer, &na), ERR_FORBIDDEN);
	/* An explanation needs words; an unsafe correction is refused. */
	na = answer(f, &nw, req.id, false, "", NULL);
	assert_int_equal(put(f, note_amend_answer, &na), ERR_INVALID);
	na = answer(f, &nw, req.id, true, "", "<script>x</script>");
	assert_int_equal(put(f, note_amend_answer, &na), ERR_INVALID);
	/* The note changed since the author opened the request. */
	ed = nw;
	ed.version = 1;
	ed.body = "Sleeps seven hours, she says.";
	assert_int_equal(put(f, note_edit, &ed), ERR_OK);
	na = answer(f, &nw, req.id, true, "", "Sleeps six hours.");
	assert_int_equal(put(f, note_amend_answer, &na), ERR_CONFLICT);
	assert_int_equal(note_amendment_get(f->t.db, f->a, nw.id, req.id, &m),
			 ERR_OK);
	assert_string_equal(m.status, "open");
	assert_string_equal(m.answer, "");

	/* Explained: the note stays as it is. */
	na = answer(f, &nw, req.id, false, "I wrote what you said then.",
		    NULL);
	assert_int_equal(put(f, note_amend_answer, &na), ERR_OK);
	assert_int_equal(note_amendment_get(f->t.db, f->a, nw.id, req.id, &m),
			 ERR_OK);
	assert_string_equal(m.status, "explained");
	assert_string_equal(m.answer, "I wrote what you said then.");
	assert_int_equal(shared_note(f, nw.id, &n), ERR_OK);
	assert_int_equal(n.version, 2);
	assert_int_equal(n.open_requests, 0);
	/* A request id of another note is not found. */
	na = answer(f, &nw, id_new(), false, "Text", NULL);
	assert_int_equal(put(f, note_amend_answer, &na), ERR_NOT_FOUND);
}

static void
test_cowritten(void **state)
{
	struct test_care *f = *state;
	struct note_paragraph para[3] = {
		{1, "patient", 0, "Evenings are hard."},
		{3, "professional", 0, "We agreed to find a group."},
		{4, "patient", 0, "Not on Tuesdays."},
	};
	struct note_write nw = new_note(f, NULL, true, "");
	struct note_paragraph *p;
	struct note n;
	size_t k;

	nw.cowritten = true;
	nw.paragraphs = para;
	nw.nparagraphs = 3;
	nw.body = note_join_paragraphs(f->a, para, 3);
	assert_string_equal(nw.body, "Evenings are hard.\n\nWe agreed to "
				     "find a group.\n\nNot on Tuesdays.");
	/* Not confirmed by the patient: nothing is stored. */
	assert_int_equal(put(f, note_create, &nw), ERR_INVALID);
	nw.patient_confirmed = true;
	nw.shared = false;
	nw.withheld_reason = "legal";
	assert_int_equal(put(f, note_create, &nw), ERR_INVALID);
	assert_int_equal(count(f, sql_notes), 0);
	assert_int_equal(count(f, sql_paragraphs), 0);

	nw.shared = true;
	nw.withheld_reason = "";
	assert_int_equal(put(f, note_create, &nw), ERR_OK);
	assert_int_equal(note_paragraph_list(f->t.db, f->a, nw.id, &p, &k),
			 ERR_OK);
	assert_int_equal(k, 3);
	assert_string_equal(p[0].voice, "patient");
	assert_string_equal(p[0].body, "Evenings are hard.");
	assert_string_equal(p[1].voice, "professional");
	assert_int_equal(p[1].position, 3);
	assert_string_equal(p[2].voice, "patient");
	assert_int_equal(shared_note(f, nw.id, &n), ERR_OK);
	assert_true(n.cowritten);
	/* Confirmed by the patient, so never changed by the author alone. */
	nw.version = 1;
	nw.body = "Changed alone.";
	assert_int_equal(put(f, note_edit, &nw), ERR_INVALID);
}

static void
test_withheld(void **state)
{
	struct test_care *f = *state;
	struct note_write shared = new_note(f, "For María.", true, "");
	struct note_write held = new_note(f, "About her brother.", false,
					  "third-party");
	struct note_beside b;
	struct note *list;
	struct note n;
	size_t k;

	held.at_ms = 5000;	/* newest */
	assert_int_equal(put(f, note_create, &shared), ERR_OK);
	assert_int_equal(put(f, note_create, &held), ERR_OK);

	/* The patient's view never has it. */
	assert_int_equal(note_list(f->t.db, f->a, f->patient, false, 50,
				   &list, &k),
			 ERR_OK);
	assert_int_equal(k, 1);
	assert_int_equal(list[0].id, shared.id);
	assert_true(list[0].shared);
	assert_int_equal(shared_note(f, held.id, &n), ERR_NOT_FOUND);
	/* Staff see it, newest first, with its reason. */
	assert_int_equal(note_list(f->t.db, f->a, f->patient, true, 50, &list,
				   &k),
			 ERR_OK);
	assert_int_equal(k, 2);
	assert_int_equal(list[0].id, held.id);
	assert_false(list[0].shared);
	assert_string_equal(list[0].withheld_reason, "third-party");
	/* Nothing is written beside a withheld note, and only by the
	 * patient's side. */
	b = beside(f, held.id, "My view");
	assert_int_equal(put(f, note_view_add, &b), ERR_NOT_FOUND);
	assert_int_equal(put(f, note_amend_request, &b), ERR_NOT_FOUND);
	b = beside(f, shared.id, "My view");
	b.voice = "professional";
	assert_int_equal(put(f, note_view_add, &b), ERR_FORBIDDEN);
	b.voice = "patient";
	b.text = "";
	assert_int_equal(put(f, note_view_add, &b), ERR_INVALID);
	assert_int_equal(count(f, sql_views), 0);
	assert_int_equal(count(f, sql_amendments), 0);
	b.text = "I agree with this note.";
	assert_int_equal(put(f, note_view_add, &b), ERR_OK);
	assert_int_equal(shared_note(f, shared.id, &n), ERR_OK);
	assert_int_equal(n.views, 1);
}

int
main(void)
{
#define TEST(fn) cmocka_unit_test_setup_teardown(fn, up, test_care_down)
	const struct CMUnitTest tests[] = {
		TEST(test_validation),
		TEST(test_refused_store_nothing),
		TEST(test_version_conflict),
		TEST(test_amendment_accept),
		TEST(test_amendment_rules),
		TEST(test_cowritten),
		TEST(test_withheld),
	};

	test_init();
	return cmocka_run_group_tests_name("care_note", tests, NULL, NULL);
}
