/*
 * Secure messaging (see message.h): validation, who a patient may write
 * to, the write functions run inside write_commit() (a message, a read
 * mark, a quick reply) and reading threads with their read status.
 */
#include "contact/message.h"

#include <stdio.h>
#include <string.h>

#include "contact/outbox.h"
#include "core/arena.h"
#include "core/id.h"
#include "core/msgid.h"
#include "core/str.h"
#include "store/store.h"
#include "core/banned.h"

/* --- validation ----------------------------------------------------------- */

/* Text people type: valid UTF-8 and no control characters but line
 * breaks and tabs (and none at all on one line). */
static bool
text_ok(const char *s, bool one_line)
{
	size_t len = strlen(s), i;

	if (!utf8_valid(s, len))
		return false;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == 0x7F)
			return false;
		if (ch >= 0x20)
			continue;
		if (one_line || (ch != '\n' && ch != '\r' && ch != '\t'))
			return false;
	}
	return true;
}

static void
text_validate(const char *field, const char *s, size_t max, bool one_line,
	      const char *empty_msg, const char *long_msg,
	      struct problems *out)
{
	if (!s || !*s)
		problems_add(out, field, empty_msg);
	else if (!text_ok(s, one_line))
		problems_add(out, field,
			     N_("Remove the special characters from this "
				"text."));
	else if (utf8_length(s, strlen(s)) > max)
		problems_add(out, field, long_msg);
}

void
message_validate(const char *subject, const char *body, struct problems *out)
{
	if (subject)
		text_validate("subject", subject, MESSAGE_SUBJECT_MAX, true,
			      N_("Say in a few words what your message is "
				 "about."),
			      N_("Keep the subject to 200 characters."), out);
	text_validate("body", body, MESSAGE_BODY_MAX, false,
		      N_("Write your message."),
		      N_("Keep the message to 5,000 characters, or send it "
			 "in two parts."),
		      out);
}

bool
message_key_valid(const char *key)
{
	size_t len = key ? strlen(key) : 0, i;

	if (len < MESSAGE_KEY_MIN || len > MESSAGE_KEY_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char ch = key[i];

		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

void
message_template_validate(const char *title, const char *body,
			  struct problems *out)
{
	text_validate("title", title, MESSAGE_TEMPLATE_TITLE_MAX, true,
		      N_("Give the quick reply a short name."),
		      N_("Keep the name to 100 characters."), out);
	message_validate(NULL, body, out);
}

/* --- who may be written to ------------------------------------------------ */

static const char sql_team[] =
	"SELECT a.id, a.display_name, a.unit_id FROM care_team_member m "
	"JOIN account a ON a.id = m.account_id WHERE m.patient_id = $1 "
	"AND a.role = 'professional' AND a.disabled = 0 "
	"ORDER BY a.display_name, a.id";
static const char sql_units[] =
	"SELECT u.id, u.name FROM unit u WHERE u.id IN ("
	"SELECT p.unit_id FROM patient p WHERE p.id = $1 UNION "
	"SELECT a.unit_id FROM care_team_member m JOIN account a "
	"ON a.id = m.account_id WHERE m.patient_id = $1 "
	"AND a.role = 'professional' AND a.disabled = 0) ORDER BY u.name";

static void
read_recipient(struct stmt *st, struct arena *a, void *out)
{
	struct message_recipient *r = out;

	r->id = stmt_int(st, 0);
	r->name = stmt_text_dup(st, 1, a);
}

enum err
message_recipients(struct db *db, struct arena *a, int64_t patient_id,
		   struct message_recipient **out, size_t *count)
{
	struct message_recipient *team, *units, *all;
	size_t nt, nu, i;
	struct stmt *st;
	enum err e;

	if (!(st = db_prepare(db, sql_team)))
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	if ((e = stmt_list(st, a, sizeof(*team), 50, read_recipient, &team,
			   &nt)) != ERR_OK)
		return e;
	if (!(st = db_prepare(db, sql_units)))
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	if ((e = stmt_list(st, a, sizeof(*units), 50, read_recipient, &units,
			   &nu)) != ERR_OK)
		return e;
	if (!(all = arena_calloc(a, nt + nu + 1, sizeof(*all))))
		return ERR_NOMEM;
	all[0].kind = "team";
	all[0].name = "";
	for (i = 0; i < nt; i++) {
		all[1 + i] = team[i];
		all[1 + i].kind = "person";
	}
	for (i = 0; i < nu; i++) {
		all[1 + nt + i] = units[i];
		all[1 + nt + i].kind = "unit";
	}
	*out = all;
	*count = nt + nu + 1;
	return ERR_OK;
}

static const char sql_may_person[] =
	"SELECT 1 FROM care_team_member m JOIN account a "
	"ON a.id = m.account_id WHERE m.patient_id = $1 AND a.id = $2 "
	"AND a.role = 'professional' AND a.disabled = 0";
static const char sql_may_unit[] =
	"SELECT 1 FROM patient p WHERE p.id = $1 AND p.unit_id = $2 "
	"UNION SELECT 1 FROM care_team_member m JOIN account a "
	"ON a.id = m.account_id WHERE m.patient_id = $1 AND a.unit_id = $2 "
	"AND a.role = 'professional' AND a.disabled = 0";

/* The first column of the first row of `sql` with $1 = a, $2 = b, or 0
 * when there is no row. */
static enum err
int_of(struct db *db, const char *sql, int64_t a, int64_t b, int64_t *out)
{
	struct stmt *st = db_prepare(db, sql);

	*out = 0;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, a);
	stmt_bind_int(st, 2, b);
	if (stmt_row(st))
		*out = stmt_int(st, 0);
	return stmt_done(st);
}

/* Whether `sql` ($1 = a, $2 = b) selects 1. */
static enum err
exists(struct db *db, const char *sql, int64_t a, int64_t b, bool *found)
{
	int64_t one;
	enum err e = int_of(db, sql, a, b, &one);

	*found = one == 1;
	return e;
}

enum err
message_may_address(struct db *db, int64_t patient_id, int64_t unit_id,
		    int64_t to_account)
{
	bool ok;
	enum err e;

	if (to_account) {
		if ((e = exists(db, sql_may_person, patient_id, to_account,
				&ok)) != ERR_OK)
			return e;
		if (!ok)
			return ERR_FORBIDDEN;
	}
	if (unit_id) {
		if ((e = exists(db, sql_may_unit, patient_id, unit_id, &ok)) !=
		    ERR_OK)
			return e;
		if (!ok)
			return ERR_FORBIDDEN;
	}
	return ERR_OK;
}

/* --- sending -------------------------------------------------------------- */

static const char sql_thread_insert[] =
	"INSERT INTO message_thread (id, org_id, patient_id, unit_id, subject, "
	"started_by, started_side, channel, created_at, last_message_at, "
	"to_account, messages) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, 1)";
/* A reply: the other side's first answer sets first_reply_at; a
 * professional answering a thread with nobody named takes it. */
static const char sql_thread_reply[] =
	"UPDATE message_thread SET messages = messages + 1, "
	"last_message_at = $3, "
	"first_reply_at = CASE WHEN first_reply_at = 0 AND started_side <> $4 "
	"THEN $3 ELSE first_reply_at END, "
	"to_account = CASE WHEN to_account = 0 THEN CAST($5 AS BIGINT) "
	"ELSE to_account END "
	"WHERE id = $1 AND patient_id = $2";
static const char sql_thread_after[] =
	"SELECT messages, to_account, unit_id FROM message_thread WHERE id = $1";
static const char sql_message_insert[] =
	"INSERT INTO message (id, org_id, thread_id, patient_id, author_id, "
	"author_side, body, sent_at, request_key, seq) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
static const char sql_attachment_insert[] =
	"INSERT INTO message_attachment (id, org_id, message_id, thread_id, "
	"patient_id, filename, mime, size_bytes, data, created_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
static const char sql_read_upsert[] =
	"INSERT INTO message_read (thread_id, account_id, read_at, seq, side) "
	"VALUES ($1, $2, $3, $4, $5) ON CONFLICT (thread_id, account_id) DO "
	"UPDATE SET read_at = excluded.read_at, seq = excluded.seq, "
	"side = excluded.side WHERE message_read.seq < excluded.seq";
static const char sql_team_pros[] =
	"SELECT m.account_id FROM care_team_member m JOIN account a "
	"ON a.id = m.account_id WHERE m.patient_id = $1 "
	"AND a.role = 'professional' AND a.disabled = 0";

static bool
side_valid(const char *side)
{
	return side && (!strcmp(side, MESSAGE_SIDE_PATIENT) ||
			!strcmp(side, MESSAGE_SIDE_STAFF));
}

static enum err
new_thread(struct db *db, struct message_send *m)
{
	struct stmt *st;
	enum err e;

	if ((e = message_may_address(db, m->patient_id, m->unit_id,
				     m->to_account)) != ERR_OK)
		return e;
	if (!(st = db_prepare(db, sql_thread_insert)))
		return ERR_DB;
	m->thread_id = id_new();
	stmt_bind_int(st, 1, m->thread_id);
	stmt_bind_int(st, 2, m->org_id);
	stmt_bind_int(st, 3, m->patient_id);
	stmt_bind_int(st, 4, m->unit_id);
	stmt_bind_str(st, 5, m->subject);
	stmt_bind_int(st, 6, m->author_id);
	stmt_bind_str(st, 7, m->side);
	stmt_bind_str(st, 8, m->channel ? m->channel : "web");
	stmt_bind_int(st, 9, m->now);
	stmt_bind_int(st, 10, m->to_account);
	return stmt_exec(st);
}

/* A reply: the thread's times, then its count (after the update, so a
 * concurrent writer on PostgreSQL waits for the row) as the new place. */
static enum err
reply(struct db *db, struct message_send *m, int *seq, int64_t *to_account,
      int64_t *unit_id)
{
	struct stmt *st = db_prepare(db, sql_thread_reply);
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, m->thread_id);
	stmt_bind_int(st, 2, m->patient_id);
	stmt_bind_int(st, 3, m->now);
	stmt_bind_str(st, 4, m->side);
	stmt_bind_int(st, 5, m->claim ? m->author_id : 0);
	if ((e = stmt_exec_one(st)) != ERR_OK)
		return e;
	if (!(st = db_prepare(db, sql_thread_after)))
		return ERR_DB;
	stmt_bind_int(st, 1, m->thread_id);
	if (stmt_row(st)) {
		*seq = (int)stmt_int(st, 0);
		*to_account = stmt_int(st, 1);
		*unit_id = stmt_int(st, 2);
	}
	return stmt_done(st);
}

static enum err
add_attachment(struct db *db, const struct message_send *m)
{
	const struct message_file *f = m->file;
	struct stmt *st = db_prepare(db, sql_attachment_insert);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id_new());
	stmt_bind_int(st, 2, m->org_id);
	stmt_bind_int(st, 3, m->message_id);
	stmt_bind_int(st, 4, m->thread_id);
	stmt_bind_int(st, 5, m->patient_id);
	stmt_bind_str(st, 6, f->filename ? f->filename : "");
	stmt_bind_str(st, 7, f->mime);
	stmt_bind_int(st, 8, f->size);
	stmt_bind_str(st, 9, f->data_b64);
	stmt_bind_int(st, 10, m->now);
	return stmt_exec(st);
}

static enum err
read_mark(struct db *db, int64_t thread_id, int64_t account_id,
	  const char *side, int seq, int64_t now)
{
	struct stmt *st = db_prepare(db, sql_read_upsert);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, thread_id);
	stmt_bind_int(st, 2, account_id);
	stmt_bind_int(st, 3, now);
	stmt_bind_int(st, 4, seq);
	stmt_bind_str(st, 5, side);
	return stmt_exec(st);
}

/* The other side hears of the message (see message.h for who). */
static enum err
notify(struct db *db, const struct message_send *m, int64_t to_account,
       int64_t unit_id)
{
	char link[48];
	int64_t ids[50];
	size_t n = 0, i;
	struct stmt *st;
	enum err e;

	snprintf(link, sizeof(link), "/messages/%lld",
		 (long long)m->thread_id);
	if (!strcmp(m->side, MESSAGE_SIDE_STAFF))
		return outbox_notify_patient(db, m->patient_id, OUTBOX_MESSAGE,
					     link, m->now);
	if (to_account)
		return outbox_notify(db, to_account, OUTBOX_MESSAGE, link,
				     m->now);
	if (unit_id)
		return ERR_OK;
	if (!(st = db_prepare(db, sql_team_pros)))
		return ERR_DB;
	stmt_bind_int(st, 1, m->patient_id);
	while (n < sizeof(ids) / sizeof(ids[0]) && stmt_row(st))
		ids[n++] = stmt_int(st, 0);
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++)
		if ((e = outbox_notify(db, ids[i], OUTBOX_MESSAGE, link,
				       m->now)) != ERR_OK)
			return e;
	return ERR_OK;
}

enum err
message_send(struct db *db, void *arg)
{
	struct message_send *m = arg;
	struct problems ps = {0};
	int64_t to_account = 0, unit_id = 0;
	struct stmt *st;
	int seq = 1;
	enum err e;

	message_validate(m->thread_id ? NULL : m->subject, m->body, &ps);
	if (ps.n || !side_valid(m->side) || !message_key_valid(m->request_key))
		return ERR_INVALID;
	if (m->file && (!m->file->mime || !m->file->data_b64))
		return ERR_INVALID;
	if (m->thread_id) {
		if ((e = reply(db, m, &seq, &to_account, &unit_id)) != ERR_OK)
			return e;
	} else {
		if ((e = new_thread(db, m)) != ERR_OK)
			return e;
		to_account = m->to_account;
		unit_id = m->unit_id;
	}
	if (!(st = db_prepare(db, sql_message_insert)))
		return ERR_DB;
	if (!m->message_id)
		m->message_id = id_new();
	stmt_bind_int(st, 1, m->message_id);
	stmt_bind_int(st, 2, m->org_id);
	stmt_bind_int(st, 3, m->thread_id);
	stmt_bind_int(st, 4, m->patient_id);
	stmt_bind_int(st, 5, m->author_id);
	stmt_bind_str(st, 6, m->side);
	stmt_bind_str(st, 7, m->body);
	stmt_bind_int(st, 8, m->now);
	stmt_bind_str(st, 9, m->request_key);
	stmt_bind_int(st, 10, seq);
	if ((e = stmt_exec(st)) != ERR_OK)
		return e;
	if (m->file && (e = add_attachment(db, m)) != ERR_OK)
		return e;
	/* The author has read what they wrote. */
	if ((e = read_mark(db, m->thread_id, m->author_id, m->side, seq,
			   m->now)) != ERR_OK)
		return e;
	return notify(db, m, to_account, unit_id);
}

enum err
message_mark_read(struct db *db, void *arg)
{
	struct message_read_mark *r = arg;

	if (!side_valid(r->side) || r->seq < 1)
		return ERR_INVALID;
	return read_mark(db, r->thread_id, r->account_id, r->side, r->seq,
			 r->now);
}

static const char sql_find_key[] =
	"SELECT thread_id, id, author_id FROM message WHERE org_id = $1 "
	"AND request_key = $2";

enum err
message_find_key(struct db *db, int64_t org_id, const char *request_key,
		 int64_t *thread_id, int64_t *message_id, int64_t *author_id)
{
	struct stmt *st = db_prepare(db, sql_find_key);
	bool found = false;
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	stmt_bind_str(st, 2, request_key);
	if (stmt_row(st)) {
		found = true;
		*thread_id = stmt_int(st, 0);
		*message_id = stmt_int(st, 1);
		*author_id = stmt_int(st, 2);
	}
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	return found ? ERR_OK : ERR_NOT_FOUND;
}

/* --- reading -------------------------------------------------------------- */

#define THREAD_COLUMNS                                                     \
	"t.id, t.org_id, t.patient_id, p.given_name || ' ' || p.family_name, " \
	"t.unit_id, COALESCE(u.name, ''), t.subject, t.started_by, "       \
	"t.started_side, t.channel, t.created_at, t.first_reply_at, "      \
	"t.last_message_at, t.to_account, COALESCE(a.display_name, ''), "  \
	"t.messages"
#define THREAD_JOINS                                                       \
	" FROM message_thread t JOIN patient p ON p.id = t.patient_id "    \
	"LEFT JOIN unit u ON u.id = t.unit_id "                            \
	"LEFT JOIN account a ON a.id = t.to_account "

static const char sql_thread_get[] =
	"SELECT " THREAD_COLUMNS ", 0" THREAD_JOINS "WHERE t.id = $1";
/* Unread first, then newest: the unread count is worked out in the
 * inner query so the outer one can sort by it on both databases. */
static const char sql_threads_patient[] =
	"SELECT * FROM (SELECT " THREAD_COLUMNS ", "
	"(SELECT count(*) FROM message m WHERE m.thread_id = t.id "
	"AND m.author_side = 'staff' AND m.seq > COALESCE(("
	"SELECT r.seq FROM message_read r WHERE r.thread_id = t.id "
	"AND r.account_id = $2), 0)) AS unread" THREAD_JOINS
	"WHERE t.patient_id = $1) AS x "
	"ORDER BY CASE WHEN unread > 0 THEN 0 ELSE 1 END, 13 DESC, 1 "
	"LIMIT $3";
static const char sql_threads_pro[] =
	"SELECT * FROM (SELECT " THREAD_COLUMNS ", "
	"(SELECT count(*) FROM message m WHERE m.thread_id = t.id "
	"AND m.author_side = 'patient' AND m.seq > COALESCE(("
	"SELECT r.seq FROM message_read r WHERE r.thread_id = t.id "
	"AND r.account_id = $2), 0)) AS unread" THREAD_JOINS
	"WHERE t.org_id = $1 AND t.patient_id IN (SELECT c.patient_id "
	"FROM care_team_member c WHERE c.account_id = $2)) AS x "
	"ORDER BY CASE WHEN unread > 0 THEN 0 ELSE 1 END, 13 DESC, 1 "
	"LIMIT $3";
static const char sql_threads_unit[] =
	"SELECT * FROM (SELECT " THREAD_COLUMNS ", "
	"(SELECT count(*) FROM message m WHERE m.thread_id = t.id "
	"AND m.author_side = 'patient' AND m.seq > COALESCE(("
	"SELECT r.seq FROM message_read r WHERE r.thread_id = t.id "
	"AND r.account_id = $2), 0)) AS unread" THREAD_JOINS
	"WHERE t.org_id = $1 AND t.unit_id <> 0 "
	"AND (t.unit_id = $4 OR CAST($4 AS BIGINT) = 0)) AS x "
	"ORDER BY CASE WHEN unread > 0 THEN 0 ELSE 1 END, 13 DESC, 1 "
	"LIMIT $3";

static void
read_thread(struct stmt *st, struct arena *a, void *out)
{
	struct message_thread *t = out;

	t->id = stmt_int(st, 0);
	t->org_id = stmt_int(st, 1);
	t->patient_id = stmt_int(st, 2);
	t->patient_name = stmt_text_dup(st, 3, a);
	t->unit_id = stmt_int(st, 4);
	t->unit_name = stmt_text_dup(st, 5, a);
	t->subject = stmt_text_dup(st, 6, a);
	t->started_by = stmt_int(st, 7);
	t->started_side = stmt_text_dup(st, 8, a);
	t->channel = stmt_text_dup(st, 9, a);
	t->created_at = stmt_int(st, 10);
	t->first_reply_at = stmt_int(st, 11);
	t->last_message_at = stmt_int(st, 12);
	t->to_account = stmt_int(st, 13);
	t->to_name = stmt_text_dup(st, 14, a);
	t->messages = (int)stmt_int(st, 15);
	t->unread = (int)stmt_int(st, 16);
}

enum err
message_thread_get(struct db *db, struct arena *a, int64_t id,
		   struct message_thread *out)
{
	struct stmt *st = db_prepare(db, sql_thread_get);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_get(st, a, read_thread, out);
}

static const char sql_read_seq[] =
	"SELECT seq FROM message_read WHERE thread_id = $1 AND account_id = $2";

enum err
message_read_seq(struct db *db, int64_t thread_id, int64_t account_id,
		 int *out)
{
	int64_t seq;
	enum err e = int_of(db, sql_read_seq, thread_id, account_id, &seq);

	*out = (int)seq;
	return e;
}

enum err
message_threads_of_patient(struct db *db, struct arena *a, int64_t patient_id,
			   int64_t account_id, size_t max,
			   struct message_thread **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_threads_patient);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_int(st, 2, account_id);
	stmt_bind_int(st, 3, (int64_t)max);
	return stmt_list(st, a, sizeof(**out), max, read_thread, out, count);
}

enum err
message_threads_of_staff(struct db *db, struct arena *a, int64_t org_id,
			 int64_t account_id, int64_t unit_id,
			 bool professional, size_t max,
			 struct message_thread **out, size_t *count)
{
	struct stmt *st = db_prepare(db, professional ? sql_threads_pro
						      : sql_threads_unit);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	stmt_bind_int(st, 2, account_id);
	stmt_bind_int(st, 3, (int64_t)max);
	if (!professional)
		stmt_bind_int(st, 4, unit_id);
	return stmt_list(st, a, sizeof(**out), max, read_thread, out, count);
}

/* Each message with whether the furthest read mark of the other side
 * reaches it, and its attachment. */
#define MESSAGE_SELECT                                                     \
	"SELECT m.id, m.thread_id, m.author_id, "                          \
	"COALESCE(a.display_name, ''), m.author_side, m.body, m.sent_at, " \
	"m.seq, CASE WHEN m.seq <= COALESCE((SELECT max(r.seq) FROM "      \
	"message_read r WHERE r.thread_id = m.thread_id "                  \
	"AND r.side <> m.author_side), 0) THEN 1 ELSE 0 END, "             \
	"COALESCE(f.id, 0), COALESCE(f.filename, ''), "                    \
	"COALESCE(f.mime, ''), COALESCE(f.size_bytes, 0), "                \
	"COALESCE(a.role, '') FROM message m "                             \
	"LEFT JOIN account a ON a.id = m.author_id "                       \
	"LEFT JOIN message_attachment f ON f.message_id = m.id "
static const char sql_messages[] =
	MESSAGE_SELECT "WHERE m.thread_id = $1 ORDER BY m.seq, m.id";
static const char sql_message_get[] = MESSAGE_SELECT "WHERE m.id = $1";
/* A patient's messages sent in [$2, $3), after ($5, $6) when $4 is 1. */
#define MESSAGE_SEARCH_WHERE(cmp)                                          \
	"WHERE m.patient_id = $1 AND m.sent_at >= $2 AND m.sent_at < $3 "  \
	"AND ($4 = 0 OR m.sent_at " cmp " $5 OR (m.sent_at = $5 "          \
	"AND m.id " cmp " $6)) "
static const char sql_search_newest[] =
	MESSAGE_SELECT MESSAGE_SEARCH_WHERE("<")
	"ORDER BY m.sent_at DESC, m.id DESC LIMIT $7";
static const char sql_search_oldest[] =
	MESSAGE_SELECT MESSAGE_SEARCH_WHERE(">")
	"ORDER BY m.sent_at, m.id LIMIT $7";
static const char sql_search_count[] =
	"SELECT count(*) FROM message m WHERE m.patient_id = $1 "
	"AND m.sent_at >= $2 AND m.sent_at < $3";

static void
read_message(struct stmt *st, struct arena *a, void *out)
{
	struct message *m = out;

	m->id = stmt_int(st, 0);
	m->thread_id = stmt_int(st, 1);
	m->author_id = stmt_int(st, 2);
	m->author_name = stmt_text_dup(st, 3, a);
	m->author_side = stmt_text_dup(st, 4, a);
	m->body = stmt_text_dup(st, 5, a);
	m->sent_at = stmt_int(st, 6);
	m->seq = (int)stmt_int(st, 7);
	m->read_by_other = stmt_int(st, 8) != 0;
	m->attachment_id = stmt_int(st, 9);
	m->attachment_name = stmt_text_dup(st, 10, a);
	m->attachment_mime = stmt_text_dup(st, 11, a);
	m->attachment_size = stmt_int(st, 12);
	m->author_role = stmt_text_dup(st, 13, a);
}

enum err
message_get(struct db *db, struct arena *a, int64_t id, struct message *out)
{
	struct stmt *st = db_prepare(db, sql_message_get);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_get(st, a, read_message, out);
}

/* Binds a search's $1..$3. */
static void
bind_query(struct stmt *st, const struct message_query *q)
{
	stmt_bind_int(st, 1, q->patient_id);
	stmt_bind_int(st, 2, q->from);
	stmt_bind_int(st, 3, q->to);
}

enum err
message_search(struct db *db, struct arena *a, const struct message_query *q,
	       struct message **out, size_t *count)
{
	struct stmt *st = db_prepare(db, q->oldest_first ? sql_search_oldest
						 : sql_search_newest);

	if (!st)
		return ERR_DB;
	bind_query(st, q);
	stmt_bind_int(st, 4, q->has_after);
	stmt_bind_int(st, 5, q->after_at);
	stmt_bind_int(st, 6, q->after_id);
	stmt_bind_int(st, 7, (int64_t)q->limit);
	return stmt_list(st, a, sizeof(**out), q->limit, read_message, out,
			 count);
}

enum err
message_search_count(struct db *db, const struct message_query *q,
		     int64_t *out)
{
	struct stmt *st = db_prepare(db, sql_search_count);

	*out = 0;
	if (!st)
		return ERR_DB;
	bind_query(st, q);
	if (stmt_row(st))
		*out = stmt_int(st, 0);
	return stmt_done(st);
}

enum err
message_list(struct db *db, struct arena *a, int64_t thread_id,
	     struct message **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_messages);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, thread_id);
	return stmt_list(st, a, sizeof(**out), MESSAGE_THREAD_MAX,
			 read_message, out, count);
}

static const char sql_unread[] =
	"SELECT count(*) FROM message_thread t JOIN message m "
	"ON m.thread_id = t.id AND m.author_side = 'staff' "
	"LEFT JOIN message_read r ON r.thread_id = t.id AND r.account_id = $2 "
	"WHERE t.patient_id = $1 AND m.seq > COALESCE(r.seq, 0)";

enum err
message_unread_count(struct db *db, int64_t account_id, int64_t patient_id,
		     int64_t *out)
{
	return int_of(db, sql_unread, patient_id, account_id, out);
}

static const char sql_unread_staff[] =
	"SELECT count(*) FROM message_thread t JOIN message m "
	"ON m.thread_id = t.id AND m.author_side = 'patient' "
	"LEFT JOIN message_read r ON r.thread_id = t.id AND r.account_id = $2 "
	"WHERE t.org_id = $1 AND t.patient_id IN (SELECT c.patient_id "
	"FROM care_team_member c WHERE c.account_id = $2) "
	"AND m.seq > COALESCE(r.seq, 0)";

enum err
message_unread_count_staff(struct db *db, int64_t org_id, int64_t account_id,
			   int64_t *out)
{
	return int_of(db, sql_unread_staff, org_id, account_id, out);
}

/* --- quick replies -------------------------------------------------------- */

static const char sql_template_upsert[] =
	"INSERT INTO message_template (id, org_id, title, body, updated_by, "
	"updated_at) VALUES ($1, $2, $3, $4, $5, $6) "
	"ON CONFLICT (id) DO UPDATE SET title = excluded.title, "
	"body = excluded.body, updated_by = excluded.updated_by, "
	"updated_at = excluded.updated_at "
	"WHERE message_template.org_id = excluded.org_id "
	"AND message_template.removed_at = 0";
static const char sql_template_remove[] =
	"UPDATE message_template SET removed_at = $3, updated_by = $4, "
	"updated_at = $3 WHERE id = $1 AND org_id = $2 AND removed_at = 0";
static const char sql_template_list[] =
	"SELECT id, org_id, title, body, updated_by, updated_at "
	"FROM message_template WHERE org_id = $1 AND removed_at = 0 "
	"ORDER BY title, id LIMIT 100";
static const char sql_template_get[] =
	"SELECT id, org_id, title, body, updated_by, updated_at "
	"FROM message_template WHERE org_id = $1 AND id = $2 "
	"AND removed_at = 0";

enum err
message_template_write(struct db *db, void *arg)
{
	struct message_template *t = arg;
	struct problems ps = {0};
	struct stmt *st;

	if (t->removed_at) {
		if (!(st = db_prepare(db, sql_template_remove)))
			return ERR_DB;
		stmt_bind_int(st, 1, t->id);
		stmt_bind_int(st, 2, t->org_id);
		stmt_bind_int(st, 3, t->removed_at);
		stmt_bind_int(st, 4, t->updated_by);
		return stmt_exec_one(st);
	}
	message_template_validate(t->title, t->body, &ps);
	if (ps.n || !t->id)
		return ERR_INVALID;
	if (!(st = db_prepare(db, sql_template_upsert)))
		return ERR_DB;
	stmt_bind_int(st, 1, t->id);
	stmt_bind_int(st, 2, t->org_id);
	stmt_bind_str(st, 3, t->title);
	stmt_bind_str(st, 4, t->body);
	stmt_bind_int(st, 5, t->updated_by);
	stmt_bind_int(st, 6, t->updated_at);
	return stmt_exec_one(st);
}

static void
read_template(struct stmt *st, struct arena *a, void *out)
{
	struct message_template *t = out;

	t->id = stmt_int(st, 0);
	t->org_id = stmt_int(st, 1);
	t->title = stmt_text_dup(st, 2, a);
	t->body = stmt_text_dup(st, 3, a);
	t->updated_by = stmt_int(st, 4);
	t->updated_at = stmt_int(st, 5);
}

enum err
message_template_list(struct db *db, struct arena *a, int64_t org_id,
		      struct message_template **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_template_list);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	return stmt_list(st, a, sizeof(**out), MESSAGE_TEMPLATES_MAX,
			 read_template, out, count);
}

enum err
message_template_get(struct db *db, struct arena *a, int64_t org_id,
		     int64_t id, struct message_template *out)
{
	struct stmt *st = db_prepare(db, sql_template_get);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	stmt_bind_int(st, 2, id);
	return stmt_get(st, a, read_template, out);
}
