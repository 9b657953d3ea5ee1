// Registration of every hubctl command group; each lives in cli/commands/<noun>_<verb>.cpp and stays thin:
// parse options, call one library operation, print.
#pragma once

#include "context.h"

namespace cli {

void add_candid_commands(CLI::App& app, Context& ctx);     // candid encode | decode
void add_principal_command(CLI::App& app, Context& ctx);   // principal [--pem FILE]
void add_status_command(CLI::App& app, Context& ctx);      // status
void add_canister_commands(CLI::App& app, Context& ctx);   // canister info
void add_call_commands(CLI::App& app, Context& ctx);       // call | query
void add_identity_commands(CLI::App& app, Context& ctx);   // identity list | new | use | whoami | import
void add_certificate_commands(CLI::App& app, Context& ctx);  // certificate verify
void add_completion_commands(CLI::App& app, Context& ctx);   // completions bash|zsh|fish
void add_shards_command(CLI::App& app, Context& ctx);        // shards [--watch]
void add_audit_command(CLI::App& app, Context& ctx);         // audit [--evidence DIR | --verify-evidence DIR]
void add_verify_command(CLI::App& app, Context& ctx);        // verify
void add_deploy_command(CLI::App& app, Context& ctx);        // deploy [--dry-run|--upgrade|--finalize]
void add_content_commands(CLI::App& app, Context& ctx);      // content add | list | remove
void add_ensure_capacity_command(CLI::App& app, Context& ctx);  // ensure-capacity
#ifdef HUBCTL_HAVE_LOCAL_NETWORK
void add_local_commands(CLI::App& app, Context& ctx);        // local start | stop | status | set-controllers
#endif
// `hubctl __complete [--] WORDS...` (what the completion scripts run): candidates, one per line.
int complete_main(CLI::App& app, int argc, char** argv);

}  // namespace cli
