#pragma once
// The `date(format)` transform's formatter: a strftime-like subset, always in UTC and in
// English, independent of the process locale and time zone (a daemon's output must not change
// with the machine it runs on). Pure.
//
//   %Y 2025   %y 25    %m 07   %d 04   %e " 4"   %j 205 (day of year)
//   %H 13     %I 01    %p PM   %M 01   %S 43     %s 1753358503 (unix seconds)
//   %a Thu    %A Thursday      %b Jul  %B July
//   %F %Y-%m-%d        %T %H:%M:%S     %z +0000  %Z UTC    %% %

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace feedsync::mapping {

// The byte offset of the first '%' not followed by a supported specifier, if any.
std::optional<std::size_t> invalid_date_specifier(std::string_view format);

// `unix_ms` formatted with `format`; unsupported specifiers are copied as written.
std::string format_date(std::int64_t unix_ms, std::string_view format);

}  // namespace feedsync::mapping
