/*
 * A patient's measures change counter. Every write that changes what the
 * dashboard's charts show (readings, answered questionnaires, targets)
 * moves it on in its own transaction, so the charts drawn for one value
 * of it can be reused by any process until it moves.
 */
#ifndef MEASURES_MEASURE_VERSION_H
#define MEASURES_MEASURE_VERSION_H

#include <stdint.h>

#include "core/err.h"

struct db;

/* Inside a write: moves the patient's counter on. */
enum err measure_version_bump(struct db *db, int64_t patient_id);

/* The patient's counter (0 before the first change). */
enum err measure_version_get(struct db *db, int64_t patient_id,
			     int64_t *out);

#endif
