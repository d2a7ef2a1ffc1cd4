#pragma once
// Reading the configuration file and secret files. Internal to lib/config.

#include <cstddef>
#include <filesystem>
#include <string>

namespace feedsync::config::detail {

struct FileText {
  std::string text;   // valid when error is empty
  std::string error;  // e.g. "No such file or directory"; never contains the file's content
};

// Reads a whole regular file (or anything that reads like one, e.g. a pipe) of at most
// `max_bytes`; the cap keeps a mistaken path such as /dev/zero from hanging start-up.
FileText read_text_file(const std::filesystem::path& path, std::size_t max_bytes);

// Whether every user on the machine may read the file. Group-readable is fine: root:feedsync
// 0640 is the usual way to hand a secret to the service.
bool world_readable(const std::filesystem::path& path);

}  // namespace feedsync::config::detail
