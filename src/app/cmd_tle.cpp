// `shipchips tle propagate`: SGP4 positions for the element sets of a TLE file, or with
// --verify Vallado's verification run (SGP4-VER.TLE in, tcppver.out format out; propagation
// errors go to stderr in his "# *** error" form with the satellite number added).
#include "app/command.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "orbit/sgp4.hpp"
#include "orbit/sgp4_verification.hpp"
#include "orbit/tle.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace shipchips::app {
namespace {

class TlePropagateCommand : public Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("--tle", m_tle, "TLE file (two- or three-line sets)")->required();
    sub.add_flag("--verify", m_verify,
                 "Vallado verification run: each line 2 carries start, stop and step minutes; prints "
                 "the tcppver.out format");
    sub.add_option("--start", m_start, "first time, minutes from each set's epoch (default 0)");
    sub.add_option("--stop", m_stop, "last time, minutes from epoch (default 1440)");
    sub.add_option("--step", m_step, "step, minutes (default 60)")->check(positive_number);
    sub.get_option("--verify")
        ->excludes(sub.get_option("--start"))
        ->excludes(sub.get_option("--stop"))
        ->excludes(sub.get_option("--step"));
    sub.parse_complete_callback([this] {
      if (m_stop < m_start) throw CLI::ValidationError("--stop", "must not be before --start");
    });
  }

  int run(const GlobalOptions&) override {
    if (m_verify) return run_verify();
    const std::vector<orbit::Tle> sets = orbit::read_tle_file(m_tle);
    std::printf("# catalog tsince_min time_utc x_km y_km z_km vx_km_s vy_km_s vz_km_s (TEME)\n");
    std::size_t failed = 0;
    for (const orbit::Tle& tle : sets) {
      const orbit::Sgp4Propagator sat(tle);
      const UtcTime epoch = tle.epoch();
      const long steps = static_cast<long>(std::floor((m_stop - m_start) / m_step + 1e-9));
      for (long k = 0; k <= steps; ++k) {
        const double t = m_start + static_cast<double>(k) * m_step;
        orbit::StateVector s;
        const orbit::Sgp4Error e = sat.propagate(t, s);
        if (e != orbit::Sgp4Error::none) {
          std::fprintf(stderr, "%s:%ld: %ld: SGP4 error %d at %.8f min: %s\n", m_tle.c_str(), tle.source_line,
                       tle.catalog_number, static_cast<int>(e), t, orbit::to_string(e));
          ++failed;
          break;
        }
        const auto offset = std::chrono::microseconds(std::llround(t * 60.0e6));
        std::printf("%ld %.8f %s %.8f %.8f %.8f %.9f %.9f %.9f\n", tle.catalog_number, t,
                    format_iso8601(epoch + offset, 6).c_str(), s.r_km[0], s.r_km[1], s.r_km[2], s.v_km_s[0],
                    s.v_km_s[1], s.v_km_s[2]);
      }
    }
    std::fflush(stdout);
    return failed_sets_status(failed, sets.size());
  }

 private:
  int run_verify() {
    const auto cases = orbit::read_verification_cases(m_tle);
    const auto errors = orbit::write_verification_output(cases, std::cout);
    std::cout.flush();
    for (const auto& e : errors) {
      std::fprintf(stderr, "# *** error: satnum %ld t:= %.8f *** code = %3d\n", e.catalog_number, e.tsince_min,
                   static_cast<int>(e.code));
    }
    if (!std::cout) return exit_code_of(ErrorCode::io_error);
    return failed_sets_status(errors.size(), cases.size());
  }

  // Every set is propagated as far as it goes; the exit code still says that some failed.
  int failed_sets_status(std::size_t failed, std::size_t total) const {
    if (failed == 0) return 0;
    std::fprintf(stderr, "shipchips tle propagate: %zu of %zu element sets of %s ended in an SGP4 error\n", failed,
                 total, m_tle.c_str());
    return exit_code_of(ErrorCode::input_invalid);
  }

  std::string m_tle;
  bool m_verify = false;
  double m_start = 0.0;
  double m_stop = 1440.0;
  double m_step = 60.0;
};

RegisterCommand reg{"tle propagate", "SGP4 TEME positions from a TLE file (--verify: Vallado's verification run)",
                    [] { return std::make_unique<TlePropagateCommand>(); }};

}  // namespace
}  // namespace shipchips::app
