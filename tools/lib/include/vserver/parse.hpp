// Parsers of command-line values shared by the tools.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace vserver {

// Bad user input; what() is a complete message without the program name,
// e.g. "unknown capability 'FOO'".
class ParseError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// A context id: a decimal integer in [min, max], nothing else around it.
// Throws ParseError "invalid context id 'X' (expected an integer from MIN to MAX)".
int parse_ctx_id(std::string_view text, int min = 1, int max = 65535);

// A process id: a decimal integer > 0. Throws ParseError "invalid process id 'X'".
pid_t parse_pid(std::string_view text);

// A signal: a number 0 ... SIGRTMAX, or a name with or without "SIG" in any
// case (TERM, sigterm, SIGKILL, IOT, CLD, POLL, RTMIN, RTMIN+3, RTMAX-1).
// Throws ParseError "unknown signal 'X'".
int parse_signal(std::string_view text);

// "TERM" for SIGTERM, "RTMIN+2" for SIGRTMIN + 2, the number for others.
std::string signal_name(int sig);

} // namespace vserver
