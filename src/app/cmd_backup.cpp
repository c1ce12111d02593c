// shipchips backup [--json]: a gzipped, integrity-checked online copy of the job store under
//   ops.backup_dir, then retention (ops/backup.hpp).
// shipchips restore FILE [--json]: replace the job store with a backup (refused while a process
//   holds it).
// shipchips recover [--db FILE] [--out FILE] [--json]: read what is readable of a damaged
//   database into a new file and report what was lost.
#include "app/app_context.hpp"
#include "app/command.hpp"
#include "ops/backup.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace {

using namespace shipchips;

class BackupCommand : public app::Command {
 public:
  void setup(CLI::App& sub) override { sub.add_flag("--json", m_json, "Print the summary as one JSON object"); }

  int run(const app::GlobalOptions& global) override {
    const Config config = app::load_app_config(global);
    const ops::BackupReport r = ops::backup_database(config);
    if (m_json) {
      nlohmann::json removed = nlohmann::json::array();
      for (const auto& p : r.removed) removed.push_back(p.string());
      std::cout << nlohmann::json{{"backup", r.backup.string()},
                                  {"database_bytes", r.database_bytes},
                                  {"backup_bytes", r.backup_bytes},
                                  {"kept", r.kept.size()},
                                  {"removed", removed}}
                       .dump(2)
                << "\n";
    } else {
      std::cout << "backup: " << r.backup.string() << " (" << r.database_bytes << " bytes, " << r.backup_bytes
                << " gzipped, integrity_check ok); " << r.kept.size() << " backups kept, " << r.removed.size()
                << " removed by retention\n";
    }
    return 0;
  }

 private:
  bool m_json = false;
};

class RestoreCommand : public app::Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("file", m_file, "Backup to restore (ops-*.db.gz, or a plain SQLite database)")->required();
    sub.add_flag("--json", m_json, "Print the summary as one JSON object");
  }

  int run(const app::GlobalOptions& global) override {
    const Config config = app::load_app_config(global);
    const ops::RestoreReport r = ops::restore_database(config, m_file);
    if (m_json) {
      std::cout << nlohmann::json{{"database", r.database.string()}, {"previous", r.previous.string()}}.dump(2) << "\n";
    } else {
      std::cout << "restored " << m_file << " into " << r.database.string() << " (integrity_check ok)";
      if (!r.previous.empty()) std::cout << "; the replaced database is kept as " << r.previous.string();
      std::cout << "\n";
    }
    return 0;
  }

 private:
  std::string m_file;
  bool m_json = false;
};

class RecoverCommand : public app::Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("--db", m_db, "Damaged database (default: storage.db_path under the dataset root)");
    sub.add_option("--out", m_out, "New file for what is recovered (default: <db>.recovered-<time>.db)");
    sub.add_flag("--json", m_json, "Print the summary as one JSON object");
  }

  int run(const app::GlobalOptions& global) override {
    const Config config = app::load_app_config(global);
    const std::filesystem::path source =
        m_db.empty() ? dataset_path(config, config.storage.db_path) : std::filesystem::path(m_db);
    const ops::RecoverReport r = ops::recover_database(config, source, m_out);
    if (m_json) {
      std::cout << nlohmann::json{{"source", r.source.string()},
                                  {"recovered", r.recovered.string()},
                                  {"rows", r.rows},
                                  {"damaged_tables", r.damaged_tables},
                                  {"skipped_indexes", r.skipped_indexes},
                                  {"chips_on_disk", r.chips_on_disk},
                                  {"chips_missing", r.chips_missing},
                                  {"integrity", r.integrity}}
                       .dump(2)
                << "\n";
      return 0;
    }
    std::cout << "recovered " << r.source.string() << " into " << r.recovered.string() << " (integrity_check "
              << r.integrity << ")\n";
    for (const auto& [table, n] : r.rows) std::cout << "  " << table << ": " << n << " rows\n";
    for (const auto& t : r.damaged_tables)
      std::cout << "  damaged: " << t << " (rows on unreadable pages are lost; the count above is what was read)\n";
    for (const auto& i : r.skipped_indexes) std::cout << "  index not rebuilt: " << i << "\n";
    std::cout << "chips: " << r.chips_on_disk << " sidecars on disk, " << r.chips_missing.size()
              << " without a recovered index row";
    if (!r.chips_missing.empty()) std::cout << " (`shipchips index rebuild` on the recovered database restores them)";
    std::cout << "\n";
    return 0;
  }

 private:
  std::string m_db;
  std::string m_out;
  bool m_json = false;
};

app::RegisterCommand reg_backup{"backup", "Gzipped, integrity-checked online backup of the job store, with retention",
                                [] { return std::make_unique<BackupCommand>(); }};
app::RegisterCommand reg_restore{"restore", "Replace the job store with a backup (refused while a process holds it)",
                                 [] { return std::make_unique<RestoreCommand>(); }};
app::RegisterCommand reg_recover{"recover", "Recover what is readable of a damaged job store into a new file",
                                 [] { return std::make_unique<RecoverCommand>(); }};

}  // namespace
