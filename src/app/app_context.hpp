#pragma once
// What every command does before its work. Commands call load_app_config(global) first thing
// in run(); the work itself lives in core/startup.hpp so it is tested without the CLI.

#include "app/command.hpp"
#include "core/config.hpp"

namespace shipchips::app {

// .env files (config folder, then current folder; the environment wins), config.yaml +
// SHIPCHIPS_* overrides, secrets registered for redaction, logging with --log-level and
// --log-json winning over the file. Returns the effective config; throws
// Error(config_invalid) naming file, line and key.
Config load_app_config(const GlobalOptions& global);

}  // namespace shipchips::app
