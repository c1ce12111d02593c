// shipchips gc --cache-ttl-days N --watermark-disk F [--dry-run] [--json]: free disk under the
// dataset root down to the watermark (ops/gc.hpp).
#include "app/app_context.hpp"
#include "app/command.hpp"
#include "ops/gc.hpp"
#include "pipeline/recorded_commands.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace {

using namespace shipchips;

class GcCommand : public app::Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("--cache-ttl-days", m_options.ttl_days, "Only what is older than this many days")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 36500.0));
    sub.add_option("--watermark-disk", m_options.watermark, "Stop once the file system's usage is below this (0..1)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    sub.add_flag("--dry-run", m_options.dry_run, "List what would be deleted; delete nothing");
    sub.add_flag("--json", m_json, "Print the summary as one JSON object");
  }

  int run(const app::GlobalOptions& global) override {
    const Config config = app::load_app_config(global);
    const ops::GcReport r =
        m_options.dry_run ? ops::run_gc(config, m_options) : pipeline::gc_recorded(config, m_options).result;
    std::uintmax_t bytes = 0;
    for (const auto& c : r.deleted) bytes += c.bytes;
    if (m_json) {
      nlohmann::json deleted = nlohmann::json::array();
      for (const auto& c : r.deleted)
        deleted.push_back({{"path", c.path.string()}, {"kind", c.kind}, {"bytes", c.bytes}});
      std::cout << nlohmann::json{{"dry_run", m_options.dry_run},
                                  {"usage_before", r.usage_before},
                                  {"usage_after", r.usage_after},
                                  {"watermark", m_options.watermark},
                                  {"below_watermark", r.below_watermark},
                                  {"candidates", r.candidates},
                                  {"deleted", deleted},
                                  {"bytes", bytes}}
                       .dump(2)
                << "\n";
      return 0;
    }
    std::printf("gc%s: disk usage %.1f %% -> %.1f %% (watermark %.1f %%); %s %zu of %zu candidates, %ju bytes\n",
                m_options.dry_run ? " (dry run)" : "", 100 * r.usage_before, 100 * r.usage_after,
                100 * m_options.watermark, m_options.dry_run ? "would delete" : "deleted", r.deleted.size(),
                r.candidates, static_cast<std::uintmax_t>(bytes));
    for (const auto& c : r.deleted) std::printf("  %s %s\n", c.kind.c_str(), c.path.c_str());
    return 0;
  }

 private:
  ops::GcOptions m_options;
  bool m_json = false;
};

app::RegisterCommand reg{"gc",
                         "Free disk: stale temporaries, download caches, old schedules and manifests, to a watermark",
                         [] { return std::make_unique<GcCommand>(); }};

}  // namespace
