#include "core/error.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace shipchips;

TEST(CoreError, CategoriesFollowTheTable) {
  EXPECT_EQ(category_of(ErrorCode::network_transient), ErrorCategory::retryable);
  EXPECT_EQ(category_of(ErrorCode::http_client_error), ErrorCategory::permanent);
  EXPECT_EQ(category_of(ErrorCode::contract_violation), ErrorCategory::contract);
  EXPECT_EQ(http_status_of(ErrorCode::not_found), 404);
}

TEST(CoreError, ExitCodesAreDistinctAndNonZero) {
  const ErrorCode all[] = {ErrorCode::invalid_argument, ErrorCode::config_invalid, ErrorCode::input_invalid,
                           ErrorCode::io_error, ErrorCode::network_transient, ErrorCode::http_client_error,
                           ErrorCode::contract_violation, ErrorCode::not_found, ErrorCode::internal};
  std::set<int> seen;
  for (auto code : all) {
    int exit_code = exit_code_of(code);
    EXPECT_NE(exit_code, 0) << to_string(code);
    EXPECT_TRUE(seen.insert(exit_code).second) << to_string(code);
  }
}

TEST(CoreError, LocatedNamesFileLineAndField) {
  EXPECT_EQ(located("config.yaml", 12, "stac.endpoint", "must be a URL"), "config.yaml:12: stac.endpoint: must be a URL");
  EXPECT_EQ(located("a.csv", 0, "", "empty"), "a.csv: empty");
}
