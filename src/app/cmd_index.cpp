// shipchips index rebuild [--strict] [--json]: recreate the chips table and exports from the
//   chips tree (dataset/index_rebuild.hpp).
// shipchips index export [--json]: rewrite tiles.parquet and the daily GeoJSON from the chips
//   table (dataset/index_export.hpp).
// Both are recorded runs with an index step manifest (pipeline/recorded_commands.hpp).
#include "app/app_context.hpp"
#include "app/command.hpp"
#include "pipeline/recorded_commands.hpp"

#include <iostream>

namespace {

class IndexRebuildCommand : public shipchips::app::Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_flag("--strict", m_strict, "Fail (changing nothing) when any sidecar is broken or has no .tif");
    sub.add_flag("--json", m_json, "Print the summary as one JSON object");
  }

  int run(const shipchips::app::GlobalOptions& global) override {
    using namespace shipchips;
    Config config = app::load_app_config(global);
    dataset::RebuildOptions options;
    options.strict = m_strict;
    const auto recorded = pipeline::rebuild_index_recorded(config, options);
    const dataset::RebuildReport& report = recorded.result;
    if (m_json) {
      auto j = report.to_json();
      j["run_id"] = recorded.run_id;
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << report.summary();
    }
    return 0;
  }

 private:
  bool m_strict = false;
  bool m_json = false;
};

class IndexExportCommand : public shipchips::app::Command {
 public:
  void setup(CLI::App& sub) override { sub.add_flag("--json", m_json, "Print the summary as one JSON object"); }

  int run(const shipchips::app::GlobalOptions& global) override {
    using namespace shipchips;
    Config config = app::load_app_config(global);
    const auto recorded = pipeline::export_index_recorded(config);
    const dataset::ExportReport& report = recorded.result;
    if (m_json) {
      auto j = dataset::export_report_json(report);
      j["run_id"] = recorded.run_id;
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << "rows: " << report.rows << "; " << report.written.size() << " written, " << report.unchanged.size()
                << " unchanged, " << report.removed.size() << " removed\n";
      for (const auto& f : report.written) std::cout << "  wrote " << f << "\n";
      for (const auto& f : report.removed) std::cout << "  removed " << f << "\n";
    }
    return 0;
  }

 private:
  bool m_json = false;
};

shipchips::app::RegisterCommand reg_rebuild{
    "index rebuild", "Rebuild the chips index and its exports from the sidecars in the chips tree",
    [] { return std::make_unique<IndexRebuildCommand>(); }};
shipchips::app::RegisterCommand reg_export{"index export",
                                           "Rewrite indexes/tiles.parquet and the daily GeoJSON from the chips index",
                                           [] { return std::make_unique<IndexExportCommand>(); }};

}  // namespace
