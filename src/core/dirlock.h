/*
 * One process per directory: `cocare serve` on SQLite holds an exclusive
 * lock on a file in its data directory for as long as it runs, so that a
 * second one on the same directory is refused with the first one's
 * process id instead of starting without a word. The kernel drops the
 * lock when the process ends, however it ends (kill -9 included).
 */
#ifndef CORE_DIRLOCK_H
#define CORE_DIRLOCK_H

#include <stddef.h>

#define DIRLOCK_FILE "serve.lock"

/*
 * Takes the lock on `dir`/DIRLOCK_FILE and writes this process's id
 * into it. Returns the open descriptor that holds the lock (close it,
 * or exit, to let go), or -1 with one line in `why`: the process that
 * holds it, or the path and the system's reason.
 */
int dirlock_take(const char *dir, char *why, size_t whylen);

#endif
