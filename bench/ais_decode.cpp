// NMEA AIS decoding speed, ours against Debian's gpsdecode, side by side in one run.
//
//   ais_decode_bench [FILE] [--sentences N] [--repeat R]
//
// FILE (default: gpsd's sample.aivdm from the reference folder) is replicated, comment and
// blank lines dropped, until it holds N sentences (default 200000), into a temporary file.
// gpsdecode runs as a subprocess: `gpsdecode -j < file > /dev/null`. Ours decodes the same
// lines in process into gpsd-compatible JSON strings (built, not printed), through the same
// path `shipchips ais decode --json` uses. Each side runs R times (default 3); the best time
// counts. Prints sentences/s for both and the ratio.
#include "ais/nmea_json.hpp"
#include "ais/nmea_stream.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double run_gpsdecode(const std::string& path) {
  const std::string cmd = "gpsdecode -j < '" + path + "' > /dev/null";
  const auto t0 = Clock::now();
  const int rc = std::system(cmd.c_str());
  const double s = seconds_since(t0);
  if (rc != 0) {
    std::cerr << "gpsdecode failed (exit " << rc << "); is gpsd-clients installed?\n";
    std::exit(1);
  }
  return s;
}

struct OursResult {
  double seconds = 0;
  long decoded = 0;
  long json_lines = 0;
  std::size_t json_bytes = 0;
};

OursResult run_ours(const std::string& path) {
  // Read the file like the command does (a stream, one line at a time) so both sides pay
  // for I/O.
  const auto t0 = Clock::now();
  std::ifstream in(path, std::ios::binary);
  shipchips::ais::NmeaStreamDecoder decoder;
  shipchips::ais::DecodedAis out;
  std::string line;
  std::string json;
  OursResult r;
  long n = 0;
  while (std::getline(in, line)) {
    if (decoder.feed(line, ++n, out) == shipchips::ais::FeedResult::message) {
      json.clear();
      if (shipchips::ais::append_gpsd_json(out.message, json, "stdin")) {
        ++r.json_lines;
        r.json_bytes += json.size();
      }
    }
  }
  r.seconds = seconds_since(t0);
  r.decoded = decoder.stats().decoded;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string input = std::string(SHIPCHIPS_REFERENCE_DIR) + "/ais/gpsd/sample.aivdm";
  long target = 200000;
  int repeat = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--sentences" && i + 1 < argc) {
      target = std::atol(argv[++i]);
    } else if (a == "--repeat" && i + 1 < argc) {
      repeat = std::atoi(argv[++i]);
    } else if (a == "--help" || a == "-h") {
      std::cout << "usage: ais_decode_bench [FILE] [--sentences N] [--repeat R]\n";
      return 0;
    } else {
      input = a;
    }
  }

  std::ifstream src(input, std::ios::binary);
  if (!src) {
    std::cerr << "cannot read " << input << "\n";
    return 1;
  }
  std::vector<std::string> lines;
  for (std::string l; std::getline(src, l);)
    if (!l.empty() && l[0] != '#') lines.push_back(l);
  if (lines.empty()) {
    std::cerr << input << " has no sentences\n";
    return 1;
  }
  // Whole copies of the file, so multi-sentence messages stay intact.
  char tmpl[] = "/tmp/ais_decode_bench_XXXXXX";
  const int fd = ::mkstemp(tmpl);
  if (fd < 0) {
    std::perror("mkstemp");
    return 1;
  }
  ::close(fd);
  const std::string path = tmpl;
  long sentences = 0;
  {
    std::ofstream out(path, std::ios::binary);
    while (sentences < target)
      for (const auto& l : lines) {
        out << l << '\n';
        ++sentences;
      }
  }

  double best_gpsd = 1e300, best_ours = 1e300;
  OursResult ours;
  for (int r = 0; r < repeat; ++r) {
    best_gpsd = std::min(best_gpsd, run_gpsdecode(path));
    ours = run_ours(path);
    best_ours = std::min(best_ours, ours.seconds);
  }
  ::unlink(path.c_str());

  const double gpsd_rate = sentences / best_gpsd;
  const double ours_rate = sentences / best_ours;
  std::printf("input: %s replicated to %ld sentences\n", input.c_str(), sentences);
  std::printf("gpsdecode -j : %8.3f s  %12.0f sentences/s\n", best_gpsd, gpsd_rate);
  std::printf("shipchips    : %8.3f s  %12.0f sentences/s  (%ld messages decoded, %ld JSON lines, %zu bytes)\n",
              best_ours, ours_rate, ours.decoded, ours.json_lines, ours.json_bytes);
  std::printf("ratio        : %.1fx\n", ours_rate / gpsd_rate);
  return 0;
}
