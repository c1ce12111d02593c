#include "core/error.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace shipchips;

TEST(CoreError, CategoriesFollowTheTable) {
  EXPECT_EQ(category_of(ErrorCode::network_transient), ErrorCategory::retryable);
  EXPECT_EQ(category_of(ErrorCode::http_client_error), ErrorCategory::permanent);
  EXPECT_EQ(category_of(ErrorCode::contract_violation), ErrorCategory::contract);
  EXPECT_EQ(http_status_of(ErrorCode::not_found), 404);
  // The job store retries by these: a certificate that does not verify stays bad, a busy
  // database frees up, a corrupt one needs an operator.
  EXPECT_EQ(category_of(ErrorCode::tls_failed), ErrorCategory::permanent);
  EXPECT_EQ(category_of(ErrorCode::database_busy), ErrorCategory::retryable);
  EXPECT_EQ(category_of(ErrorCode::database_corrupt), ErrorCategory::contract);
  EXPECT_EQ(to_string(ErrorCode::tls_failed), "tls_failed");
  // Bad input and bad config are the runbook's category C: fix the cause, do not blindly retry.
  EXPECT_EQ(category_of(ErrorCode::input_invalid), ErrorCategory::contract);
  EXPECT_EQ(category_of(ErrorCode::config_invalid), ErrorCategory::contract);
  EXPECT_EQ(category_of(ErrorCode::lease_expired), ErrorCategory::retryable);
}

TEST(CoreError, FilesystemFailuresAreIoErrorsNamingThePath) {
  const std::filesystem::filesystem_error fe("cannot create directories", "/full/disk/chips",
                                             std::make_error_code(std::errc::no_space_on_device));
  const Error e = io_error_from(fe);
  EXPECT_EQ(e.code(), ErrorCode::io_error);
  EXPECT_EQ(e.category(), ErrorCategory::retryable);
  EXPECT_EQ(std::string(e.what()).rfind("/full/disk/chips: No space left on device", 0), 0u) << e.what();
}

TEST(CoreError, ExitCodesAreDistinctAndNonZero) {
  const ErrorCode all[] = {ErrorCode::invalid_argument,   ErrorCode::config_invalid,    ErrorCode::input_invalid,
                           ErrorCode::io_error,           ErrorCode::network_transient, ErrorCode::http_client_error,
                           ErrorCode::contract_violation, ErrorCode::not_found,         ErrorCode::internal,
                           ErrorCode::tls_failed,         ErrorCode::database_busy,     ErrorCode::database_corrupt,
                           ErrorCode::lease_expired};
  std::set<int> seen;
  for (auto code : all) {
    int exit_code = exit_code_of(code);
    EXPECT_NE(exit_code, 0) << to_string(code);
    EXPECT_TRUE(seen.insert(exit_code).second) << to_string(code);
  }
}

TEST(CoreError, LocatedNamesFileLineAndField) {
  EXPECT_EQ(located("config.yaml", 12, "stac.endpoint", "must be a URL"),
            "config.yaml:12: stac.endpoint: must be a URL");
  EXPECT_EQ(located("a.csv", 0, "", "empty"), "a.csv: empty");
}
