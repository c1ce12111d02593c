#pragma once
// Multi-sentence reassembly. A message longer than one sentence arrives as fragments 1..n
// sharing a sequence id; fragments of different messages interleave across channels and
// talkers. Groups are keyed by (talker, channel, sequence id); memory is bounded: at most
// `max_pending` open groups, each dropped (and counted) when it does not complete within
// `max_line_gap` lines or `max_age_s` seconds of receiver time.

#include "ais/nmea_sentence.hpp"
#include "core/time.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace shipchips::ais {

struct AssemblerOptions {
  std::size_t max_pending = 32;  // open multi-sentence groups kept at once
  long max_line_gap = 200;       // lines between a group's first and last fragment
  double max_age_s = 120.0;      // receiver-time span of a group, when sentences carry times
};

// A complete message: the armoured payload of all fragments, in order.
struct NmeaMessage {
  std::string payload;
  int fill_bits = 0;  // of the last fragment
  char talker[3] = {'\0', '\0', '\0'};
  bool own_ship = false;  // VDO
  char channel = '\0';
  int sequence_id = -1;
  int fragments = 1;
  std::optional<UtcTime> time;  // first time found among the fragments
  std::string station;
  long first_line = 0;
  long last_line = 0;
};

struct AssemblerStats {
  long completed = 0;         // messages returned
  long dropped_groups = 0;    // incomplete groups dropped (restart, timeout, eviction, mismatch)
  long orphan_fragments = 0;  // fragments 2..n that matched no open group
  long oversized = 0;         // groups longer than the longest AIS message
};

class NmeaAssembler {
 public:
  explicit NmeaAssembler(AssemblerOptions options = {});

  // Adds one sentence read at `line`. Returns true when it completes a message, which is
  // then in `out` (its buffers are reused between calls, so keep `out` alive for speed).
  bool add(const NmeaSentence& sentence, long line, NmeaMessage& out);

  // Drops every open group (end of input), counting them as incomplete; returns how many.
  std::size_t flush();

  std::size_t pending() const noexcept { return m_pending.size(); }
  const AssemblerStats& stats() const noexcept { return m_stats; }

 private:
  struct Group {
    char talker[2];
    bool own_ship;
    char channel;
    int sequence_id;
    int fragment_count;
    int next_fragment;
    long first_line;
    std::optional<UtcTime> time;
    std::string station;
    std::string payload;
  };
  void expire(long line, const std::optional<UtcTime>& now);
  std::vector<Group>::iterator find(const NmeaSentence& s);

  AssemblerOptions m_options;
  std::vector<Group> m_pending;
  AssemblerStats m_stats;
};

}  // namespace shipchips::ais
