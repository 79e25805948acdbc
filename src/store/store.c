/*
 * The store object of store.h: opening and migrating the database, the
 * pool of read connections, and the writer thread that runs every write
 * with group commit. The per-connection calls (db_*, stmt_*) are in
 * stmt.c; the backends in sqlite.c and pg.c.
 *
 * Group commit: store_write() queues a job and sleeps on the job's own
 * condition variable. The writer takes every queued job at once, runs
 * them in one transaction, each inside a savepoint, commits once and
 * wakes each waiter with its status, so one fsync serves the whole batch
 * while the next batch gathers. Async jobs (audit events of reads) may
 * wait up to async_delay_ms for company; a synchronous job takes them
 * along at once. At most ASYNC_MAX async jobs wait: past that,
 * store_write_async() blocks until the writer takes the queue, so audit
 * events are neither dropped nor piled up without bound.
 */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include "core/clock.h"
#include "core/embed.h"
#include "core/id.h"
#include "core/log.h"
#include "core/str.h"
#include "store/store_int.h"

#include "core/banned.h"

#define ASYNC_MAX 10000	/* queued async jobs before producers wait */
#define ASYNC_ATTEMPTS 3	/* runs of an async job whose batch failed */
#define BATCH_MAX 128		/* jobs in one transaction */
#define POOL_MAX 1024
#define FAILED_WRITE_NS (10 * 1000000000ull)	/* unhealthy after one */
#define FULL_LOG_NS (5 * 1000000000ull)		/* count refusals this long */
#define DISK_CHECK_NS (100 * 1000000ull)	/* statvfs for /healthz */
#define CHECKPOINT_FRAMES 1000	/* WAL frames: wake the checkpointer */
#define CATCH_UP_FRAMES 250	/* left to copy: the writer finishes it */
#define WAL_FRAMES_MAX 10000	/* the writer checkpoints whatever is left */
#define MIGRATION_DIR "migrations/"

struct job {
	enum err (*fn)(struct db *, void *);
	void *arg;
	void (*release)(void *);	/* async only */
	struct job *next;
	pthread_cond_t done_cv;		/* sync only: the waiter's */
	enum err status;
	int attempts;
	uint64_t flush;			/* the flush that makes it durable */
	bool async;
	bool done;
};

/* A deferred write waiting for its commit to reach the disk. */
struct durable_wait {
	uint64_t flush;			/* as in struct job */
	void (*done)(void *, enum err);
	void *arg;
	struct durable_wait *next;
};

struct store {
	struct store_options o;		/* with our own string copies */
	const struct store_ops *ops;

	/* The read pool: connections opened lazily up to o.pool_size. */
	pthread_mutex_t pool_mu;
	pthread_cond_t pool_cv;
	struct db *free_list;
	struct db **all;		/* pool connections (pool_size) */
	int nopen;			/* opened or being opened */
	int nout;			/* handed out */

	/* The write queue and the writer thread. */
	pthread_mutex_t mu;
	pthread_cond_t work_cv;		/* writer: work came */
	pthread_cond_t space_cv;	/* async producers: queue has room */
	struct job *head, *tail;
	int nsync, nasync;
	uint64_t async_since;		/* oldest async job queued */
	bool stopping;
	bool writer_started;
	pthread_t writer;
	struct db *wdb;			/* the writer's own connection */

	/*
	 * The commit pipeline: the writer commits without waiting for the
	 * disk (SQLite synchronous=NORMAL, PostgreSQL synchronous_commit
	 * off) and goes on with the next batch while the syncer makes every
	 * commit so far durable at once (flush_log). A write is
	 * acknowledged only once a flush that began after its commit has
	 * ended. Flushes are numbered; under s->mu.
	 */
	bool pipelined;
	int wal_fd;			/* SQLite: the write-ahead log */
	struct db *sdb;			/* PostgreSQL: the syncer's own */
	uint64_t flush_started;		/* flushes begun */
	uint64_t flush_done;		/* the last one ended */
	uint64_t flush_wanted;		/* the last one waited for */
	atomic_bool failed;		/* sticky: a flush failed (written
					   under s->mu) */
	bool writer_done;
	bool syncer_started;
	pthread_t syncer;
	pthread_cond_t sync_cv;		/* syncer: commits to flush */
	pthread_cond_t durable_cv;	/* waiters: flush_done moved */
	struct durable_wait *waits;

	/*
	 * The checkpointer (SQLite, with the pipeline): copies the log into
	 * the database on its own connection, so that the writer does not
	 * stop for it every thousand pages as SQLite's automatic checkpoint
	 * would. Under s->mu.
	 */
	struct db *cdb;
	bool ckpt_started;
	bool ckpt_wanted;
	bool ckpt_stop;
	int ckpt_copied;		/* frames of the log copied so far */
	int wal_frames;			/* in the log after the last commit */
	pthread_t checkpointer;
	pthread_cond_t ckpt_cv;

	/*
	 * How the last batches went, for store_writable() and for logging a
	 * full disk once, then a count every FULL_LOG_NS. Under s->mu.
	 */
	enum err last_fail;		/* ERR_OK once a batch commits */
	uint64_t last_fail_ns;
	bool full;			/* the disk-full message was logged */
	uint64_t full_refused;		/* since full_logged_ns */
	uint64_t full_total;		/* since the disk became full */
	uint64_t full_logged_ns;
	char *dir;			/* SQLite: the data directory */
	_Atomic uint64_t disk_checked_ns;	/* disk_check() */
	const char *_Atomic disk_reason;

	_Atomic uint64_t db_ns;

	/* The node of core/id.h this store holds, or -1. */
	int node;
	int node_fd;			/* SQLite: data_dir/ids.lock */
	unsigned wdb_session;		/* PostgreSQL: the writer's session
					   that holds the node and settings */
};

static const char sql_savepoint[] = "SAVEPOINT job";
static const char sql_release[] = "RELEASE SAVEPOINT job";
static const char sql_rollback_to[] = "ROLLBACK TO SAVEPOINT job";

const struct store_options *
store_options(const struct store *s)
{
	return &s->o;
}

void
store_add_time(struct store *s, uint64_t ns)
{
	atomic_fetch_add_explicit(&s->db_ns, ns, memory_order_relaxed);
}

uint64_t
store_db_time_ns(const struct store *s)
{
	return atomic_load_explicit(&s->db_ns, memory_order_relaxed);
}

enum store_backend
store_backend(const struct store *s)
{
	return s->o.backend;
}

enum store_backend
db_backend(const struct db *db)
{
	return store_backend(db->store);
}

static void
db_close(struct db *db)
{
	store_cache_clear(db);
	db->ops->close(db);
}

/* Runs one cached statement without parameters or rows. */
static enum err
run_sql(struct db *db, const char *sql)
{
	struct stmt *st = db_prepare(db, sql);

	return st ? stmt_exec(st) : ERR_DB;
}

/* ---- Migrations ---- */

struct migration {
	int64_t version;
	const struct embedded_file *file;
};

static int
migration_cmp(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

/*
 * The embedded migrations "migrations/NNN_name.sql" in version order,
 * malloc'd; NULL with *n = 0 when there are none, NULL with *n = -1 on
 * error (logged).
 */
static struct migration *
migration_list(int *n)
{
	const struct embedded_file *f;
	struct migration *m;
	size_t count, i, pre = strlen(MIGRATION_DIR);
	int k = 0;

	f = embed_all(&count);
	*n = 0;
	m = calloc(count ? count : 1, sizeof(*m));
	if (!m) {
		*n = -1;
		return NULL;
	}
	for (i = 0; i < count; i++) {
		const char *name = f[i].name, *base, *us;
		size_t len = strlen(name);

		if (strncmp(name, MIGRATION_DIR, pre) != 0)
			continue;
		base = name + pre;
		us = strchr(base, '_');
		if (len < 4 || strcmp(name + len - 4, ".sql") != 0 || !us ||
		    !str_to_i64((struct str){base, (size_t)(us - base)}, 1,
				INT32_MAX, &m[k].version)) {
			log_warn("store: ignoring \"%s\": not NNN_name.sql",
				 name);
			continue;
		}
		m[k++].file = &f[i];
	}
	qsort(m, (size_t)k, sizeof(*m), migration_cmp);
	for (i = 1; i < (size_t)k; i++) {
		if (m[i].version == m[i - 1].version) {
			log_error("store: migrations \"%s\" and \"%s\" share "
				  "a number", m[i - 1].file->name,
				  m[i].file->name);
			free(m);
			*n = -1;
			return NULL;
		}
	}
	*n = k;
	return m;
}

/* Whether `version` is recorded; false with *e set on error. */
static bool
migration_applied(struct db *db, int64_t version, enum err *e)
{
	static const char sql[] =
		"SELECT 1 FROM schema_migrations WHERE version = $1";
	struct stmt *st = db_prepare(db, sql);
	bool found;

	if (!st) {
		*e = ERR_DB;
		return false;
	}
	stmt_bind_int(st, 1, version);
	found = stmt_row(st);
	*e = stmt_done(st);
	return found;
}

static enum err
migration_apply(struct db *db, const struct migration *m)
{
	static const char sql[] = "INSERT INTO schema_migrations "
				  "(version, name, applied_at) "
				  "VALUES ($1, $2, $3)";
	const char *name = m->file->name + strlen(MIGRATION_DIR);
	struct stmt *st;
	enum err e;

	e = db_begin(db);
	if (e != ERR_OK)
		goto fail;
	/* Another process may have applied it since we looked. */
	if (migration_applied(db, m->version, &e) || e != ERR_OK) {
		db_rollback(db);
		return e;
	}
	e = db->ops->exec(db, (const char *)m->file->data);
	if (e != ERR_OK)
		goto rollback;
	st = db_prepare(db, sql);
	if (!st) {
		e = ERR_DB;
		goto rollback;
	}
	stmt_bind_int(st, 1, m->version);
	stmt_bind_str(st, 2, name);
	stmt_bind_int(st, 3, clock_now());
	e = stmt_exec(st);
	if (e != ERR_OK)
		goto rollback;
	e = db_commit(db);
	if (e != ERR_OK)
		goto fail;
	log_info("store: applied migration \"%s\"", m->file->name);
	return ERR_OK;
rollback:
	db_rollback(db);
fail:
	log_error("store: migration \"%s\" failed; the database is "
		  "unchanged by it", m->file->name);
	return e == ERR_OK ? ERR_DB : e;
}

/*
 * Applies the embedded migrations not yet recorded, in order, each in
 * its own transaction with its schema_migrations row. On PostgreSQL a
 * session advisory lock keeps processes that start together apart.
 */
static enum err
migrate(struct db *db)
{
	static const char create[] =
		"CREATE TABLE IF NOT EXISTS schema_migrations ("
		"version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
		"applied_at BIGINT NOT NULL)";
	struct migration *m;
	enum err e, e2;
	int n, i;

	m = migration_list(&n);
	if (n < 0)
		return ERR_DB;
	e = db->ops->migrate_lock(db, true);
	if (e != ERR_OK) {
		free(m);
		return e;
	}
	e = db->ops->exec(db, create);
	for (i = 0; i < n && e == ERR_OK; i++) {
		if (migration_applied(db, m[i].version, &e) || e != ERR_OK)
			continue;
		e = migration_apply(db, &m[i]);
	}
	e2 = db->ops->migrate_lock(db, false);
	free(m);
	return e != ERR_OK ? e : e2;
}

/* ---- The id node (core/id.h) ---- */

/*
 * Claims a node of core/id.h that no other running process holds on this
 * database, so that ids made at the same millisecond by two processes
 * differ. SQLite: a lock on byte `node` of data_dir/ids.lock, held by the
 * open file description, which the kernel drops when the process ends,
 * kill -9 included. PostgreSQL: a session advisory lock on the writer's
 * connection, dropped with the session; when the writer reconnects, the
 * node is claimed again (batch_run). Without a node (a read-only
 * directory, every node taken) ids are random: slower to write, never
 * wrong.
 */
static void
node_claim(struct store *s)
{
	int i, n = -1, start = (int)(getpid() % ID_NODES);
	char path[4096];
	bool taken = false;

	if (s->node >= 0 && s->o.backend == STORE_SQLITE)
		return;
	s->node = -1;
	if (s->o.backend == STORE_SQLITE) {
		if (snprintf(path, sizeof(path), "%s/ids.lock", s->dir) >=
			    (int)sizeof(path) ||
		    (s->node_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC,
				       0600)) < 0)
			goto none;
	}
	for (i = 0; i < ID_NODES && !taken; i++) {
		n = (start + i) % ID_NODES;
		if (s->o.backend == STORE_SQLITE) {
			struct flock l = {
				.l_type = F_WRLCK,
				.l_whence = SEEK_SET,
				.l_start = n,
				.l_len = 1,
			};

			taken = fcntl(s->node_fd, F_OFD_SETLK, &l) == 0;
		} else if (s->ops->node_lock(s->wdb, n, &taken) != ERR_OK) {
			break;
		}
	}
	if (taken) {
		s->node = n;
		id_set_node(n);
		return;
	}
none:
	log_warn("store: no id node could be taken; new records get random "
		 "ids");
	id_set_node(-1);
}

/*
 * The writer's session, again after each reconnection, since the old
 * session's lock and settings went with it: its id node and, on
 * PostgreSQL with the pipeline, commits that do not wait for the disk
 * (should that fail, they wait: slower, never wrong).
 */
static void
writer_session(struct store *s)
{
	s->wdb_session = s->wdb->sessions;
	node_claim(s);
	if (s->pipelined && s->o.backend == STORE_PG &&
	    s->ops->exec(s->wdb, "SET synchronous_commit = off") != ERR_OK)
		log_warn("store: commits wait for the disk in the writer");
}

/* Gives the node back to random ids when this store held it. */
static void
node_release(struct store *s)
{
	if (s->node >= 0)
		id_set_node(-1);
	if (s->node_fd >= 0)
		close(s->node_fd);
	s->node = -1;
	s->node_fd = -1;
}

/* ---- The read pool ---- */

struct db *
store_acquire(struct store *s)
{
	struct db *db = NULL;
	int i;

	pthread_mutex_lock(&s->pool_mu);
	while (!s->free_list && s->nopen >= s->o.pool_size)
		pthread_cond_wait(&s->pool_cv, &s->pool_mu);
	if (s->free_list) {
		db = s->free_list;
		s->free_list = db->next_free;
		s->nout++;
		pthread_mutex_unlock(&s->pool_mu);
		if (db->ops->ensure(db) != ERR_OK) {
			store_release(s, db);
			return NULL;
		}
		return db;
	}
	/* Open a new connection outside the lock: it takes a while. */
	s->nopen++;
	pthread_mutex_unlock(&s->pool_mu);
	db = s->ops->open(s, &s->o);
	pthread_mutex_lock(&s->pool_mu);
	if (db) {
		/* nopen counts this one, so a slot is free for it. */
		for (i = 0; s->all[i]; i++)
			continue;
		s->all[i] = db;
		s->nout++;
	} else {
		s->nopen--;
		pthread_cond_signal(&s->pool_cv);
	}
	pthread_mutex_unlock(&s->pool_mu);
	return db;
}

void
store_release(struct store *s, struct db *db)
{
	if (!db)
		return;
	db_read_end(db);
	pthread_mutex_lock(&s->pool_mu);
	db->next_free = s->free_list;
	s->free_list = db;
	s->nout--;
	pthread_cond_signal(&s->pool_cv);
	pthread_mutex_unlock(&s->pool_mu);
}

/* ---- The writer ---- */

/*
 * Runs one job; inside a savepoint when it shares the transaction.
 * NEEDSWORK: on PostgreSQL SAVEPOINT and RELEASE cost a round trip each;
 * libpq's pipeline mode could send them with the job's statements.
 */
static enum err
job_run(struct db *db, struct job *j, bool savepoint)
{
	enum err e;

	if (savepoint && run_sql(db, sql_savepoint) != ERR_OK)
		return ERR_DB;
	e = j->fn(db, j->arg);
	/* A statement error the job ignored still poisons the transaction. */
	if (e == ERR_OK && db->ops->txn_failed(db))
		e = ERR_DB;
	if (!savepoint)
		return e;
	if (e != ERR_OK)
		run_sql(db, sql_rollback_to);
	run_sql(db, sql_release);
	return e;
}

/*
 * Runs a batch in one transaction. Returns ERR_OK when it committed (each
 * job's own status is in j->status), else the batch failed as a whole and
 * nothing of it is stored: ERR_FULL for want of disk space, ERR_UNAVAILABLE
 * after a failed flush (nothing more is committed then), else ERR_DB.
 */
static enum err
batch_run(struct store *s, struct job *batch)
{
	struct db *db = s->wdb;
	bool shared = batch->next != NULL;
	struct job *j;
	enum err e;

	for (j = batch; j; j = j->next)
		j->status = ERR_OK;
	if (atomic_load(&s->failed))
		return ERR_UNAVAILABLE;
	e = db->ops->ensure(db);
	if (e == ERR_OK && db->sessions != s->wdb_session)
		writer_session(s);
	if (e == ERR_OK)
		e = db_begin(db);
	if (e != ERR_OK)
		return e;
	for (j = batch; j; j = j->next) {
		j->status = job_run(db, j, shared);
		/*
		 * A lone job's failure rolls back the transaction; in a
		 * shared one its savepoint did, unless the transaction is
		 * gone (SQLite drops it on I/O errors; a savepoint failed).
		 */
		if (!shared && j->status != ERR_OK)
			break;
		if (db->ops->txn_failed(db)) {
			if (db->ops->in_txn(db))
				db_rollback(db);
			if (j->status == ERR_FULL)
				return ERR_FULL;
			log_error("store: write transaction lost; batch "
				  "rolled back");
			return ERR_DB;
		}
	}
	if (!shared && batch->status != ERR_OK) {
		if (db->ops->in_txn(db))
			db_rollback(db);
		return ERR_OK;
	}
	/* A flush failed meanwhile: commit nothing more. */
	if (atomic_load(&s->failed)) {
		db_rollback(db);
		return ERR_UNAVAILABLE;
	}
	return db_commit(db);
}

/*
 * Notes how a batch went: for store_writable(), and to log a full disk
 * once and then only a count of the writes refused every FULL_LOG_NS,
 * not a line per request. `refused` counts the writes it refused.
 */
static void
note_outcome(struct store *s, enum err e, unsigned refused)
{
	uint64_t now = clock_mono_ns();

	pthread_mutex_lock(&s->mu);
	if (e == ERR_OK) {
		if (s->full)
			log_info("store: changes are stored again; %llu were "
				 "refused for want of disk space",
				 (unsigned long long)s->full_total);
		s->full = false;
		s->last_fail = ERR_OK;
	} else if (e == ERR_FULL || e == ERR_DB) {
		s->last_fail = e;
		s->last_fail_ns = now;
	}
	if (e == ERR_FULL && !s->full) {
		log_error("store: the disk is full: changes are refused until "
			  "space is freed");
		s->full = true;
		s->full_refused = 0;
		s->full_total = 0;
		s->full_logged_ns = now;
	}
	if (e == ERR_FULL) {
		s->full_refused += refused;
		s->full_total += refused;
	}
	if (s->full && s->full_refused &&
	    now - s->full_logged_ns >= FULL_LOG_NS) {
		log_warn("store: %llu changes refused in the last %llu s: the "
			 "disk is still full",
			 (unsigned long long)s->full_refused,
			 (unsigned long long)((now - s->full_logged_ns) /
					      1000000000u));
		s->full_refused = 0;
		s->full_logged_ns = now;
	}
	pthread_mutex_unlock(&s->mu);
}

/*
 * Wakes the batch's waiters and frees its async jobs, except those to run
 * again: when the batch failed as a whole, async jobs that did not fail
 * by themselves are returned, in order, up to ASYNC_ATTEMPTS runs each.
 */
static struct job *
batch_finish(struct store *s, struct job *batch, enum err e)
{
	struct job *j, *next, *gone = NULL, *retry = NULL, *rlast = NULL;
	uint64_t flush;

	pthread_mutex_lock(&s->mu);
	/* The first flush to begin from now on makes the commit durable. */
	flush = s->flush_started + 1;
	s->flush_wanted = flush;
	pthread_cond_signal(&s->sync_cv);
	for (j = batch; j; j = next) {
		bool again;

		next = j->next;
		/* Jobs that failed by themselves keep their own status. */
		again = j->async && e == ERR_DB && j->status == ERR_OK &&
			++j->attempts < ASYNC_ATTEMPTS;
		if (e != ERR_OK && j->status == ERR_OK)
			j->status = e;
		j->flush = flush;
		if (!j->async) {
			j->done = true;
			pthread_cond_signal(&j->done_cv);
		} else if (again) {
			j->next = NULL;
			if (rlast)
				rlast->next = j;
			else
				retry = j;
			rlast = j;
		} else {
			j->next = gone;
			gone = j;
		}
	}
	pthread_mutex_unlock(&s->mu);
	for (j = gone; j; j = next) {
		next = j->next;
		/* A full disk or a failed flush is logged once, elsewhere. */
		if (j->status != ERR_OK && j->status != ERR_FULL &&
		    j->status != ERR_UNAVAILABLE)
			log_error("store: queued write failed: %s",
				  err_name(j->status));
		if (j->release)
			j->release(j->arg);
		free(j);
	}
	return retry;
}

/*
 * Commits a batch. Async jobs of a batch that failed as a whole run again
 * one per transaction, so no other job can make them fail again.
 */
static enum err
batch_run_noted(struct store *s, struct job *batch)
{
	enum err e = batch_run(s, batch);
	unsigned refused = 0;
	struct job *j;

	for (j = batch; j; j = j->next)
		refused += e == ERR_FULL || j->status == ERR_FULL;
	/* A lone write refused for space leaves the batch "done" too. */
	note_outcome(s, refused ? ERR_FULL : e, refused);
	return e;
}

static void
batch_commit(struct store *s, struct job *batch)
{
	struct job *retry = batch_finish(s, batch, batch_run_noted(s, batch));
	struct job *j, *again;

	while (retry) {
		j = retry;
		retry = j->next;
		j->next = NULL;
		again = batch_finish(s, j, batch_run_noted(s, j));
		if (again) {
			again->next = retry;
			retry = again;
		}
	}
}

/* Lets async-only work gather for up to async_delay_ms. Holds s->mu. */
static void
gather(struct store *s)
{
	uint64_t deadline = s->async_since +
			    (uint64_t)s->o.async_delay_ms * 1000000u;
	struct timespec ts;

	ts.tv_sec = (time_t)(deadline / 1000000000u);
	ts.tv_nsec = (long)(deadline % 1000000000u);
	while (s->head && s->nsync == 0 && s->nasync < ASYNC_MAX &&
	       !s->stopping && clock_mono_ns() < deadline)
		pthread_cond_timedwait(&s->work_cv, &s->mu, &ts);
}

/*
 * After a commit, with s->mu held. Past CHECKPOINT_FRAMES in the log the
 * checkpointer copies them while the writer goes on. The log starts again
 * from its beginning only at a commit that finds it all copied, which a
 * checkpoint running beside the writer never quite achieves: so once the
 * checkpointer has copied all but CATCH_UP_FRAMES, the writer copies the
 * rest itself between two commits (or whatever is left, past
 * WAL_FRAMES_MAX), and the log stays small.
 */
static void
wal_check(struct store *s)
{
	int frames = s->ops->wal_frames(s->wdb), copied = 0;

	if (frames < s->wal_frames)
		s->ckpt_copied = 0;	/* the log started again */
	s->wal_frames = frames;
	if (frames < CHECKPOINT_FRAMES)
		return;
	if (frames - s->ckpt_copied <= CATCH_UP_FRAMES ||
	    frames >= WAL_FRAMES_MAX) {
		pthread_mutex_unlock(&s->mu);
		if (s->ops->checkpoint(s->wdb, &copied) != ERR_OK)
			log_warn("store: checkpoint failed; will try again");
		pthread_mutex_lock(&s->mu);
		s->ckpt_copied = copied;
	} else if (!s->ckpt_wanted) {
		s->ckpt_wanted = true;
		pthread_cond_signal(&s->ckpt_cv);
	}
}

static void *
checkpointer_main(void *arg)
{
	struct store *s = arg;
	int copied;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->ckpt_wanted && !s->ckpt_stop)
			pthread_cond_wait(&s->ckpt_cv, &s->mu);
		if (s->ckpt_stop)
			break;
		s->ckpt_wanted = false;
		pthread_mutex_unlock(&s->mu);
		copied = 0;
		if (s->ops->checkpoint(s->cdb, &copied) != ERR_OK)
			log_warn("store: checkpoint failed; will try again");
		pthread_mutex_lock(&s->mu);
		/* Unless the log started again meanwhile. */
		if (copied <= s->wal_frames)
			s->ckpt_copied = copied;
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static void
checkpointer_stop(struct store *s)
{
	if (!s->ckpt_started)
		return;
	pthread_mutex_lock(&s->mu);
	s->ckpt_stop = true;
	pthread_cond_signal(&s->ckpt_cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->checkpointer, NULL);
	s->ckpt_started = false;
}

/*
 * Takes the oldest BATCH_MAX queued jobs. A bound, because a batch's
 * cost grows faster than its size where jobs change the same rows (every
 * audit event moves the chain's head): on PostgreSQL each change of a
 * row adds a version that the next one in the transaction must step
 * over, and 10,000 queued audit events in one transaction held the
 * write lock for seconds. Holds s->mu.
 */
static struct job *
take_batch(struct store *s)
{
	struct job *batch = s->head, *last = batch, *j;
	int n;

	for (n = 1; n < BATCH_MAX && last->next; n++)
		last = last->next;
	s->head = last->next;
	last->next = NULL;
	if (!s->head)
		s->tail = NULL;
	for (j = batch; j; j = j->next) {
		if (j->async)
			s->nasync--;
		else
			s->nsync--;
	}
	return batch;
}

static void *
writer_main(void *arg)
{
	struct store *s = arg;
	struct job *batch;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->head && !s->stopping)
			pthread_cond_wait(&s->work_cv, &s->mu);
		if (!s->head)
			break;	/* stopping, and the queue is drained */
		gather(s);
		batch = take_batch(s);
		pthread_cond_broadcast(&s->space_cv);
		pthread_mutex_unlock(&s->mu);
		batch_commit(s, batch);
		pthread_mutex_lock(&s->mu);
		if (s->ckpt_started)
			wal_check(s);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/*
 * Takes the deferred writes whose batch is durable now, or all of them
 * once a flush failed. Holds s->mu.
 */
static struct durable_wait *
take_ready(struct store *s)
{
	struct durable_wait *ready = NULL, **pp = &s->waits, *w;
	bool failed = atomic_load(&s->failed);

	while ((w = *pp)) {
		if (failed || w->flush <= s->flush_done) {
			*pp = w->next;
			w->next = ready;
			ready = w;
		} else {
			pp = &w->next;
		}
	}
	return ready;
}

/* Whether the syncer has nothing to do: all flushed, or nothing can be. */
static bool
sync_idle(struct store *s)
{
	return s->flush_done >= s->flush_wanted || atomic_load(&s->failed);
}

/* A transaction that commits waiting for the disk: PostgreSQL flushes
 * its log up to that commit, past every commit before it. */
static const char sql_flush[] = "SELECT pg_current_xact_id()";

/*
 * Makes every commit so far durable, those of other processes on the
 * same database included: SQLite's log is one file, and one fdatasync()
 * flushes it whole. False, with the reason in `why`, when it failed.
 */
static bool
flush_log(struct store *s, char *why, size_t whylen)
{
	if (s->o.backend == STORE_PG) {
		if (s->ops->exec(s->sdb, sql_flush) == ERR_OK)
			return true;
		snprintf(why, whylen, "the connection to PostgreSQL failed");
		return false;
	}
	if (fdatasync(s->wal_fd) == 0)
		return true;
	snprintf(why, whylen, "%s", strerror(errno));
	return false;
}

static void *
syncer_main(void *arg)
{
	struct store *s = arg;
	struct durable_wait *ready, *w;
	uint64_t target;
	bool failed, first = false;
	char why[64];

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (sync_idle(s) && !s->writer_done)
			pthread_cond_wait(&s->sync_cv, &s->mu);
		if (sync_idle(s))
			break;	/* the writer is gone and all is on disk */
		target = ++s->flush_started;
		pthread_mutex_unlock(&s->mu);
		failed = !flush_log(s, why, sizeof(why));
		pthread_mutex_lock(&s->mu);
		if (failed) {
			log_error("store: cannot flush the write-ahead log to "
				  "disk: %s; no more changes are taken, and the "
				  "changes waiting for it are unconfirmed", why);
			atomic_store(&s->failed, true);
			first = true;
		} else {
			s->flush_done = target;
		}
		ready = take_ready(s);
		pthread_cond_broadcast(&s->durable_cv);
		pthread_mutex_unlock(&s->mu);
		while ((w = ready)) {
			ready = w->next;
			w->done(w->arg, failed ? ERR_UNCONFIRMED : ERR_OK);
			free(w);
		}
		if (first && s->o.on_failure)
			s->o.on_failure(s->o.failure_arg);
		first = false;
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/*
 * Waits until the flush `flush` has ended: ERR_OK, or ERR_UNCONFIRMED
 * when a flush failed first. Holds s->mu.
 */
static enum err
wait_flush(struct store *s, uint64_t flush)
{
	if (!s->pipelined)
		return ERR_OK;
	while (s->flush_done < flush && !atomic_load(&s->failed))
		pthread_cond_wait(&s->durable_cv, &s->mu);
	return s->flush_done < flush ? ERR_UNCONFIRMED : ERR_OK;
}

/*
 * Waits until what the write saw is on disk, whatever its status: a
 * write refused as a repeat (ERR_EXISTS) saw an earlier write that may
 * still be on its way. Holds s->mu.
 */
static enum err
wait_durable(struct store *s, const struct job *j)
{
	enum err e;

	if (j->status == ERR_UNAVAILABLE || j->status == ERR_FULL)
		return j->status;	/* nothing ran, or nothing stored */
	e = wait_flush(s, j->flush);
	return e != ERR_OK ? e : j->status;
}

static void
enqueue(struct store *s, struct job *j)
{
	j->next = NULL;
	if (s->tail)
		s->tail->next = j;
	else
		s->head = j;
	s->tail = j;
}

/*
 * Queues a synchronous write and waits for its commit. Then, without
 * `w`, waits until the commit is on disk too; with `w` (pipeline only),
 * files `w` for the syncer to call once it is, setting *deferred, unless
 * it already is. `w` stays the caller's when *deferred is false.
 */
static enum err
write_and_wait(struct store *s, enum err (*fn)(struct db *, void *),
	       void *arg, struct durable_wait *w, bool *deferred)
{
	struct job j = {.fn = fn, .arg = arg, .status = ERR_OK};

	if (s->writer_started && pthread_equal(pthread_self(), s->writer)) {
		log_error("store: store_write() called inside a write");
		return ERR_INTERNAL;
	}
	if (pthread_cond_init(&j.done_cv, NULL) != 0)
		return ERR_INTERNAL;
	pthread_mutex_lock(&s->mu);
	if (s->stopping || atomic_load(&s->failed)) {
		j.status = ERR_UNAVAILABLE;
	} else {
		enqueue(s, &j);
		s->nsync++;
		pthread_cond_signal(&s->work_cv);
		while (!j.done)
			pthread_cond_wait(&j.done_cv, &s->mu);
		if (!w || j.status == ERR_UNAVAILABLE ||
		    j.status == ERR_FULL) {
			j.status = wait_durable(s, &j);
		} else if (atomic_load(&s->failed) && s->flush_done < j.flush) {
			j.status = ERR_UNCONFIRMED;
		} else if (s->flush_done < j.flush) {
			w->flush = j.flush;
			w->next = s->waits;
			s->waits = w;
			*deferred = true;
		}
	}
	pthread_mutex_unlock(&s->mu);
	pthread_cond_destroy(&j.done_cv);
	return j.status;
}

enum err
store_write(struct store *s, enum err (*fn)(struct db *, void *), void *arg)
{
	return write_and_wait(s, fn, arg, NULL, NULL);
}

enum err
store_write_deferred(struct store *s, enum err (*fn)(struct db *, void *),
		     void *arg, void (*durable)(void *, enum err),
		     void *durable_arg, bool *deferred)
{
	struct durable_wait *w;
	enum err e;

	*deferred = false;
	if (!s->pipelined)
		return store_write(s, fn, arg);
	if (!(w = malloc(sizeof(*w))))
		return ERR_NOMEM;
	w->done = durable;
	w->arg = durable_arg;
	e = write_and_wait(s, fn, arg, w, deferred);
	if (!*deferred)
		free(w);
	return e;
}

enum err
store_durable_barrier(struct store *s, void (*durable)(void *, enum err),
		      void *arg, bool *deferred)
{
	struct durable_wait *w;
	enum err e = ERR_OK;
	uint64_t flush;

	*deferred = false;
	if (!s->pipelined)
		return ERR_OK;
	pthread_mutex_lock(&s->mu);
	/*
	 * This process's commits so far; on PostgreSQL also those of the
	 * other processes on the database, which only a flush that begins
	 * now is sure to cover.
	 */
	flush = s->o.backend == STORE_PG ? s->flush_started + 1
					 : s->flush_wanted;
	if (atomic_load(&s->failed) && s->flush_done < flush) {
		e = ERR_UNCONFIRMED;
	} else if (s->flush_done < flush) {
		s->flush_wanted = flush;
		pthread_cond_signal(&s->sync_cv);
		/* Allocated under the lock: rare, and it keeps one path. */
		if (!(w = malloc(sizeof(*w)))) {
			e = wait_flush(s, flush);
		} else {
			w->flush = flush;
			w->done = durable;
			w->arg = arg;
			w->next = s->waits;
			s->waits = w;
			*deferred = true;
		}
	}
	pthread_mutex_unlock(&s->mu);
	return e;
}

/*
 * The data directory's disk and the database file, looked at again at
 * most every DISK_CHECK_NS: /healthz may be polled thousands of times a
 * second. NULL when a write could be stored.
 */
static const char *
disk_check(struct store *s)
{
	uint64_t now = clock_mono_ns(), at;
	const char *reason = NULL;
	struct statvfs fs;

	at = atomic_load(&s->disk_checked_ns);
	if (at && now - at < DISK_CHECK_NS)
		return atomic_load(&s->disk_reason);
	if (statvfs(s->dir, &fs) == 0) {
		if (fs.f_flag & ST_RDONLY)
			reason = "the file system is read-only";
		else if ((uint64_t)fs.f_bavail * fs.f_frsize <
			 (uint64_t)s->o.min_free_bytes)
			reason = "the disk is full";
	}
	if (!reason && access(s->o.sqlite_path, W_OK) != 0)
		reason = "the database file cannot be written";
	atomic_store(&s->disk_reason, reason);
	atomic_store(&s->disk_checked_ns, now);
	return reason;
}

bool
store_writable(struct store *s, char *why, size_t whylen)
{
	const char *reason = NULL;
	enum err last;

	pthread_mutex_lock(&s->mu);
	last = s->last_fail != ERR_OK &&
		       clock_mono_ns() - s->last_fail_ns < FAILED_WRITE_NS ?
		       s->last_fail :
		       ERR_OK;
	if (atomic_load(&s->failed))
		reason = "a flush to disk failed; restarting";
	else if (s->stopping)
		reason = "stopping";
	pthread_mutex_unlock(&s->mu);
	if (!reason && last == ERR_FULL)
		reason = "the disk is full";
	else if (!reason && last != ERR_OK)
		reason = "the last change could not be stored";
	if (!reason && s->dir)
		reason = disk_check(s);
	if (reason)
		snprintf(why, whylen, "%s", reason);
	return !reason;
}

enum err
store_write_async(struct store *s, enum err (*fn)(struct db *, void *),
		  void *arg, void (*release)(void *))
{
	struct job *j = calloc(1, sizeof(*j));
	bool wake;

	if (!j) {
		if (release)
			release(arg);
		return ERR_NOMEM;
	}
	j->fn = fn;
	j->arg = arg;
	j->release = release;
	j->async = true;
	pthread_mutex_lock(&s->mu);
	while (s->nasync >= ASYNC_MAX && !s->stopping)
		pthread_cond_wait(&s->space_cv, &s->mu);
	if (s->stopping || atomic_load(&s->failed)) {
		pthread_mutex_unlock(&s->mu);
		free(j);
		if (release)
			release(arg);
		return ERR_UNAVAILABLE;
	}
	wake = !s->head;
	enqueue(s, j);
	if (s->nasync++ == 0)
		s->async_since = clock_mono_ns();
	if (wake || s->nasync >= ASYNC_MAX)
		pthread_cond_signal(&s->work_cv);
	pthread_mutex_unlock(&s->mu);
	return ERR_OK;
}

/* ---- Opening and closing ---- */

static void
store_free(struct store *s)
{
	int i;

	if (s->nout)
		log_error("store: closing with %d connections in use",
			  s->nout);
	/* The writer is gone: the syncer flushes the last commits, then
	 * stops. */
	if (s->syncer_started) {
		pthread_mutex_lock(&s->mu);
		s->writer_done = true;
		pthread_cond_signal(&s->sync_cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->syncer, NULL);
	}
	if (s->sdb)
		db_close(s->sdb);
	for (i = 0; s->all && i < s->o.pool_size; i++)
		if (s->all[i])
			db_close(s->all[i]);
	checkpointer_stop(s);
	if (s->cdb)
		db_close(s->cdb);
	node_release(s);
	if (s->wdb)
		db_close(s->wdb);
	pthread_cond_destroy(&s->space_cv);
	pthread_cond_destroy(&s->sync_cv);
	pthread_cond_destroy(&s->durable_cv);
	pthread_cond_destroy(&s->ckpt_cv);
	if (s->wal_fd >= 0)
		close(s->wal_fd);
	pthread_cond_destroy(&s->work_cv);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->pool_cv);
	pthread_mutex_destroy(&s->pool_mu);
	free(s->all);
	free(s->dir);
	free((char *)s->o.sqlite_path);
	free((char *)s->o.pg_conninfo);
	free(s);
}

static bool
options_valid(const struct store_options *o)
{
	if (o->pool_size < 1 || o->pool_size > POOL_MAX ||
	    o->async_delay_ms < 0)
		return false;
	if (o->backend == STORE_SQLITE)
		return o->sqlite_path && *o->sqlite_path;
	if (o->backend == STORE_PG)
		return o->pg_conninfo != NULL;
	return false;
}

/* Mutexes and condition variables; the writer's clock is monotonic. */
static bool
sync_init(struct store *s)
{
	pthread_condattr_t ca;
	int rc = 0;

	rc |= pthread_mutex_init(&s->pool_mu, NULL);
	rc |= pthread_cond_init(&s->pool_cv, NULL);
	rc |= pthread_mutex_init(&s->mu, NULL);
	rc |= pthread_cond_init(&s->space_cv, NULL);
	rc |= pthread_cond_init(&s->sync_cv, NULL);
	rc |= pthread_cond_init(&s->durable_cv, NULL);
	rc |= pthread_cond_init(&s->ckpt_cv, NULL);
	rc |= pthread_condattr_init(&ca);
	rc |= pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc |= pthread_cond_init(&s->work_cv, &ca);
	pthread_condattr_destroy(&ca);
	return rc == 0;
}

/*
 * Starts the commit pipeline: on SQLite when the WAL file can be opened
 * for flushing, on PostgreSQL when the syncer has a connection of its
 * own (the writer's session is set in writer_session()). Otherwise every
 * commit waits for the disk itself, which is just as safe, only slower.
 */
static void
pipeline_start(struct store *s)
{
	char path[4096];

	if (s->o.backend == STORE_PG) {
		if (!(s->sdb = s->ops->open(s, &s->o)))
			return;
	} else {
		if (snprintf(path, sizeof(path), "%s-wal",
			     s->o.sqlite_path) >= (int)sizeof(path))
			return;
		s->wal_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (s->wal_fd < 0)
			return;
		if (s->ops->exec(s->wdb, "PRAGMA synchronous = NORMAL") !=
		    ERR_OK) {
			s->ops->exec(s->wdb, "PRAGMA synchronous = FULL");
			return;
		}
	}
	if (pthread_create(&s->syncer, NULL, syncer_main, s) != 0) {
		if (s->o.backend == STORE_SQLITE)
			s->ops->exec(s->wdb, "PRAGMA synchronous = FULL");
		return;
	}
	pthread_setname_np(s->syncer, "store-syncer");
	s->syncer_started = true;
	s->pipelined = true;
	log_debug("store: commits are flushed to disk by the syncer thread");
	if (s->o.backend == STORE_PG)
		return;
	/* Without the checkpointer SQLite checkpoints in the writer. */
	s->cdb = s->ops->open(s, &s->o);
	if (!s->cdb)
		return;
	if (pthread_create(&s->checkpointer, NULL, checkpointer_main, s)) {
		db_close(s->cdb);
		s->cdb = NULL;
		return;
	}
	pthread_setname_np(s->checkpointer, "store-checkpoint");
	s->ckpt_started = true;
	s->ops->wal_watch(s->wdb);
}

/* The directory of the SQLite file, malloc'd; NULL when out of memory. */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

enum err
store_open(const struct store_options *o, struct store **out, char *why,
	   size_t whylen)
{
	char scratch[8];
	struct store *s;
	enum err e = ERR_NOMEM;

	*out = NULL;
	if (!why || !whylen) {
		why = scratch;
		whylen = sizeof(scratch);
	}
	snprintf(why, whylen, "%s", "");
	if (!o || !options_valid(o)) {
		log_error("store: invalid options");
		snprintf(why, whylen, "invalid database settings");
		return ERR_INVALID;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	s->wal_fd = -1;
	s->node = -1;
	s->node_fd = -1;
	s->o = *o;
	s->o.sqlite_path = o->sqlite_path ? strdup(o->sqlite_path) : NULL;
	s->o.pg_conninfo = o->pg_conninfo ? strdup(o->pg_conninfo) : NULL;
	s->ops = o->backend == STORE_PG ? &store_pg_ops : &store_sqlite_ops;
	s->all = calloc((size_t)o->pool_size, sizeof(*s->all));
	s->dir = o->sqlite_path ? dir_of(o->sqlite_path) : NULL;
	if (!s->all || (o->sqlite_path && (!s->o.sqlite_path || !s->dir)) ||
	    (o->pg_conninfo && !s->o.pg_conninfo))
		goto fail;
	if (!sync_init(s)) {
		e = ERR_INTERNAL;
		goto fail;
	}
	if (s->ops->preflight &&
	    (e = s->ops->preflight(&s->o, s->dir, why, whylen)) != ERR_OK)
		goto fail;
	s->wdb = s->ops->open(s, &s->o);
	if (!s->wdb) {
		e = ERR_DB;
		goto fail;
	}
	if (s->ops->read_only && s->ops->read_only(s->wdb)) {
		snprintf(why, whylen, "the database '%s' can only be read; "
			 "make it and its directory writable by the user "
			 "that runs cocare", o->sqlite_path);
		e = ERR_IO;
		goto fail;
	}
	e = migrate(s->wdb);
	if (e != ERR_OK)
		goto fail;
	pipeline_start(s);
	writer_session(s);
	if (pthread_create(&s->writer, NULL, writer_main, s) != 0) {
		log_error("store: cannot start the writer thread");
		e = ERR_INTERNAL;
		goto fail;
	}
	pthread_setname_np(s->writer, "store-writer");
	s->writer_started = true;
	*out = s;
	return ERR_OK;
fail:
	store_free(s);
	return e;
}

void
store_close(struct store *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = true;
	pthread_cond_signal(&s->work_cv);
	pthread_cond_broadcast(&s->space_cv);
	pthread_mutex_unlock(&s->mu);
	if (s->writer_started)
		pthread_join(s->writer, NULL);
	store_free(s);
}

/* ---- Maintenance ---- */

enum err
store_backup(struct store *s, const char *path)
{
	if (!path || !*path)
		return ERR_INVALID;
	return s->ops->backup(s, path);
}

enum err
store_check_integrity(struct store *s, char *msg, size_t msglen)
{
	char scratch[8];
	struct db *db;
	enum err e;

	if (!msg || !msglen) {
		msg = scratch;
		msglen = sizeof(scratch);
	}
	msg[0] = '\0';
	db = store_acquire(s);
	if (!db) {
		snprintf(msg, msglen, "no database connection");
		return ERR_DB;
	}
	e = s->ops->check(db, msg, msglen);
	store_release(s, db);
	return e;
}
