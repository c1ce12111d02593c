// chip_ais_file: an AIS file read, its pings imported into the dataset's track store on a thread
// of their own while run_chipping (chip_run.cpp) makes the chips.
#include "ais/track_set.hpp"
#include "ais/track_store.hpp"
#include "core/atomic_file.hpp"
#include "core/stage_times.hpp"
#include "pipeline/chip_run.hpp"
#include "pipeline/collect_ais.hpp"
#include "stac/from_config.hpp"
#include "stac/search.hpp"

#include <atomic>
#include <exception>
#include <thread>

namespace shipchips::pipeline {

ChipFileReport chip_ais_file(const std::string& ais_path, const Config& config, const ChipRunOptions& options,
                             const ais::ReadOptions& read) {
  const std::int64_t read_start = thread_cpu_ns();
  ais::TrackSet set = ais::read_track_set(ais_path, read);
  if (options.ping_window) {
    const auto [from, to] = *options.ping_window;
    for (auto it = set.tracks.begin(); it != set.tracks.end();) {
      auto& track = it->second;
      std::erase_if(track, [&](const ais::PositionReport& p) { return p.time < from || p.time >= to; });
      it = track.empty() ? set.tracks.erase(it) : std::next(it);
    }
  }
  const double read_ms = static_cast<double>(thread_cpu_ns() - read_start) / 1e6;
  // The pings also go into the dataset's track store (exact duplicates dropped), so what a chip
  // was made from stays queryable (prune checks chips against it) when the file is gone. On its
  // own thread: the chip step mostly waits on the network meanwhile.
  std::exception_ptr import_error;
  std::atomic<std::int64_t> import_ns{0};
  std::thread importer([&] {
    try {
      const std::int64_t start = thread_cpu_ns();
      const auto path = track_store_path(config);
      make_directories(path.parent_path());
      ais::TrackStore store(path.string());
      std::vector<ais::PositionReport> pings;
      for (const auto& [mmsi, track] : set.tracks) pings.insert(pings.end(), track.begin(), track.end());
      store.insert(pings);
      std::vector<ais::StaticData> statics;
      for (const auto& [mmsi, data] : set.statics) statics.push_back(data);
      store.insert(statics);
      import_ns = thread_cpu_ns() - start;
    } catch (...) {
      import_error = std::current_exception();
    }
  });
  stac::StacClient client(config.stac.endpoint, stac::http_options_from(config.stac));
  ChipFileReport report;
  ChipRunOptions with_source = options;
  if (with_source.ais_source.empty())
    with_source.ais_source = std::filesystem::absolute(ais_path).lexically_normal().string();
  try {
    report.run = run_chipping(set.tracks, client, config, with_source, set.statics);
  } catch (...) {
    importer.join();
    throw;
  }
  importer.join();
  if (import_error) std::rethrow_exception(import_error);
  report.run.stage_ms[static_cast<std::size_t>(Stage::ais_read)] += read_ms + static_cast<double>(import_ns) / 1e6;
  report.read = std::move(set.read);
  return report;
}

}  // namespace shipchips::pipeline
