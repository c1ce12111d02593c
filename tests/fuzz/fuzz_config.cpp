// config.yaml as every command loads it (load_config_text: YAML, the key table, value rules,
// SHIPCHIPS_* overrides and the rules that tie keys together). The input is the YAML text,
// optionally followed by a NUL byte and environment lines "NAME=VALUE". A rejected config is
// Error(config_invalid); any other exception is a crash. An accepted config must survive its
// own dump (doctor --show-config): the YAML it prints loads back to the same settings.
#include "core/config.hpp"
#include "core/error.hpp"
#include "fuzz_support.hpp"

#include <nlohmann/json.hpp>

using namespace shipchips;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [yaml, env_text] = fuzz::split_at(fuzz::as_text(data, size), '\0');
  EnvMap env;
  for (std::string_view line : fuzz::split_lines(env_text)) {
    const auto [name, value] = fuzz::split_at(line, '=');
    env[std::string(name)] = std::string(value);
  }
  Config config;
  try {
    config = load_config_text(yaml, "/fuzz/config.yaml", env);
  } catch (const Error& e) {
    SHIPCHIPS_FUZZ_CHECK(e.code() == ErrorCode::config_invalid);
    return 0;
  }
  (void)to_json(config);
  const std::string dumped = to_yaml(config);
  Config again;
  try {
    again = load_config_text(dumped, "/fuzz/config.yaml");
  } catch (const Error& e) {
    std::fprintf(stderr, "the dump of an accepted config does not load: %s\n%s\n", e.what(), dumped.c_str());
    std::abort();
  }
  SHIPCHIPS_FUZZ_CHECK(again == config);
  return 0;
}
