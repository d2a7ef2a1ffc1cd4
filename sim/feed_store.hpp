#pragma once
// The simulated CMP side: feeds, each live feed paired with its Deleted Feed, and the articles
// placed in them. One article is in exactly one feed at a time (or gone), its home; it can also be
// listed in other live feeds while it is live (share(): CMP publishing one article to several
// feeds, issue 17). All mutation goes
// through here so that positions, timestamps, the envelope's modified_at and the pre-sorted
// indexes stay consistent; a page read is then O(page), never a sort of the whole feed.
//
// Runs on the simulator's loop thread only (no locks, DESIGN.md §3).

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/expected.hpp"
#include "sim/article.hpp"
#include "sim/sim_clock.hpp"

namespace feedsync::sim {

enum class FeedMode { normal, not_found, empty, malformed };
enum class SortBy { position, modified_at };
// Which timestamps an edit moves: both (the usual), only content.modified_at, only the entry's,
// or none (a silent change, to prove that full scans and hashes catch what timestamps miss).
enum class Bump { both, content, entry, none };

std::optional<FeedMode> parse_feed_mode(std::string_view text);
std::string_view to_string(FeedMode mode);
std::optional<Bump> parse_bump(std::string_view text);

struct Feed {
  std::string id;
  std::string title;
  bool deleted_feed = false;
  std::string partner;  // a live feed's Deleted Feed id, or a Deleted Feed's live feed id
  FeedMode mode = FeedMode::normal;
  std::int64_t modified_ms = 0;  // the envelope's modified_at
  std::unordered_map<std::string, std::unique_ptr<Article>> articles;
  // Articles homed in another live feed and listed here too, by guid (FeedStore::share).
  std::unordered_map<std::string, const Article*> shared;

  // Newest first; rebuilt lazily after a change (edits are rare, reads are the hot path).
  mutable std::vector<const Article*> by_position;
  mutable std::vector<const Article*> by_modified;
  mutable bool dirty = true;
};

struct StoreError {
  int status = 400;  // the control API's answer: 400, 404 or 409
  std::string message;
};

struct GenerateRequest {
  std::size_t count = 0;
  std::uint64_t seed = 1;
  std::uint64_t start = 0;  // first index in the seed's stream (to generate more of the same)
  // Spread the articles' timestamps over the past (one a minute, some edited later), as a feed
  // with history looks; otherwise all are published now.
  bool backdate = false;
  // Translations (issue 23): > 1 makes runs of `languages` consecutive articles (by stream index)
  // one CMP group: one group_id, lang_codes kTranslationLangCodes[0..languages), the same title.
  std::size_t languages = 1;
};

class FeedStore {
 public:
  FeedStore(const SimClock& clock, UrlBases bases);

  // A live feed plus its Deleted Feed. 400 for ids that are not letters and digits, 409 when
  // either exists.
  Expected<const Feed*, StoreError> add_feed(const std::string& id, const std::string& deleted_id,
                                             std::string title);
  const Feed* feed(std::string_view id) const;
  std::vector<const Feed*> feeds() const;  // by id
  std::optional<StoreError> set_mode(std::string_view feed_id, FeedMode mode);

  // Publishes a (possibly partial) article to the top of `feed_id`. 409 if the guid exists.
  Expected<const Article*, StoreError> add(std::string_view feed_id, boost::json::object posted);
  // All-or-nothing: 409 (nothing added) if any generated guid exists already.
  Expected<std::vector<const Article*>, StoreError> generate(std::string_view feed_id,
                                                             const GenerateRequest& request);
  // Shallow merge: each top-level key replaces the stored value (null sets null). The guid
  // cannot change. An explicit modified_at in the patch is used instead of "now".
  Expected<const Article*, StoreError> update(std::string_view guid, boost::json::object patch, Bump bump);
  // Moves a live article to its Deleted Feed's top (fresh timestamps). 409 if already there.
  Expected<const Article*, StoreError> unpublish(std::string_view guid);
  // Moves an article (from the Deleted Feed, or already live) to the top of the live feed.
  Expected<const Article*, StoreError> republish(std::string_view guid);
  // Lists the live article `guid` in the live feed `feed_id` too, until it leaves its home feed
  // (unpublished or removed). 404 unknown guid or feed; 409 not live, already listed there, or
  // `feed_id` is its home; 400 for a Deleted Feed.
  std::optional<StoreError> share(std::string_view guid, std::string_view feed_id);
  // Gone from every feed, as if deleted in CMP.
  std::optional<StoreError> remove(std::string_view guid);

  const Article* find(std::string_view guid) const;
  const Feed* feed_of(std::string_view guid) const;
  const Article* find_by_pixel_key(std::string_view key) const;
  // The canonical-link post-back: recorded in the content without touching any timestamp.
  void set_canonical_link(std::string_view guid, std::string link);

  // Newest first; an offset past the end gives an empty span.
  std::span<const Article* const> page(const Feed& feed, SortBy sort, std::size_t offset,
                                       std::size_t size) const;
  // guid -> live feed id, for the drift check.
  std::vector<std::pair<std::string, std::string>> live_guids() const;
  std::size_t article_count() const { return where_.size(); }

 private:
  Feed* mutable_feed(std::string_view id);
  Article* mutable_find(std::string_view guid);
  std::int64_t now() const;
  void touch(Feed& feed, std::int64_t at);
  // Moves the article into `to` as its newest entry.
  Article* place(std::unique_ptr<Article> article, Feed& to, std::int64_t at);
  std::unique_ptr<Article> take(std::string_view guid);
  Expected<std::unique_ptr<Article>, StoreError> make_article(boost::json::object content,
                                                              std::int64_t at);
  void index_pixel(const Article& article);
  void touch_sharing_feeds(std::string_view guid, std::int64_t at);

  const SimClock& clock_;
  UrlBases bases_;
  std::unordered_map<std::string, std::unique_ptr<Feed>> feeds_;
  std::unordered_map<std::string, std::vector<Feed*>> shared_in_;  // guid -> the feeds listing it too
  std::unordered_map<std::string, Feed*> where_;               // guid -> its feed
  std::unordered_map<std::string, std::string> pixel_index_;   // bare pixel key -> guid
  std::uint64_t next_position_ = 1;
  std::uint64_t posted_count_ = 0;
};

}  // namespace feedsync::sim
