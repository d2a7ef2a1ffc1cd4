#include "config/files.hpp"

#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

namespace feedsync::config::detail {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::string errno_text(int error) { return std::generic_category().message(error); }

}  // namespace

FileText read_text_file(const std::filesystem::path& path, std::size_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return {{}, "is a directory, not a file"};

  // stdio rather than ifstream: fopen reliably reports why it failed through errno.
  errno = 0;
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return {{}, errno_text(errno)};

  FileText out;
  char buffer[4096];
  while (true) {
    const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
    out.text.append(buffer, n);
    if (out.text.size() > max_bytes) {
      return {{}, "is larger than " + std::to_string(max_bytes / 1024) + " KiB"};
    }
    if (n < sizeof buffer) break;
  }
  if (std::ferror(file.get())) return {{}, errno_text(errno != 0 ? errno : EIO)};
  return out;
}

bool world_readable(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec) return false;
  return (status.permissions() & std::filesystem::perms::others_read) !=
         std::filesystem::perms::none;
}

}  // namespace feedsync::config::detail
