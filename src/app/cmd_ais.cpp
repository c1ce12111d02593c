// `shipchips ais decode FILE [--json] [--strict]`: decodes an AIVDM/AIVDO file (plain, with
// NMEA 4.0 tag blocks, or the USCG archive form) and prints one line per complete message:
// gpsd-compatible JSON (`gpsdecode -j`'s objects) with --json, a readable summary otherwise.
// Bad lines are counted and reported on stderr with file:line; --strict makes the first fatal.
// `shipchips ais import FILE... [--strict]`: reads AIS files of any supported kind (upload CSV
// or XLSX, DMA, MarineCadastre, NMEA) into the dataset's track store (exact duplicates dropped),
// with progress on a terminal.
#include "ais/nmea_decode.hpp"
#include "ais/readers_csv.hpp"
#include "ais/track_store.hpp"
#include "app/app_context.hpp"
#include "app/command.hpp"
#include "app/progress.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/input_file.hpp"
#include "pipeline/collect_ais.hpp"
#include "pipeline/recorded_commands.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

namespace {

using shipchips::Error;
using shipchips::ErrorCode;

class AisDecodeCommand : public shipchips::app::Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("FILE", m_file, "NMEA file to decode ('-' reads standard input)")->required();
    sub.add_flag("--json", m_json, "JSON lines with gpsd's field names and units (as gpsdecode -j)");
    sub.add_flag("--strict", m_strict, "Stop at the first bad line (exit code of input_invalid)");
    sub.add_option("--max-reported", m_max_reported, "Bad lines reported one by one on stderr")
        ->capture_default_str()
        ->check(shipchips::app::non_negative_number);
  }

  int run(const shipchips::app::GlobalOptions&) override {
    using namespace shipchips::ais;
    std::ifstream file;
    std::istream* in = &std::cin;
    const bool from_stdin = m_file == "-";
    const std::string name = from_stdin ? "stdin" : m_file;
    if (!from_stdin) {
      file = shipchips::open_input_file(m_file, "NMEA file");
      in = &file;
    }
    std::error_code size_error;
    const auto total = from_stdin ? 0 : std::filesystem::file_size(m_file, size_error);
    shipchips::app::TerminalProgress progress(name, size_error ? 0 : total);

    NmeaDecodeOptions options;
    options.output = m_json ? NmeaOutput::gpsd_json : NmeaOutput::summary;
    options.strict = m_strict;
    options.max_reported = m_max_reported;
    NmeaDecodeSinks sinks;
    sinks.write = [](std::string_view chunk) { std::fwrite(chunk.data(), 1, chunk.size(), stdout); };
    sinks.problem = [](const std::string& where) { std::cerr << where << "\n"; };
    sinks.progress = [&](long lines) {
      progress.update(from_stdin ? 0 : static_cast<std::uint64_t>(file.tellg()), lines);
    };
    const NmeaDecodeReport report = decode_nmea(*in, name, options, sinks);
    progress.done();
    std::cerr << describe(report, name) << "\n";
    return 0;
  }

 private:
  std::string m_file;
  bool m_json = false;
  bool m_strict = false;
  long m_max_reported = 50;
};

shipchips::app::RegisterCommand reg{"ais decode", "Decode an AIVDM/AIVDO NMEA file (gpsd-compatible JSON with --json)",
                                    [] { return std::make_unique<AisDecodeCommand>(); }};

class AisImportCommand : public shipchips::app::Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("FILE", m_files, "AIS files (upload CSV/XLSX, DMA, MarineCadastre, NMEA)")->required();
    sub.add_flag("--strict", m_strict, "Stop at the first bad row (exit code of input_invalid)");
  }

  int run(const shipchips::app::GlobalOptions& global) override {
    using namespace shipchips;
    const Config config = app::load_app_config(global);
    std::optional<app::TerminalProgress> progress;
    std::string current;
    auto on_progress = [&](const std::string& file, long records) {
      if (file != current) {
        if (progress) progress->done();
        std::error_code ec;
        const auto size = std::filesystem::file_size(file, ec);
        progress.emplace(file, ec ? 0 : size);
        current = file;
      }
      progress->update(0, static_cast<std::uint64_t>(records));
    };
    const pipeline::AisImport imported = pipeline::import_ais_recorded(config, m_files, m_strict, on_progress).result;
    if (progress) progress->done();
    for (std::size_t k = 0; k < imported.files.size(); ++k) {
      const ais::ImportReport& r = imported.files[k];
      std::printf(
          "%s (%s): %ld records, %zu positions new, %zu duplicates, %zu static reports new, %ld bad rows "
          "(%.1f s)\n",
          m_files[k].c_str(), std::string(ais::to_string(r.read.format)).c_str(), r.read.records, r.positions.inserted,
          r.positions.duplicates, r.statics.inserted, r.read.bad_rows, r.seconds);
      for (const auto& problem : r.read.problems) std::fprintf(stderr, "  skipped: %s\n", problem.c_str());
    }
    const ais::TrackCounts& c = imported.store;
    std::printf("track store %s: %lld positions of %lld ships, %lld static reports\n", imported.store_path.c_str(),
                static_cast<long long>(c.positions), static_cast<long long>(c.ships),
                static_cast<long long>(c.static_reports));
    return 0;
  }

 private:
  std::vector<std::string> m_files;
  bool m_strict = false;
};

shipchips::app::RegisterCommand reg_import{"ais import", "Import AIS files into the dataset's track store",
                                           [] { return std::make_unique<AisImportCommand>(); }};

}  // namespace
