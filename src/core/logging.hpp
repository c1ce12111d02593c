#pragma once
// Logging through spdlog's default logger ("shipchips"): stderr plus a size-rotated file, one
// level, text or JSON lines, times in UTC. Every line passes through redact() (env.hpp) before
// any sink sees it, so registered secret values never reach a terminal or a log file.
// After setup, code logs with spdlog::info(...), spdlog::warn(...), etc.

#include "core/config.hpp"

#include <spdlog/common.h>

#include <string_view>

namespace shipchips {

// "trace|debug|info|warn|error|critical|off" (also "warning"). Throws Error(invalid_argument).
spdlog::level::level_enum parse_log_level(std::string_view text);
spdlog::level::level_enum to_spdlog_level(LogLevel level);

// Installs the default logger. level_override (e.g. from --log-level) wins over config.level
// when not empty; json = true forces JSON lines even if config.json is false. config.file is
// used as given (resolve it against the config folder first; app_context does). The file's
// folder is created; it rotates when the next line would pass config.rotation bytes, keeping
// config.keep older files (run.1.log is the newest of them).
// Throws Error(invalid_argument) for a bad override, Error(config_invalid) for a bad rotation
// size, Error(io_error) when the log file cannot be opened.
void setup_logging(const LoggingConfig& config, std::string_view level_override, bool json);

// Flushes every sink of the default logger (tests, and before exit).
void flush_logs();

}  // namespace shipchips
