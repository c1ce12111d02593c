// shipchips publish [--out-manifest FILE] [--sample-limit N] [--json]: check the dataset, write
//   its manifest and make it the published version (dataset/publish_pointer.hpp).
// shipchips publish --rollback [--json]: make the previous published version current again.
// shipchips publish-stac [--out-dir DIR] [--absolute-urls --base-url URL] [--json]: the
//   dataset as a static STAC catalog (dataset/stac_catalog.hpp).
// Each is a recorded run of one step (pipeline/recorded_commands.hpp); the version id is the
// publish run's id.
#include "app/app_context.hpp"
#include "app/command.hpp"
#include "pipeline/recorded_commands.hpp"

#include <iostream>

namespace {

class PublishCommand : public shipchips::app::Command {
 public:
  void setup(CLI::App& sub) override {
    auto* out =
        sub.add_option("--out-manifest", m_out_manifest,
                       "Also write the manifest here (default: dataset_manifest.json in storage.layout.manifests)");
    auto* limit = sub.add_option("--sample-limit", m_sample_limit, "Chips listed as samples in the manifest")
                      ->capture_default_str()
                      ->check(shipchips::app::non_negative_number);
    sub.add_flag("--rollback", m_rollback, "Make the previous published version current again")
        ->excludes(out)
        ->excludes(limit);
    sub.add_flag("--json", m_json, "Print the result as one JSON object");
  }

  int run(const shipchips::app::GlobalOptions& global) override {
    using namespace shipchips;
    Config config = app::load_app_config(global);
    if (m_rollback) {
      const dataset::PublishedPointer p = pipeline::rollback_recorded(config).result;
      if (m_json) {
        std::cout << dataset::to_json(p).dump(2) << "\n";
      } else {
        std::cout << "rolled back: current version " << p.version_id << " (" << p.chips << " chips, published "
                  << p.published << ")\n";
      }
      return 0;
    }
    dataset::PublishOptions options;
    options.sample_limit = m_sample_limit;
    options.out_manifest = m_out_manifest;
    const dataset::PublishReport report = pipeline::publish_recorded(config, options).result;
    if (m_json) {
      std::cout << report.to_json().dump(2) << "\n";
    } else {
      std::cout << "published version " << report.pointer.version_id << ": " << report.pointer.chips << " chips, "
                << report.file_count << " files, " << report.total_bytes << " bytes\n"
                << "  manifest " << report.out_manifest.string() << "\n"
                << "  current.json -> " << report.pointer.manifest << " (sha256 " << report.pointer.manifest_sha256
                << ")\n";
    }
    return 0;
  }

 private:
  std::string m_out_manifest;
  std::size_t m_sample_limit = 100;
  bool m_rollback = false;
  bool m_json = false;
};

class PublishStacCommand : public shipchips::app::Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("--out-dir", m_out_dir, "Catalog folder inside the dataset root (default: storage.layout.stac)");
    auto* absolute = sub.add_flag("--absolute-urls", m_absolute, "Write every href as --base-url + its path");
    auto* base = sub.add_option("--base-url", m_base_url, "URL at which the dataset root is hosted");
    absolute->needs(base);
    base->needs(absolute);
    sub.add_flag("--json", m_json, "Print the result as one JSON object");
  }

  int run(const shipchips::app::GlobalOptions& global) override {
    using namespace shipchips;
    Config config = app::load_app_config(global);
    dataset::StacOptions options;
    options.out_dir =
        m_out_dir.empty() ? dataset_path(config, config.storage.layout.stac) : std::filesystem::absolute(m_out_dir);
    if (m_absolute) options.base_url = m_base_url;
    options.write_cog = config.tiling.write_cog;
    options.stac_endpoint = config.stac.endpoint;
    options.source_provider = config.stac.provider;
    const auto recorded = pipeline::publish_stac_recorded(config, options);
    const dataset::StacReport& report = recorded.result;
    if (m_json) {
      auto j = report.to_json();
      j["run_id"] = recorded.run_id;
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << "STAC catalog " << (report.out_dir / "catalog.json").string() << ": " << report.items << " items, "
                << report.files << " files" << (report.changed ? "" : " (unchanged)") << "\n";
    }
    return 0;
  }

 private:
  std::string m_out_dir;
  bool m_absolute = false;
  std::string m_base_url;
  bool m_json = false;
};

shipchips::app::RegisterCommand reg_publish{
    "publish", "Check the dataset, write its manifest (sha256 of every file) and move current.json to it",
    [] { return std::make_unique<PublishCommand>(); }};
shipchips::app::RegisterCommand reg_publish_stac{"publish-stac",
                                                 "Write the dataset as a static STAC catalog (one item per chip)",
                                                 [] { return std::make_unique<PublishStacCommand>(); }};

}  // namespace
