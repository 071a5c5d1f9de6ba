// Becoming a daemon whose caller learns whether it started (rebootmgr,
// vsyslogd).
#pragma once

#include <string>

namespace vserver {

// Forks; the parent waits until the child writes a byte to the returned
// descriptor (then exits 0) or dies (then exits with its status, its
// messages already on stderr). The child, in a session of its own, gets the
// descriptor (close-on-exec) and closes it once it is ready.
int daemonize();

// Standard input, output and error from /dev/null (once the daemon is ready
// and its caller gone); nothing happens if /dev/null cannot be opened.
void detach_stdio();

// Opens the pid file FILE (created 0644, never through a symbolic link) and
// locks it for as long as the descriptor stays open.  When another process
// holds the lock, dies with "RUNNING (pid P, FILE)", P read from the file's
// first line.
int lock_pidfile(const std::string &file, const std::string &running);

// The locked pid file's content becomes TEXT (its first line the pid).
void write_pidfile(int fd, const std::string &file, const std::string &text);

} // namespace vserver
