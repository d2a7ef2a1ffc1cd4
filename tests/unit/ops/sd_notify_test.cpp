#include "ops/sd_notify.hpp"

#include <time.h>
#include <unistd.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "log/log.hpp"
#include "support/temp_dir.hpp"
#include "unit/ops/fake_systemd.hpp"

namespace feedsync::ops {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using testing::FakeSystemd;

config::Environment env(std::map<std::string, std::string> vars) {
  return {[vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  }};
}

unsigned long long monotonic_usec_now() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<unsigned long long>(now.tv_sec) * 1'000'000ULL +
         static_cast<unsigned long long>(now.tv_nsec) / 1'000ULL;
}

// Captures warnings for one test, then puts the logger back on stderr.
class LogCapture {
 public:
  LogCapture() { log::configure({.level = log::Level::warn, .format = log::Format::text}, &out_); }
  ~LogCapture() { log::configure({}); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

int count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

// The whole life of a daemon, in order: each call is exactly one datagram.
void expect_lifecycle(FakeSystemd& systemd) {
  SdNotifier notifier(env({{"NOTIFY_SOCKET", systemd.notify_socket()}}));
  ASSERT_TRUE(notifier.enabled());
  notifier.ready();
  notifier.status("syncing 3 feeds");
  notifier.watchdog();
  auto before = monotonic_usec_now();
  notifier.reloading();
  auto after = monotonic_usec_now();
  notifier.ready();
  notifier.stopping();

  auto got = systemd.drain();
  ASSERT_THAT(got, ElementsAre("READY=1", "STATUS=syncing 3 feeds", "WATCHDOG=1",
                               MatchesRegex("RELOADING=1\nMONOTONIC_USEC=[0-9]+"), "READY=1",
                               "STOPPING=1"));
  auto usec = std::stoull(got[3].substr(got[3].find('=', 12) + 1));
  EXPECT_GE(usec, before);
  EXPECT_LE(usec, after);
}

TEST(SdNotifierTest, PathSocketGetsOneDatagramPerCallInOrder) {
  feedsync::testing::TempDir dir;
  FakeSystemd systemd((dir / "notify").string());
  expect_lifecycle(systemd);
}

TEST(SdNotifierTest, AbstractSocketGetsOneDatagramPerCallInOrder) {
  // Also proves the address length: a name padded with NULs would be another socket.
  FakeSystemd systemd(FakeSystemd::unique_abstract_name());
  expect_lifecycle(systemd);
}

TEST(SdNotifierTest, GenericSendIsOneDatagram) {
  FakeSystemd systemd(FakeSystemd::unique_abstract_name());
  SdNotifier notifier(env({{"NOTIFY_SOCKET", systemd.notify_socket()}}));
  EXPECT_TRUE(notifier.send("EXTEND_TIMEOUT_USEC=5000000\nSTATUS=draining"));
  EXPECT_THAT(systemd.drain(), ElementsAre("EXTEND_TIMEOUT_USEC=5000000\nSTATUS=draining"));
}

TEST(SdNotifierTest, WithoutNotifySocketEveryCallIsANoOp) {
  for (auto vars : {std::map<std::string, std::string>{},
                    std::map<std::string, std::string>{{"NOTIFY_SOCKET", ""}}}) {
    LogCapture log;
    SdNotifier notifier(env(vars));
    EXPECT_FALSE(notifier.enabled());
    notifier.ready();
    notifier.status("x");
    notifier.watchdog();
    notifier.reloading();
    notifier.stopping();
    EXPECT_FALSE(notifier.send("READY=1"));
    EXPECT_EQ(log.text(), "");  // not under systemd is normal, not worth a warning
  }
}

TEST(SdNotifierTest, UnusableNotifySocketDisablesWithAWarning) {
  for (const std::string& value : std::vector<std::string>{"relative/notify", "@", "/", "vsock:2:1234",
                            "/" + std::string(200, 'a'), "@" + std::string(200, 'a')}) {
    LogCapture log;
    SdNotifier notifier(env({{"NOTIFY_SOCKET", value}}));
    EXPECT_FALSE(notifier.enabled()) << value;
    EXPECT_FALSE(notifier.send("READY=1"));
    EXPECT_THAT(log.text(), HasSubstr("NOTIFY_SOCKET is not usable")) << value;
  }
}

TEST(SdNotifierTest, StatusBecomesOneLine) {
  FakeSystemd systemd(FakeSystemd::unique_abstract_name());
  SdNotifier notifier(env({{"NOTIFY_SOCKET", systemd.notify_socket()}}));
  notifier.status("feed blog failing:\nHTTP 503\r\n\tretrying");
  EXPECT_THAT(systemd.drain(), ElementsAre("STATUS=feed blog failing: HTTP 503   retrying"));
}

TEST(SdNotifierTest, StatusIsCappedWithoutSplittingACharacter) {
  FakeSystemd systemd(FakeSystemd::unique_abstract_name());
  SdNotifier notifier(env({{"NOTIFY_SOCKET", systemd.notify_socket()}}));
  constexpr auto kMax = SdNotifier::kMaxStatusBytes;
  notifier.status(std::string(kMax + 50, 'x'));
  // "é" is two bytes and straddles the cap: it goes as a whole.
  notifier.status(std::string(kMax - 1, 'y') + "\xC3\xA9" + "zzz");
  // Ending exactly at the cap, it stays.
  notifier.status(std::string(kMax - 2, 'w') + "\xC3\xA9" + "zzz");
  EXPECT_THAT(systemd.drain(),
              ElementsAre("STATUS=" + std::string(kMax, 'x'), "STATUS=" + std::string(kMax - 1, 'y'),
                          "STATUS=" + std::string(kMax - 2, 'w') + "\xC3\xA9"));
}

TEST(SdNotifierTest, MissingSocketNeverThrowsAndWarnsOnce) {
  feedsync::testing::TempDir dir;
  for (std::string socket : {(dir / "no-such-socket").string(), FakeSystemd::unique_abstract_name()}) {
    LogCapture log;
    SdNotifier notifier(env({{"NOTIFY_SOCKET", socket}}));
    EXPECT_TRUE(notifier.enabled());
    EXPECT_NO_THROW({
      notifier.ready();
      notifier.watchdog();
      notifier.status("x");
      notifier.stopping();
    });
    EXPECT_FALSE(notifier.send("READY=1"));
    EXPECT_EQ(count(log.text(), "cannot notify systemd"), 1) << log.text();
    EXPECT_THAT(log.text(), HasSubstr(socket));
  }
}

TEST(SdNotifierTest, SystemdThatStopsReadingNeverBlocksTheCaller) {
  // The receive queue holds a handful of datagrams (net.unix.max_dgram_qlen); a blocking socket
  // would hang here on the first send past it.
  FakeSystemd systemd(FakeSystemd::unique_abstract_name());
  LogCapture log;
  SdNotifier notifier(env({{"NOTIFY_SOCKET", systemd.notify_socket()}}));
  int refused = 0;
  for (int i = 0; i < 2000; ++i)
    if (!notifier.send("WATCHDOG=1")) ++refused;
  EXPECT_GT(refused, 0);
  EXPECT_EQ(count(log.text(), "cannot notify systemd"), 1);
  // Once systemd reads again, sends go through again.
  EXPECT_FALSE(systemd.drain().empty());
  EXPECT_TRUE(notifier.send("READY=1"));
  EXPECT_THAT(systemd.drain(), ElementsAre("READY=1"));
}

TEST(WatchdogIntervalTest, ReadsWatchdogUsec) {
  EXPECT_EQ(watchdog_interval(env({{"WATCHDOG_USEC", "30000000"}})), std::chrono::seconds(30));
  EXPECT_EQ(watchdog_interval(env({})), std::nullopt);
  for (const char* bad : {"", "0", "-5", "12x", " 5", "abc", "18446744073709551615"})
    EXPECT_EQ(watchdog_interval(env({{"WATCHDOG_USEC", bad}})), std::nullopt) << bad;
}

TEST(WatchdogIntervalTest, WatchdogPidMustBeOurs) {
  auto ours = std::to_string(::getpid());
  auto other = std::to_string(::getpid() + 1);
  EXPECT_EQ(watchdog_interval(env({{"WATCHDOG_USEC", "100000"}, {"WATCHDOG_PID", ours}})), 100ms);
  // Inherited from a parent that has the watchdog: pinging would be someone else's business.
  EXPECT_EQ(watchdog_interval(env({{"WATCHDOG_USEC", "100000"}, {"WATCHDOG_PID", other}})),
            std::nullopt);
  EXPECT_EQ(watchdog_interval(env({{"WATCHDOG_USEC", "100000"}, {"WATCHDOG_PID", "x"}})),
            std::nullopt);
}

}  // namespace
}  // namespace feedsync::ops
