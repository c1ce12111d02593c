#pragma once
// Commands register themselves (one file per command group, like osmium-tool's commands):
// setup() declares and validates options on a CLI11 subcommand, run() does the work.

#include "core/error.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::app {

struct GlobalOptions {
  std::string config_path = "config.yaml";
  std::string log_level;  // empty: from config
  bool log_json = false;
};

class Command {
 public:
  virtual ~Command() = default;
  // Adds options to `sub`; must not do I/O.
  virtual void setup(CLI::App& sub) = 0;
  // Runs the command; returns the process exit code. Throws shipchips::Error on failure.
  virtual int run(const GlobalOptions& global) = 0;
};

struct CommandInfo {
  std::string path;  // "doctor" or "fixture build" (group then name)
  std::string description;
  std::function<std::unique_ptr<Command>()> make;
};

std::vector<CommandInfo>& command_registry();

// Prints the one-line form of an error ("shipchips COMMAND: error [code, category]: message").
void report_error(const Error& e, std::string_view command);

struct RegisterCommand {
  RegisterCommand(std::string path, std::string description, std::function<std::unique_ptr<Command>()> make) {
    command_registry().push_back({std::move(path), std::move(description), std::move(make)});
  }
};

}  // namespace shipchips::app
