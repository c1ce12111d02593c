#include "core/startup.hpp"
#include "core/env.hpp"
#include "core/logging.hpp"

#include <spdlog/spdlog.h>

namespace shipchips {

void load_dotenv_files(const std::filesystem::path& config_path) {
  std::error_code ec;
  std::filesystem::path beside_config = std::filesystem::absolute(config_path, ec).parent_path() / ".env";
  std::filesystem::path in_cwd = std::filesystem::current_path(ec) / ".env";
  load_dotenv(beside_config);
  if (beside_config.lexically_normal() != in_cwd.lexically_normal()) load_dotenv(in_cwd);
  register_secrets_from_environment();
}

Config start_up(const std::filesystem::path& config_path, std::string_view log_level, bool log_json) {
  load_dotenv_files(config_path);
  Config config = load_config(config_path, current_environment());
  if (!config.alerts.webhook_url.empty()) register_secret_value(config.alerts.webhook_url);
  LoggingConfig logging = config.logging;
  if (!logging.file.empty()) logging.file = resolve_path(config, logging.file).string();
  setup_logging(logging, log_level, log_json);
  spdlog::debug("config {} loaded; dataset root {}", config.source_file.string(), dataset_root(config).string());
  return config;
}

}  // namespace shipchips
