#include "ops/config_reload.hpp"

#include <gtest/gtest.h>

namespace feedsync::ops {
namespace {

TEST(ReloadRefusal, OnlyAMovedStateDatabaseIsRefused) {
  config::Config running;
  running.file = "/etc/feedsync/feedsync.yaml";
  running.state.path = "/var/lib/feedsync/state.db";
  auto next = running;
  next.feeds.emplace_back().name = "added";
  next.http.listen = "127.0.0.1:9999";  // takes effect at the next restart, but is no reason to refuse
  EXPECT_EQ(reload_refusal(running, next), std::nullopt);
  next.state.path = "/srv/feedsync/state.db";
  EXPECT_EQ(reload_refusal(running, next),
            "/etc/feedsync/feedsync.yaml: state.path: cannot change while the daemon runs (/var/lib/feedsync/state.db "
            "-> /srv/feedsync/state.db); restart feedsyncd to move the state database");
}

}  // namespace
}  // namespace feedsync::ops
