#pragma once
// Who holds a lease: "<host>:<pid>:<process start time>". The start time (clock ticks since
// boot, /proc/<pid>/stat field 22) tells a live owner from a dead one whose pid was reused.
// A lease of a process known to be dead on this host is reclaimed at once instead of after
// ops.stuck_job_minutes, so a rerun after kill -9 redoes the killed run's chips immediately;
// owners on other hosts (many workers, PostgreSQL) are judged by their lease expiry alone.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::ops {

// This process's owner id (computed once).
const std::string& this_owner();

struct OwnerId {
  std::string host;
  long pid = 0;
  unsigned long long start_ticks = 0;
};
// nullopt when the text is not in that form.
std::optional<OwnerId> parse_owner(std::string_view owner);

// True only when the owner is on this host and its process is gone (no such pid, or a
// different process now has it). An owner of another host, or of a form not ours, is never
// called dead.
bool owner_is_dead(std::string_view owner);

// The dead ones among `owners`.
std::vector<std::string> dead_owners(const std::vector<std::string>& owners);

}  // namespace shipchips::ops
