#include <vserver/caps.hpp>
#include <vserver/net.hpp>
#include <vserver/parse.hpp>
#include <vserver/paths.hpp>
#include <vserver/server_conf.hpp>
#include <vserver/syscall.hpp>

#include <algorithm>
#include <array>
#include <charconv>

#include "text.hpp"

namespace vserver {

namespace {

constexpr std::string_view known_flags = "lock sched nproc private fakeinit userns";
constexpr std::size_t max_uts_name = 64;

[[noreturn]] void bad(const std::string &problem) { throw ParseError(problem); }

std::string quoted(std::string_view value) {
    std::string text = "'";
    return text.append(value).append("'");
}

// A decimal number without sign; nullopt if text is anything else or too big.
std::optional<unsigned long long> number(std::string_view text) {
    unsigned long long n = 0;
    if (!detail::all_digits(text))
        return std::nullopt;
    auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (err != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return n;
}

std::vector<std::string_view> words(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        auto start = text.find_first_not_of(" \t");
        if (start == std::string_view::npos)
            break;
        text.remove_prefix(start);
        auto end = text.find_first_of(" \t");
        out.push_back(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end);
    }
    return out;
}

void check_context(std::string &value) {
    auto id = number(value);
    if (!value.empty() && (!id || *id < 2 || *id > 49151))
        bad("S_CONTEXT must be a context id from 2 to 49151, not " + quoted(value));
    if (id)
        value = std::to_string(*id);
}

void check_nice(std::string_view value) {
    if (value.empty())
        return;
    bool negative = value.front() == '-';
    auto level = number(negative ? value.substr(1) : value);
    if (!level || *level > (negative ? 20U : 19U))
        bad("S_NICE must be a nice level from -20 to 19, not " + quoted(value));
}

std::string check_flags(std::string_view value) {
    std::string list;
    for (auto flag : words(value)) {
        auto known = words(known_flags);
        if (std::find(known.begin(), known.end(), flag) == known.end())
            bad("S_FLAGS: unknown flag " + quoted(flag) + " (known: " + std::string(known_flags) +
                ")");
        list.append(list.empty() ? "" : ",").append(flag);
    }
    return list;
}

void check_ulimit(std::string_view value) {
    bool plain = std::all_of(value.begin(), value.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == ' ' || c == '\t' || c == '-';
    });
    if (!plain)
        bad("ULIMIT may only hold ulimit options and numbers, not " + quoted(value));
    try {
        parse_ulimit(value);
    } catch (const ParseError &e) {
        bad("ULIMIT: " + std::string(e.what()));
    }
}

// MEMORY_MAX, MEMORY_HIGH: bytes, or a number with K, M, G or T; or max.
void check_size(std::string_view key, std::string_view value) {
    if (value.empty() || value == "max")
        return;
    std::string_view digits = value;
    if (std::string_view("KMGT").find(digits.back()) != std::string_view::npos)
        digits.remove_suffix(1);
    if (!number(digits))
        bad(std::string(key) +
            " must be a size (bytes, or a number with K, M, G or T) or max, not " + quoted(value));
}

void check_cpu_max(std::string_view value) {
    if (value.empty() || value == "max")
        return;
    bool ok;
    if (value.back() == '%') {
        auto percent = number(value.substr(0, value.size() - 1));
        ok = percent && *percent > 0;
    } else {
        auto parts = words(value);
        ok = !parts.empty() && parts.size() <= 2 && value.front() != ' ' && value.back() != ' ' &&
             value.find_first_of("\t") == std::string_view::npos &&
             value.find("  ") == std::string_view::npos &&
             std::all_of(parts.begin(), parts.end(), [](auto p) { return number(p).has_value(); });
    }
    if (!ok)
        bad("CPU_MAX must be N% (of one CPU), QUOTA [PERIOD] in microseconds or max, not " +
            quoted(value));
}

void check_weight(std::string_view key, std::string_view value) {
    if (value.empty())
        return;
    auto weight = number(value);
    if (!weight || value.front() == '0' || *weight > 10000)
        bad(std::string(key) + " must be a weight from 1 to 10000, not " + quoted(value));
}

void check_pids(std::string_view value) {
    if (!value.empty() && value != "max" && !number(value))
        bad("PIDS_MAX must be a number of tasks or max, not " + quoted(value));
}

} // namespace

ServerConf check_server_conf(std::string_view text) {
    if (auto problem = server_conf_problem(text))
        bad(*problem);
    ServerConf conf;
    for (auto key : server_conf_keys)
        conf.values.emplace_back(key, conf_value(text, key).value_or(""));
    auto value = [&](std::string_view key) -> std::string & {
        return std::find_if(conf.values.begin(), conf.values.end(),
                            [&](const auto &kv) { return kv.first == key; })
            ->second;
    };

    // The addresses' syntax (a host name for IPROOT is the resolver's).
    // IPROOT is a list: addresses or host names separated by blanks;
    // IPROOT6 a list of IPv6 addresses, which IPROOT may hold too.
    auto words = [](const std::string &list) {
        std::vector<std::string> found;
        std::size_t at = list.find_first_not_of(" \t");
        while (at != std::string::npos) {
            std::size_t end = list.find_first_of(" \t", at);
            found.push_back(list.substr(at, end - at));
            at = end == std::string::npos ? end : list.find_first_not_of(" \t", end);
        }
        return found;
    };
    std::vector<std::string> iproots = words(value("IPROOT"));
    std::vector<std::string> iproots6;
    for (auto it = iproots.begin(); it != iproots.end();) {
        if (it->find(':') == std::string::npos) {
            ++it;
            continue;
        }
        iproots6.push_back(*it);
        it = iproots.erase(it);
    }
    for (const std::string &ip6 : words(value("IPROOT6"))) {
        if (ip6.find(':') == std::string::npos)
            bad("IPROOT6 " + quoted(ip6) + " is not an IPv6 address");
        iproots6.push_back(ip6);
    }
    if (iproots.size() + iproots6.size() > max_ipv4roots)
        bad("IPROOT lists " + std::to_string(iproots.size() + iproots6.size()) +
            " addresses, at most " + std::to_string(max_ipv4roots) + " are allowed");
    for (const std::string &iproot : iproots)
        if (looks_like_ipv4(iproot))
            bad("IPROOT " + quoted(iproot) + " is not a dotted IPv4 address");
    std::vector<std::string> ips6;
    for (const std::string &text : iproots6) {
        auto ip6 = parse_ipv6(text);
        if (!ip6)
            bad("IPROOT " + quoted(text) + " is not an IPv6 address");
        if (!usable_ipv6root(*ip6))
            bad("IPROOT " + quoted(text) +
                " cannot be a server's address (::1, link-local, site-local, multicast, "
                "IPv4-mapped and fd76:7365:7276:6572::/64 addresses are not allowed)");
        std::string normal = format_ipv6(*ip6);
        if (std::find(ips6.begin(), ips6.end(), normal) != ips6.end())
            bad("IPROOT lists " + normal + " twice");
        ips6.push_back(normal);
    }
    if (!ips6.empty() && iproots.empty())
        bad("IPROOT needs an IPv4 address beside its IPv6 ones");
    std::string &mask = value("IPROOTMASK");
    if (!mask.empty()) {
        auto prefix = parse_netmask(mask);
        if (!prefix)
            bad("IPROOTMASK " + quoted(mask) + " is not a netmask");
        mask = std::to_string(*prefix);
    }
    std::string &bcast = value("IPROOTBCAST");
    if (!bcast.empty() && !parse_ipv4(bcast))
        bad("IPROOTBCAST " + quoted(bcast) + " is not an IPv4 address");

    for (const char *key : {"ONBOOT", "HOSTLOOPBACK"}) {
        const std::string &yes_no = value(key);
        if (!yes_no.empty() && yes_no != "yes" && yes_no != "no")
            bad(std::string(key) + " must be yes or no, not " + quoted(yes_no));
    }
    const std::string &syslog = value("SYSLOG");
    if (!syslog.empty() && syslog != "host" && syslog != "server")
        bad("SYSLOG must be host or server, not " + quoted(syslog));
    check_context(value("S_CONTEXT"));
    check_nice(value("S_NICE"));
    conf.flag_list = check_flags(value("S_FLAGS"));
    check_ulimit(value("ULIMIT"));
    check_size("MEMORY_MAX", value("MEMORY_MAX"));
    check_size("MEMORY_HIGH", value("MEMORY_HIGH"));
    check_cpu_max(value("CPU_MAX"));
    check_weight("CPU_WEIGHT", value("CPU_WEIGHT"));
    check_weight("IO_WEIGHT", value("IO_WEIGHT"));
    check_pids(value("PIDS_MAX"));

    for (const std::string &iproot : iproots) {
        std::string ip = iproot;
        if (!parse_ipv4(iproot)) {
            std::vector<in_addr> found;
            try {
                found = resolve_ipv4(iproot);
            } catch (const ResolveError &) {
            }
            if (found.empty())
                bad("IPROOT " + quoted(iproot) +
                    " is neither an IPv4 address nor a known host name");
            ip = format_ipv4(found.front());
        }
        if ((" " + conf.ip + " ").find(" " + ip + " ") != std::string::npos)
            bad("IPROOT lists " + ip + " twice");
        conf.ip += (conf.ip.empty() ? "" : " ") + ip;
    }
    for (const std::string &ip6 : ips6)
        conf.ip += " " + ip6;
    if (value("HOSTLOOPBACK") == "yes" && conf.ip.empty())
        bad("HOSTLOOPBACK=yes needs IPROOT");
    const std::string &dev = value("IPROOTDEV");
    if (!dev.empty()) {
        if (conf.ip.empty())
            bad("IPROOTDEV is set but IPROOT is not");
        HostInterfaces ifs = host_interfaces();
        if (!has_interface(ifs, dev))
            bad("IPROOTDEV " + quoted(dev) + " is not a network interface of this host");
        // Defaults from the device's primary address, as the seed says.
        auto primary = interface_ipv4(ifs, dev);
        if (mask.empty())
            mask = std::to_string(primary ? primary->prefix : 32);
        if (bcast.empty() && primary && primary->bcast.s_addr)
            bcast = format_ipv4(primary->bcast);
    }

    // What vserver-exec is then given.
    for (auto key : {"S_HOSTNAME", "S_DOMAINNAME"}) {
        if (value(key).size() > max_uts_name)
            bad(std::string(key) + " " + quoted(value(key)) + " is longer than " +
                std::to_string(max_uts_name) + " bytes");
    }
    if (!value("S_CAPS").empty())
        parse_cap_list(value("S_CAPS"));
    return conf;
}

std::vector<UlimitSetting> parse_ulimit(std::string_view text) {
    struct Option {
        char letter;
        int resource;
        rlim_t unit;
    };
    static constexpr std::array<Option, 14> options = {{
        {'c', RLIMIT_CORE, 1024},
        {'d', RLIMIT_DATA, 1024},
        {'e', RLIMIT_NICE, 1},
        {'f', RLIMIT_FSIZE, 1024},
        {'i', RLIMIT_SIGPENDING, 1},
        {'l', RLIMIT_MEMLOCK, 1024},
        {'m', RLIMIT_RSS, 1024},
        {'n', RLIMIT_NOFILE, 1},
        {'q', RLIMIT_MSGQUEUE, 1},
        {'r', RLIMIT_RTPRIO, 1},
        {'s', RLIMIT_STACK, 1024},
        {'t', RLIMIT_CPU, 1},
        {'u', RLIMIT_NPROC, 1},
        {'v', RLIMIT_AS, 1024},
    }};
    std::vector<UlimitSetting> settings;
    bool hard_only = false, soft_only = false;
    auto args = words(text);
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        if (arg.size() < 2 || arg.front() != '-')
            bad(quoted(arg) + " is not a ulimit option");
        for (std::size_t j = 1; j < arg.size(); ++j) {
            char letter = arg[j];
            if (letter == 'H' || letter == 'S') {
                (letter == 'H' ? hard_only : soft_only) = true;
                continue;
            }
            auto option = std::find_if(options.begin(), options.end(),
                                       [&](const Option &o) { return o.letter == letter; });
            if (option == options.end())
                bad("unknown ulimit option '-" + std::string(1, letter) + "'");
            if (j + 1 != arg.size() || i + 1 >= args.size())
                bad("ulimit option '-" + std::string(1, letter) + "' needs a value");
            std::string_view given = args[++i];
            rlim_t value = RLIM_INFINITY;
            if (given != "unlimited") {
                auto n = number(given);
                if (!n || *n > RLIM_INFINITY / option->unit)
                    bad("invalid ulimit value '" + std::string(given) + "' for -" +
                        std::string(1, letter));
                value = static_cast<rlim_t>(*n) * option->unit;
            }
            // (-H alone: the seed's vserver set the soft limit as well)
            settings.push_back({option->resource, true, !soft_only || hard_only, value});
        }
    }
    return settings;
}

CgroupSetting cgroup_setting(std::string_view assignment) {
    auto equals = assignment.find('=');
    if (equals == std::string_view::npos)
        bad("not a KEY=VALUE resource setting: " + quoted(assignment));
    std::string key(assignment.substr(0, equals));
    std::string value(assignment.substr(equals + 1));
    if (value.empty())
        bad(key + " has no value");
    if (key == "MEMORY_MAX" || key == "MEMORY_HIGH") {
        check_size(key, value);
        return {key, key == "MEMORY_MAX" ? "memory.max" : "memory.high", value, "memory"};
    }
    if (key == "CPU_MAX") {
        check_cpu_max(value);
        if (value.back() == '%')
            value = std::to_string(*number(value.substr(0, value.size() - 1)) * 1000) + " 100000";
        return {key, "cpu.max", value, "cpu"};
    }
    if (key == "CPU_WEIGHT") {
        check_weight(key, value);
        return {key, "cpu.weight", value, "cpu"};
    }
    if (key == "IO_WEIGHT") {
        check_weight(key, value);
        return {key, "io.weight", "default " + value, "io"};
    }
    if (key == "PIDS_MAX") {
        check_pids(value);
        return {key, "pids.max", value, "pids"};
    }
    bad(quoted(key) + " is not a resource key (MEMORY_MAX, MEMORY_HIGH, CPU_MAX, CPU_WEIGHT, "
                      "PIDS_MAX, IO_WEIGHT)");
}

} // namespace vserver
