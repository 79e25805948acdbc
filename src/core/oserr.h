/*
 * What a person can do about a file the system refused, by the system's
 * reason (errno), for the one-line messages that refuse to start: the
 * path and strerror() say what is wrong, this says what to do.
 */
#ifndef CORE_OSERR_H
#define CORE_OSERR_H

/* A short imperative clause, never NULL ("remount the file system ..."). */
const char *oserr_fix(int errnum);

#endif
