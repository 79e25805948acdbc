/*
 * Logging: a whole line is formatted first and written with one call so
 * lines from worker threads never interleave.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "core/banned.h"

static _Atomic int log_level = LOG_INFO;

void
log_set_level(enum log_level level)
{
	log_level = (int)level;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	char line[1024];
	struct tm tm;
	time_t t;
	va_list ap;
	int n, m;

	if ((int)level > log_level)
		return;
	t = time(NULL);
	gmtime_r(&t, &tm);
	n = (int)strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%s: ",
		      names[level]);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
