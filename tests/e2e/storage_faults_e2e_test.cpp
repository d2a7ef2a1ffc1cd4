// Storage faults against the built binaries (issue 21 item 1): the state database's file system
// filling up during an import, turning read-only under the running daemon, a corrupt database at
// start, a write-ahead log deleted while the daemon was stopped, a second daemon on the same
// database. Each: a clear error naming the path and what to do, /readyz not ready (or nothing
// listening, where the daemon cannot start), no CMS write recorded in the state as done that the
// CMS does not hold, and once the fault is removed the daemon converges with no duplicate and no
// lost change (/_sim/check clean), without a restart wherever the process could stay up.
//
// The file-system faults need root (to mount a small tmpfs, or a loop-mounted ext4 image); the
// tests skip with the reason printed otherwise.
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/database.hpp"
#include "support/eventually.hpp"
#include "support/process.hpp"
#include "support/sim_process.hpp"
#include "support/temp_dir.hpp"

namespace feedsync {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kFeed = "simfeed0000000000000000000000001";

// Set by the fixture: reads what the daemon wrote so far, so its stderr pipe never fills.
std::function<void()> drain_daemon_output;

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  return testing::eventually(condition, timeout, drain_daemon_output);
}

// A shell command for the test's own set-up (mkfs, mount, fsck); its exit status.
int shell(const std::string& command) {
  const int raw = std::system(("{ " + command + "; } >/dev/null 2>&1").c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

// A tmpfs of a given size at `dir` (root only).
class SmallTmpfs {
 public:
  SmallTmpfs(fs::path dir, const std::string& size) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0) mounted_ = true;
    else error_ = std::strerror(errno);
  }
  ~SmallTmpfs() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  fs::path dir_;
  bool mounted_ = false;
  std::string error_;
};

// An ext4 image loop-mounted at `dir` with errors=remount-ro (root only). A file system cannot be
// remounted read-only while a process has files open on it for writing (EBUSY), which the daemon
// always has; what turns it read-only under a running process is the kernel, after an error.
// fail() raises such an error (ext4's trigger_fs_error); the file system stays read-only until it
// is unmounted, checked and mounted again (repair()).
class LoopExt4 {
 public:
  LoopExt4(fs::path image, fs::path dir) : image_(std::move(image)), dir_(std::move(dir)) {
    fs::create_directories(dir_);
    if (shell("command -v mkfs.ext4 && command -v e2fsck && command -v losetup") != 0) {
      error_ = "mkfs.ext4, e2fsck or losetup is not installed";
      return;
    }
    if (shell("truncate -s 32M " + image_.string() + " && mkfs.ext4 -q -F " + image_.string()) != 0) {
      error_ = "mkfs.ext4 failed";
      return;
    }
    mount_image();
  }
  ~LoopExt4() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

  // The kernel's answer to an I/O error on an errors=remount-ro file system.
  bool fail() {
    const fs::path trigger = "/sys/fs/ext4/" + device_ + "/trigger_fs_error";
    std::ofstream out(trigger);
    out << "feedsync storage fault test\n";
    out.flush();
    if (!out) return false;
    return eventually([&] { return !writable(); }, 10s);
  }
  bool writable() const {
    const fs::path probe = dir_ / ".probe";
    std::ofstream out(probe);
    const bool ok = static_cast<bool>(out << "x");
    out.close();
    std::error_code ec;
    fs::remove(probe, ec);
    return ok && !ec;
  }
  // What an operator does: unmount, e2fsck, mount again.
  bool repair() {
    if (::umount2(dir_.c_str(), 0) != 0) return false;
    mounted_ = false;
    const int fsck = shell("e2fsck -f -y " + image_.string());
    if (fsck != 0 && fsck != 1) return false;  // 1: errors corrected
    return mount_image();
  }

 private:
  bool mount_image() {
    if (shell("mount -o loop,errors=remount-ro " + image_.string() + " " + dir_.string()) != 0) {
      error_ = "mount -o loop failed (no loop devices in this container?)";
      return false;
    }
    mounted_ = true;
    // The loop device's name, for its sysfs directory: the source of our mount point.
    std::ifstream mounts("/proc/self/mounts");
    std::string source, target, rest;
    while (mounts >> source >> target && std::getline(mounts, rest)) {
      if (target == dir_.string()) device_ = fs::path(source).filename().string();
    }
    return !device_.empty();
  }
  fs::path image_;
  fs::path dir_;
  bool mounted_ = false;
  std::string device_;
  std::string error_;
};

class StorageFaultsE2E : public ::testing::Test {
 protected:
  StorageFaultsE2E() {
    drain_daemon_output = [this] {
      if (daemon_) daemon_->drain();
    };
  }
  ~StorageFaultsE2E() override { drain_daemon_output = nullptr; }

  std::map<std::string, std::string> environment() const {
    return {{"SIM_URL", sim_->base_url()}, {"FEEDSYNC_STATE", state_.string()}, {"CMS_CLIENT_SECRET", "sim-secret"}};
  }
  void write_config(const std::string& text = testing::demo_config()) { config_ = dir_.write("feedsync.yaml", text); }
  std::vector<std::string> run_args() const { return {"run", "--config", config_.string()}; }
  void start_daemon() {
    if (config_.empty()) write_config();
    daemon_.emplace(FEEDSYNC_DAEMON_BIN, run_args(), environment());
    ASSERT_TRUE(daemon_->wait_for_stderr("http=127.0.0.1:", 30s)) << daemon_->stderr_text();
    std::smatch m;
    const auto err = daemon_->stderr_text();
    ASSERT_TRUE(std::regex_search(err, m, std::regex("http=127\\.0\\.0\\.1:([0-9]+)")));
    ops_ = "http://127.0.0.1:" + m[1].str();
  }
  testing::ProcessResult stop() {
    daemon_->signal(SIGTERM);
    auto result = daemon_->wait(30s);
    EXPECT_EQ(result.exit_status, 0) << result.err;
    return result;
  }
  // A daemon that must refuse to start: its exit status and output.
  testing::ProcessResult refused_start() {
    return testing::run_process(FEEDSYNC_DAEMON_BIN, run_args(), environment(), 30s);
  }

  boost::json::object check() const {
    const auto reply = sim_->get("/_sim/check?property=Heading&field=title");
    if (reply.status != 200) throw std::runtime_error("/_sim/check: " + std::to_string(reply.status) + " " + reply.body);
    return reply.json().as_object();
  }
  std::int64_t cms_items() const { return check().at("counts").at("cms_items").to_number<std::int64_t>(); }
  // Every live article in the CMS once, each with its current title, nothing stale.
  bool converges(std::int64_t items, std::chrono::milliseconds timeout = 90s) const {
    return eventually([&] {
      const auto report = check();
      return report.at("ok").as_bool() && report.at("counts").at("cms_items").to_number<std::int64_t>() == items;
    }, timeout);
  }
  testing::HttpReply readyz() const { return testing::http_request("GET", ops_ + "/readyz?verbose"); }
  testing::HttpReply livez() const { return testing::http_request("GET", ops_ + "/livez"); }
  void publish(int count, int seed) const {
    const auto reply = sim_->post(std::string("/_sim/feeds/") + kFeed + "/generate",
                                  R"({"count":)" + std::to_string(count) + R"(,"seed":)" + std::to_string(seed) + "}");
    ASSERT_EQ(reply.status, 201) << reply.body;
  }

  // "No CMS write recorded as done that is not": every article the state database says was
  // written (a CMS version recorded) is an item in the CMS holding that version. Read with a
  // plain connection (no schema work, no lock), so it works next to a daemon and on a full disk.
  void expect_recorded_writes_are_in_the_cms() const {
    std::map<std::string, std::set<std::string>> versions;  // content key -> its versions
    const auto reply = sim_->get("/_sim/cms/items");
    ASSERT_EQ(reply.status, 200) << reply.body;
    const auto items = reply.json();  // kept: the loop iterates into it
    for (const auto& item : items.as_array()) {
      auto& of_item = versions[std::string(item.at("key").as_string())];
      for (const auto& v : item.at("versions").as_array()) {
        of_item.insert(v.at("version").is_string() ? std::string(v.at("version").as_string())
                                                   : boost::json::serialize(v.at("version")));
      }
    }
    store::Database db(state_);
    store::Statement st(db, "SELECT guid, cms_key, cms_version FROM articles WHERE cms_version IS NOT NULL");
    std::size_t recorded = 0;
    while (st.step()) {
      ++recorded;
      const auto guid = st.text(0), key = st.text(1), version = st.text(2);
      ASSERT_TRUE(versions.contains(key)) << "article " << guid << " is recorded as written to CMS item " << key
                                          << " (version " << version << "), which the CMS does not have";
      EXPECT_TRUE(versions[key].contains(version))
          << "article " << guid << " is recorded as CMS version " << version << " of " << key
          << ", which the CMS does not have";
    }
    std::cerr << recorded << " writes recorded in the state database, each found in the CMS\n";
  }

  testing::TempDir dir_;
  fs::path state_ = dir_ / "state.db";
  std::optional<testing::SimProcess> sim_;
  fs::path config_;
  std::optional<testing::Process> daemon_;
  std::string ops_;
};

// Fills the file system holding `dir` with one file until the next write fails with ENOSPC.
bool fill_up(const fs::path& file) {
  std::FILE* out = std::fopen(file.c_str(), "wb");
  if (out == nullptr) return false;
  const std::string block(64 * 1024, 'f');
  while (std::fwrite(block.data(), 1, block.size(), out) == block.size()) {
  }
  const bool full = errno == ENOSPC;
  std::fclose(out);
  return full;
}

// The state database's file system fills up in the middle of an import of 1,000 articles (a
// tmpfs filled by another file). The daemon stays up and keeps trying (the poller and the relay
// used to stop for good), /readyz and the log say the disk is full and where, and once there is
// room again everything lands, without a restart and without a duplicate.
TEST_F(StorageFaultsE2E, ADiskFullDuringAnImportIsReportedAndSurvived) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs for the state database";
  SmallTmpfs disk(dir_ / "small", "64m");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << disk.error();
  state_ = dir_ / "small" / "state.db";
  std::string config = testing::demo_config();
  config.replace(config.find("engine:\n"), 8, "engine:\n  max_poll_backoff: 2s\n  max_retry_backoff: 2s\n");
  config.replace(config.find("max_in_flight: 64"), 17, "max_in_flight: 4");
  write_config(config);
  sim_.emplace(std::vector<std::string>{"--generate", "1000", "--seed", "38"});
  // Slow CMS writes: the import takes long enough for the disk to fill in the middle of it.
  ASSERT_EQ(sim_->post("/_sim/faults", R"({"api":"cms","action":"delay","delay_ms":20})").status, 201);
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_TRUE(eventually([&] { return cms_items() >= 50; }, 60s)) << boost::json::serialize(check());
  ASSERT_TRUE(fill_up(dir_ / "small" / "filler"));
  // New articles keep coming: recording them needs pages the file system no longer has (what
  // fits in the database's free pages and the write-ahead log's old frames still commits).
  publish(1500, 39);

  // The store check fails once writes have failed for 10 s (the feed's own check may fail first).
  ASSERT_TRUE(eventually([&] { return readyz().body.find("cannot write the state database") != std::string::npos; }, 90s))
      << readyz().body << cms_items() << "\n" << daemon_->stderr_text();
  const auto reply = readyz();
  EXPECT_EQ(reply.status, 503);
  EXPECT_THAT(reply.body, HasSubstr("cannot write the state database " + state_.string()));
  EXPECT_THAT(reply.body, HasSubstr("is full: free some disk space"));
  EXPECT_EQ(livez().status, 200);
  EXPECT_THAT(daemon_->stderr_text(), HasSubstr("state database " + state_.string()));
  EXPECT_THAT(daemon_->stderr_text(), HasSubstr("the file system holding " + (dir_ / "small").string() + " is full"));
  EXPECT_LT(cms_items(), 2500);
  ASSERT_NO_FATAL_FAILURE(expect_recorded_writes_are_in_the_cms());

  fs::remove(dir_ / "small" / "filler");  // the operator frees space; no restart
  ASSERT_EQ(sim_->del("/_sim/faults").status, 204);
  EXPECT_TRUE(converges(2500, 180s)) << boost::json::serialize(check());
  EXPECT_TRUE(eventually([&] { return readyz().status == 200; }, 30s)) << readyz().body;
  const auto result = stop();
  EXPECT_THAT(result.err, Not(HasSubstr("outbox relay stopped")));
  EXPECT_THAT(result.err, Not(HasSubstr("dead-lettered")));
  expect_recorded_writes_are_in_the_cms();
}

// The state directory's file system turns read-only under the running daemon (ext4 remounts
// itself read-only after an error). The daemon stays up, /readyz and the log name the path and
// say it is read-only; nothing is recorded as written that was not. The kernel keeps the file
// system read-only until it is unmounted, so the fix is the operator's: stop, fsck, mount,
// start; then everything published meanwhile lands once, nothing is lost.
TEST_F(StorageFaultsE2E, AStateDirectoryTurningReadOnlyIsReportedAndRecovered) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to loop-mount an ext4 image for the state database";
  LoopExt4 disk(dir_ / "state.img", dir_ / "ext4");
  if (!disk.mounted()) GTEST_SKIP() << "cannot loop-mount an ext4 image here: " << disk.error();
  state_ = dir_ / "ext4" / "state.db";
  std::string config = testing::demo_config();
  config.replace(config.find("engine:\n"), 8, "engine:\n  max_poll_backoff: 2s\n");
  write_config(config);
  sim_.emplace(std::vector<std::string>{"--generate", "20", "--seed", "41"});
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_TRUE(converges(20)) << boost::json::serialize(check());

  ASSERT_TRUE(disk.fail()) << "the file system did not turn read-only";
  publish(10, 42);
  ASSERT_TRUE(eventually([&] { return readyz().body.find("cannot write the state database") != std::string::npos; }, 60s))
      << readyz().body;
  EXPECT_EQ(readyz().status, 503);
  const auto reply = readyz();
  EXPECT_THAT(reply.body, HasSubstr("cannot write the state database " + state_.string()));
  EXPECT_THAT(reply.body, HasSubstr("the file system holding " + (dir_ / "ext4").string() + " is read-only"));
  EXPECT_EQ(livez().status, 200);
  EXPECT_THAT(daemon_->stderr_text(), HasSubstr("is read-only"));
  EXPECT_TRUE(check().at("ok").as_bool() == false);  // the 10 new articles wait

  stop();  // a clean stop even so
  ASSERT_TRUE(disk.repair());
  ASSERT_NO_FATAL_FAILURE(expect_recorded_writes_are_in_the_cms());
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  EXPECT_TRUE(converges(30)) << boost::json::serialize(check());
  EXPECT_TRUE(eventually([&] { return readyz().status == 200; }, 30s)) << readyz().body;
  stop();
  expect_recorded_writes_are_in_the_cms();
}

// Overwrites every page of the database but the first (the schema) with bytes no b-tree page
// starts with: the file opens, PRAGMA quick_check fails.
void corrupt(const fs::path& database) {
  std::fstream file(database, std::ios::in | std::ios::out | std::ios::binary);
  char header[100] = {};
  file.read(header, sizeof header);
  // The page size: big-endian at offset 16 (1 means 65536).
  std::size_t page = (static_cast<unsigned char>(header[16]) << 8) | static_cast<unsigned char>(header[17]);
  if (page == 1) page = 65536;
  const auto size = fs::file_size(database);
  ASSERT_GT(size, 2 * page) << database;
  const std::string junk(page, '\x5a');
  for (std::size_t at = page; at + page <= size; at += page) {
    file.seekp(static_cast<std::streamoff>(at));
    file.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  ASSERT_TRUE(file.good());
}

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A corrupt database at start is refused with the path, the quick_check finding and the
// recovery steps, and is never recreated; restoring the `feedsyncd backup` made earlier brings
// the daemon back, and what happened after the backup is redone without a duplicate.
TEST_F(StorageFaultsE2E, ACorruptDatabaseIsRefusedNotRecreatedAndABackupRestores) {
  sim_.emplace(std::vector<std::string>{"--generate", "10", "--seed", "43"});
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_TRUE(converges(10)) << boost::json::serialize(check());
  const auto backup_file = dir_ / "backup.db";
  const auto backup = testing::run_process(FEEDSYNC_DAEMON_BIN, {"backup", "--config", config_.string(), backup_file.string()},
                                           environment(), 30s);
  ASSERT_EQ(backup.exit_status, 0) << backup.out << backup.err;
  publish(5, 44);
  ASSERT_TRUE(converges(15)) << boost::json::serialize(check());
  stop();

  ASSERT_NO_FATAL_FAILURE(corrupt(state_));
  const auto damaged = file_bytes(state_);
  const auto refused = refused_start();
  EXPECT_EQ(refused.exit_status, 1) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("state database " + state_.string() + " is corrupt"));
  EXPECT_THAT(refused.err, HasSubstr("quick_check"));
  EXPECT_THAT(refused.err, HasSubstr("Restore a backup made with `feedsyncd backup`"));
  EXPECT_THAT(refused.err, Not(HasSubstr("http=127.0.0.1:")));  // never listened, never ready
  EXPECT_EQ(file_bytes(state_), damaged) << "the corrupt database was changed";
  EXPECT_EQ(refused_start().exit_status, 1);  // and again: never silently recreated

  // The operator restores the backup (docs/operations.md).
  fs::remove(state_.string() + "-wal");
  fs::remove(state_.string() + "-shm");
  fs::copy_file(backup_file, state_, fs::copy_options::overwrite_existing);
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  EXPECT_TRUE(converges(15)) << boost::json::serialize(check());
  EXPECT_TRUE(eventually([&] { return readyz().status == 200; }, 30s)) << readyz().body;
  stop();
  expect_recorded_writes_are_in_the_cms();
}

// The daemon is killed mid-import and its write-ahead log deleted while it is stopped: the
// changes committed since the last checkpoint are gone. The next start says so (path, what was
// lost, what to do), and the daemon redoes the lost work from the feeds: the items it had
// already written are found again (deterministic content keys), none twice.
TEST_F(StorageFaultsE2E, AWriteAheadLogDeletedWhileStoppedIsReportedAndRedone) {
  sim_.emplace(std::vector<std::string>{"--generate", "300", "--seed", "45"});
  std::string config = testing::demo_config();
  config.replace(config.find("max_in_flight: 64"), 17, "max_in_flight: 4");
  write_config(config);
  ASSERT_EQ(sim_->post("/_sim/faults", R"({"api":"cms","action":"delay","delay_ms":10})").status, 201);
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_TRUE(eventually([&] { return cms_items() >= 30; }, 60s)) << boost::json::serialize(check());
  daemon_->signal(SIGKILL);
  ASSERT_EQ(daemon_->wait(10s).exit_status, 128 + SIGKILL);
  const fs::path wal = state_.string() + "-wal";
  ASSERT_TRUE(fs::exists(wal));
  ASSERT_GT(fs::file_size(wal), 0u);
  const auto written_before = cms_items();
  fs::remove(wal);
  ASSERT_EQ(sim_->del("/_sim/faults").status, 204);
  publish(5, 46);  // and the feed moves on meanwhile

  ASSERT_NO_FATAL_FAILURE(start_daemon());
  EXPECT_THAT(daemon_->stderr_text(), HasSubstr("state database " + state_.string()));
  EXPECT_THAT(daemon_->stderr_text(), HasSubstr(wal.string() + " is missing after an unclean stop"));
  EXPECT_TRUE(converges(305)) << boost::json::serialize(check());
  EXPECT_TRUE(eventually([&] { return readyz().status == 200; }, 30s)) << readyz().body;
  const auto result = stop();
  std::cerr << written_before << " items were in the CMS when the log was deleted\n";
  EXPECT_THAT(result.err, Not(HasSubstr("dead-lettered")));
  expect_recorded_writes_are_in_the_cms();
}

// A second daemon on the same state database refuses to start, naming the path, the first
// daemon's pid and what to do; the first one carries on undisturbed.
TEST_F(StorageFaultsE2E, ASecondDaemonOnTheSameDatabaseIsRefused) {
  sim_.emplace(std::vector<std::string>{"--generate", "5", "--seed", "47"});
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_TRUE(converges(5)) << boost::json::serialize(check());

  const auto second = refused_start();
  EXPECT_EQ(second.exit_status, 1) << second.err;
  EXPECT_THAT(second.err, HasSubstr("state database " + state_.string() + " is in use by another feedsyncd (pid " +
                                    std::to_string(daemon_->pid()) + ")"));
  EXPECT_THAT(second.err, HasSubstr("stop it first or point state.path elsewhere"));
  EXPECT_THAT(second.err, Not(HasSubstr("http=127.0.0.1:")));  // never listened, never ready
  // Through another path to the same directory too: the lock is on the file, not the name.
  const auto link = dir_ / "link";
  fs::create_directory_symlink(dir_.path(), link);
  const auto through_link = testing::run_process(
      FEEDSYNC_DAEMON_BIN, run_args(),
      {{"SIM_URL", sim_->base_url()}, {"FEEDSYNC_STATE", (link / "state.db").string()}, {"CMS_CLIENT_SECRET", "sim-secret"}},
      30s);
  EXPECT_EQ(through_link.exit_status, 1) << through_link.err;
  EXPECT_THAT(through_link.err, HasSubstr("is in use by another feedsyncd"));

  publish(5, 48);
  EXPECT_TRUE(converges(10)) << boost::json::serialize(check());
  EXPECT_EQ(readyz().status, 200) << readyz().body;
  stop();
  expect_recorded_writes_are_in_the_cms();
}

}  // namespace
}  // namespace feedsync
