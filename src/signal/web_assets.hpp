#pragma once
// The viewer page (web/), compiled into the binary so `serve` needs no files
// at run time. The .cpp is generated at build time from web/* by
// embed_web_assets.cmake.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace picortc::signal {

struct WebAsset {
  std::string_view path;  // URL path: "/", "/viewer.js", ...
  std::string_view content_type;
  std::string_view body;
};

// nullptr when no asset has that path.
const WebAsset* find_web_asset(std::string_view path);
size_t web_asset_count();
const WebAsset& web_asset(size_t index);

}  // namespace picortc::signal
