#include <vserver/parse.hpp>

#include <array>
#include <charconv>
#include <csignal>
#include <optional>

#include "text.hpp"

namespace vserver {

namespace {

// A decimal integer, digits only (no sign, no white space). nullopt on
// anything else or overflow.
std::optional<long long> parse_decimal(std::string_view text) {
    if (!detail::all_digits(text))
        return std::nullopt;
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

struct SignalName {
    int sig;
    std::string_view name;
};

// The standard signals of Linux (x86), first name of a number is the one printed.
constexpr std::array<SignalName, 34> signal_names = {{
    {SIGHUP, "HUP"},       {SIGINT, "INT"},     {SIGQUIT, "QUIT"}, {SIGILL, "ILL"},
    {SIGTRAP, "TRAP"},     {SIGABRT, "ABRT"},   {SIGIOT, "IOT"},   {SIGBUS, "BUS"},
    {SIGFPE, "FPE"},       {SIGKILL, "KILL"},   {SIGUSR1, "USR1"}, {SIGSEGV, "SEGV"},
    {SIGUSR2, "USR2"},     {SIGPIPE, "PIPE"},   {SIGALRM, "ALRM"}, {SIGTERM, "TERM"},
    {SIGSTKFLT, "STKFLT"}, {SIGCHLD, "CHLD"},   {SIGCHLD, "CLD"},  {SIGCONT, "CONT"},
    {SIGSTOP, "STOP"},     {SIGTSTP, "TSTP"},   {SIGTTIN, "TTIN"}, {SIGTTOU, "TTOU"},
    {SIGURG, "URG"},       {SIGXCPU, "XCPU"},   {SIGXFSZ, "XFSZ"}, {SIGVTALRM, "VTALRM"},
    {SIGPROF, "PROF"},     {SIGWINCH, "WINCH"}, {SIGIO, "IO"},     {SIGPOLL, "POLL"},
    {SIGPWR, "PWR"},       {SIGSYS, "SYS"},
}};

} // namespace

int parse_ctx_id(std::string_view text, int min, int max) {
    auto value = parse_decimal(text);
    if (!value || *value < min || *value > max)
        throw ParseError("invalid context id '" + std::string(text) +
                         "' (expected an integer from " + std::to_string(min) + " to " +
                         std::to_string(max) + ")");
    return static_cast<int>(*value);
}

pid_t parse_pid(std::string_view text) {
    auto value = parse_decimal(text);
    // pid_max is at most 2^22 (PID_MAX_LIMIT); anything up to INT_MAX is a pid_t.
    if (!value || *value < 1 || *value > 0x7fffffff)
        throw ParseError("invalid process id '" + std::string(text) + "'");
    return static_cast<pid_t>(*value);
}

int parse_signal(std::string_view text) {
    auto unknown = [&]() { return ParseError("unknown signal '" + std::string(text) + "'"); };
    if (auto value = parse_decimal(text)) {
        if (*value > SIGRTMAX)
            throw unknown();
        return static_cast<int>(*value);
    }
    std::string upper = detail::to_upper(text);
    std::string_view name = upper;
    if (name.starts_with("SIG"))
        name.remove_prefix(3);
    for (const auto &s : signal_names)
        if (s.name == name)
            return s.sig;
    // RTMIN, RTMIN+N, RTMAX, RTMAX-N, within SIGRTMIN ... SIGRTMAX
    bool rtmin = name.starts_with("RTMIN");
    if (rtmin || name.starts_with("RTMAX")) {
        std::string_view rest = name.substr(5);
        long long offset = 0;
        if (!rest.empty()) {
            if (rest.front() != (rtmin ? '+' : '-'))
                throw unknown();
            auto n = parse_decimal(rest.substr(1));
            if (!n || *n > SIGRTMAX - SIGRTMIN)
                throw unknown();
            offset = *n;
        }
        return static_cast<int>(rtmin ? SIGRTMIN + offset : SIGRTMAX - offset);
    }
    throw unknown();
}

std::string signal_name(int sig) {
    for (const auto &s : signal_names)
        if (s.sig == sig)
            return std::string(s.name);
    if (sig == SIGRTMIN)
        return "RTMIN";
    if (sig > SIGRTMIN && sig <= SIGRTMAX)
        return "RTMIN+" + std::to_string(sig - SIGRTMIN);
    return std::to_string(sig);
}

} // namespace vserver
