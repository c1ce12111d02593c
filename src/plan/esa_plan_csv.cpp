#include "plan/esa_plan_csv.hpp"

namespace shipchips::plan {

std::vector<OverpassWindow> read_esa_plan_csv(const std::filesystem::path& path) {
  std::vector<OverpassWindow> windows = read_schedule(path);
  for (auto& w : windows) w.source = "esa_plan";
  return windows;
}

}  // namespace shipchips::plan
