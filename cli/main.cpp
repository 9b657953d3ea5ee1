// hubctl: deploy, verify and audit the learning-platform canister suite on the Internet Computer.
#include <iostream>

#include "commands/commands.h"
#include "context.h"
#include "version.h"

int main(int argc, char** argv) {
  cli::Context ctx;
  CLI::App app{"hubctl: deploy, verify and audit the staking_hub canister suite on the Internet Computer"};
  app.name("hubctl");
  app.set_version_flag("-V,--version", std::string("hubctl ") + HUBCTL_VERSION);
  app.require_subcommand(0, 1);
  app.fallthrough();

  // Global options (DESIGN.md "Options defined once"), defined in context.cpp.
  int quiet = 0, verbose = 0;
  ctx.add_global_options(app, quiet, verbose);

  cli::add_candid_commands(app, ctx);
  cli::add_principal_command(app, ctx);
  cli::add_status_command(app, ctx);
  cli::add_canister_commands(app, ctx);
  cli::add_call_commands(app, ctx);
  cli::add_identity_commands(app, ctx);
  cli::add_certificate_commands(app, ctx);
  cli::add_completion_commands(app, ctx);
  cli::add_shards_command(app, ctx);
  cli::add_audit_command(app, ctx);
  cli::add_verify_command(app, ctx);
  cli::add_deploy_command(app, ctx);
  cli::add_content_commands(app, ctx);
  cli::add_ensure_capacity_command(app, ctx);
#ifdef HUBCTL_HAVE_LOCAL_NETWORK
  cli::add_local_commands(app, ctx);
#endif

  if (argc >= 2 && std::string(argv[1]) == "__complete") return cli::complete_main(app, argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return cli::kUsage;
  }
  ctx.verbosity = verbose - quiet;
  return cli::run_selected(app);
}
