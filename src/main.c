/*
 * cocare command line: serve, init, demo, user, backup, verify, score.
 * Each verb reads the configuration (defaults, --config file, COCARE_*
 * environment, flags), opens the database (applying migrations; not
 * score) and does one thing.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "auth/account.h"
#include "auth/audit.h"
#include "auth/auth_web.h"
#include "auth/totp.h"
#include "auth/write.h"
#include "contact/deliver.h"
#include "fhir/export.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/dirlock.h"
#include "core/embed.h"
#include "core/id.h"
#include "core/log.h"
#include "core/str.h"
#include "demo/demo.h"
#include "http/http.h"
#include "measures/score_cli.h"
#include "people/org.h"
#include "store/store.h"
#include "web/app.h"
#include "web/fragment.h"
#include "web/i18n.h"
#include "web/template.h"
#include "core/banned.h"

#define COCARE_VERSION "0.1.0"

static const char usage_text[] =
	"usage: cocare VERB [options]\n"
	"\n"
	"Verbs:\n"
	"  serve     run the web server\n"
	"  init      create the data directory, database and organisation\n"
	"  demo      create a database with a demo organisation\n"
	"  user      add, passwd, disable, enable or list accounts\n"
	"  backup    copy the database to FILE while cocare runs\n"
	"  verify    check the database and the audit chain\n"
	"  score     score questionnaire responses (FHIR JSON)\n"
	"  deliver   send the notifications waiting in the outbox\n"
	"\n"
	"Options for every verb:\n"
	"  --config FILE   read settings from FILE (key = value lines)\n"
	"  --data DIR      the data directory (default ./data)\n"
	"  --help          show help for the verb\n"
	"  --version       print the version\n"
	"\n"
	"See 'man ./docs/cocare.1' and docs/operations.md.\n";

struct cli {
	struct config cfg;
	struct store *store;
	void (*on_store_failure)(void *);	/* serve: exit after a disk
						   error (store.h) */
	int lock_fd;		/* serve on SQLite: the data directory's lock,
				   let go after the store is closed */
	struct audit_key key;
	struct arena *a;
	int argc;
	char **argv;
};

/* sysexits.h's EX_TEMPFAIL: try again, after a restart. */
#define EXIT_DISK_ERROR 75

static volatile sig_atomic_t stop_requested;
/* Set before the signal that wakes the main thread after a disk error. */
static atomic_bool store_failed;
static pthread_t main_thread;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/*
 * The store could not flush to disk and takes no more writes: stop as on
 * SIGTERM, but exit with EXIT_DISK_ERROR so a supervisor restarts us.
 */
static void
on_store_failure(void *arg)
{
	(void)arg;
	atomic_store(&store_failed, true);
	pthread_kill(main_thread, SIGTERM);
}

/* Parses the common options; leaves the rest in cli->argc/argv. */
static int
parse_common(struct cli *c, int argc, char **argv, const char *help)
{
	const char *config_path = NULL;
	char err[512];
	int i, out = 1;

	config_defaults(&c->cfg);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(help, stdout);
			return 1;
		} else if (!strcmp(argv[i], "--version")) {
			printf("cocare %s\n", COCARE_VERSION);
			return 1;
		} else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			config_path = argv[++i];
		} else {
			argv[out++] = argv[i];
		}
	}
	argv[out] = NULL;
	if (!config_load(&c->cfg, config_path, err, sizeof(err))) {
		fprintf(stderr, "cocare: %s\n", err);
		return 2;
	}
	/* Flags beat the file and the environment. */
	for (i = 1; i < out; i++) {
		const char *key = NULL;

		if (!strcmp(argv[i], "--data"))
			key = "data_dir";
		else if (!strcmp(argv[i], "--listen"))
			key = "listen";
		else if (!strcmp(argv[i], "--database"))
			key = "database";
		if (!key)
			continue;
		if (i + 1 >= out || !config_set(&c->cfg, key, argv[i + 1])) {
			fprintf(stderr, "cocare: bad value for '%s'\n",
				argv[i]);
			return 2;
		}
		memmove(&argv[i], &argv[i + 2],
			(size_t)(out - i - 1) * sizeof(argv[0]));
		out -= 2;
		i--;
	}
	c->argc = out;
	c->argv = argv;
	log_set_level(!strcmp(c->cfg.log_level, "debug")  ? LOG_DEBUG
		      : !strcmp(c->cfg.log_level, "warn") ? LOG_WARN
		      : !strcmp(c->cfg.log_level, "error") ? LOG_ERROR
							   : LOG_INFO);
	return 0;
}

static int
open_store(struct cli *c, bool create)
{
	struct store_options o = {0};
	char *path = NULL, *key_path;
	char msg[512];
	enum err e;

	if (create && mkdir(c->cfg.data_dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "cocare: cannot create '%s': %s\n",
			c->cfg.data_dir, strerror(errno));
		return 1;
	}
	key_path = config_audit_key_path(&c->cfg);
	e = audit_key_load(key_path, create, &c->key, msg, sizeof(msg));
	free(key_path);
	if (e != ERR_OK) {
		fprintf(stderr, "cocare: %s\n", msg);
		return 1;
	}
	o.pool_size = c->cfg.db_pool;
	o.async_delay_ms = c->cfg.read_audit_delay_ms;
	o.min_free_bytes = (int64_t)c->cfg.min_free_disk_mb << 20;
	o.on_failure = c->on_store_failure;
	if (c->cfg.database[0]) {
		o.backend = STORE_PG;
		o.pg_conninfo = c->cfg.database;
	} else {
		o.backend = STORE_SQLITE;
		path = config_sqlite_path(&c->cfg);
		if (!create && access(path, F_OK) != 0) {
			fprintf(stderr, "cocare: no database in '%s' (run "
					"'cocare init' or 'cocare demo' "
					"first)\n",
				c->cfg.data_dir);
			free(path);
			return 1;
		}
		o.sqlite_path = path;
	}
	e = store_open(&o, &c->store, msg, sizeof(msg));
	free(path);
	if (e != ERR_OK) {
		fprintf(stderr, "cocare: cannot open the database: %s\n",
			msg[0] ? msg : err_str(e));
		return 1;
	}
	return 0;
}

static void
cli_release(struct cli *c)
{
	if (c->store)
		store_close(c->store);
	if (c->lock_fd > 0)
		close(c->lock_fd);
	arena_free(c->a);
	config_release(&c->cfg);
}

/* The system actor acting in organisation `org`. */
static void
system_ctx(struct cli *c, struct db *db, int64_t org, struct ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->store = c->store;
	ctx->db = db;
	ctx->a = c->a;
	ctx->audit_key = &c->key;
	ctx->now = clock_now();
	ctx->actor.role = ROLE_SYSTEM;
	ctx->actor.org_id = org;
	ctx->actor.name = "cocare command line";
	ctx->channel = "cli";
}

static bool
setting_is(struct db *db, const char *key, const char *value)
{
	struct stmt *st = db_prepare(db, "SELECT value FROM setting "
					 "WHERE key = $1");
	bool yes = false;

	if (!st)
		return false;
	stmt_bind_str(st, 1, key);
	if (stmt_row(st))
		yes = stmt_text(st, 0) && !strcmp(stmt_text(st, 0), value);
	stmt_done(st);
	return yes;
}

/*
 * The outbox's delivery worker with the settings of `c` (deliver.h);
 * NULL when out of memory. links start with public_url, or with the
 * address cocare listens on when that is not set.
 */
static struct deliver *
outbox_worker_new(struct cli *c, const struct i18n *i18n, bool tls)
{
	struct deliver_options o = {0};

	o.store = c->store;
	o.audit_key = &c->key;
	o.i18n = i18n;
	o.public_url = c->cfg.public_url[0]
			       ? c->cfg.public_url
			       : arena_printf(c->a, "%s://%s",
					      tls ? "https" : "http",
					      c->cfg.listen);
	o.smtp_url = c->cfg.smtp_url;
	o.smtp_from = c->cfg.smtp_from;
	o.smtp_user = c->cfg.smtp_user;
	o.smtp_password = c->cfg.smtp_password;
	o.sms_url = c->cfg.sms_url;
	o.sms_user = c->cfg.sms_user;
	o.sms_token = c->cfg.sms_token;
	o.max_attempts = c->cfg.outbox_max_attempts;
	o.lease_s = c->cfg.outbox_lease;
	o.timeout_s = c->cfg.outbox_timeout;
	o.retry_min_s = c->cfg.outbox_retry_min;
	o.retry_max_s = c->cfg.outbox_retry_max;
	o.poll_ms = c->cfg.outbox_poll_ms;
	return o.public_url ? deliver_new(&o) : NULL;
}

/* --- serve ------------------------------------------------------------ */

static const char serve_help[] =
	"usage: cocare serve [--config FILE] [--data DIR] [--listen HOST:PORT]\n"
	"\n"
	"Serves the web pages until SIGTERM or SIGINT, then\n"
	"finishes the requests in flight and closes the database.\n";

static char *
read_text_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    n < (1 << 20) && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)n + 1))) {
		if (fread(p, 1, (size_t)n, f) != (size_t)n) {
			free(p);
			p = NULL;
		} else {
			p[n] = '\0';
		}
	}
	fclose(f);
	return p;
}

static bool
split_listen(const char *listen, char *host, size_t hostlen, uint16_t *port)
{
	const char *colon = strrchr(listen, ':');
	int64_t p;
	size_t n;

	if (!colon)
		return false;
	n = (size_t)(colon - listen);
	if (n >= hostlen ||
	    !str_to_i64(str_c(colon + 1), 0, 65535, &p))
		return false;
	memcpy(host, listen, n);
	host[n] = '\0';
	/* "[::1]:8080" */
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	*port = (uint16_t)p;
	return true;
}

static int
cmd_serve(struct cli *c)
{
	struct http_options ho = {0};
	struct http_hooks hooks;
	struct http_router *router = NULL;
	struct http_server *server = NULL;
	struct app app = {0};
	struct deliver *worker = NULL;
	struct fhir_exporter *exporter = NULL;
	struct sigaction sa;
	char host[256], msg[512];
	char *cert = NULL, *key = NULL;
	struct db *db;
	int rc = 1;
	enum err e;

	if (c->argc > 1) {
		fprintf(stderr, "cocare serve: unknown option '%s'\n\n%s",
			c->argv[1], serve_help);
		return 2;
	}
	/* One process per SQLite data directory; PostgreSQL takes many. */
	if (!c->cfg.database[0] &&
	    (c->lock_fd = dirlock_take(c->cfg.data_dir, msg, sizeof(msg))) < 0) {
		fprintf(stderr, "cocare: %s\n", msg);
		return 1;
	}
	main_thread = pthread_self();
	c->on_store_failure = on_store_failure;
	if (open_store(c, false))
		goto out;
	if (!split_listen(c->cfg.listen, host, sizeof(host), &ho.port)) {
		fprintf(stderr, "cocare: listen must be HOST:PORT\n");
		goto out;
	}
	app.cfg = &c->cfg;
	app.store = c->store;
	app.audit_key = &c->key;
	if ((db = store_acquire(c->store))) {
		app.demo = setting_is(db, "demo", "1");
		store_release(c->store, db);
	}
	/* 256 fragments of up to 64 KB: at most 16 MB. */
	if (!(app.fragments = fragment_cache_new(256, 64 * 1024)) ||
	    !(app.tpl = tpl_set_new()) ||
	    tpl_set_load_embedded(app.tpl, msg, sizeof(msg)) != ERR_OK ||
	    i18n_load_embedded(&app.i18n, msg, sizeof(msg)) != ERR_OK) {
		fprintf(stderr, "cocare: %s\n", msg);
		goto out;
	}
	if (c->cfg.tls_cert[0] || c->cfg.tls_key[0]) {
		cert = read_text_file(c->cfg.tls_cert);
		key = read_text_file(c->cfg.tls_key);
		if (!cert || !key) {
			fprintf(stderr, "cocare: cannot read tls_cert or "
					"tls_key\n");
			goto out;
		}
		app.tls = true;
	}
	if (!(router = http_router_new()) || app_routes(router) != ERR_OK) {
		fprintf(stderr, "cocare: cannot set up the routes\n");
		goto out;
	}
	app_hooks(&hooks);
	ho.host = host;
	ho.threads = (unsigned)c->cfg.threads;
	ho.max_connections = (unsigned)c->cfg.max_connections;
	ho.timeout = (unsigned)c->cfg.request_timeout;
	ho.max_body = c->cfg.max_body;
	ho.max_upload = c->cfg.max_upload;
	ho.trust_proxy = c->cfg.trust_proxy;
	ho.tls_cert = cert;
	ho.tls_key = key;
	e = http_server_new(&ho, router, &hooks, &app, &server);
	if (e != ERR_OK) {
		fprintf(stderr, "cocare: cannot listen on %s: %s\n",
			c->cfg.listen, err_str(e));
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* The outbox's worker: a thread of its own, beside the HTTP ones. */
	if (config_outbox_worker(&c->cfg)) {
		if (!(worker = outbox_worker_new(c, app.i18n, app.tls)) ||
		    deliver_start(worker) != ERR_OK) {
			fprintf(stderr, "cocare: cannot start the outbox "
					"worker\n");
			goto out;
		}
		if (!c->cfg.smtp_url[0] && !c->cfg.sms_url[0])
			log_warn("outbox: outbox_worker is on but neither "
				 "smtp_url nor sms_url is set: notifications "
				 "will fail and wait for an administrator");
		log_info("outbox: delivering notifications (%s%s%s)",
			 c->cfg.smtp_url[0] ? "email" : "",
			 c->cfg.smtp_url[0] && c->cfg.sms_url[0] ? ", " : "",
			 c->cfg.sms_url[0] ? "SMS" : "");
	}
	/* FHIR bulk exports, made in the background (fhir/export.h). */
	if (!(exporter = fhir_exporter_new(c->store, &c->key, 500, 60)) ||
	    fhir_exporter_start(exporter) != ERR_OK) {
		fprintf(stderr, "cocare: cannot start the export worker\n");
		goto out;
	}
	printf("cocare %s serving on %s://%s:%u/ (data in %s)\n",
	       COCARE_VERSION, app.tls ? "https" : "http", host,
	       (unsigned)http_server_port(server), c->cfg.data_dir);
	fflush(stdout);
	while (!stop_requested)
		pause();
	if (atomic_load(&store_failed))
		log_error("stopping after a disk error: exit status %d asks "
			  "a supervisor to restart cocare, and SQLite "
			  "recovers what reached its write-ahead log",
			  EXIT_DISK_ERROR);
	else
		log_info("stopping: finishing requests in flight");
	if (worker)
		deliver_stop(worker);
	fhir_exporter_stop(exporter);
	http_server_stop(server);
	rc = atomic_load(&store_failed) ? EXIT_DISK_ERROR : 0;
out:
	deliver_free(worker);
	fhir_exporter_free(exporter);
	http_server_free(server);
	http_router_free(router);
	tpl_set_free(app.tpl);
	i18n_free(app.i18n);
	fragment_cache_free(app.fragments);
	if (key) {
		sodium_memzero(key, strlen(key));
		free(key);
	}
	free(cert);
	return rc;
}

/* --- deliver ---------------------------------------------------------- */

static const char deliver_help[] =
	"usage: cocare deliver [--config FILE] [--data DIR] [--once]\n"
	"\n"
	"Sends the notifications waiting in the outbox by email (smtp_url)\n"
	"and text message (sms_url), trying failed ones again later, until\n"
	"SIGTERM or SIGINT. With --once: sends what is due now and exits.\n"
	"Runs beside 'cocare serve' (which also delivers when outbox_worker\n"
	"is on): each notification is taken by one worker at a time.\n";

static int
cmd_deliver(struct cli *c)
{
	struct deliver *worker = NULL;
	struct i18n *i18n = NULL;
	struct sigaction sa;
	bool once = false;
	size_t handled, total = 0;
	char msg[512];
	int i, rc = 1;
	enum err e;

	for (i = 1; i < c->argc; i++) {
		if (!strcmp(c->argv[i], "--once")) {
			once = true;
		} else {
			fprintf(stderr, "cocare deliver: unknown option "
					"'%s'\n\n%s",
				c->argv[i], deliver_help);
			return 2;
		}
	}
	if (!c->cfg.smtp_url[0] && !c->cfg.sms_url[0]) {
		fprintf(stderr, "cocare deliver: set smtp_url or sms_url "
				"(docs/operations.md)\n");
		return 2;
	}
	if (open_store(c, false))
		return 1;
	if (i18n_load_embedded(&i18n, msg, sizeof(msg)) != ERR_OK) {
		fprintf(stderr, "cocare: %s\n", msg);
		return 1;
	}
	if (!(worker = outbox_worker_new(c, i18n, c->cfg.tls_cert[0] != 0))) {
		fprintf(stderr, "cocare deliver: out of memory\n");
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	if (once) {
		do {
			e = deliver_round(worker, &handled);
			total += handled;
		} while (e == ERR_OK && handled > 0);
		if (e != ERR_OK) {
			fprintf(stderr, "cocare deliver: %s\n", err_str(e));
			goto out;
		}
		printf("cocare deliver: %zu tried, %llu sent\n", total,
		       (unsigned long long)deliver_stats(worker).sent);
		rc = 0;
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (deliver_start(worker) != ERR_OK) {
		fprintf(stderr, "cocare deliver: cannot start\n");
		goto out;
	}
	printf("cocare deliver: delivering (data in %s)\n", c->cfg.data_dir);
	fflush(stdout);
	while (!stop_requested)
		pause();
	deliver_stop(worker);
	rc = 0;
out:
	deliver_free(worker);
	i18n_free(i18n);
	return rc;
}

/* --- init ------------------------------------------------------------- */

static const char init_help[] =
	"usage: cocare init [--data DIR] [--org NAME]\n"
	"\n"
	"Creates the data directory, the audit key and the database, and an\n"
	"organisation called NAME (default \"My organisation\") when there\n"
	"is none. Then add an administrator with 'cocare user add'.\n";

struct org_job {
	struct organisation o;
};

static enum err
org_fn(struct db *db, void *arg)
{
	return org_insert(db, &((struct org_job *)arg)->o);
}

static enum err
count_orgs(struct cli *c, size_t *n, int64_t *first)
{
	struct organisation *orgs;
	struct db *db = store_acquire(c->store);
	enum err e;

	if (!db)
		return ERR_DB;
	e = org_list(db, c->a, &orgs, n);
	if (e == ERR_OK && *n > 0)
		*first = orgs[0].id;
	store_release(c->store, db);
	return e;
}

static int
cmd_init(struct cli *c)
{
	const char *name = "My organisation";
	struct org_job j;
	struct write_info wi = {"create", "Organization", "", 0, NULL, NULL, NULL};
	struct ctx ctx;
	int64_t first = 0;
	size_t n = 0;
	int i;

	for (i = 1; i < c->argc; i++) {
		if (!strcmp(c->argv[i], "--org") && i + 1 < c->argc)
			name = c->argv[++i];
		else {
			fprintf(stderr, "cocare init: unknown option '%s'\n",
				c->argv[i]);
			return 2;
		}
	}
	if (!org_name_valid(name)) {
		fprintf(stderr, "cocare init: the organisation name must be "
				"1 to 200 characters of text\n");
		return 2;
	}
	if (open_store(c, true))
		return 1;
	if (count_orgs(c, &n, &first) != ERR_OK)
		return 1;
	if (n > 0) {
		printf("cocare: already set up in %s\n", c->cfg.data_dir);
		return 0;
	}
	memset(&j, 0, sizeof(j));
	j.o.id = id_new();
	j.o.name = (char *)name;
	j.o.created_at = clock_now();
	system_ctx(c, NULL, j.o.id, &ctx);
	wi.resource_id = arena_printf(c->a, "%lld", (long long)j.o.id);
	if (write_commit(&ctx, &wi, org_fn, &j) != ERR_OK) {
		fprintf(stderr, "cocare init: could not create the "
				"organisation\n");
		return 1;
	}
	printf("cocare: created %s with organisation \"%s\".\n"
	       "Next: cocare user add --data %s --username admin --name "
	       "\"Your Name\" --role administrator\n",
	       c->cfg.data_dir, name, c->cfg.data_dir);
	return 0;
}

/* --- demo ------------------------------------------------------------- */

static const char demo_help[] =
	"usage: cocare demo [--data DIR]\n"
	"\n"
	"Creates a database with a made-up organisation: two units, staff of\n"
	"several disciplines, 200 patients, caregivers and care teams, and\n"
	"prints the demo logins. The data directory must not hold a database\n"
	"yet. Demo passwords exist only in demo databases.\n";

static int
cmd_demo(struct cli *c)
{
	struct demo_summary s;
	enum err e;

	if (c->argc > 1) {
		fprintf(stderr, "cocare demo: unknown option '%s'\n",
			c->argv[1]);
		return 2;
	}
	if (open_store(c, true))
		return 1;
	e = demo_load(c->store, &c->key, 20261122u, clock_now(), &s);
	if (e == ERR_EXISTS) {
		fprintf(stderr, "cocare demo: %s already holds data; use "
				"another --data directory\n",
			c->cfg.data_dir);
		return 1;
	}
	if (e != ERR_OK) {
		fprintf(stderr, "cocare demo: %s\n", err_str(e));
		return 1;
	}
	printf("Demo organisation loaded into %s: %d units, %d "
	       "professionals, %d patients, %d caregivers.\n\n"
	       "Sign in with any of these user names and the password "
	       "%s\n"
	       "  patient      a patient (María)\n"
	       "  caregiver    her daughter, with the access María granted\n"
	       "  nurse        a mental health nurse on María's care team\n"
	       "  doctor       a psychiatrist on María's care team\n"
	       "  reception    a receptionist\n"
	       "  admin        an administrator\n"
	       "  privacy      the privacy officer\n"
	       "  improvement  an improvement lead\n"
	       "  facilitator  a co-production facilitator\n"
	       "  researcher   an evaluator and researcher\n",
	       c->cfg.data_dir, s.units, s.professionals, s.patients,
	       s.caregivers, DEMO_PASSWORD);
	return 0;
}

/* --- user ------------------------------------------------------------- */

static const char user_help[] =
	"usage: cocare user add --username NAME --name \"FULL NAME\" --role ROLE\n"
	"                       [--discipline TEXT] [--org ID]\n"
	"       cocare user passwd USERNAME\n"
	"       cocare user disable USERNAME\n"
	"       cocare user enable USERNAME\n"
	"       cocare user list\n"
	"\n"
	"The password is read from standard input (typed without echo on a\n"
	"terminal). Roles: caregiver professional receptionist\n"
	"improvement_lead facilitator researcher administrator\n"
	"privacy_officer. Patients are added on the web page (Accounts >\n"
	"Create an account), which also creates their record.\n";

static bool
read_password(const char *prompt, char *out, size_t len)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) != 0;
	size_t n;

	if (tty) {
		fputs(prompt, stderr);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	if (!fgets(out, (int)len, stdin))
		out[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fputc('\n', stderr);
	}
	n = strlen(out);
	while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return n > 0;
}

struct user_job {
	struct account acc;
	const char *hash;
	bool disabled;
};

static enum err
user_add_fn(struct db *db, void *arg)
{
	return account_insert(db, &((struct user_job *)arg)->acc);
}

static enum err
user_passwd_fn(struct db *db, void *arg)
{
	struct user_job *j = arg;
	enum err e = account_set_password(db, j->acc.id, j->hash,
					  clock_now());

	return e == ERR_OK ? session_delete_for_account(db, j->acc.id) : e;
}

static enum err
user_disable_fn(struct db *db, void *arg)
{
	struct user_job *j = arg;
	enum err e = account_set_disabled(db, j->acc.id, j->disabled,
					  clock_now());

	if (e == ERR_OK && j->disabled)
		e = session_delete_for_account(db, j->acc.id);
	return e;
}

static int
new_password(const char *username, char hash[PASSWORD_HASH_MAX])
{
	char pw[PASSWORD_MAX_BYTES + 2];
	enum password_problem p;

	if (!read_password("Password: ", pw, sizeof(pw))) {
		fprintf(stderr, "cocare user: no password given\n");
		return 2;
	}
	p = password_check(pw, username);
	if (p != PASSWORD_OK) {
		fprintf(stderr, "cocare user: %s\n", password_problem_str(p));
		sodium_memzero(pw, sizeof(pw));
		return 2;
	}
	if (password_hash(pw, hash) != ERR_OK) {
		sodium_memzero(pw, sizeof(pw));
		return 1;
	}
	sodium_memzero(pw, sizeof(pw));
	return 0;
}

static int
user_add(struct cli *c)
{
	struct user_job j;
	struct write_info wi = {"create", "Account", "", 0, NULL, NULL, NULL};
	const char *why = "";
	char hash[PASSWORD_HASH_MAX];
	struct ctx ctx;
	int64_t org = 0, first = 0;
	size_t norgs = 0;
	int i, rc;
	enum err e;

	memset(&j, 0, sizeof(j));
	j.acc.discipline = "";
	j.acc.role = ROLE__MAX;
	for (i = 2; i < c->argc; i++) {
		const char *v = i + 1 < c->argc ? c->argv[i + 1] : NULL;

		if (!v) {
			fprintf(stderr, "cocare user add: '%s' needs a "
					"value\n",
				c->argv[i]);
			return 2;
		}
		if (!strcmp(c->argv[i], "--username"))
			j.acc.username = str_lower(c->a, v, strlen(v));
		else if (!strcmp(c->argv[i], "--name"))
			j.acc.display_name = (char *)v;
		else if (!strcmp(c->argv[i], "--role")) {
			if (!role_parse(v, &j.acc.role)) {
				fprintf(stderr, "cocare user add: unknown "
						"role '%s'\n",
					v);
				return 2;
			}
		} else if (!strcmp(c->argv[i], "--discipline"))
			j.acc.discipline = (char *)v;
		else if (!strcmp(c->argv[i], "--org")) {
			if (!str_to_i64(str_c(v), 1, INT64_MAX, &org)) {
				fprintf(stderr, "cocare user add: bad --org\n");
				return 2;
			}
		} else {
			fprintf(stderr, "cocare user add: unknown option "
					"'%s'\n",
				c->argv[i]);
			return 2;
		}
		i++;
	}
	if (!j.acc.username || !j.acc.display_name || j.acc.role == ROLE__MAX) {
		fputs(user_help, stderr);
		return 2;
	}
	if (!account_username_valid(j.acc.username, &why)) {
		fprintf(stderr, "cocare user add: %s\n", why);
		return 2;
	}
	if (j.acc.role == ROLE_PATIENT) {
		fprintf(stderr, "cocare user add: a patient account needs a "
				"patient record: create it on the web page "
				"Accounts > Create an account\n");
		return 2;
	}
	if (!account_display_name_valid(j.acc.display_name)) {
		fprintf(stderr, "cocare user add: the name must be 1 to 200 "
				"characters of text\n");
		return 2;
	}
	if (count_orgs(c, &norgs, &first) != ERR_OK || norgs == 0) {
		fprintf(stderr, "cocare user add: no organisation yet (run "
				"'cocare init')\n");
		return 1;
	}
	if (!org) {
		if (norgs > 1) {
			fprintf(stderr, "cocare user add: several "
					"organisations: give --org ID\n");
			return 2;
		}
		org = first;
	}
	if ((rc = new_password(j.acc.username, hash)))
		return rc;
	j.acc.id = id_new();
	j.acc.org_id = org;
	j.acc.password_hash = hash;
	j.acc.created_at = clock_now();
	system_ctx(c, NULL, org, &ctx);
	wi.resource_id = arena_printf(c->a, "%lld", (long long)j.acc.id);
	e = write_commit(&ctx, &wi, user_add_fn, &j);
	if (e == ERR_EXISTS) {
		fprintf(stderr, "cocare user add: '%s' is taken\n",
			j.acc.username);
		return 1;
	}
	if (e != ERR_OK) {
		fprintf(stderr, "cocare user add: %s\n", err_str(e));
		return 1;
	}
	printf("added %s (%s)\n", j.acc.username, role_name(j.acc.role));
	return 0;
}

static int
user_change(struct cli *c, const char *verb)
{
	struct user_job j;
	struct write_info wi = {"update", "Account", "", 0, verb, NULL, NULL};
	char hash[PASSWORD_HASH_MAX];
	struct ctx ctx;
	struct db *db;
	int rc;
	enum err e;

	if (c->argc != 3) {
		fputs(user_help, stderr);
		return 2;
	}
	memset(&j, 0, sizeof(j));
	if (!(db = store_acquire(c->store)))
		return 1;
	e = account_get_by_username(db, c->a, c->argv[2], &j.acc);
	store_release(c->store, db);
	if (e != ERR_OK) {
		fprintf(stderr, "cocare user %s: no account '%s'\n", verb,
			c->argv[2]);
		return 1;
	}
	system_ctx(c, NULL, j.acc.org_id, &ctx);
	wi.resource_id = arena_printf(c->a, "%lld", (long long)j.acc.id);
	if (!strcmp(verb, "passwd")) {
		if ((rc = new_password(j.acc.username, hash)))
			return rc;
		j.hash = hash;
		e = write_commit(&ctx, &wi, user_passwd_fn, &j);
	} else {
		j.disabled = !strcmp(verb, "disable");
		e = write_commit(&ctx, &wi, user_disable_fn, &j);
	}
	if (e != ERR_OK) {
		fprintf(stderr, "cocare user %s: %s\n", verb, err_str(e));
		return 1;
	}
	printf("%s: %s done\n", j.acc.username, verb);
	return 0;
}

static int
user_list(struct cli *c)
{
	struct organisation *orgs;
	struct account *accs;
	size_t norgs, n, i, k;
	struct db *db = store_acquire(c->store);
	int rc = 0;

	if (!db)
		return 1;
	if (org_list(db, c->a, &orgs, &norgs) != ERR_OK) {
		rc = 1;
		goto out;
	}
	printf("%-20s %-16s %-9s %s\n", "USERNAME", "ROLE", "STATUS", "NAME");
	for (k = 0; k < norgs; k++) {
		if (account_list(db, c->a, orgs[k].id, ROLE__MAX, NULL, 1000,
				 &accs, &n) != ERR_OK) {
			rc = 1;
			goto out;
		}
		for (i = 0; i < n; i++)
			printf("%-20s %-16s %-9s %s\n", accs[i].username,
			       role_name(accs[i].role),
			       accs[i].disabled ? "disabled" : "active",
			       accs[i].display_name);
	}
out:
	store_release(c->store, db);
	return rc;
}

static int
cmd_user(struct cli *c)
{
	const char *sub = c->argc > 1 ? c->argv[1] : "";

	if (open_store(c, false))
		return 1;
	if (!strcmp(sub, "add"))
		return user_add(c);
	if (!strcmp(sub, "passwd") || !strcmp(sub, "disable") ||
	    !strcmp(sub, "enable"))
		return user_change(c, sub);
	if (!strcmp(sub, "list"))
		return user_list(c);
	fputs(user_help, stderr);
	return 2;
}

/* --- backup and verify ------------------------------------------------ */

static const char backup_help[] =
	"usage: cocare backup [--data DIR] FILE\n"
	"\n"
	"Writes a consistent copy of the SQLite database to FILE (which must\n"
	"not exist) while cocare keeps serving. Keep the audit key\n"
	"(DIR/audit.key) with it. With PostgreSQL, use pg_dump.\n";

static int
cmd_backup(struct cli *c)
{
	enum err e;

	if (c->argc != 2) {
		fputs(backup_help, stderr);
		return 2;
	}
	if (open_store(c, false))
		return 1;
	e = store_backup(c->store, c->argv[1]);
	if (e == ERR_EXISTS) {
		fprintf(stderr, "cocare backup: '%s' exists already\n",
			c->argv[1]);
		return 1;
	}
	if (e != ERR_OK) {
		fprintf(stderr, "cocare backup: %s\n",
			e == ERR_INVALID ? "use pg_dump for PostgreSQL"
					 : err_str(e));
		return 1;
	}
	printf("backup written to %s\n", c->argv[1]);
	return 0;
}

static const char verify_help[] =
	"usage: cocare verify [--data DIR]\n"
	"\n"
	"Checks the database's integrity and every entry of the audit chain.\n"
	"Exits 0 when all is well, 1 naming the first bad entry otherwise.\n";

static int
cmd_verify(struct cli *c)
{
	struct audit_problem p;
	char msg[512] = "";
	int64_t count = 0;
	struct db *db;
	enum err e;

	if (c->argc > 1) {
		fputs(verify_help, stderr);
		return 2;
	}
	if (open_store(c, false))
		return 1;
	e = store_check_integrity(c->store, msg, sizeof(msg));
	if (e != ERR_OK) {
		fprintf(stderr, "cocare verify: database integrity: %s\n",
			msg[0] ? msg : err_str(e));
		return 1;
	}
	if (!(db = store_acquire(c->store)))
		return 1;
	e = audit_verify(db, &c->key, &count, &p);
	store_release(c->store, db);
	if (e == ERR_INVALID) {
		fprintf(stderr, "cocare verify: audit entry %lld: %s\n",
			(long long)p.seq, p.what);
		return 1;
	}
	if (e != ERR_OK) {
		fprintf(stderr, "cocare verify: %s\n", err_str(e));
		return 1;
	}
	printf("database ok; audit chain ok (%lld entries)\n",
	       (long long)count);
	return 0;
}

static const char score_help[] =
	"usage: cocare score [--instruments DIR]\n"
	"                    [--questionnaire FILE [--as ID]]... [FILE]...\n"
	"\n"
	"Scores FHIR QuestionnaireResponses by the instrument library's\n"
	"published rules. Reads one JSON document, or NDJSON (one per line),\n"
	"from each FILE or from standard input ('-' or no FILE); each\n"
	"response's 'questionnaire' names a library instrument (url or\n"
	"url|version) or a --questionnaire file. Prints one JSON line per\n"
	"response: response id, line, questionnaire, instrument, scores\n"
	"(value, band, label, or the reason it was not computed), flags, and\n"
	"an error for a response that does not fit its questionnaire.\n"
	"Stored totals in responses are ignored. No database is needed.\n"
	"\n"
	"  --questionnaire FILE  also load this questionnaire, written\n"
	"                        elsewhere; it is scored by the library\n"
	"                        instrument with the same LOINC code or url\n"
	"  --as ID               score the questionnaire before it as library\n"
	"                        instrument ID (phq-9, gad-7, ...)\n"
	"  --instruments DIR     add the instrument files in DIR to the\n"
	"                        library (to try new ones)\n"
	"\n"
	"Exits 0 when every response was scored, 1 when one was refused (the\n"
	"others are still scored) or a file could not be read, 2 for a bad\n"
	"command line or questionnaire. A document may be up to 1 MiB.\n";

static int
cmd_score(struct cli *c)
{
	return score_cli(c->argc, c->argv);
}

static const struct {
	const char *name;
	int (*fn)(struct cli *);
	const char *help;
} verbs[] = {
	{"serve", cmd_serve, serve_help},   {"init", cmd_init, init_help},
	{"demo", cmd_demo, demo_help},	    {"user", cmd_user, user_help},
	{"backup", cmd_backup, backup_help}, {"verify", cmd_verify, verify_help},
	{"score", cmd_score, score_help},   {"deliver", cmd_deliver, deliver_help},
};

int
main(int argc, char **argv)
{
	struct cli c;
	size_t i;
	int rc;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("cocare %s\n", COCARE_VERSION);
		return 0;
	}
	if (sodium_init() < 0 || totp_init() != ERR_OK) {
		fputs("cocare: cannot initialise cryptography\n", stderr);
		return 1;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[1], verbs[i].name) != 0)
			continue;
		memset(&c, 0, sizeof(c));
		c.a = arena_new(64 << 20);
		rc = parse_common(&c, argc - 1, argv + 1, verbs[i].help);
		if (rc == 0)
			rc = c.a ? verbs[i].fn(&c) : 1;
		else if (rc == 1)
			rc = 0;
		cli_release(&c);
		totp_done();
		return rc;
	}
	fprintf(stderr, "cocare: unknown verb '%s'\n\n%s", argv[1], usage_text);
	return 2;
}
