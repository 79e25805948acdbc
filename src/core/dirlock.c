/*
 * The data directory lock (see dirlock.h): flock(2) on a file whose
 * contents name the holder. flock rather than a POSIX record lock, which
 * any close() of the file in the process would release.
 */
#include "core/dirlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/oserr.h"
#include "core/banned.h"

int
dirlock_take(const char *dir, char *why, size_t whylen)
{
	char path[4096], pid[32];
	ssize_t n;
	int fd, len;

	if (snprintf(path, sizeof(path), "%s/%s", dir, DIRLOCK_FILE) >=
	    (int)sizeof(path)) {
		snprintf(why, whylen, "the data directory path is too long");
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, whylen, "cannot create '%s': %s; %s", path,
			 strerror(errno), oserr_fix(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK) {
			snprintf(why, whylen, "cannot lock '%s': %s", path,
				 strerror(errno));
			close(fd);
			return -1;
		}
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		snprintf(why, whylen, "the data directory '%s' is in use by "
			 "another cocare serve (process %s); stop it first, "
			 "or give this one a data directory of its own: on "
			 "SQLite one process serves one data directory", dir,
			 pid[0] ? pid : "unknown");
		close(fd);
		return -1;
	}
	len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
		snprintf(why, whylen, "cannot write '%s': %s", path,
			 strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
