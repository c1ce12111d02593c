#pragma once
// Commands register themselves (one file per command group, like osmium-tool's commands):
// setup() declares and validates options on a CLI11 subcommand, run() does the work.

#include "core/error.hpp"
#include "core/time.hpp"

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

// Option checks with plain messages ("--days: must be greater than 0"); CLI11's own number
// checks print the whole double range.
inline const CLI::Validator positive_number(
    [](std::string& text) -> std::string {
      double value = 0;
      if (!CLI::detail::lexical_cast(text, value)) return "'" + text + "' is not a number";
      return value > 0 ? std::string() : "must be greater than 0, not " + text;
    },
    "POSITIVE");
inline const CLI::Validator non_negative_number(
    [](std::string& text) -> std::string {
      double value = 0;
      if (!CLI::detail::lexical_cast(text, value)) return "'" + text + "' is not a number";
      return value >= 0 ? std::string() : "must not be negative, not " + text;
    },
    "NONNEGATIVE");
// An ISO 8601 time as parse_iso8601 reads it ("--now: invalid ISO 8601 time '2020-06-32': no
// such date"); the option then parses in run() without failing.
inline const CLI::Validator iso8601_time(
    [](std::string& text) -> std::string {
      try {
        parse_iso8601(text);
      } catch (const Error& e) {
        return e.what();
      }
      return std::string();
    },
    "TIME");

}  // namespace shipchips::app
