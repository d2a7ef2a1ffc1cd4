#pragma once
// feedsyncd's exit statuses. 78 (EX_CONFIG) matters to systemd: the unit sets
// RestartPreventExitStatus=78 so a broken configuration does not become a restart loop.

namespace feedsync::daemon {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;       // runtime failure (store, network, lock held, ...)
inline constexpr int kExitUsage = 2;         // bad command line
inline constexpr int kExitDrift = 3;         // `audit`: the CMS differs from what feedsync wrote
inline constexpr int kExitConfig = 78;       // EX_CONFIG: configuration error

}  // namespace feedsync::daemon
