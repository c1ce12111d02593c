#pragma once
// Where the shared reference data lives (../shared/reference): the environment variable
// SHIPCHIPS_REFERENCE_DIR when set (CTest sets it, a developer may point it elsewhere), else the
// folder beside the source tree that CMake compiled in. No test names an absolute path.

#include <cstdlib>
#include <filesystem>

namespace shipchips::testing {

inline std::filesystem::path reference_dir() {
  if (const char* env = std::getenv("SHIPCHIPS_REFERENCE_DIR"); env != nullptr && *env != '\0') return env;
  return SHIPCHIPS_REFERENCE_DIR;
}

}  // namespace shipchips::testing
