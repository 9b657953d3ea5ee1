// Registration of every hubctl command group; each lives in cli/commands/<noun>_<verb>.cpp and stays thin:
// parse options, call one library operation, print.
#pragma once

#include "context.h"

namespace cli {

void add_candid_commands(CLI::App& app, Context& ctx);     // candid encode | decode
void add_principal_command(CLI::App& app, Context& ctx);   // principal

}  // namespace cli
