#pragma once
// `feedsyncd audit --repair` (issue 22): carries out the repair actions of audit_rules.hpp on the
// findings of an audit — CMS calls for restores and moves, store rows for everything else. What
// is left for a poll (articles marked to be written again) is counted, not written here: the
// command runs `once` for them, or a running daemon writes them at its next full scan.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "cms/audit_reader.hpp"
#include "cms/cms_sink.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"
#include "engine/audit.hpp"
#include "store/rows.hpp"
#include "store/store.hpp"

namespace feedsync::engine {

struct RepairCounts {
  int undeleted = 0, moved_back = 0, rewritten = 0, kept = 0, adopted = 0, failed = 0;
  // Articles a poll must write again: marked ones and adopted orphans.
  int marked() const { return rewritten + adopted; }
};

// The row of an article whose editor's version is left live (cms.on_cms_edit: keep): the relay
// writes no CMP change over it (ArticleRow::cms_edit_kept) until the article is resynced.
store::ArticleRow kept_edit_row(store::ArticleRow row, const AuditFinding& finding, std::int64_t now);

// The row an adoptable orphan becomes: its CMS key, version and route segment, as published.
store::ArticleRow adopted_row(const AuditOrphan& orphan, std::int64_t now);

class DriftRepair {
 public:
  // `say`: one line per repaired article or failure, for the operator. `clock` stamps the rows
  // and the journal.
  DriftRepair(cms::AuditReader& reader, cms::CmsSink& sink, store::Store& store, const config::Config& config,
              const Clock& clock, std::function<void(const std::string&)> say);

  // Repairs every finding and adopts every adoptable orphan of `audits`; an ok article whose
  // editor's version was kept has feedsync's version live again, so CMP changes flow again.
  boost::asio::awaitable<RepairCounts> run(const std::vector<FeedAudit>& audits);

 private:
  boost::asio::awaitable<void> repair(const config::FeedConfig& feed, const AuditFinding& finding);
  boost::asio::awaitable<void> restore(const config::FeedConfig& feed, const AuditFinding& finding);
  boost::asio::awaitable<void> move_back(const config::FeedConfig& feed, const AuditFinding& finding);
  void release_kept_edit(const config::FeedConfig& feed, const AuditFinding& finding);
  void keep_edit(const config::FeedConfig& feed, const AuditFinding& finding);
  void adopt(const AuditOrphan& orphan);
  std::int64_t now_ms() const;

  cms::AuditReader& reader_;
  cms::CmsSink& sink_;
  store::Store& store_;
  const config::Config& config_;
  const Clock& clock_;
  std::function<void(const std::string&)> say_;
  RepairCounts counts_;
};

}  // namespace feedsync::engine
