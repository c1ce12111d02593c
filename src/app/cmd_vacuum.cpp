// shipchips vacuum [--rm-empty] [--db FILE] [--json]: compact the job store's database and,
// with --rm-empty, remove empty folders under the dataset root (ops/maintenance.hpp).
// --db FILE names the database like storage.db_path (relative to the dataset root).
#include "app/app_context.hpp"
#include "app/command.hpp"
#include "ops/maintenance.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace {

using namespace shipchips;

class VacuumCommand : public app::Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_flag("--rm-empty", m_rm_empty, "Also remove empty folders under the dataset root");
    sub.add_option("--db", m_db, "Job store database (relative to the dataset root, like storage.db_path)");
    sub.add_flag("--json", m_json, "Print the summary as one JSON object");
  }

  int run(const app::GlobalOptions& global) override {
    Config config = app::load_app_config(global);
    if (!m_db.empty()) config.storage.db_path = m_db;
    const ops::VacuumReport r = ops::vacuum_dataset(config, m_rm_empty);
    if (m_json) {
      nlohmann::json dirs = nlohmann::json::array();
      for (const auto& d : r.removed_dirs) dirs.push_back(d.string());
      std::cout << nlohmann::json{{"db", r.db.string()},
                                  {"database_found", r.database_found},
                                  {"bytes_before", r.bytes_before},
                                  {"bytes_after", r.bytes_after},
                                  {"removed_dirs", dirs}}
                       .dump(2)
                << "\n";
      return 0;
    }
    if (r.database_found) {
      std::cout << "vacuum: " << r.db.string() << ": " << r.bytes_before << " -> " << r.bytes_after
                << " bytes (database + WAL), quick_check ok\n";
    } else {
      std::cout << "vacuum: " << r.db.string() << " does not exist yet: nothing to compact\n";
    }
    if (m_rm_empty) {
      std::cout << "removed " << r.removed_dirs.size() << " empty folders\n";
      for (const auto& d : r.removed_dirs) std::cout << "  " << d.string() << "\n";
    }
    return 0;
  }

 private:
  bool m_rm_empty = false;
  bool m_json = false;
  std::string m_db;
};

app::RegisterCommand reg{"vacuum", "Compact the job store database; --rm-empty removes empty folders",
                         [] { return std::make_unique<VacuumCommand>(); }};

}  // namespace
