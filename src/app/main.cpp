// The one catch boundary of the command line: every shipchips::Error becomes a one-line
// message and the exit code of its category table.
#include "app/command.hpp"
#include "core/error.hpp"

#include <filesystem>
#include <iostream>
#include <map>

namespace shipchips::app {
std::vector<CommandInfo>& command_registry() {
  static std::vector<CommandInfo> registry;
  return registry;
}

void report_error(const Error& e, std::string_view command) {
  std::cerr << "shipchips" << (command.empty() ? "" : " ") << command << ": error [" << to_string(e.code()) << ", "
            << to_string(e.category()) << "]: " << e.what() << "\n";
}

}  // namespace shipchips::app

namespace {

using namespace shipchips;

// The options of the top level that take a value (--config FILE, --log-level L).
bool global_takes_value(std::string_view token) {
  return token == "--config" || token == "--log-level";
}

// The (sub)commands of `app`: CLI11 keeps option groups among the subcommands, without a name.
std::vector<CLI::App*> commands_of(CLI::App& app) {
  return app.get_subcommands([](CLI::App* sub) { return !sub->get_name().empty(); });
}

struct CommandScan {
  std::string path;     // "fixture build": the words naming the command
  std::string unknown;  // a word where a command name was expected
};

// Walks the words before the command's own options: global options may stand anywhere, and the
// first other word at each level must name a (sub)command. CLI11 alone would take an unknown
// word as an extra argument and let `--help` win, so `shipchips serve --help` printed the
// main help and exited 0.
CommandScan scan_command(CLI::App& cli, int argc, char** argv) {
  CommandScan scan;
  CLI::App* level = &cli;
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word == "--") break;
    if (!word.empty() && word[0] == '-') {
      if (global_takes_value(word)) ++i;
      continue;
    }
    const std::vector<CLI::App*> subs = commands_of(*level);
    if (subs.empty()) break;  // a command's own words
    CLI::App* next = nullptr;
    for (CLI::App* sub : subs)
      if (sub->check_name(std::string(word))) next = sub;
    if (next == nullptr) {
      scan.unknown = word;
      return scan;
    }
    scan.path += (scan.path.empty() ? "" : " ") + std::string(word);
    level = next;
  }
  return scan;
}

std::string command_names(CLI::App& app) {
  std::string names;
  for (CLI::App* sub : commands_of(app)) names += (names.empty() ? "" : ", ") + sub->get_name();
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shipchips::app;

  CLI::App cli{"shipchips: Sentinel-2 image chips centred on AIS-observed ships"};
  cli.set_version_flag("--version", std::string("shipchips ") + SHIPCHIPS_VERSION);
  cli.require_subcommand(1);
  // Inherited by every subcommand: an option a command does not know falls through to the top
  // level, so `shipchips doctor --config F` works as `shipchips --config F doctor` (the seed's
  // runbooks write global options after the command).
  cli.fallthrough();
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

  const CommandScan scan = scan_command(cli, argc, argv);
  if (!scan.unknown.empty()) {
    CLI::App* level = &cli;
    if (!scan.path.empty()) level = cli.get_subcommand(scan.path);
    report_error(Error(ErrorCode::invalid_argument,
                       "unknown command '" + scan.unknown + "' (commands: " + command_names(*level) + ")"),
                 scan.path);
    return exit_code_of(ErrorCode::invalid_argument);
  }

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return cli.exit(e);  // --help, --version
    // Every other parse failure is a usage error with invalid_argument's exit code, in the
    // same one-line form as every other error.
    report_error(Error(ErrorCode::invalid_argument, std::string(e.what()) + " (see shipchips " +
                                                        (scan.path.empty() ? "" : scan.path + " ") + "--help)"),
                 scan.path);
    return exit_code_of(ErrorCode::invalid_argument);
  }

  try {
    for (auto& [sub, command] : commands) {
      if (sub->parsed()) return command->run(global);
    }
    report_error(Error(ErrorCode::invalid_argument, "no command given (see shipchips --help)"), "");
    return exit_code_of(ErrorCode::invalid_argument);
  } catch (const Error& e) {
    report_error(e, scan.path);
    return exit_code_of(e.code());
  } catch (const std::filesystem::filesystem_error& e) {
    report_error(io_error_from(e), scan.path);
    return exit_code_of(ErrorCode::io_error);
  } catch (const std::exception& e) {
    report_error(Error(ErrorCode::internal, e.what()), scan.path);
    return exit_code_of(ErrorCode::internal);
  }
}
