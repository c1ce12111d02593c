#include "ais/nmea_assembler.hpp"

#include "ais/nmea_bits.hpp"

#include <algorithm>
#include <chrono>

namespace shipchips::ais {

namespace {

// Longest payload in characters: 1008 bits plus up to 5 fill bits.
constexpr std::size_t max_payload_chars = (AisBits::max_bits + 5) / 6;

void fill_message(NmeaMessage& out, const NmeaSentence& s, long line) {
  out.fill_bits = s.fill_bits;
  out.talker[0] = s.talker.size() > 0 ? s.talker[0] : '\0';
  out.talker[1] = s.talker.size() > 1 ? s.talker[1] : '\0';
  out.talker[2] = '\0';
  out.own_ship = s.formatter == "VDO";
  out.channel = s.channel;
  out.sequence_id = s.sequence_id;
  out.fragments = s.fragment_count;
  out.last_line = line;
}

}  // namespace

NmeaAssembler::NmeaAssembler(AssemblerOptions options) : m_options(options) {
  m_pending.reserve(m_options.max_pending);
}

std::vector<NmeaAssembler::Group>::iterator NmeaAssembler::find(const NmeaSentence& s) {
  const bool own = s.formatter == "VDO";
  return std::find_if(m_pending.begin(), m_pending.end(), [&](const Group& g) {
    return g.sequence_id == s.sequence_id && g.channel == s.channel && g.own_ship == own &&
           g.talker[0] == s.talker[0] && g.talker[1] == s.talker[1];
  });
}

void NmeaAssembler::expire(long line, const std::optional<UtcTime>& now) {
  const auto max_age = std::chrono::microseconds{static_cast<long long>(m_options.max_age_s * 1e6)};
  const auto before = m_pending.size();
  std::erase_if(m_pending, [&](const Group& g) {
    if (line - g.first_line > m_options.max_line_gap) return true;
    return now && g.time && (*now - *g.time > max_age || *g.time - *now > max_age);
  });
  m_stats.dropped_groups += static_cast<long>(before - m_pending.size());
}

bool NmeaAssembler::add(const NmeaSentence& s, long line, NmeaMessage& out) {
  if (!m_pending.empty()) expire(line, s.time);

  if (s.fragment_count == 1) {
    // The common case: no group bookkeeping at all.
    if (s.payload.size() > max_payload_chars) {
      ++m_stats.oversized;
      return false;
    }
    out.payload.assign(s.payload.data(), s.payload.size());
    fill_message(out, s, line);
    out.time = s.time;
    out.station.assign(s.station.data(), s.station.size());
    out.first_line = line;
    ++m_stats.completed;
    return true;
  }

  auto it = find(s);
  if (s.fragment_number == 1) {
    // A new first fragment replaces an unfinished group with the same key.
    if (it != m_pending.end()) {
      m_pending.erase(it);
      ++m_stats.dropped_groups;
    }
    if (m_pending.size() >= m_options.max_pending) {
      m_pending.erase(m_pending.begin());  // oldest first: groups are appended in arrival order
      ++m_stats.dropped_groups;
    }
    Group g;
    g.talker[0] = s.talker[0];
    g.talker[1] = s.talker[1];
    g.own_ship = s.formatter == "VDO";
    g.channel = s.channel;
    g.sequence_id = s.sequence_id;
    g.fragment_count = s.fragment_count;
    g.next_fragment = 2;
    g.first_line = line;
    g.time = s.time;
    g.station.assign(s.station.data(), s.station.size());
    g.payload.assign(s.payload.data(), s.payload.size());
    m_pending.push_back(std::move(g));
    return false;
  }

  if (it == m_pending.end()) {
    ++m_stats.orphan_fragments;
    return false;
  }
  if (it->fragment_count != s.fragment_count || it->next_fragment != s.fragment_number) {
    // Out of order, repeated or from a different message: the group cannot be trusted.
    m_pending.erase(it);
    ++m_stats.dropped_groups;
    ++m_stats.orphan_fragments;
    return false;
  }
  it->payload.append(s.payload.data(), s.payload.size());
  if (!it->time) it->time = s.time;
  if (it->station.empty()) it->station.assign(s.station.data(), s.station.size());
  if (it->payload.size() > max_payload_chars) {
    m_pending.erase(it);
    ++m_stats.oversized;
    return false;
  }
  if (s.fragment_number < s.fragment_count) {
    ++it->next_fragment;
    return false;
  }
  out.payload.swap(it->payload);
  fill_message(out, s, line);
  out.time = it->time;
  out.station.swap(it->station);
  out.first_line = it->first_line;
  m_pending.erase(it);
  ++m_stats.completed;
  return true;
}

std::size_t NmeaAssembler::flush() {
  const std::size_t n = m_pending.size();
  m_stats.dropped_groups += static_cast<long>(n);
  m_pending.clear();
  return n;
}

}  // namespace shipchips::ais
