// chcontext: run a command in a new (or a chosen) security context.
#include <vserver/vserver.hpp>

#include <cstdint>
#include <cstdio>
#include <getopt.h>
#include <string>

namespace {

enum Option {
    OPT_CTX = 256,
    OPT_FLAG,
    OPT_CAP,
    OPT_SECURE,
    OPT_HOSTNAME,
    OPT_DOMAINNAME,
    OPT_SILENT,
    OPT_HELP,
    OPT_VERSION,
};

const option long_options[] = {
    {"ctx", required_argument, nullptr, OPT_CTX},
    {"flag", required_argument, nullptr, OPT_FLAG},
    {"cap", required_argument, nullptr, OPT_CAP},
    {"secure", no_argument, nullptr, OPT_SECURE},
    {"hostname", required_argument, nullptr, OPT_HOSTNAME},
    {"domainname", required_argument, nullptr, OPT_DOMAINNAME},
    {"silent", no_argument, nullptr, OPT_SILENT},
    {"help", no_argument, nullptr, OPT_HELP},
    {"version", no_argument, nullptr, OPT_VERSION},
    {nullptr, 0, nullptr, 0},
};

[[noreturn]] void usage() {
    std::printf(
        "Usage: %s [OPTION]... COMMAND [ARG]...\n"
        "Run COMMAND in a new security context, or in the context given by --ctx.\n"
        "\n"
        "  --ctx N              enter context N (1-65535) instead of allocating a new,\n"
        "                       unused one; only root in context 0 may choose, and\n"
        "                       49152-65535 are the kernel's to hand out: entered, never\n"
        "                       created\n"
        "  --flag F[,F...]      set context flags when the context is created:\n"
        "                       lock, sched, nproc, private, fakeinit, userns\n"
        "                       (repeatable)\n"
        "  --cap CAP[,CAP...]   remove capabilities from the ceiling of COMMAND; a name\n"
        "                       with or without CAP_ in any case, or a number (repeatable)\n"
        "  --secure             remove the secure set (see 'reducecap --show-secure')\n"
        "  --hostname NAME      host name of the new context (at most %zu bytes)\n"
        "  --domainname NAME    NIS domain name of the new context (at most %zu bytes)\n"
        "  --silent             do not print \"New security context is N\" on stderr\n"
        "  --help               display this help and exit\n"
        "  --version            output version information and exit\n"
        "\n"
        "Exit status: that of COMMAND; 1 for a usage error or when the context cannot be\n"
        "entered; 126 if COMMAND cannot be executed, 127 if it is not found.\n",
        program_invocation_short_name, vserver::max_name_length, vserver::max_name_length);
    vserver::exit_success();
}

} // namespace

int main(int argc, char *argv[]) {
    vserver::init_program(argv);

    int ctx = VX_CTX_NEW;
    std::uint32_t flags = 0;
    std::uint64_t remove_cap = 0;
    std::string hostname;
    std::string domainname;
    bool silent = false;

    int c;
    while ((c = getopt_long(argc, argv, "+", long_options, nullptr)) != -1) {
        try {
            switch (c) {
            case OPT_CTX:
                ctx = vserver::parse_ctx_id(optarg, VX_CTX_SPECTATOR, VX_CTX_MAX);
                break;
            case OPT_FLAG:
                flags |= vserver::parse_flag_list(optarg);
                break;
            case OPT_CAP:
                remove_cap |= vserver::parse_cap_list(optarg);
                break;
            case OPT_SECURE:
                remove_cap |= vserver::secure_remove_caps();
                break;
            case OPT_HOSTNAME:
            case OPT_DOMAINNAME:
                if (std::string_view(optarg).size() > vserver::max_name_length)
                    vserver::usage_error("%s name '%s' is longer than %zu bytes",
                                         c == OPT_HOSTNAME ? "host" : "domain", optarg,
                                         vserver::max_name_length);
                (c == OPT_HOSTNAME ? hostname : domainname) = optarg;
                break;
            case OPT_SILENT:
                silent = true;
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
    if (optind >= argc)
        vserver::usage_error("missing command");

    int now;
    try {
        now = vserver::new_s_context(ctx, remove_cap, flags, hostname, domainname);
    } catch (const vserver::SysError &e) {
        if (ctx == VX_CTX_NEW)
            vserver::die_sys(e, "cannot create a new security context");
        vserver::die_sys(e, "cannot enter security context %d", ctx);
    }
    if (!silent)
        std::fprintf(stderr, "New security context is %d\n", now);
    vserver::exec_command(argv + optind);
}
