#include "core/pixel_key.hpp"

#include <gtest/gtest.h>

namespace feedsync {
namespace {

TEST(NormalizePixelKey, BareKeyIsKept) {
  EXPECT_EQ(normalize_pixel_key("YXJ0aWNsZT0xNTFh=="), "YXJ0aWNsZT0xNTFh==");
  EXPECT_EQ(normalize_pixel_key("  YXJ0  "), "YXJ0");
}

TEST(NormalizePixelKey, PixelUrlGivesItsDecodedKey) {
  EXPECT_EQ(normalize_pixel_key("https://pixel.optimizely.com/px.gif?key=YXJ0aWNsZT0xNTFh=="),
            "YXJ0aWNsZT0xNTFh==");
  EXPECT_EQ(normalize_pixel_key("https://pixel.optimizely.com/px.gif?x=1&key=YXJ0%3D%3D"), "YXJ0==");
}

TEST(NormalizePixelKey, NothingUsable) {
  EXPECT_FALSE(normalize_pixel_key("").has_value());
  EXPECT_FALSE(normalize_pixel_key("   ").has_value());
  EXPECT_FALSE(normalize_pixel_key("https://pixel.optimizely.com/px.gif").has_value());
  EXPECT_FALSE(normalize_pixel_key("https://pixel.optimizely.com/px.gif?key=").has_value());
}

}  // namespace
}  // namespace feedsync
