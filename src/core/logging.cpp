#include "core/logging.hpp"
#include "core/env.hpp"
#include "core/error.hpp"
#include "core/time.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <mutex>

namespace shipchips {
namespace {

// Blanks secret values out of the message, then hands the line to every child sink. Redacting
// the payload (not the formatted line) keeps it independent of the text/JSON formatter.
class RedactingSink : public spdlog::sinks::dist_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string clean = redact(std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(clean.data(), clean.size());
    dist_sink<std::mutex>::sink_it_(copy);
  }
};

// One JSON object per line: {"ts","level","logger","msg"}; the message is escaped properly,
// which a pattern string cannot do.
class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    nlohmann::ordered_json line;
    line["ts"] = format_iso8601(std::chrono::floor<std::chrono::microseconds>(msg.time), 6);
    auto level = spdlog::level::to_string_view(msg.level);
    line["level"] = std::string(level.data(), level.size());
    line["logger"] = std::string(msg.logger_name.data(), msg.logger_name.size());
    line["msg"] = std::string(msg.payload.data(), msg.payload.size());
    std::string text = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

std::unique_ptr<spdlog::formatter> make_formatter(bool json) {
  if (json) return std::make_unique<JsonFormatter>();
  return std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%eZ [%^%l%$] %v",
                                                     spdlog::pattern_time_type::utc);
}

}  // namespace

spdlog::level::level_enum parse_log_level(std::string_view text) {
  std::string t(text);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (t == "warning") t = "warn";
  for (auto [value, name] : std::initializer_list<std::pair<spdlog::level::level_enum, std::string_view>>{
           {spdlog::level::trace, "trace"},
           {spdlog::level::debug, "debug"},
           {spdlog::level::info, "info"},
           {spdlog::level::warn, "warn"},
           {spdlog::level::err, "error"},
           {spdlog::level::critical, "critical"},
           {spdlog::level::off, "off"}}) {
    if (t == name) return value;
  }
  throw Error(
      ErrorCode::invalid_argument,
      "--log-level: must be one of trace, debug, info, warn, error, critical, off, got \"" + std::string(text) + "\"");
}

spdlog::level::level_enum to_spdlog_level(LogLevel level) {
  switch (level) {
    case LogLevel::trace:
      return spdlog::level::trace;
    case LogLevel::debug:
      return spdlog::level::debug;
    case LogLevel::info:
      return spdlog::level::info;
    case LogLevel::warn:
      return spdlog::level::warn;
    case LogLevel::error:
      return spdlog::level::err;
    case LogLevel::critical:
      return spdlog::level::critical;
    case LogLevel::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

void setup_logging(const LoggingConfig& config, std::string_view level_override, bool json) {
  auto level = level_override.empty() ? to_spdlog_level(config.level) : parse_log_level(level_override);
  auto sink = std::make_shared<RedactingSink>();
  if (config.console) sink->add_sink(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (!config.file.empty()) {
    std::uint64_t max_bytes = 0;
    try {
      max_bytes = parse_size(config.rotation);
    } catch (const Error& e) {
      throw Error(ErrorCode::config_invalid, std::string("logging.rotation: ") + e.what());
    }
    if (max_bytes == 0) throw Error(ErrorCode::config_invalid, "logging.rotation: must be more than 0 bytes");
    if (config.keep < 0) throw Error(ErrorCode::config_invalid, "logging.keep: must not be negative");
    std::filesystem::path file(config.file);
    std::error_code ec;
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
    try {
      sink->add_sink(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
          config.file, static_cast<std::size_t>(max_bytes), static_cast<std::size_t>(config.keep)));
    } catch (const spdlog::spdlog_ex& e) {
      throw Error(ErrorCode::io_error, "logging.file: cannot open " + config.file + ": " + e.what());
    }
  }
  sink->set_formatter(make_formatter(json || config.json));
  auto logger = std::make_shared<spdlog::logger>("shipchips", sink);
  logger->set_level(level);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void flush_logs() {
  if (auto logger = spdlog::default_logger()) logger->flush();
}

}  // namespace shipchips
