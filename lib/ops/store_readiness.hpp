#pragma once
// The /readyz "store" check (issue 15), from the store's write health rather than a probe of
// its own: taking the write lock in a probe blocked the event loop for busy_timeout whenever
// another process held it, and a BEGIN + ROLLBACK writes nothing, so it said "writable" on a full
// disk and on a read-only file system. Pure: health and time come in.

#include <chrono>

#include "ops/ops_backend.hpp"
#include "store/database.hpp"

namespace feedsync::ops {

// A store whose writes have failed for this long, and still fail (nothing committed since the
// newest failure, or it is more recent than this), makes the daemon not ready: long enough
// that one busy moment does not flap the probe, short enough to be seen within a probe or two.
inline constexpr std::chrono::seconds kStoreFailureGrace{10};

ReadinessCheck store_readiness(const store::WriteHealth& health, std::chrono::steady_clock::time_point now,
                               std::chrono::milliseconds grace = kStoreFailureGrace);

}  // namespace feedsync::ops
