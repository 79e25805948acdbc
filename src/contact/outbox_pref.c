/*
 * A person's notification preferences (see outbox.h): email on or off,
 * text messages on or off with the number to send them to, and quiet
 * hours. outbox_notify() reads them when it writes a notification.
 */
#include "contact/outbox.h"

#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "core/banned.h"

enum err
outbox_pref_get(struct db *db, int64_t account_id, struct outbox_pref *out)
{
	static const char sql[] =
		"SELECT by_email, by_sms, phone, quiet_start_min, "
		"quiet_end_min FROM notification_pref WHERE account_id = $1";
	struct stmt *st = db_prepare(db, sql);

	memset(out, 0, sizeof(*out));
	out->by_email = true;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, account_id);
	if (stmt_row(st)) {
		out->by_email = stmt_int(st, 0) != 0;
		out->by_sms = stmt_int(st, 1) != 0;
		snprintf(out->phone, sizeof(out->phone), "%s",
			 stmt_text(st, 2) ? stmt_text(st, 2) : "");
		out->quiet_start = (int)stmt_int(st, 3);
		out->quiet_end = (int)stmt_int(st, 4);
	}
	return stmt_done(st);
}

enum err
outbox_pref_set(struct db *db, int64_t org_id, int64_t account_id,
		const struct outbox_pref *p, int64_t now)
{
	static const char sql[] =
		"INSERT INTO notification_pref (account_id, org_id, by_email, "
		"by_sms, phone, quiet_start_min, quiet_end_min, updated_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
		"ON CONFLICT (account_id) DO UPDATE SET by_email = $3, "
		"by_sms = $4, phone = $5, quiet_start_min = $6, "
		"quiet_end_min = $7, updated_at = $8";
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, account_id);
	stmt_bind_int(st, 2, org_id);
	stmt_bind_int(st, 3, p->by_email);
	stmt_bind_int(st, 4, p->by_sms);
	stmt_bind_str(st, 5, p->phone);
	stmt_bind_int(st, 6, p->quiet_start);
	stmt_bind_int(st, 7, p->quiet_end);
	stmt_bind_int(st, 8, now);
	return stmt_exec(st);
}

bool
outbox_phone_parse(const char *s, char out[OUTBOX_PHONE_MAX + 1])
{
	size_t digits = 0, i = 0;

	while (*s == ' ')
		s++;
	if (s[0] == '+')
		s++;
	else if (s[0] == '0' && s[1] == '0')
		s += 2;
	else
		return false;
	out[i++] = '+';
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			if (++digits > 15)
				return false;
			out[i++] = *s;
		} else if (!strchr(" .-()", *s)) {
			return false;
		}
	}
	out[i] = '\0';
	return digits >= 8 && out[1] != '0';
}

bool
outbox_time_parse(const char *s, int *min)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' ||
	    s[1] < '0' || s[1] > '9' || s[3] < '0' || s[3] > '5' ||
	    s[4] < '0' || s[4] > '9')
		return false;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23)
		return false;
	*min = h * 60 + m;
	return true;
}
