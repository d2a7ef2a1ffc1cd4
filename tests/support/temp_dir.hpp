#pragma once
// A fresh directory under $TMPDIR (or /tmp) for one test, removed with everything in it when the
// test ends. Tests never share files, so they can run in parallel under ctest -j.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace feedsync::testing {

class TempDir {
 public:
  // `memory`: on a memory file system (/dev/shm) where there is one, for tests that commit
  // hundreds of transactions (an fsync each on disk) in simulated minutes.
  enum class Backing { disk, memory };

  explicit TempDir(Backing backing = Backing::disk) {
    const char* base = std::getenv("TMPDIR");
    std::string root = base && *base ? base : "/tmp";
    std::error_code ec;
    if (backing == Backing::memory && std::filesystem::is_directory("/dev/shm", ec)) root = "/dev/shm";
    std::string pattern = root + "/feedsync-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  // Writes `content` to `name` inside the directory and returns the full path.
  std::filesystem::path write(std::string_view name, std::string_view content) const {
    auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) throw std::runtime_error("cannot write " + file.string());
    return file;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace feedsync::testing
