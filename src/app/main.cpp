// The one catch boundary of the command line: every shipchips::Error becomes a one-line
// message and the exit code of its category table.
#include "app/command.hpp"
#include "core/error.hpp"

#include <iostream>
#include <map>

namespace shipchips::app {
std::vector<CommandInfo>& command_registry() {
  static std::vector<CommandInfo> registry;
  return registry;
}
} // namespace shipchips::app

int main(int argc, char** argv) {
  using namespace shipchips;
  using namespace shipchips::app;

  CLI::App cli{"shipchips: Sentinel-2 image chips centred on AIS-observed ships"};
  cli.set_version_flag("--version", std::string("shipchips ") + SHIPCHIPS_VERSION);
  cli.require_subcommand(1);
  GlobalOptions global;
  cli.add_option("--config", global.config_path, "Configuration file")->capture_default_str();
  cli.add_option("--log-level", global.log_level, "trace|debug|info|warn|error|off (overrides logging.level)");
  cli.add_flag("--log-json", global.log_json, "Log as JSON lines");

  std::map<std::string, CLI::App*> groups;
  std::vector<std::pair<CLI::App*, std::unique_ptr<Command>>> commands;
  for (const auto& info : command_registry()) {
    CLI::App* parent = &cli;
    std::string name = info.path;
    if (auto space = info.path.find(' '); space != std::string::npos) {
      std::string group = info.path.substr(0, space);
      name = info.path.substr(space + 1);
      auto it = groups.find(group);
      if (it == groups.end()) {
        CLI::App* g = cli.add_subcommand(group, group + " commands");
        g->require_subcommand(1);
        it = groups.emplace(group, g).first;
      }
      parent = it->second;
    }
    CLI::App* sub = parent->add_subcommand(name, info.description);
    auto command = info.make();
    command->setup(*sub);
    commands.emplace_back(sub, std::move(command));
  }

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }

  try {
    for (auto& [sub, command] : commands) {
      if (sub->parsed()) return command->run(global);
    }
    std::cerr << "shipchips: no command given\n";
    return 2;
  } catch (const Error& e) {
    std::cerr << "shipchips: error [" << to_string(e.code()) << ", " << to_string(e.category()) << "]: " << e.what()
              << "\n";
    return exit_code_of(e.code());
  } catch (const std::exception& e) {
    std::cerr << "shipchips: internal error: " << e.what() << "\n";
    return exit_code_of(ErrorCode::internal);
  }
}
