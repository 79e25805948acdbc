/*
 * Lookup in the generated, name-sorted table of embedded files.
 */
#include "core/embed.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

extern const struct embedded_file embedded_files[];
extern const size_t embedded_files_count;

static int
embed_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct embedded_file *)elem)->name);
}

const struct embedded_file *
embed_find(const char *name)
{
	return bsearch(name, embedded_files, embedded_files_count,
		       sizeof(embedded_files[0]), embed_cmp);
}

const struct embedded_file *
embed_all(size_t *count)
{
	*count = embedded_files_count;
	return embedded_files;
}
