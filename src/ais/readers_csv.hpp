#pragma once
// AIS files in every form users have, streamed row by row (constant memory) into
// PositionReport / StaticData:
//
//  - dma:            Danish Maritime Authority CSV (aisdk), 2018 variant (22 columns) and 2023
//                    variant (26, with A,B,C,D). Header "# Timestamp,Type of mobile,MMSI,...";
//                    time dd/mm/yyyy HH:MM:SS (UTC); nav status and ship type as text.
//  - marinecadastre: US MarineCadastre CSV: MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,...
//  - upload:         the seed's upload schema (mmsi, lat, lon, overpass_time, captured_time,
//                    source, notes; see upload_csv.hpp) plus the optional columns the seed's
//                    exports and the fixture world carry: sog, cog, heading, nav_status, class,
//                    name, callsign, imo, ship_type, dim_a..dim_d, draught, destination.
//  - nmea:           !AIVDM/!AIVDO files, with or without tag blocks, or the USCG archive form;
//                    the time comes from the tag block or the USCG trailing Unix time (the
//                    receiver's), moved to the UTC second of the fix the message carries.
//
// ITU-R M.1371 "not available" values become std::nullopt: lat 91 / lon 181 (the row is kept
// for its static data but gives no position, counted in no_position), heading 511, SOG 102.3,
// COG 360, nav status 15. Other out-of-range values (lat 95, an unparsable number or time) make
// the row bad: counted, reported as "file:line: column: problem" (the first max_problems), and
// skipped — or, with strict, thrown as Error(input_invalid).

#include "ais/model.hpp"
#include "ais/track_store.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips {
class CsvReader;
}

namespace shipchips::ais {

enum class AisFormat { unknown, dma, marinecadastre, upload, nmea };
std::string_view to_string(AisFormat format);

// From the first non-blank line: "# Timestamp," → dma; a header with MMSI and BaseDateTime →
// marinecadastre; one with mmsi, lat and lon → upload; "!", "\" or "$" starting a line, or a
// line holding "!AIVDM"/"!AIVDO" → nmea. Error(io_error) when the file cannot be read.
AisFormat detect_format(const std::string& path);

struct AisSink {
  std::function<void(const PositionReport&)> position;  // may be empty
  std::function<void(const StaticData&)> static_data;   // may be empty
};

struct ReadOptions {
  bool strict = false;
  std::size_t max_problems = 100;
  std::string source;  // name stored with each report; default: the file name
  // Called every progress_every records with the number read so far (terminal progress).
  std::function<void(long records)> progress;
  long progress_every = 100000;
};

struct ReadReport {
  AisFormat format = AisFormat::unknown;
  long records = 0;      // CSV rows or NMEA lines read
  long positions = 0;    // PositionReports given to the sink
  long statics = 0;      // StaticData given to the sink (CSV flavours repeat static columns on
                         // every row: only a change for the MMSI is passed on)
  long bad_rows = 0;     // skipped as invalid (problems holds the first max_problems)
  long no_position = 0;  // valid rows with position "not available" (91/181)
  long no_time = 0;      // NMEA messages without a time (no tag block, no USCG time)
  long not_vessel = 0;   // base stations, aids to navigation (DMA "Type of mobile")
  std::vector<std::string> problems;
};

ReadReport read_dma_csv(const std::string& path, const AisSink& sink, const ReadOptions& options = {});
ReadReport read_marinecadastre_csv(const std::string& path, const AisSink& sink, const ReadOptions& options = {});
ReadReport read_upload_ais_csv(const std::string& path, const AisSink& sink, const ReadOptions& options = {});
// The upload schema from a table already opened (an XLSX sheet seen as CSV, see readers_xlsx.hpp);
// `path` names the file in reports.
ReadReport read_upload_table(CsvReader& table, const std::string& path, const AisSink& sink,
                             const ReadOptions& options = {});
ReadReport read_nmea_file(const std::string& path, const AisSink& sink, const ReadOptions& options = {});

// Detects the format and reads. Error(input_invalid) when the format is not recognised.
ReadReport read_ais_file(const std::string& path, const AisSink& sink, const ReadOptions& options = {});

struct ImportReport {
  ReadReport read;
  InsertCounts positions;  // inserted / exact duplicates dropped
  InsertCounts statics;
  double seconds = 0;
};

// Reads any supported file into the store in transactions of batch_size rows (memory stays
// bounded by the batch). With strict, a bad row throws: the batches already full stay in the
// store (importing the file again after fixing it adds only what is missing: duplicates are
// dropped), the open one is not written.
ImportReport import_ais_file(const std::string& path, TrackStore& store, const ReadOptions& options = {},
                             std::size_t batch_size = 20000);

// DMA text fields as ITU-R M.1371 codes: "Under way using engine" → 0, ..., "Unknown value" →
// nullopt; ship type "Cargo" → 70 (the group's first code), "Undefined" → nullopt.
std::optional<int> dma_nav_status_code(std::string_view text);
std::optional<int> dma_ship_type_code(std::string_view text);

}  // namespace shipchips::ais
