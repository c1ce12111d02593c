#pragma once
// GDAL reports failures through a per-thread error handler, not return values with causes.
// GdalErrorCapture collects what GDAL says during one operation (instead of printing it to
// stderr) so the failure can be turned into a shipchips::Error with the right category.

#include "core/error.hpp"

#include <string>
#include <string_view>

namespace shipchips::raster {

class GdalErrorCapture {
 public:
  GdalErrorCapture();  // pushes a handler on this thread's GDAL error stack
  GdalErrorCapture(const GdalErrorCapture&) = delete;
  GdalErrorCapture& operator=(const GdalErrorCapture&) = delete;
  ~GdalErrorCapture();  // pops it

  // Every CE_Failure/CE_Fatal message so far, joined by "; " ("" if none).
  const std::string& messages() const { return m_messages; }
  int last_error_number() const { return m_last_number; }

 private:
  static void handler(int error_class, int error_number, const char* message);
  std::string m_messages;
  int m_last_number = 0;
};

// Sends what GDAL reports outside any GdalErrorCapture (on any thread) to the log: failures as
// warnings, the rest as debug lines, each "GDAL: message", instead of GDAL's default handler
// printing "ERROR 1: ..." on stderr beside the one error line of a command. Code that calls
// GDAL without a capture still checks the result and raises its own error; this only keeps the
// raw text off stderr. Process-wide (CPLSetErrorHandler); called by configure_gdal_for_cogs.
void route_gdal_messages_to_log();

// The error code of a GDAL failure from its messages: HTTP 5xx/429, timeouts and connection
// failures → network_transient; 404 or a missing file → not_found; an unreadable or undecodable
// file → contract_violation; anything else on a remote file → network_transient, on a local
// file → io_error.
ErrorCode classify_gdal_failure(std::string_view messages, int error_number, bool remote);

}  // namespace shipchips::raster
