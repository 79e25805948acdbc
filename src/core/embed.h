/*
 * Files compiled into the binary: templates, translations, migrations,
 * static assets (with precompressed .gz variants) and data lists. The
 * table is generated at build time by tools/embed.c into
 * build/gen/embedded.c; names are paths relative to the source tree,
 * e.g. "templates/layout.html", "migrations/001_foundation.sql".
 */
#ifndef CORE_EMBED_H
#define CORE_EMBED_H

#include <stddef.h>

struct embedded_file {
	const char *name;
	const unsigned char *data;	/* NUL-terminated for convenience */
	size_t len;
	const char *hash;		/* 16 hex digits of the content */
};

/* The file named `name`, or NULL. */
const struct embedded_file *embed_find(const char *name);

/* All files, sorted by name; `*count` receives the number. */
const struct embedded_file *embed_all(size_t *count);

#endif
