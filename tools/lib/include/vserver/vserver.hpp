// The vserver userland library: everything at once.
#pragma once

#include <vserver/caps.hpp>
#include <vserver/cli.hpp>
#include <vserver/daemon.hpp>
#include <vserver/flags.hpp>
#include <vserver/net.hpp>
#include <vserver/parse.hpp>
#include <vserver/paths.hpp>
#include <vserver/proc_status.hpp>
#include <vserver/server_conf.hpp>
#include <vserver/syscall.hpp>
#include <vserver/version.hpp>
