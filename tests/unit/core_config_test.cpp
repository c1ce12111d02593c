#include "core/config.hpp"
#include "core/env.hpp"
#include "core/error.hpp"
#include "core/logging.hpp"
#include "core/startup.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using namespace shipchips;

namespace {

const fs::path kSource = SHIPCHIPS_SOURCE_DIR;
const fs::path kConfigs = kSource / "tests/data/configs";

std::string error_of(const std::function<void()>& f, ErrorCode expected = ErrorCode::config_invalid) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), expected) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error thrown";
  return "";
}

struct BadConfig {
  const char* file;
  long line;
  const char* key;  // "" when the error is about the file itself
  const char* reason;
};

// Line numbers and keys are counted by hand from the files in tests/data/configs.
const BadConfig kBadConfigs[] = {
    {"bad_unknown_key.yaml", 4, "stac.cloud_cover_mx", "unknown key (did you mean cloud_cover_max?)"},
    {"bad_unknown_section.yaml", 4, "stak", "unknown section (did you mean stac?)"},
    {"bad_int_type.yaml", 3, "tiling.chip_size_px", "expected an integer, got \"big\""},
    {"bad_range.yaml", 4, "stac.cloud_cover_max", "must be between 0 and 100, got 120"},
    {"bad_enum.yaml", 3, "satellite_tracking.mode", "must be one of auto, esa_plan, tle, backfill, got \"sgp4\""},
    {"bad_url_scheme.yaml", 4, "stac.endpoint", "URL scheme must be http://, https://"},
    {"bad_splits_sum.yaml", 4, "splits", "train + val + test must sum to 1, got 0.8 + 0.1 + 0.2 = 1.1"},
    {"bad_rotation.yaml", 3, "logging.rotation", "unknown unit \"parsecs\""},
    {"bad_band_item.yaml", 6, "tiling.bands_core", "\"B13\" is not a band shipchips can chip"},
    // B8A is a real L2A band, but Earth Search has no asset the chipper reads for it.
    {"bad_band_unreadable.yaml", 5, "tiling.bands_swir", "\"B8A\" is not a band shipchips can chip"},
    {"bad_duplicate_key.yaml", 4, "stac.collection", "duplicate key"},
    {"bad_quoted_number.yaml", 3, "gate.max_cloud_center_frac", "expected a number, got the string \"0.2\""},
    {"bad_gate_window.yaml", 5, "gate.center_window_px", "must not exceed tiling.chip_size_px (128), got 256"},
    {"bad_bool.yaml", 2, "gate.enabled", "expected true or false, got \"maybe\""},
    {"bad_tile.yaml", 3, "satellite_tracking.tiles", "\"99ZZZ\" is not an MGRS tile id"},
    {"bad_layout_placeholder.yaml", 5, "storage.layout.qa_report", "unknown placeholder {day} (allowed: {date})"},
    {"bad_nested_unknown_key.yaml", 4, "storage.layout.qa_reprot", "unknown key (did you mean qa_report?)"},
    {"bad_section_scalar.yaml", 3, "gate", "expected a mapping of keys, got \"true\""},
    {"bad_overviews_order.yaml", 5, "tiling.overviews", "must be in increasing order (4 after 8)"},
    {"bad_webhook.yaml", 3, "alerts.webhook_url", "not a URL"},
    {"bad_null_value.yaml", 2, "stac.cloud_cover_max", "expected a number, got nothing"},
    {"bad_scl_overlap.yaml", 3, "masks.scl_land_classes", "SCL class 8 is also in masks.scl_cloud_classes"},
    {"bad_relax_step.yaml", 5, "stac.relax_steps",
     "relaxation step \"cloud_cover_max=60,window=24\": unknown key \"window\""},
    {"bad_backoff.yaml", 3, "ops.max_backoff_hours", "must not be shorter than ops.initial_backoff_min"},
    {"bad_top_level_list.yaml", 1, "", "the top level must be a mapping of sections"},
    {"bad_yaml_syntax.yaml", 4, "", "YAML syntax error"},
};

}  // namespace

TEST(CoreConfig, EveryMalformedConfigIsRejectedWithFileLineAndKey) {
  std::size_t files_on_disk = 0;
  for (const auto& entry : fs::directory_iterator(kConfigs)) {
    if (entry.path().filename().string().rfind("bad_", 0) == 0) ++files_on_disk;
  }
  EXPECT_EQ(files_on_disk, std::size(kBadConfigs)) << "every bad_*.yaml needs a row in kBadConfigs";
  for (const auto& bad : kBadConfigs) {
    SCOPED_TRACE(bad.file);
    fs::path path = kConfigs / bad.file;
    std::string message = error_of([&] { load_config(path); });
    std::string prefix = path.string() + ":" + std::to_string(bad.line) + ": ";
    if (*bad.key) prefix += std::string(bad.key) + ": ";
    EXPECT_EQ(message.rfind(prefix, 0), 0u) << "message: " << message << "\nexpected prefix: " << prefix;
    EXPECT_NE(message.find(bad.reason), std::string::npos) << "message: " << message;
  }
}

TEST(CoreConfig, ShippedConfigYamlEqualsBuiltInDefaults) {
  Config loaded = load_config(kSource / "config.yaml");
  Config defaults;
  EXPECT_EQ(to_yaml(loaded), to_yaml(defaults));
  EXPECT_TRUE(loaded == defaults);
  EXPECT_EQ(loaded.base_dir, kSource.lexically_normal());
}

TEST(CoreConfig, ShippedConfigYamlWritesOutEveryKey) {
  // The file is the documentation: every key the loader knows must appear in it.
  YAML::Node root = YAML::LoadFile((kSource / "config.yaml").string());
  for (const auto& [key, env] : config_keys_and_env_names()) {
    std::stringstream parts(key);
    std::string part;
    std::vector<YAML::Node> chain{root};
    while (std::getline(parts, part, '.')) chain.push_back(chain.back()[part]);
    EXPECT_TRUE(chain.back().IsDefined()) << key << " is not written in config.yaml";
  }
}

TEST(CoreConfig, SeedValuesAreTheDefaults) {
  // Values the seed documents name (000/001): they must be the defaults.
  Config c;
  EXPECT_EQ(c.stac.endpoint, "https://earth-search.aws.element84.com/v1");
  EXPECT_EQ(c.stac.collection, "sentinel-2-l2a");
  EXPECT_EQ(c.ais.endpoint, "wss://stream.aisstream.io/v0/stream");
  EXPECT_EQ(c.tiling.chip_size_px, 256);
  EXPECT_EQ(c.tiling.bands_core, (std::vector<std::string>{"B02", "B03", "B04", "B08"}));
  EXPECT_EQ(c.tiling.bands_swir, (std::vector<std::string>{"B11", "B12"}));
  EXPECT_EQ(c.tiling.resample_method, ResampleMethod::bicubic);
  EXPECT_EQ(c.tiling.block_size, 256);
  EXPECT_EQ(c.tiling.overviews, (std::vector<int>{2, 4, 8, 16}));
  EXPECT_EQ(c.gate.center_window_px, 64);
  EXPECT_EQ(c.ops.max_retries, 5);
  EXPECT_EQ(c.ops.initial_backoff_min, 5.0);
  EXPECT_EQ(c.ops.max_backoff_hours, 24.0);
  EXPECT_EQ(c.ops.retry_batch_limit, 50);
  EXPECT_EQ(c.alerts.threshold_fail_rate, 0.5);
  EXPECT_EQ(c.ais.max_gap_s, 600.0);
  EXPECT_EQ(c.logging.file, "logs/run.log");
  EXPECT_EQ(c.logging.rotation, "10 MB");
}

TEST(CoreConfig, EmptyFileAndEmptySectionsKeepDefaults) {
  EXPECT_TRUE(load_config_text("", "empty.yaml") == Config{});
  EXPECT_TRUE(load_config_text("# only a comment\nmasks:\ngate: {}\n", "sections.yaml") == Config{});
}

TEST(CoreConfig, ValuesAreTypedAndNormalised) {
  Config c = load_config_text(
      "satellite_tracking:\n  mode: auto\n  tiles: [T30STF, 31tcj]\n"
      "stac:\n  provider: planetary_computer\n  cloud_cover_max: 12.5\n"
      "tiling:\n  compression: zstd\n  overviews: []\n  include_swir: yes\n"
      "splits: {train: 0.7, val: 0.2, test: 0.1, group_by: scene}\n",
      "typed.yaml");
  EXPECT_EQ(c.satellite_tracking.mode, PlannerMode::automatic);
  EXPECT_EQ(c.satellite_tracking.tiles, (std::vector<std::string>{"30STF", "31TCJ"}));
  EXPECT_EQ(c.stac.provider, StacProvider::planetary_computer);
  EXPECT_DOUBLE_EQ(c.stac.cloud_cover_max, 12.5);
  EXPECT_EQ(c.tiling.compression, Compression::zstd);
  EXPECT_TRUE(c.tiling.overviews.empty());
  EXPECT_TRUE(c.tiling.include_swir);
  EXPECT_EQ(c.splits.group_by, SplitGroup::scene);
}

TEST(CoreConfig, MissingFileIsAClearError) {
  std::string message = error_of([] { load_config("/nonexistent/shipchips/config.yaml"); });
  EXPECT_EQ(message.rfind("/nonexistent/shipchips/config.yaml: file not found", 0), 0u) << message;
  message = error_of([] { load_config(kConfigs); });
  EXPECT_NE(message.find("is a directory"), std::string::npos) << message;
}

TEST(CoreConfig, EnvironmentOverridesUseTheSameTypes) {
  EnvMap env{{"SHIPCHIPS_STAC_CLOUD_COVER_MAX", "20"},
             {"SHIPCHIPS_STAC_PROVIDER", "earth_search_c1_l2a"},
             {"SHIPCHIPS_TILING_BANDS_CORE", "B02, b03,B04"},
             {"SHIPCHIPS_TILING_OVERVIEWS", "[2, 4]"},
             {"SHIPCHIPS_GATE_ENABLED", "false"},
             {"SHIPCHIPS_STORAGE_LAYOUT_QA_REPORT", "QA/{date}.html"},
             {"SHIPCHIPS_SATELLITE_TRACKING_PREDICTION_DAYS", "3"},
             {"SHIPCHIPS_BIN", "/usr/bin/shipchips"},  // not a section: not ours to judge
             {"PATH", "/usr/bin"}};
  Config c = load_config(kSource / "config.yaml", env);
  EXPECT_DOUBLE_EQ(c.stac.cloud_cover_max, 20.0);
  EXPECT_EQ(c.stac.provider, StacProvider::earth_search_c1_l2a);
  EXPECT_EQ(c.tiling.bands_core, (std::vector<std::string>{"B02", "B03", "B04"}));
  EXPECT_EQ(c.tiling.overviews, (std::vector<int>{2, 4}));
  EXPECT_FALSE(c.gate.enabled);
  EXPECT_EQ(c.storage.layout.qa_report, "QA/{date}.html");
  EXPECT_EQ(c.satellite_tracking.prediction_days, 3);
  EXPECT_EQ(c.stac.collection, "sentinel-2-l2a");  // untouched keys keep the file's value
}

TEST(CoreConfig, BadEnvironmentValuesNameTheVariable) {
  auto with = [](std::string name, std::string value) {
    return error_of([&] { load_config(kSource / "config.yaml", EnvMap{{name, value}}); });
  };
  std::string m = with("SHIPCHIPS_STAC_CLOUD_COVER_MAX", "abc");
  EXPECT_EQ(m, "SHIPCHIPS_STAC_CLOUD_COVER_MAX: stac.cloud_cover_max: expected a number, got \"abc\"");
  m = with("SHIPCHIPS_STAC_CLOUD_COVER_MAX", "120");
  EXPECT_EQ(m, "SHIPCHIPS_STAC_CLOUD_COVER_MAX: stac.cloud_cover_max: must be between 0 and 100, got 120");
  m = with("SHIPCHIPS_TILING_BANDS_CORE", "B02,B99");
  EXPECT_EQ(m.rfind("SHIPCHIPS_TILING_BANDS_CORE: tiling.bands_core: \"B99\"", 0), 0u) << m;
  m = with("SHIPCHIPS_STAC_CLOUDCOVER_MAX", "20");
  EXPECT_EQ(m.rfind("SHIPCHIPS_STAC_CLOUDCOVER_MAX: no such setting in section stac (did you mean "
                    "SHIPCHIPS_STAC_CLOUD_COVER_MAX?)",
                    0),
            0u)
      << m;
  // A rule over several keys points at the variable that broke it.
  m = with("SHIPCHIPS_SPLITS_TEST", "0.5");
  EXPECT_EQ(m.rfind("SHIPCHIPS_SPLITS_TEST: splits: train + val + test must sum to 1", 0), 0u) << m;
  m = with("SHIPCHIPS_LOGGING_ROTATION", "ten megabytes");
  EXPECT_EQ(m.rfind("SHIPCHIPS_LOGGING_ROTATION: logging.rotation: ", 0), 0u) << m;
}

TEST(CoreConfig, EveryKeyHasItsEnvironmentName) {
  std::map<std::string, std::string> names;
  for (const auto& [key, env] : config_keys_and_env_names()) names[key] = env;
  EXPECT_EQ(names.at("stac.cloud_cover_max"), "SHIPCHIPS_STAC_CLOUD_COVER_MAX");
  EXPECT_EQ(names.at("satellite_tracking.tle_file"), "SHIPCHIPS_SATELLITE_TRACKING_TLE_FILE");
  EXPECT_EQ(names.at("storage.layout.qa_report"), "SHIPCHIPS_STORAGE_LAYOUT_QA_REPORT");
  std::set<std::string> unique;
  for (const auto& [key, env] : names) EXPECT_TRUE(unique.insert(env).second) << env << " is ambiguous";
}

TEST(CoreConfig, DumpsReloadToTheSameConfig) {
  Config c = load_config_text(
      "stac:\n  cloud_cover_max: 17.25\nsplits: {train: 0.6, val: 0.3, test: 0.1}\n"
      "alerts:\n  webhook_url: \"https://hooks.example.com/x\"\n",
      "custom.yaml");
  Config again = load_config_text(to_yaml(c), "dump.yaml");
  EXPECT_TRUE(again == c) << to_yaml(c);
  nlohmann::json j = to_json(c);
  EXPECT_DOUBLE_EQ(j["stac"]["cloud_cover_max"].get<double>(), 17.25);
  EXPECT_EQ(j["storage"]["layout"]["qa_report"], "QA/reports/{date}.html");
  EXPECT_EQ(j["satellite_tracking"]["mode"], "auto");
}

TEST(CoreConfig, ParseSizeFollowsDecimalAndBinaryUnits) {
  EXPECT_EQ(parse_size("10 MB"), 10'000'000u);
  EXPECT_EQ(parse_size("512 KB"), 512'000u);
  EXPECT_EQ(parse_size("1 GB"), 1'000'000'000u);
  EXPECT_EQ(parse_size("2 MiB"), 2u * 1024 * 1024);
  EXPECT_EQ(parse_size("1.5KiB"), 1536u);
  EXPECT_EQ(parse_size("4096"), 4096u);
  EXPECT_EQ(parse_size("10mb"), 10'000'000u);
  EXPECT_EQ(parse_size(" 7 b "), 7u);
  for (const char* bad : {"", "MB", "10 parsecs", "-1 MB", "1..2 MB", "ten MB"}) {
    EXPECT_THROW(parse_size(bad), Error) << bad;
  }
}

TEST(CoreConfig, RelativePathsResolveAgainstTheConfigFolder) {
  Config c = load_config(kSource / "config.yaml");
  EXPECT_EQ(dataset_root(c), kSource / "dataset");
  EXPECT_EQ(dataset_path(c, c.storage.db_path), kSource / "dataset/ops.db");
  EXPECT_EQ(resolve_path(c, "/abs/run.log"), fs::path("/abs/run.log"));
  Config absolute = load_config_text("storage:\n  dataset_root: /data/chips\n", "/etc/shipchips/config.yaml");
  EXPECT_EQ(absolute.base_dir, fs::path("/etc/shipchips"));
  EXPECT_EQ(dataset_path(absolute, absolute.storage.layout.tiles_index), fs::path("/data/chips/indexes/tiles.parquet"));
}

TEST(CoreStartup, DotenvConfigAndLoggingTogether) {
  // A folder elsewhere than the current one: relative paths must follow the config file.
  fs::path dir = fs::temp_directory_path() / ("shipchips_startup_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "config.yaml") << "logging:\n  file: logs/run.log\n  console: false\n";
  const std::string key = "ais-key-5f1e9d2c7b";
  std::ofstream(dir / ".env") << "export AISSTREAM_API_KEY=\"" << key << "\"\nSHIPCHIPS_STAC_CLOUD_COVER_MAX=15\n"
                              << "SHIPCHIPS_STAC_PAGE_LIMIT=10\n";
  ::unsetenv("AISSTREAM_API_KEY");
  ::unsetenv("SHIPCHIPS_STAC_CLOUD_COVER_MAX");
  ::setenv("SHIPCHIPS_STAC_PAGE_LIMIT", "20", 1);  // the environment beats .env

  Config c = start_up(dir / "config.yaml", "debug", true);
  EXPECT_DOUBLE_EQ(c.stac.cloud_cover_max, 15.0);
  EXPECT_EQ(c.stac.page_limit, 20);
  EXPECT_STREQ(std::getenv("AISSTREAM_API_KEY"), key.c_str());
  spdlog::debug("connecting with {}", key);
  flush_logs();
  std::ifstream in(dir / "logs" / "run.log");
  std::string line;
  ASSERT_TRUE(std::getline(in, line)) << "no log file beside the config";
  bool found = false;
  do {
    auto j = nlohmann::json::parse(line);  // --log-json forced JSON lines
    if (j["msg"] == "connecting with ***") found = true;
    EXPECT_EQ(line.find(key), std::string::npos) << line;
  } while (std::getline(in, line));
  EXPECT_TRUE(found);

  LoggingConfig quiet;
  quiet.file.clear();
  quiet.level = LogLevel::warn;
  setup_logging(quiet, "", false);
  ::unsetenv("AISSTREAM_API_KEY");
  ::unsetenv("SHIPCHIPS_STAC_CLOUD_COVER_MAX");
  ::unsetenv("SHIPCHIPS_STAC_PAGE_LIMIT");
  clear_secret_values();
  fs::remove_all(dir);
}

TEST(CoreStartup, MalformedDotenvIsAConfigError) {
  fs::path dir = fs::temp_directory_path() / ("shipchips_startup_bad_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "config.yaml") << "gate:\n  enabled: true\n";
  std::ofstream(dir / ".env") << "# secrets\nAISSTREAM_API_KEY\n";
  std::string message = error_of([&] { load_dotenv_files(dir / "config.yaml"); });
  EXPECT_EQ(message, (dir / ".env").string() + ":2: expected KEY=VALUE, got \"AISSTREAM_API_KEY\"");
  fs::remove_all(dir);
}

TEST(CoreConfig, RelaxStepsParseIntoTheirLimits) {
  const StacRelaxStep both = parse_stac_relax_step(" cloud_cover_max=50, search_window_hours=48 ");
  EXPECT_EQ(both.text, "cloud_cover_max=50, search_window_hours=48");
  EXPECT_DOUBLE_EQ(both.cloud_cover_max, 50.0);
  EXPECT_DOUBLE_EQ(both.search_window_hours, 48.0);
  const StacRelaxStep cloud_only = parse_stac_relax_step("cloud_cover_max=80");
  EXPECT_DOUBLE_EQ(cloud_only.cloud_cover_max, 80.0);
  EXPECT_LT(cloud_only.search_window_hours, 0.0);  // unchanged
  for (const char* bad : {"", "cloud_cover_max", "cloud_cover_max=101", "search_window_hours=0",
                          "cloud_cover_max=5,cloud_cover_max=6", "cloud_cover_max=abc"}) {
    EXPECT_THROW(parse_stac_relax_step(bad), Error) << bad;
  }
}

// Found by fuzz_config: a value that is not UTF-8 loaded, and `doctor --show-config` (to_json,
// to_yaml) then threw nlohmann's type_error 316 as an internal error.
TEST(CoreConfig, TextThatIsNotUtf8IsRejectedWhereItIsWritten) {
  std::string m = error_of([] { load_config_text("stac:\n  collection: \"sentinel\xff-2\"\n", "latin.yaml"); });
  EXPECT_EQ(m, "latin.yaml:2: stac.collection: is not valid UTF-8 text");
  m = error_of([] { load_config_text("satellite_tracking:\n  tiles:\n    - 30STF\n    - \"31U\xe9U\"\n", "t.yaml"); });
  EXPECT_EQ(m, "t.yaml:4: satellite_tracking.tiles: list item is not valid UTF-8 text");
  m = error_of([] { load_config(kSource / "config.yaml", EnvMap{{"SHIPCHIPS_STAC_COLLECTION", "s2\xed\xa0\x80"}}); });
  EXPECT_EQ(m, "SHIPCHIPS_STAC_COLLECTION: stac.collection: is not valid UTF-8 text");
  // UTF-8 text still loads and dumps.
  const Config c = load_config_text("stac:\n  collection: \"sentinel-2-l2a-\xc3\xa9t\xc3\xa9\"\n", "utf8.yaml");
  EXPECT_EQ(to_json(c)["stac"]["collection"], "sentinel-2-l2a-\xc3\xa9t\xc3\xa9");
}
