#include "sim/article.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <cctype>
#include <cstdio>

#include "core/html.hpp"
#include "core/pixel_key.hpp"
#include "core/strings.hpp"
#include "core/time.hpp"

namespace feedsync::sim {

namespace json = boost::json;

namespace {

// splitmix64: tiny, seedable and identical on every platform, unlike std:: distributions.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  template <class T, std::size_t N>
  const T& pick(const std::array<T, N>& items) { return items[below(N)]; }

 private:
  std::uint64_t state_;
};

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  Rng rng(a * 0x100000001b3ULL ^ b);
  return rng.next();
}

std::uint64_t hash_text(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

std::string hex32(Rng& rng) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng.next()),
                static_cast<unsigned long long>(rng.next()));
  return buf;
}

constexpr std::array<std::string_view, 12> kAdjectives = {
    "Sustainable", "Practical", "Hidden", "Modern", "Measured", "Open",
    "Quiet", "Resilient", "Local", "Shared", "Seasonal", "Careful"};
constexpr std::array<std::string_view, 12> kNouns = {
    "Supply Chains", "Newsrooms", "Gardens", "Data Teams", "Classrooms", "Harbours",
    "Bakeries", "Clinics", "Libraries", "Workshops", "Markets", "Studios"};
constexpr std::array<std::string_view, 8> kFrames = {
    "Field Notes", "A Primer", "What Changed", "Lessons Learned",
    "The Checklist", "An Interview", "Five Numbers", "Behind the Scenes"};
constexpr std::array<std::string_view, 6> kPillars = {
    "BLOG:Social Impact", "BLOG:Product", "NEWS:Company", "BLOG:Engineering",
    "NEWS:Events", "BLOG:Customers"};
constexpr std::array<std::string_view, 5> kAudiences = {"Parents", "Developers", "Marketers",
                                                        "Executives", "Students"};
constexpr std::array<std::string_view, 3> kStages = {"Top of the Funnel", "Middle of the Funnel",
                                                     "Bottom of the Funnel"};
constexpr std::array<std::string_view, 4> kAuthors = {"Ada Byron", "Grace Hopper",
                                                       "Edsger Dijkstra", "Barbara Liskov"};
constexpr std::array<std::string_view, 6> kSentences = {
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
    "Sed do eiusmod tempor incididunt ut labore & dolore magna aliqua.",
    "Ut enim ad minim veniam, quis nostrud exercitation ullamco.",
    "Duis aute irure dolor in reprehenderit in voluptate velit esse.",
    "Excepteur sint occaecat cupidatat non proident, sunt in culpa.",
    "Curabitur pretium tincidunt lacus, nulla gravida orci a odio."};

std::string slugify(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += ascii_lower(c);
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

json::array labels(std::initializer_list<std::string_view> items) {
  json::array out;
  for (auto item : items) out.push_back(json::object{{"label", item}});
  return out;
}

// The body of every article, built from the guid's own random stream so that a posted guid
// always gets the same defaults.
json::object build_content(Rng& rng, const std::string& guid, std::uint64_t number,
                           std::int64_t at_ms, const UrlBases& bases) {
  const std::string stamp = format_rfc3339_ms(to_feed_precision(at_ms));
  const std::string title = std::string(rng.pick(kAdjectives)) + " " + std::string(rng.pick(kNouns)) +
                            ": " + std::string(rng.pick(kFrames)) + " " + std::to_string(number);
  const std::string slug = slugify(title);
  const std::string key = pixel_key_for(guid);

  std::string body;
  const std::size_t paragraphs = 2 + rng.below(3);
  std::string first_sentence;
  for (std::size_t p = 0; p < paragraphs; ++p) {
    const auto sentence = rng.pick(kSentences);
    if (p == 0) first_sentence = sentence;
    body += "<p>" + html::escape(sentence) + " " + html::escape(rng.pick(kSentences)) + "</p>\n";
  }
  if (rng.below(3) == 0) body += "<h2>Key points</h2>\n<ul><li>One</li><li>Two</li></ul>\n";
  body += pixel_img_html(bases, key);

  json::array images;
  const std::size_t image_count = rng.below(4) == 0 ? 0 : 1 + rng.below(2);
  for (std::size_t i = 0; i < image_count; ++i) {
    const bool png = rng.below(2) == 0;
    const std::string name = slug.substr(0, 24) + "-" + std::to_string(i) + (png ? ".png" : ".jpg");
    const std::string url =
        bases.images + "/" + base64_encode("g=" + guid + "/" + std::to_string(i)) + "/" + name;
    images.push_back(json::object{
        {"caption", name},
        {"attribution_text", ""},
        {"description", ""},
        {"height", std::to_string(400 + 16 * rng.below(40))},
        {"width", std::to_string(600 + 16 * rng.below(60))},
        {"thumbnail", url + "?width=75&height=75"},
        {"url", url},
        {"mimetype", png ? "image/png" : "image/jpeg"},
        {"source", json::object{{"name", "feedsync-sim images"}}},
    });
  }

  json::value authors = nullptr;
  if (rng.below(3) != 0) {
    json::array list;
    list.push_back(json::object{{"name", rng.pick(kAuthors)}});
    if (rng.below(4) == 0) list.push_back(json::object{{"name", rng.pick(kAuthors)}});
    authors = std::move(list);
  }
  json::array keywords;
  for (std::size_t i = rng.below(4); i > 0; --i) keywords.push_back(json::string(slugify(rng.pick(kNouns))));

  // The sample's date custom field carries milliseconds: "2025-07-24T11:00:00.000Z".
  std::string ad_date = format_rfc3339_ms(to_feed_precision(at_ms) + 86'400'000);
  ad_date.insert(ad_date.size() - 1, ".000");
  json::array custom_fields;
  custom_fields.push_back(json::object{{"label", "Ad Date"}, {"values", json::array{json::string(ad_date)}}});
  if (rng.below(2) == 0)
    custom_fields.push_back(json::object{{"label", "Region"}, {"values", json::array{"EMEA", "APAC"}}});

  json::object c;
  c["guid"] = guid;
  c["group_id"] = hex32(rng);
  c["meta_title"] = title;
  c["meta_description"] = first_sentence;
  c["meta_url"] = "/blog/" + slug;
  c["meta_keywords"] = std::move(keywords);
  c["images"] = std::move(images);
  c["videos"] = json::array{};
  c["authors"] = std::move(authors);
  c["topics"] = json::array{};
  c["title"] = title;
  c["description"] = body;
  c["created_at"] = stamp;
  c["modified_at"] = stamp;
  c["published_at"] = stamp;
  c["link"] = nullptr;
  c["pixel_key"] = key;
  c["customer_canonical_link"] = nullptr;
  c["source"] = json::object{{"guid", "5bc5e258e9cb54e3f865b6a2fa98dc43"}, {"name", "Instance"}};
  c["lang_code"] = "en";
  c["custom_fields"] = std::move(custom_fields);
  c["content_pillar"] = labels({rng.pick(kPillars)});
  c["content_format"] = json::array{};
  c["custom_label_set"] = json::array{json::object{
      {"label", rng.below(2) == 0 ? "Short" : "Long"}, {"type", "Article Length"}}};
  c["target_audience"] = labels({rng.pick(kAudiences)});
  c["journey_stage"] = labels({rng.pick(kStages)});
  return c;
}

}  // namespace

boost::json::object generate_translation(std::uint64_t seed, std::uint64_t index, std::size_t languages,
                                         std::int64_t at_ms, const UrlBases& bases) {
  auto content = generate_content(seed, index, at_ms, bases);
  if (languages <= 1) return content;
  const std::uint64_t group = index / languages;
  const std::size_t language = static_cast<std::size_t>(index % languages);
  const auto first = generate_content(seed, group * languages, at_ms, bases);
  content["group_id"] = first.at("group_id");
  content["title"] = first.at("title");
  content["lang_code"] = kTranslationLangCodes[language];
  return content;
}

namespace {

constexpr std::uint64_t kPostedStream = 0x5eed'0000'0000'0001ULL;

}  // namespace

void Article::refresh() {
  content["modified_at"] = format_rfc3339_ms(content_modified_ms);
  pixel_key.clear();
  // Some API versions carry the whole pixel URL here; the post-back is keyed by the bare key.
  if (auto* key = content.if_contains("pixel_key"); key && key->is_string())
    pixel_key = normalize_pixel_key(key->get_string()).value_or("");
  content_json = json::serialize(content);
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = (std::uint32_t(std::uint8_t(bytes[i])) << 16) |
                   (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8) | std::uint8_t(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    const auto n = std::uint32_t(std::uint8_t(bytes[i])) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const auto n = (std::uint32_t(std::uint8_t(bytes[i])) << 16) | (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string pixel_key_for(std::string_view guid) {
  return base64_encode("article=" + std::string(guid));
}

std::string pixel_img_html(const UrlBases& bases, std::string_view pixel_key) {
  // Unescaped '=' padding in the query, exactly as the documented sample shows it.
  return "<img src=\"" + bases.pixel + "?key=" + std::string(pixel_key) +
         "\" alt=\"\" height=\"1\" width=\"1\" class=\"nc_pixel\"/>";
}

bool valid_guid(std::string_view guid) {
  if (guid.empty() || guid.size() > 64) return false;
  for (char c : guid)
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  return true;
}

json::object generate_content(std::uint64_t seed, std::uint64_t index, std::int64_t at_ms,
                              const UrlBases& bases) {
  Rng rng(mix(seed, index));
  const std::string guid = hex32(rng);
  return build_content(rng, guid, index + 1, at_ms, bases);
}

Expected<json::object, std::string> complete_content(json::object posted,
                                                     std::uint64_t fresh_guid_number,
                                                     std::int64_t now_ms, const UrlBases& bases) {
  std::string guid;
  if (auto* g = posted.if_contains("guid")) {
    if (!g->is_string() || !valid_guid(g->get_string()))
      return unexpected(std::string("guid must be 1..64 letters and digits"));
    guid = std::string(g->get_string());
  } else {
    Rng fresh(mix(kPostedStream, fresh_guid_number));
    guid = hex32(fresh);
  }
  for (const char* name : {"created_at", "modified_at", "published_at"}) {
    const auto* v = posted.if_contains(name);
    if (!v) continue;
    const bool nullable = std::string_view(name) != "modified_at";
    if (v->is_null() && nullable) continue;
    if (!v->is_string() || !parse_rfc3339_ms(v->get_string()))
      return unexpected(std::string(name) + " must be an RFC 3339 date-time");
  }
  Rng rng(hash_text(guid));
  json::object content = build_content(rng, guid, fresh_guid_number, now_ms, bases);
  for (auto& [key, value] : posted) content[key] = std::move(value);
  return content;
}

}  // namespace feedsync::sim
