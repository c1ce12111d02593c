#pragma once
// Files the user names as input (AIS files, element sets, ESA plans, config-named files): one
// check, so a missing file, a directory or an unreadable file reads the same from every reader
// and names the path: "plan.kml: is a directory, not a file (ESA plan KML)".

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace shipchips {

// Throws Error naming the path when `path` cannot be read as a file: not_found when it does
// not exist, input_invalid when it is a directory. `what` names the kind of file in the
// message ("file", "TLE file", "ESA plan KML"). Devices and pipes (/dev/stdin) pass.
void check_input_file(const std::filesystem::path& path, std::string_view what = "file");

// check_input_file(), then opens for binary reading; a failure to open (permissions) is
// io_error with the reason.
std::ifstream open_input_file(const std::filesystem::path& path, std::string_view what = "file");

// The whole content, with the same checks; a read failure is io_error.
std::string read_input_file(const std::filesystem::path& path, std::string_view what = "file");

}  // namespace shipchips
