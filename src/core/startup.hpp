#pragma once
// What every command does before its work, in one place so it can be tested without the CLI:
// .env files, config.yaml + SHIPCHIPS_* overrides, secrets registered for redaction, logging.
// app/app_context.hpp forwards the global command-line options here.

#include "core/config.hpp"

#include <filesystem>
#include <string_view>

namespace shipchips {

// Loads .env from the config file's folder, then from the current folder (variables already
// set win, so the environment beats both files and the config folder's file beats the
// current folder's), and registers secret values for redaction. Throws Error(config_invalid)
// naming the .env file and line when one is malformed.
void load_dotenv_files(const std::filesystem::path& config_path);

// load_dotenv_files, load_config(config_path, environment), registers alerts.webhook_url as a
// secret, sets up logging (logging.file resolved against the config folder; a non-empty
// log_level and log_json = true win over the file) and returns the effective config.
Config start_up(const std::filesystem::path& config_path, std::string_view log_level, bool log_json);

}  // namespace shipchips
