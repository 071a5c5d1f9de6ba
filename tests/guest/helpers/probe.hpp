// What the probes of the guest tests (vx-attack, vx-netprobe) share: each
// step answers with one line on stdout, a value or the name of an errno.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace probe {

inline const char *errname(int err) {
    const char *name = strerrorname_np(err);
    return name ? name : "E?";
}

inline void say(const std::string &line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
}

} // namespace probe
