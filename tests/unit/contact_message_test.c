/*
 * Unit tests for src/contact/message.c and attachment.c: a thread and
 * its replies with read status and first_reply_at, a message to someone
 * outside the care team refused with nothing stored, a request key sent
 * twice stored once, the touchpoint and outbox row of each message, what
 * a caregiver may do within the scope granted, quick replies, and the
 * attachment checks on real PNG, PDF and JPEG bytes and disguised files,
 * on SQLite and PostgreSQL.
 */
#include "support.h"

#include <stdio.h>
#include <string.h>

#include "auth/policy.h"
#include "auth/write.h"
#include "contact/attachment.h"
#include "contact/message.h"
#include "core/arena.h"
#include "core/id.h"
#include "people/careteam.h"
#include "people/org.h"
#include "core/banned.h"

static const unsigned char png[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00,
	0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde,
	0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63,
	0xf8, 0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0xc9, 0xfe,
	0x92, 0xef, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
	0x42, 0x60, 0x82,
};
static const char pdf[] = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n"
			  "%%EOF\n";
static const unsigned char jpeg[] = {
	0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01,
	0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
};
static const unsigned char elf[] = {
	0x7f, 'E', 'L', 'F', 0x02, 0x01, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
	0x03, 0x00, 0x3e, 0x00, 0x01, 0x00, 0x00, 0x00, 0x40, 0x10, 0, 0,
	0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x36, 0x02, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0x40, 0x00, 0x38, 0x00, 0x0d, 0x00, 0x40, 0x00,
	0x1f, 0x00, 0x1e, 0x00,
};
static const char html[] = "<!DOCTYPE html>\n<html><body><script>alert(1)"
			   "</script></body></html>\n";
static const char script[] = "#!/bin/sh\nrm -rf /tmp/x\n";

static int
up(void **state)
{
	return test_care_up(state, TEST_CARE_CARER | TEST_CARE_STRANGERS);
}

static enum err
put(struct test_care *f, enum err (*fn)(struct db *, void *), void *arg)
{
	return store_write(f->t.store, fn, arg);
}

/* A message by `author` on `side`, with a new request key. */
static struct message_send
msg(struct test_care *f, int64_t author, const char *side, int64_t thread,
    const char *body)
{
	struct message_send m;
	char *key = arena_alloc(f->a, 40);

	memset(&m, 0, sizeof(m));
	m.org_id = f->org;
	m.patient_id = f->patient;
	m.author_id = author;
	m.side = side;
	m.now = 1000;
	m.channel = "web";
	snprintf(key, 40, "key-%lld", (long long)id_new());
	m.request_key = key;
	m.body = body;
	m.thread_id = thread;
	m.subject = thread ? NULL : "My tablets";
	return m;
}

static int64_t
count(struct test_care *f, const char *sql)
{
	return test_count(f->t.db, sql);
}

static const char sql_threads[] = "SELECT COUNT(*) FROM message_thread";
static const char sql_messages[] = "SELECT COUNT(*) FROM message";
static const char sql_outbox[] = "SELECT COUNT(*) FROM outbox";
static const char sql_touch[] =
	"SELECT COUNT(*) FROM touchpoint WHERE kind = 'message'";
static const char sql_files[] = "SELECT COUNT(*) FROM message_attachment";

static void
test_validation(void **state)
{
	struct test_care *f = *state;
	struct problems ps = {0};
	char *big = arena_alloc(f->a, MESSAGE_BODY_MAX + 2);
	struct message_send m;

	message_validate("Hello", "Body", &ps);
	assert_int_equal(ps.n, 0);
	message_validate("", "", &ps);
	assert_non_null(problems_for(&ps, "subject"));
	assert_non_null(problems_for(&ps, "body"));
	memset(&ps, 0, sizeof(ps));
	memset(big, 'a', MESSAGE_BODY_MAX + 1);
	message_validate(NULL, big, &ps);
	assert_non_null(problems_for(&ps, "body"));
	memset(&ps, 0, sizeof(ps));
	message_validate("Two\nlines", "ok\nfine", &ps);
	assert_non_null(problems_for(&ps, "subject"));
	assert_null(problems_for(&ps, "body"));
	memset(&ps, 0, sizeof(ps));
	message_validate(NULL, "bad \x01 byte", &ps);
	assert_non_null(problems_for(&ps, "body"));
	assert_false(message_key_valid("short"));
	assert_false(message_key_valid("has spaces in the key text"));
	assert_true(message_key_valid("0123456789abcdef-_AZ"));

	/* The write function checks again and stores nothing. */
	m = msg(f, f->patient_acc, MESSAGE_SIDE_PATIENT, 0, big);
	assert_int_equal(put(f, message_send, &m), ERR_INVALID);
	m = msg(f, f->patient_acc, MESSAGE_SIDE_PATIENT, 0, "ok");
	m.request_key = "bad key";
	assert_int_equal(put(f, message_send, &m), ERR_INVALID);
	assert_int_equal(count(f, sql_threads), 0);
	assert_int_equal(count(f, sql_messages), 0);
}

static void
test_thread_reply_read(void **state)
{
	struct test_care *f = *state;
	struct message_send m = msg(f, f->patient_acc, MESSAGE_SIDE_PATIENT,
				    0, "Can I take them with food?");
	struct message_read_mark mark;
	struct message_thread t, *list;
	struct message *ms;
	int64_t unread;
	size_t n;

	assert_int_equal(put(f, message_send, &m), ERR_OK);
	assert_int_equal(message_thread_get(f->t.db, f->a, m.thread_id, &t),
			 ERR_OK);
	assert_string_equal(t.subject, "My tablets");
	assert_string_equal(t.started_side, "patient");
	assert_int_equal(t.first_reply_at, 0);
	assert_int_equal(t.to_account, 0);
	assert_int_equal(t.messages, 1);

	/* Not read by the team yet. */
	assert_int_equal(message_list(f->t.db, f->a, m.thread_id, &ms, &n),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_false(ms[0].read_by_other);

	/* A second patient message is not a reply. */
	m = msg(f, f->patient_acc, MESSAGE_SIDE_PATIENT, m.thread_id,
		"And at night?");
	m.now = 1500;
	assert_int_equal(put(f, message_send, &m), ERR_OK);
	assert_int_equal(message_thread_get(f->t.db, f->a, m.thread_id, &t),
			 ERR_OK);
	assert_int_equal(t.first_reply_at, 0);
	assert_int_equal(message_unread_count_staff(f->t.db, f->org, f->pro,
						    &unread),
			 ERR_OK);
	assert_int_equal(unread, 2);
	assert_int_equal(message_unread_count_staff(f->t.db, f->org,
						    f->other_pro, &unread),
			 ERR_OK);
	assert_int_equal(unread, 0);

	/* The team's first answer. */
	m = msg(f, f->pro, MESSAGE_SIDE_STAFF, m.thread_id, "Yes, with food.");
	m.now = 2000;
	m.claim = true;
	assert_int_equal(put(f, message_send, &m), ERR_OK);
	m.now = 3000;
	m = msg(f, f->pro, MESSAGE_SIDE_STAFF, m.thread_id, "Any time.");
	m.now = 3000;
	assert_int_equal(put(f, message_send, &m), ERR_OK);
	assert_int_equal(message_thread_get(f->t.db, f->a, m.thread_id, &t),
			 ERR_OK);
	assert_int_equal(t.first_reply_at, 2000);
	assert_int_equal(message_unread_count_staff(f->t.db, f->org, f->pro,
						    &unread),
			 ERR_OK);
	assert_int_equal(unread, 0);
	assert_int_equal(t.last_message_at, 3000);
	assert_int_equal(t.to_account, f->pro);
	assert_int_equal(t.messages, 4);

	/* The patient's messages show as read; the team's not yet. */
	assert_int_equal(message_list(f->t.db, f->a, m.thread_id, &ms, &n),
			 ERR_OK);
	assert_int_equal(n, 4);
	assert_int_equal(ms[0].seq, 1);
	assert_int_equal(ms[3].seq, 4);
	assert_true(ms[0].read_by_other);
	assert_true(ms[1].read_by_other);
	assert_false(ms[2].read_by_other);
	assert_false(ms[3].read_by_other);

	assert_int_equal(message_unread_count(f->t.db, f->patient_acc,
					      f->patient, &unread),
			 ERR_OK);
	assert_int_equal(unread, 2);
	assert_int_equal(message_threads_of_patient(f->t.db, f->a, f->patient,
						    f->patient_acc, 10, &list,
						    &n),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].unread, 2);
	/* The caregiver has read nothing either: marks are per person. */
	assert_int_equal(message_unread_count(f->t.db, f->carer, f->patient,
					      &unread),
			 ERR_OK);
	assert_int_equal(unread, 2);

	mark.thread_id = m.thread_id;
	mark.account_id = f->patient_acc;
	mark.side = MESSAGE_SIDE_PATIENT;
	mark.seq = 4;
	mark.now = 4000;
	assert_int_equal(put(f, message_mark_read, &mark), ERR_OK);
	/* A mark never moves back. */
	mark.seq = 1;
	assert_int_equal(put(f, message_mark_read, &mark), ERR_OK);
	assert_int_equal(message_unread_count(f->t.db, f->patient_acc,
					      f->patient, &unread),
			 ERR_OK);
	assert_int_equal(unread, 0);
	assert_int_equal(message_list(f->t.db, f->a, m.thread_id, &ms, &n),
			 ERR_OK);
	assert_true(ms[3].read_by_other);

	/* The professional's list: the patient is theirs. */
	assert_int_equal(message_threads_of_staff(f->t.db, f->a, f->org,
						  f->pro, 0, true, 10, &list,
						  &n),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].unread, 0);
	assert_int_equal(message_threads_of_staff(f->t.db, f->a, f->org,
						  f->other_pro, 0, true, 10,
						  &list, &n),
			 ERR_OK);
	assert_int_equal(n, 0);
}

static enum err
add_unit(struct db *db, void *arg)
{
	struct unit *u = arg;

	return unit_insert(db, u);
}

static void
test_outside_team_refused(void **state)
{
	struct test_care *f = *state;
	struct message_send m = msg(f, f->patient_acc, MESSAGE_SIDE_PATIENT,
				    0, "Hello");
	struct message_recipient *r;
	struct unit u = {0};
	size_t n, i;
	bool pro = false;

	/* A professional who is not on the care team. */
	m.to_account = f->other_pro;
	assert_int_equal(put(f, message_send, &m), ERR_FORBIDDEN);
	/* A unit nobody of the team belongs to. */
	u.id = id_new();
	u.org_id = f->org;
	u.name = (char *)"Far away ward";
	u.created_at = 1;
	assert_int_equal(put(f, add_unit, &u), ERR_OK);
	m = msg(f, f->patient_acc, MESSAGE_SIDE_PATIENT, 0, "Hello");
	m.unit_id = u.id;
	assert_int_equal(put(f, message_send, &m), ERR_FORBIDDEN);
	/* A thread that is not the patient's. */
	m = msg(f, f->patient_acc, MESSAGE_SIDE_PATIENT, id_new(), "Hello");
	assert_int_equal(put(f, message_send, &m), ERR_NOT_FOUND);
	assert_int_equal(count(f, sql_threads), 0);
	assert_int_equal(count(f, sql_messages), 0);
	assert_int_equal(count(f, sql_outbox), 0);

	/* The care team and its professional may be written to. */
	assert_int_equal(message_recipients(f->t.db, f->a, f->patient, &r, &n),
			 ERR_OK);
	assert_string_equal(r[0].kind, "team");
	for (i = 0; i < n; i++) {
		assert_int_not_equal(r[i].id, f->other_pro);
		pro |= !strcmp(r[i].kind, "person") && r[i].id == f->pro;
	}
	assert_true(pro);
	m = msg(f, f->patient_acc, MESSAGE_SIDE_PATIENT, 0, "Hello");
	m.to_account = f->pro;
	assert_int_equal(put(f, message_send, &m), ERR_OK);
	assert_int_equal(count(f, sql_threads), 1);
}

static void
test_idempotent(void **state)
{
	struct test_care *f = *state;
	struct message_send m = msg(f, f->patient_acc, MESSAGE_SIDE_PATIENT,
				    0, "Once only");
	struct message_send again = m;
	int64_t thread = 0, id = 0, author = 0;

	assert_int_equal(put(f, message_send, &m), ERR_OK);
	assert_int_equal(put(f, message_send, &again), ERR_EXISTS);
	/* A reply with a used key too. */
	again = msg(f, f->pro, MESSAGE_SIDE_STAFF, m.thread_id, "Twice?");
	again.request_key = m.request_key;
	assert_int_equal(put(f, message_send, &again), ERR_EXISTS);
	assert_int_equal(count(f, sql_threads), 1);
	assert_int_equal(count(f, sql_messages), 1);
	assert_int_equal(message_find_key(f->t.db, f->org, m.request_key,
					  &thread, &id, &author),
			 ERR_OK);
	assert_int_equal(thread, m.thread_id);
	assert_int_equal(id, m.message_id);
	assert_int_equal(author, f->patient_acc);
	assert_int_equal(message_find_key(f->t.db, f->org, "no-such-key-here",
					  &thread, &id, &author),
			 ERR_NOT_FOUND);
}

static enum err
set_emails(struct db *db, void *arg)
{
	static const char sql[] =
		"UPDATE account SET email = username || '@example.org'";
	struct stmt *st = db_prepare(db, sql);

	(void)arg;
	return st ? stmt_exec(st) : ERR_DB;
}

/* Through the single write path: one touchpoint and one outbox row for
 * each message, to the other side. */
static void
test_touchpoint_and_outbox(void **state)
{
	struct test_care *f = *state;
	struct write_info wi = {
		.action = "create",
		.resource_type = MESSAGE_RES,
		.resource_id = "",
		.touchpoint_kind = "message",
	};
	struct message_send m = msg(f, f->patient_acc, MESSAGE_SIDE_PATIENT,
				    0, "Hello team");

	assert_int_equal(put(f, set_emails, NULL), ERR_OK);
	wi.patient_id = f->patient;
	test_act_as(&f->ctx, f->org, f->patient, f->patient_acc,
		    ROLE_PATIENT);
	assert_int_equal(write_commit(&f->ctx, &wi, message_send, &m), ERR_OK);
	assert_int_equal(count(f, sql_touch), 1);
	/* To the team with nobody named: its professional. */
	assert_int_equal(test_count_of(f->t.db,
				       "SELECT COUNT(*) FROM outbox WHERE "
				       "account_id = $1 AND event = 'message'",
				       f->pro),
			 1);
	test_act_as(&f->ctx, f->org, 0, f->pro, ROLE_PROFESSIONAL);
	m = msg(f, f->pro, MESSAGE_SIDE_STAFF, m.thread_id, "Hello Ana");
	assert_int_equal(write_commit(&f->ctx, &wi, message_send, &m), ERR_OK);
	assert_int_equal(count(f, sql_touch), 2);
	assert_int_equal(test_count_of(f->t.db,
				       "SELECT COUNT(*) FROM outbox WHERE "
				       "account_id = $1",
				       f->patient_acc),
			 1);
	assert_int_equal(test_count(f->t.db,
				    "SELECT COUNT(*) FROM touchpoint WHERE "
				    "direction = 'staff-to-patient'"),
			 1);
	/* A repeated key stores neither a touchpoint nor a notification. */
	assert_int_equal(write_commit(&f->ctx, &wi, message_send, &m),
			 ERR_EXISTS);
	assert_int_equal(count(f, sql_touch), 2);
	assert_int_equal(count(f, sql_outbox), 2);
}

static enum err
grant_contact(struct db *db, void *arg)
{
	static const char sql[] = "UPDATE caregiver_grant SET scopes = $1";
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, *(unsigned *)arg);
	return stmt_exec(st);
}

static void
test_caregiver_scope(void **state)
{
	struct test_care *f = *state;
	unsigned scopes = policy_scope_bit(RES_CONTACT, ACT_READ);

	test_act_as(&f->ctx, f->org, 0, f->carer, ROLE_CAREGIVER);
	assert_int_equal(policy_require(&f->ctx, f->patient, RES_CONTACT,
					ACT_READ),
			 ERR_FORBIDDEN);
	assert_int_equal(put(f, grant_contact, &scopes), ERR_OK);
	f->ctx.memo_patient = 0;
	assert_int_equal(policy_require(&f->ctx, f->patient, RES_CONTACT,
					ACT_READ),
			 ERR_OK);
	assert_int_equal(policy_require(&f->ctx, f->patient, RES_CONTACT,
					ACT_WRITE),
			 ERR_FORBIDDEN);
	scopes |= policy_scope_bit(RES_CONTACT, ACT_WRITE);
	assert_int_equal(put(f, grant_contact, &scopes), ERR_OK);
	f->ctx.memo_patient = 0;
	assert_int_equal(policy_require(&f->ctx, f->patient, RES_CONTACT,
					ACT_WRITE),
			 ERR_OK);
	/* A caregiver of nobody here. */
	test_act_as(&f->ctx, f->org, 0, f->stranger_carer, ROLE_CAREGIVER);
	f->ctx.memo_patient = 0;
	assert_int_equal(policy_require(&f->ctx, f->patient, RES_CONTACT,
					ACT_READ),
			 ERR_FORBIDDEN);
}

static void
test_attachment_types(void **state)
{
	struct test_care *f = *state;
	const char *mime = NULL;
	unsigned char *big;

	assert_int_equal(attachment_check(png, sizeof(png), 1024, &mime),
			 ERR_OK);
	assert_string_equal(mime, "image/png");
	assert_int_equal(attachment_check((const unsigned char *)pdf,
					  strlen(pdf), 1024, &mime),
			 ERR_OK);
	assert_string_equal(mime, "application/pdf");
	assert_int_equal(attachment_check(jpeg, sizeof(jpeg), 1024, &mime),
			 ERR_OK);
	assert_string_equal(mime, "image/jpeg");
	assert_int_equal(attachment_check((const unsigned char *)"Blood "
					  "pressure 120/80 this morning.\n",
					  36, 1024, &mime),
			 ERR_OK);
	assert_string_equal(mime, "text/plain");
	/* Disguised: whatever the name, the content decides. */
	assert_int_equal(attachment_check(elf, sizeof(elf), 1024, &mime),
			 ERR_UNSUPPORTED_MEDIA);
	assert_int_equal(attachment_check((const unsigned char *)html,
					  strlen(html), 1024, &mime),
			 ERR_UNSUPPORTED_MEDIA);
	assert_int_equal(attachment_check((const unsigned char *)script,
					  strlen(script), 1024, &mime),
			 ERR_UNSUPPORTED_MEDIA);
	assert_int_equal(attachment_check((const unsigned char *)"\xff\xfe"
					  "text\x80\x81",
					  8, 1024, &mime),
			 ERR_UNSUPPORTED_MEDIA);
	assert_int_equal(attachment_check(png, 0, 1024, &mime), ERR_INVALID);
	big = arena_calloc(f->a, 2048, 1);
	memcpy(big, png, sizeof(png));
	assert_int_equal(attachment_check(big, 2048, 2047, &mime),
			 ERR_TOO_LARGE);

	assert_string_equal(attachment_safe_name(f->a, "scan.PDF",
						 "application/pdf"),
			    "scan.PDF");
	assert_string_equal(attachment_safe_name(f->a, "../../etc/passwd",
						 "text/plain"),
			    "passwd.txt");
	assert_string_equal(attachment_safe_name(f->a, "evil\".pdf",
						 "image/png"),
			    "evil_.pdf.png");
	assert_string_equal(attachment_safe_name(f->a, "photo.jpeg",
						 "image/jpeg"),
			    "photo.jpeg");
	assert_string_equal(attachment_safe_name(f->a, "", "image/png"),
			    "file.png");
}

static void
test_attachment_stored(void **state)
{
	struct test_care *f = *state;
	struct message_send m = msg(f, f->patient_acc, MESSAGE_SIDE_PATIENT,
				    0, "My reading");
	struct message_file file = {"chart.png", "image/png", sizeof(png),
				    NULL};
	struct attachment at;
	struct message *ms;
	size_t n;

	file.data_b64 = attachment_encode(f->a, png, sizeof(png));
	m.file = &file;
	assert_int_equal(put(f, message_send, &m), ERR_OK);
	assert_int_equal(count(f, sql_files), 1);
	assert_int_equal(message_list(f->t.db, f->a, m.thread_id, &ms, &n),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(ms[0].attachment_name, "chart.png");
	assert_int_equal(ms[0].attachment_size, sizeof(png));
	assert_int_equal(attachment_get(f->t.db, f->a, m.thread_id,
					ms[0].attachment_id, &at),
			 ERR_OK);
	assert_string_equal(at.mime, "image/png");
	assert_int_equal(at.len, sizeof(png));
	assert_memory_equal(at.data, png, sizeof(png));
	/* Only through its own thread. */
	assert_int_equal(attachment_get(f->t.db, f->a, id_new(),
					ms[0].attachment_id, &at),
			 ERR_NOT_FOUND);
}

static void
test_templates(void **state)
{
	struct test_care *f = *state;
	struct message_template t = {0}, *list;
	size_t n;

	t.id = id_new();
	t.org_id = f->org;
	t.title = "Results normal";
	t.body = "Your results are normal.";
	t.updated_by = f->pro;
	t.updated_at = 10;
	assert_int_equal(put(f, message_template_write, &t), ERR_OK);
	t.body = "Your results are normal. No need to do anything.";
	assert_int_equal(put(f, message_template_write, &t), ERR_OK);
	assert_int_equal(message_template_list(f->t.db, f->a, f->org, &list,
					       &n),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].body,
			    "Your results are normal. No need to do anything.");
	/* Another organisation cannot change it. */
	t.org_id = f->other_org;
	assert_int_equal(put(f, message_template_write, &t), ERR_NOT_FOUND);
	t.org_id = f->org;
	t.title = "";
	assert_int_equal(put(f, message_template_write, &t), ERR_INVALID);
	t.removed_at = 20;
	assert_int_equal(put(f, message_template_write, &t), ERR_OK);
	assert_int_equal(message_template_list(f->t.db, f->a, f->org, &list,
					       &n),
			 ERR_OK);
	assert_int_equal(n, 0);
}

/* The FHIR API's search: a patient's messages in every thread, newest
 * first or oldest first, in pages that continue where the last ended,
 * by time; one message by id with its author's role. */
static void
test_search(void **state)
{
	struct test_care *f = *state;
	struct message_send m;
	struct message_query q = {0};
	struct message *ms, one;
	int64_t ids[5], n64;
	size_t n, i;

	for (i = 0; i < 5; i++) {
		m = msg(f, f->patient_acc, MESSAGE_SIDE_PATIENT, 0, "Hello");
		m.now = 1000 + (int64_t)i * 10;
		assert_int_equal(put(f, message_send, &m), ERR_OK);
		ids[i] = m.message_id;
	}
	q.patient_id = f->patient;
	q.from = 0;
	q.to = INT64_MAX;
	q.limit = 2;
	assert_int_equal(message_search(f->t.db, f->a, &q, &ms, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_true(ms[0].id == ids[4] && ms[1].id == ids[3]);
	q.has_after = true;
	q.after_at = ms[1].sent_at;
	q.after_id = ms[1].id;
	assert_int_equal(message_search(f->t.db, f->a, &q, &ms, &n), ERR_OK);
	assert_true(n == 2 && ms[0].id == ids[2] && ms[1].id == ids[1]);
	q.has_after = false;
	q.oldest_first = true;
	q.from = 1010;
	q.to = 1030;
	q.limit = 10;
	assert_int_equal(message_search(f->t.db, f->a, &q, &ms, &n), ERR_OK);
	assert_true(n == 2 && ms[0].id == ids[1] && ms[1].id == ids[2]);
	assert_int_equal(message_search_count(f->t.db, &q, &n64), ERR_OK);
	assert_int_equal(n64, 2);
	q.patient_id = f->patient + 1;
	assert_int_equal(message_search_count(f->t.db, &q, &n64), ERR_OK);
	assert_int_equal(n64, 0);
	assert_int_equal(message_get(f->t.db, f->a, ids[0], &one), ERR_OK);
	assert_string_equal(one.body, "Hello");
	assert_string_equal(one.author_role, "patient");
	assert_int_equal(message_get(f->t.db, f->a, 1, &one), ERR_NOT_FOUND);
}

int
main(void)
{
#define TEST(fn) cmocka_unit_test_setup_teardown(fn, up, test_care_down)
	const struct CMUnitTest tests[] = {
		TEST(test_validation),
		TEST(test_thread_reply_read),
		TEST(test_outside_team_refused),
		TEST(test_idempotent),
		TEST(test_touchpoint_and_outbox),
		TEST(test_caregiver_scope),
		TEST(test_attachment_types),
		TEST(test_attachment_stored),
		TEST(test_templates),
		TEST(test_search),
	};

	test_init();
	return cmocka_run_group_tests_name("contact_message", tests, NULL,
					   NULL);
}
