#include "core/env.hpp"
#include "core/error.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace shipchips;

TEST(CoreEnv, ParsesDotenvSyntax) {
  const char* text =
      "\xEF\xBB\xBF# comment line\n"
      "\n"
      "PLAIN=value\n"
      "export EXPORTED=yes\n"
      "  SPACED  =  padded value  \n"
      "INLINE=abc # trailing comment\n"
      "HASH_IN_WORD=http://x/#frag\n"
      "SINGLE='literal \\n $HOME # not a comment'\n"
      "DOUBLE=\"line1\\nline2 \\\"q\\\" \\\\\" # comment\n"
      "EMPTY=\n"
      "EQUALS=a=b=c\n";
  auto entries = parse_dotenv(text, ".env");
  std::map<std::string, std::string> got;
  for (const auto& e : entries) got[e.key] = e.value;
  EXPECT_EQ(got.size(), 9u);
  EXPECT_EQ(got["PLAIN"], "value");
  EXPECT_EQ(got["EXPORTED"], "yes");
  EXPECT_EQ(got["SPACED"], "padded value");
  EXPECT_EQ(got["INLINE"], "abc");
  EXPECT_EQ(got["HASH_IN_WORD"], "http://x/#frag");
  EXPECT_EQ(got["SINGLE"], "literal \\n $HOME # not a comment");
  EXPECT_EQ(got["DOUBLE"], "line1\nline2 \"q\" \\");
  EXPECT_EQ(got["EMPTY"], "");
  EXPECT_EQ(got["EQUALS"], "a=b=c");
  EXPECT_EQ(entries.front().line, 3);  // BOM, comment and blank line counted
}

TEST(CoreEnv, MalformedDotenvLinesNameFileAndLine) {
  auto message = [](const char* text) {
    try {
      parse_dotenv(text, "/app/.env");
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::config_invalid);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("A=1\nJUST_A_WORD\n"), "/app/.env:2: expected KEY=VALUE, got \"JUST_A_WORD\"");
  EXPECT_EQ(message("A=1\n\n1BAD=x\n"), "/app/.env:3: \"1BAD\" is not a variable name (letters, digits, _)");
  EXPECT_EQ(message("TOKEN=\"open\n"), "/app/.env:1: TOKEN: unterminated quoted value");
  EXPECT_EQ(message("K='a' b\n"), "/app/.env:1: K: unexpected text after the closing quote: \"b\"");
}

TEST(CoreEnv, LoadDotenvKeepsExistingEnvironment) {
  fs::path dir = fs::temp_directory_path() / ("shipchips_env_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream out(dir / ".env");
    out << "SHIPCHIPS_TEST_FROM_FILE=file\nSHIPCHIPS_TEST_ALREADY_SET=file\nSHIPCHIPS_TEST_SVC_TOKEN=tok-123456\n";
  }
  ::setenv("SHIPCHIPS_TEST_ALREADY_SET", "process", 1);
  ::unsetenv("SHIPCHIPS_TEST_FROM_FILE");
  ::unsetenv("SHIPCHIPS_TEST_SVC_TOKEN");
  clear_secret_values();
  EXPECT_EQ(load_dotenv(dir / ".env"), 2);
  EXPECT_STREQ(std::getenv("SHIPCHIPS_TEST_FROM_FILE"), "file");
  EXPECT_STREQ(std::getenv("SHIPCHIPS_TEST_ALREADY_SET"), "process");
  EXPECT_EQ(redact("token is tok-123456."), "token is ***.");  // secret-named values registered
  EXPECT_EQ(load_dotenv(dir / "missing.env"), 0);
  ::unsetenv("SHIPCHIPS_TEST_FROM_FILE");
  ::unsetenv("SHIPCHIPS_TEST_ALREADY_SET");
  ::unsetenv("SHIPCHIPS_TEST_SVC_TOKEN");
  clear_secret_values();
  fs::remove_all(dir);
}

TEST(CoreEnv, SecretNames) {
  for (const char* name : {"AISSTREAM_API_KEY", "GITHUB_TOKEN", "PGPASSWORD", "DB_PASSWORD", "AWS_SECRET_ACCESS_KEY",
                           "CLIENT_SECRET", "aisstream_api_key", "SHIPCHIPS_ALERTS_WEBHOOK_URL"}) {
    EXPECT_TRUE(is_secret_name(name)) << name;
  }
  for (const char* name : {"PATH", "HOME", "SHIPCHIPS_STAC_ENDPOINT", "TOKEN_COUNT", "_TOKEN", "AWS_ACCESS_KEY_ID"}) {
    EXPECT_FALSE(is_secret_name(name)) << name;
  }
  ASSERT_FALSE(known_secrets().empty());
  EXPECT_EQ(known_secrets().front().name, "AISSTREAM_API_KEY");
}

TEST(CoreEnv, RedactBlanksEveryOccurrenceLongestFirst) {
  clear_secret_values();
  register_secret_value("abcd1234");
  register_secret_value("abcd1234-extended");
  register_secret_value("xyz");  // too short to blank
  EXPECT_EQ(redact("k=abcd1234-extended and abcd1234abcd1234 xyz"), "k=*** and ****** xyz");
  EXPECT_EQ(redact("nothing secret"), "nothing secret");
  clear_secret_values();
  EXPECT_EQ(redact("abcd1234"), "abcd1234");
}
