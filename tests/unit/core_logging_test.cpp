#include "core/env.hpp"
#include "core/error.hpp"
#include "core/logging.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace shipchips;

namespace {

class CoreLogging : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("shipchips_log_test_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
  }
  void TearDown() override {
    LoggingConfig quiet;
    quiet.file.clear();
    quiet.level = LogLevel::warn;
    setup_logging(quiet, "", false);  // release the test's log file
    clear_secret_values();
    fs::remove_all(m_dir);
  }
  LoggingConfig file_config(const std::string& rotation = "10 MB", int keep = 5) {
    LoggingConfig c;
    c.file = (m_dir / "logs" / "run.log").string();
    c.rotation = rotation;
    c.keep = keep;
    c.console = false;
    return c;
  }
  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  fs::path m_dir;
};

}  // namespace

TEST_F(CoreLogging, SecretsNeverReachTheLogFile) {
  const std::string secret = "sk-live-0123456789abcdef";
  ::setenv("SHIPCHIPS_TEST_LOGGING_API_KEY", secret.c_str(), 1);
  register_secrets_from_environment();
  ::unsetenv("SHIPCHIPS_TEST_LOGGING_API_KEY");
  register_secret_value("https://hooks.example.com/T000/B000/XXXX");
  setup_logging(file_config(), "", false);
  spdlog::info("subscribing with key {} to {}", secret, "wss://stream.aisstream.io/v0/stream");
  spdlog::error("webhook https://hooks.example.com/T000/B000/XXXX failed");
  flush_logs();
  std::string text = read(m_dir / "logs" / "run.log");
  EXPECT_EQ(text.find(secret), std::string::npos) << text;
  EXPECT_EQ(text.find("hooks.example.com/T000"), std::string::npos) << text;
  EXPECT_NE(text.find("subscribing with key *** to wss://stream.aisstream.io/v0/stream"), std::string::npos) << text;
  EXPECT_NE(text.find("[error] webhook *** failed"), std::string::npos) << text;
}

TEST_F(CoreLogging, RotatesAtTheConfiguredSizeAndKeepsCount) {
  setup_logging(file_config("2 KB", 2), "", false);
  const std::string payload(100, 'x');
  for (int i = 0; i < 200; ++i) spdlog::info("line {:04d} {}", i, payload);
  flush_logs();
  fs::path logs = m_dir / "logs";
  ASSERT_TRUE(fs::exists(logs / "run.log"));
  ASSERT_TRUE(fs::exists(logs / "run.1.log"));
  ASSERT_TRUE(fs::exists(logs / "run.2.log"));
  EXPECT_FALSE(fs::exists(logs / "run.3.log"));  // keep = 2
  for (const char* name : {"run.log", "run.1.log", "run.2.log"}) {
    auto size = fs::file_size(logs / name);
    EXPECT_LE(size, 2000u) << name;
    if (std::string(name) != "run.log") EXPECT_GT(size, 2000u - 160u) << name;  // full files rotate
  }
  // The newest line is in the live file, the one before rotation in run.1.log.
  std::string live = read(logs / "run.log");
  EXPECT_NE(live.find("line 0199"), std::string::npos);
  EXPECT_EQ(read(logs / "run.1.log").find("line 0199"), std::string::npos);
}

TEST_F(CoreLogging, JsonLinesAreValidJsonWithUtcTimes) {
  register_secret_value("pa55word-xyz");
  setup_logging(file_config(), "", true);
  spdlog::warn("quote \" backslash \\ newline\n and secret pa55word-xyz");
  flush_logs();
  std::istringstream lines(read(m_dir / "logs" / "run.log"));
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "warning");
  EXPECT_EQ(j["logger"], "shipchips");
  EXPECT_EQ(j["msg"], "quote \" backslash \\ newline\n and secret ***");
  std::string ts = j["ts"];
  ASSERT_EQ(ts.size(), 27u) << ts;  // 2026-01-02T03:04:05.123456Z
  EXPECT_EQ(ts.back(), 'Z');
  EXPECT_FALSE(std::getline(lines, line));
}

TEST_F(CoreLogging, LevelOverrideWinsOverConfig) {
  LoggingConfig c = file_config();
  c.level = LogLevel::error;
  setup_logging(c, "debug", false);
  spdlog::debug("debug line visible");
  spdlog::trace("trace line hidden");
  flush_logs();
  std::string text = read(m_dir / "logs" / "run.log");
  EXPECT_NE(text.find("[debug] debug line visible"), std::string::npos) << text;
  EXPECT_EQ(text.find("trace line hidden"), std::string::npos);

  setup_logging(c, "", false);  // config level: error
  spdlog::warn("warn line hidden");
  flush_logs();
  EXPECT_EQ(read(m_dir / "logs" / "run.log").find("warn line hidden"), std::string::npos);
}

TEST_F(CoreLogging, BadSettingsAreTypedErrors) {
  try {
    setup_logging(file_config(), "loud", false);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("--log-level"), std::string::npos);
  }
  try {
    setup_logging(file_config("ten megabytes"), "", false);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::config_invalid);
    EXPECT_EQ(std::string(e.what()).rfind("logging.rotation: ", 0), 0u) << e.what();
  }
  fs::create_directories(m_dir);
  std::ofstream(m_dir / "plain_file") << "x";
  LoggingConfig blocked = file_config();
  blocked.file = (m_dir / "plain_file" / "run.log").string();
  try {
    setup_logging(blocked, "", false);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io_error);
  }
  EXPECT_EQ(parse_log_level("WARNING"), spdlog::level::warn);
  EXPECT_EQ(parse_log_level("error"), spdlog::level::err);
}
