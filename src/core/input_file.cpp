#include "core/input_file.hpp"

#include "core/error.hpp"

#include <cerrno>
#include <cstring>
#include <sstream>

namespace shipchips {
namespace {

// " (ESA plan KML)" after the message, nothing for a plain "file".
std::string kind(std::string_view what) {
  return what.empty() || what == "file" ? std::string() : " (" + std::string(what) + ")";
}

}  // namespace

void check_input_file(const std::filesystem::path& path, std::string_view what) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found)
    throw Error(ErrorCode::not_found, path.string() + ": no such file" + kind(what));
  if (status.type() == std::filesystem::file_type::directory)
    throw Error(ErrorCode::input_invalid, path.string() + ": is a directory, not a file" + kind(what));
  if (ec) throw Error(ErrorCode::io_error, path.string() + ": cannot read" + kind(what) + ": " + ec.message());
}

std::ifstream open_input_file(const std::filesystem::path& path, std::string_view what) {
  check_input_file(path, what);
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int e = errno;
    throw Error(ErrorCode::io_error, path.string() + ": cannot open" + kind(what) +
                                         (e != 0 ? std::string(": ") + std::strerror(e) : std::string()));
  }
  return in;
}

std::string read_input_file(const std::filesystem::path& path, std::string_view what) {
  std::ifstream in = open_input_file(path, what);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw Error(ErrorCode::io_error, path.string() + ": read failed");
  return buffer.str();
}

}  // namespace shipchips
