/*
 * Disk faults on demand, for the durability tests only: an LD_PRELOAD
 * library put in front of cocare by tests/e2e/durability_faults.test.mjs.
 * COCARE_FAULT_FILE names a control file, read again at most every 10 ms,
 * holding words that take effect at once:
 *   sync-delay=MS  fsync/fdatasync of a write-ahead log ("*-wal") first
 *                  sleep MS milliseconds
 *   sync-eio       they fail with EIO instead (the disk lost the data)
 *   enospc         writes to the database files ("cocare.db*") fail
 *                  with ENOSPC, as on a full disk
 * No file, or an empty one: no faults.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

struct faults {
	long sync_delay_ms;
	bool sync_eio;
	bool enospc;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct faults current;
static struct timespec read_at;

static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);

static long
ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 +
	       (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* Reads the control file with raw system calls: write() is ours. */
static struct faults
faults_now(void)
{
	const char *path = getenv("COCARE_FAULT_FILE");
	struct faults f;
	char text[256];
	ssize_t n = 0;
	char *p;
	int fd;

	pthread_mutex_lock(&mu);
	if (read_at.tv_sec && ms_since(&read_at) < 10) {
		f = current;
		pthread_mutex_unlock(&mu);
		return f;
	}
	memset(&f, 0, sizeof(f));
	if (path && (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
	}
	text[n > 0 ? n : 0] = '\0';
	if ((p = strstr(text, "sync-delay=")))
		f.sync_delay_ms = strtol(p + 11, NULL, 10);
	f.sync_eio = strstr(text, "sync-eio") != NULL;
	f.enospc = strstr(text, "enospc") != NULL;
	current = f;
	clock_gettime(CLOCK_MONOTONIC, &read_at);
	pthread_mutex_unlock(&mu);
	return f;
}

/* Whether the descriptor's file name contains `part`. */
static bool
fd_is(int fd, const char *part, bool at_end)
{
	char link[64], path[4096];
	ssize_t n;
	size_t len = strlen(part);

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return false;
	path[n] = '\0';
	if (at_end)
		return (size_t)n >= len && strcmp(path + n - len, part) == 0;
	return strstr(path, part) != NULL;
}

static int
sync_fault(int fd)
{
	struct faults f;

	if (!fd_is(fd, "-wal", true))
		return 0;
	f = faults_now();
	if (f.sync_eio) {
		errno = EIO;
		return -1;
	}
	if (f.sync_delay_ms > 0) {
		struct timespec ts = {f.sync_delay_ms / 1000,
				      (f.sync_delay_ms % 1000) * 1000000};

		nanosleep(&ts, NULL);
	}
	return 0;
}

static bool
write_fault(int fd)
{
	/* Standard streams and sockets are never the database. */
	if (fd <= 2 || !fd_is(fd, "cocare.db", false) || !faults_now().enospc)
		return false;
	errno = ENOSPC;
	return true;
}

int
fsync(int fd)
{
	if (!real_fsync)
		real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	return sync_fault(fd) ? -1 : real_fsync(fd);
}

int
fdatasync(int fd)
{
	if (!real_fdatasync)
		real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	return sync_fault(fd) ? -1 : real_fdatasync(fd);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	if (!real_write)
		real_write = (ssize_t(*)(int, const void *, size_t))dlsym(
			RTLD_NEXT, "write");
	return write_fault(fd) ? -1 : real_write(fd, buf, n);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	if (!real_pwrite64)
		real_pwrite64 = (ssize_t(*)(int, const void *, size_t,
					    off_t))dlsym(RTLD_NEXT,
							 "pwrite64");
	return write_fault(fd) ? -1 : real_pwrite64(fd, buf, n, off);
}
