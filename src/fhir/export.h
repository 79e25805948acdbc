/*
 * FHIR bulk data export ($export): a person asks for the data they may
 * read as NDJSON files, for the whole organisation (system level), every
 * patient (patient level) or one unit (Group/<unit id>), optionally only
 * some types (_type) and only what changed since a time (_since). The
 * job is stored; the export worker of any cocare process makes it in the
 * background, as the person who asked, through the same access policy
 * and scopes as every API call, each patient's export audited, and
 * stores the files in the database so that every process can hand them
 * out. A job and its files are deleted a day after they were asked for.
 */
#ifndef FHIR_EXPORT_H
#define FHIR_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct audit_key;
struct fhir_call;
struct store;

#define FHIR_EXPORT_KEEP_MS (24LL * 3600 * 1000)
#define FHIR_EXPORT_PART_LINES 1000	/* resources in one file */

/* The types an export can hold, as bits (in this order). */
enum fhir_export_type {
	FHIR_EXPORT_PATIENT = 1 << 0,
	FHIR_EXPORT_OBSERVATION = 1 << 1,
	FHIR_EXPORT_ALL = (1 << 2) - 1,
};

/* "Patient" for FHIR_EXPORT_PATIENT; NULL for no single known bit. */
const char *fhir_export_type_name(unsigned bit);

/* The bits of a _type list ("Patient,Observation"); false with the
 * first name not exportable in `*bad` (NULL-terminated arena copy not
 * needed: a pointer into `list`, `*badlen` bytes). */
bool fhir_export_types_parse(const char *list, unsigned *out,
			     const char **bad, size_t *badlen);

struct fhir_export_job {
	int64_t id;
	int64_t org_id;
	int64_t account_id;
	const char *scopes;	/* the token's, when it was asked */
	const char *level;	/* "system", "patient", "group" */
	int64_t group_id;	/* a unit, for "group" */
	unsigned types;
	int64_t since_ms;	/* 0: everything */
	const char *request;	/* the URL asked */
	const char *status;	/* "queued", "running", "done", "failed" */
	int done, total;	/* patients */
	const char *error;
	int64_t created_ms, finished_ms;
};

struct fhir_export_file {
	const char *type;
	int part;
	int lines;
};

/* Asks for an export as the call's person (audited); `j` has level,
 * group_id, types, since_ms and request set; its id is set. */
enum err fhir_export_start(struct fhir_call *c, struct fhir_export_job *j);

/* The caller's own job `id` and its files so far; ERR_NOT_FOUND for
 * another person's or one gone. */
enum err fhir_export_get(struct fhir_call *c, int64_t id,
			 struct fhir_export_job *j,
			 struct fhir_export_file **files, size_t *n);

/* One file's NDJSON text. */
enum err fhir_export_file_body(struct fhir_call *c, int64_t id,
			       const char *type, int part, const char **body,
			       size_t *len);

/* Cancels (deletes) the caller's job `id` and its files (audited). */
enum err fhir_export_cancel(struct fhir_call *c, int64_t id);

/* The worker: one thread, looking for jobs every `poll_ms`. */
struct fhir_exporter;

struct fhir_exporter *fhir_exporter_new(struct store *s,
					const struct audit_key *key,
					int poll_ms, int lease_s);
enum err fhir_exporter_start(struct fhir_exporter *x);
/* Stops after the file in hand (a job left half-made is taken up again
 * when its lease ends). */
void fhir_exporter_stop(struct fhir_exporter *x);
void fhir_exporter_free(struct fhir_exporter *x);

/* Tests: makes the next job due now, if any; true when one was made. */
bool fhir_exporter_run_once(struct fhir_exporter *x);

#endif
