// core/config_reserved.hpp tells the truth: every key it lists is a real schema key, and no
// product source reads it (the schema, loader and secret redaction aside). When a command starts
// reading one, this test fails until the key leaves the list.
#include "core/config_reserved.hpp"

#include "core/config_schema.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace shipchips {
namespace {

TEST(CoreConfigReserved, EveryListedKeyIsASchemaKey) {
  std::set<std::string> schema;
  for (const auto& f : config_detail::config_fields()) schema.insert(f.full_key());
  ASSERT_FALSE(reserved_config_keys().empty());
  for (const ReservedKey& k : reserved_config_keys()) {
    EXPECT_TRUE(schema.contains(k.key)) << k.key;
    EXPECT_FALSE(k.used_by.empty()) << k.key;
  }
}

TEST(CoreConfigReserved, NoProductSourceReadsAListedKey) {
  const std::filesystem::path src = std::filesystem::path(SHIPCHIPS_SOURCE_DIR) / "src";
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(src)) {
    const auto ext = entry.path().extension();
    if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
    const std::string name = entry.path().filename().string();
    if (name.rfind("config_", 0) == 0 && entry.path().parent_path().filename() == "core") continue;
    ++files;
    std::ifstream in(entry.path());
    std::string line;
    long number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.find("register_secret_value") != std::string::npos) continue;  // redaction only
      for (const ReservedKey& k : reserved_config_keys()) {
        for (const std::string& access : {"." + k.key, ">" + k.key}) {
          const auto at = line.find(access);
          if (at == std::string::npos) continue;
          const auto end = at + access.size();
          const bool whole =
              end == line.size() || !(std::isalnum(static_cast<unsigned char>(line[end])) || line[end] == '_');
          EXPECT_FALSE(whole) << entry.path().string() << ":" << number << " reads " << k.key
                              << ": it is used now, so remove it from core/config_reserved.cpp";
        }
      }
    }
  }
  EXPECT_GT(files, 100u) << "the sources were not found under " << src;
}

}  // namespace
}  // namespace shipchips
