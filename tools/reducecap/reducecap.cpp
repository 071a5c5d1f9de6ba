// reducecap: lower the capability ceiling, then run a command under it.
#include <vserver/vserver.hpp>

#include <cstdint>
#include <cstdio>
#include <getopt.h>

namespace {

enum Option {
    OPT_CAP = 256,
    OPT_SECURE,
    OPT_SHOW,
    OPT_SHOW_SECURE,
    OPT_LIST_CAPS,
    OPT_HELP,
    OPT_VERSION,
};

const option long_options[] = {
    {"cap", required_argument, nullptr, OPT_CAP},
    {"secure", no_argument, nullptr, OPT_SECURE},
    {"show", no_argument, nullptr, OPT_SHOW},
    {"show-secure", no_argument, nullptr, OPT_SHOW_SECURE},
    {"list-caps", no_argument, nullptr, OPT_LIST_CAPS},
    {"help", no_argument, nullptr, OPT_HELP},
    {"version", no_argument, nullptr, OPT_VERSION},
    {nullptr, 0, nullptr, 0},
};

[[noreturn]] void usage() {
    std::printf("Usage: %s [OPTION]... COMMAND [ARG]...\n"
                "  or:  %s [OPTION]... --show [COMMAND [ARG]...]\n"
                "  or:  %s --show-secure | --list-caps\n"
                "Remove capabilities from the capability ceiling of this process, irreversibly,\n"
                "then run COMMAND under it. Even setuid programs cannot regain them.\n"
                "\n"
                "  --cap CAP[,CAP...]   remove capabilities; a name with or without CAP_ in any\n"
                "                       case, or a number (repeatable)\n"
                "  --secure             remove the secure set (what --show-secure prints)\n"
                "  --show               print the resulting ceiling on stdout as one line of\n"
                "                       comma-separated names; COMMAND is optional with it\n"
                "  --show-secure        print the capabilities --secure removes, as one line of\n"
                "                       comma-separated names, and exit (takes nothing else)\n"
                "  --list-caps          print every capability of the running kernel, one name\n"
                "                       per line, and exit (takes nothing else)\n"
                "  --help               display this help and exit\n"
                "  --version            output version information and exit\n"
                "\n"
                "Exit status: that of COMMAND; 0 after --show without COMMAND; 1 for a usage\n"
                "error or when the ceiling cannot be lowered; 126 if COMMAND cannot be\n"
                "executed, 127 if it is not found.\n",
                program_invocation_short_name, program_invocation_short_name,
                program_invocation_short_name);
    vserver::exit_success();
}

} // namespace

int main(int argc, char *argv[]) {
    vserver::init_program(argv);

    std::uint64_t remove_cap = 0;
    bool show = false;
    bool show_secure = false;
    bool list_caps = false;
    bool other_options = false; // anything --show-secure or --list-caps goes without

    int c;
    while ((c = getopt_long(argc, argv, "+", long_options, nullptr)) != -1) {
        try {
            switch (c) {
            case OPT_CAP:
                remove_cap |= vserver::parse_cap_list(optarg);
                other_options = true;
                break;
            case OPT_SECURE:
                remove_cap |= vserver::secure_remove_caps();
                other_options = true;
                break;
            case OPT_SHOW:
                show = true;
                other_options = true;
                break;
            case OPT_SHOW_SECURE:
                show_secure = true;
                break;
            case OPT_LIST_CAPS:
                list_caps = true;
                break;
            case OPT_HELP:
                usage();
            case OPT_VERSION:
                vserver::print_version();
                vserver::exit_success();
            default:
                vserver::try_help();
            }
        } catch (const vserver::ParseError &e) {
            vserver::usage_error("%s", e.what());
        }
    }
    bool have_command = optind < argc;

    if (show_secure || list_caps) {
        const char *alone = show_secure ? "--show-secure" : "--list-caps";
        if (other_options || have_command || (show_secure && list_caps))
            vserver::usage_error("%s cannot be combined with other options or a command", alone);
        if (show_secure)
            std::printf("%s\n", vserver::format_caps(vserver::secure_remove_caps()).c_str());
        for (int cap = 0; list_caps && cap <= vserver::cap_last(); ++cap)
            std::printf("%s\n", vserver::cap_name(cap).c_str());
        vserver::exit_success();
    }
    if (!have_command && !show)
        vserver::usage_error("missing command");

    try {
        vserver::new_s_context(VX_CTX_KEEP, remove_cap, 0);
    } catch (const vserver::SysError &e) {
        vserver::die_sys(e, "cannot lower the capability ceiling");
    }

    if (show) {
        std::optional<std::uint64_t> ceiling;
        try {
            ceiling = vserver::status_cap_bnd(vserver::read_proc_status());
        } catch (const vserver::SysError &e) {
            vserver::die("%s", e.what());
        }
        if (!ceiling)
            vserver::die("no CapBnd line in /proc/self/status");
        std::printf("%s\n", vserver::format_caps(*ceiling).c_str());
        if (!have_command)
            vserver::exit_success();
    }
    vserver::exec_command(argv + optind);
}
