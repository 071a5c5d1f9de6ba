// Becoming a daemon whose caller learns whether it started (rebootmgr,
// vsyslogd).
#pragma once

namespace vserver {

// Forks; the parent waits until the child writes a byte to the returned
// descriptor (then exits 0) or dies (then exits with its status, its
// messages already on stderr). The child, in a session of its own, gets the
// descriptor (close-on-exec) and closes it once it is ready.
int daemonize();

// Standard input, output and error from /dev/null (once the daemon is ready
// and its caller gone); nothing happens if /dev/null cannot be opened.
void detach_stdio();

} // namespace vserver
