/*
 * Fixes for file errors (see oserr.h).
 */
#include "core/oserr.h"

#include <errno.h>

#include "core/banned.h"

const char *
oserr_fix(int errnum)
{
	switch (errnum) {
	case EROFS:
		return "remount the file system read-write, or move the data "
		       "directory to one that is";
	case EPERM:
		return "it may be immutable: see 'lsattr', remove that with "
		       "'chattr -i'";
	case EACCES:
		return "make it writable (and readable) by the user that runs "
		       "cocare: chown that user, chmod u+rw";
	case ENOSPC:
	case EDQUOT:
		return "free some space on the disk";
	case ENOENT:
		return "check the path, or run 'cocare init' to create it";
	default:
		return "check the disk, the file and its directory";
	}
}
