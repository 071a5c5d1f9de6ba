#include <vserver/paths.hpp>
#include <vserver/syscall.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vserver {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view skip_blanks(std::string_view s) {
    while (!s.empty() && is_blank(s.front()))
        s.remove_prefix(1);
    return s;
}

// The environment variable if set and not empty.
std::optional<std::string> env_value(const char *name) {
    const char *value = std::getenv(name);
    if (value && *value)
        return std::string(value);
    return std::nullopt;
}

// Environment, then the global file's assignment (not empty), then fallback.
std::string pick(const char *name, const std::optional<std::string> &global_text,
                 const char *fallback) {
    if (auto value = env_value(name))
        return *value;
    if (global_text)
        if (auto value = conf_value(*global_text, name); value && !value->empty())
            return *value;
    return fallback;
}

} // namespace

std::optional<std::string> read_file(const std::string &file) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    struct stat st;
    if (::fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return std::nullopt;
    }
    std::string text;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ::close(fd);
            return std::nullopt;
        }
        if (n == 0)
            break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return text;
}

std::optional<std::string> conf_value(std::string_view text, std::string_view key) {
    std::optional<std::string> found;
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        line = skip_blanks(line);
        if (line.starts_with("export") && line.size() > 6 && is_blank(line[6]))
            line = skip_blanks(line.substr(6));
        if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != '=')
            continue;
        std::string_view value = line.substr(key.size() + 1);
        if (!value.empty() && (value.front() == '"' || value.front() == '\'')) {
            auto close = value.find(value.front(), 1);
            if (close == std::string_view::npos)
                continue;
            value = value.substr(1, close - 1);
        } else {
            auto end = value.find_first_of(" \t;");
            if (end != std::string_view::npos)
                value = value.substr(0, end);
        }
        found = std::string(value);
    }
    return found;
}

std::optional<std::string> read_conf_value(const std::string &file, std::string_view key) {
    auto text = read_file(file);
    return text ? conf_value(*text, key) : std::nullopt;
}

Paths vserver_paths() {
    Paths paths;
    paths.global_conf = env_value("VSERVER_GLOBAL_CONF").value_or(default_global_conf);
    auto global_text = read_file(paths.global_conf);
    paths.confdir = pick("VSERVER_CONFDIR", global_text, default_confdir);
    paths.rundir = pick("VSERVER_RUNDIR", global_text, default_rundir);
    paths.rootdir = pick("VSERVER_ROOTDIR", global_text, default_rootdir);
    paths.proc = env_value("VSERVER_PROC").value_or(default_proc);
    return paths;
}

bool valid_server_name(std::string_view name) {
    if (name.empty() || name.front() == '.' || name.front() == '-')
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
    });
}

const std::vector<std::string_view> server_conf_keys = {
    "IPROOT",     "IPROOTDEV", "IPROOTMASK",   "IPROOTBCAST",  "ONBOOT",
    "S_CAPS",     "S_CONTEXT", "S_DOMAINNAME", "S_HOSTNAME",   "S_NICE",
    "S_FLAGS",    "ULIMIT",    "MEMORY_MAX",   "MEMORY_HIGH",  "CPU_MAX",
    "CPU_WEIGHT", "PIDS_MAX",  "IO_WEIGHT",    "HOSTLOOPBACK", "IPROOT6",
    "SYSLOG",
};

std::optional<std::string> server_conf_problem(std::string_view text) {
    for (unsigned number = 1; !text.empty(); ++number) {
        auto nl = text.find('\n');
        std::string_view line = skip_blanks(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        auto at = [number](const std::string &problem) {
            return "line " + std::to_string(number) + ": " + problem;
        };
        if (line.empty() || line.front() == '#')
            continue;
        if (line.starts_with("export") && line.size() > 6 && is_blank(line[6]))
            line = skip_blanks(line.substr(6));
        auto eq = line.find('=');
        std::string_view key = line.substr(0, eq);
        bool name_ok = eq != std::string_view::npos && !key.empty() &&
                       !(key.front() >= '0' && key.front() <= '9') &&
                       std::all_of(key.begin(), key.end(), [](char c) {
                           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                  (c >= '0' && c <= '9') || c == '_';
                       });
        if (!name_ok)
            return at("not a KEY=value assignment");
        if (std::find(server_conf_keys.begin(), server_conf_keys.end(), key) ==
            server_conf_keys.end())
            return at("unknown key " + std::string(key));
        std::string_view value = line.substr(eq + 1);
        if (!value.empty() && (value.front() == '"' || value.front() == '\'') &&
            value.find(value.front(), 1) == std::string_view::npos)
            return at("unterminated quote in " + std::string(key));
    }
    return std::nullopt;
}

std::vector<std::string> configured_servers(const std::string &confdir) {
    DIR *dir = ::opendir(confdir.c_str());
    if (!dir)
        throw SysError(errno, "cannot read " + confdir);
    std::vector<std::string> names;
    constexpr std::string_view suffix = ".conf";
    for (;;) {
        errno = 0;
        dirent *entry = ::readdir(dir);
        if (!entry)
            break;
        std::string_view file = entry->d_name;
        if (!file.ends_with(suffix))
            continue;
        std::string_view name = file.substr(0, file.size() - suffix.size());
        if (!valid_server_name(name))
            continue;
        struct stat st;
        if (::fstatat(::dirfd(dir), entry->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
            continue;
        names.emplace_back(name);
    }
    int err = errno;
    ::closedir(dir);
    if (err)
        throw SysError(err, "cannot read " + confdir);
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace vserver
