#pragma once
// Serves files under the web root (web/): the voice page, the JS client, the
// dashboards. Paths are confined to the root; nothing outside it is readable.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "net/http_types.hpp"

namespace onair::app {

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root);

  // The file for a request path ("/" → index.html, "/voice/" → voice/index.html),
  // or nullopt when the path is unsafe or no such regular file exists.
  std::optional<std::filesystem::path> resolve(std::string_view request_path) const;
  // 200 with the file, or 404.
  net::HttpResponse serve(std::string_view request_path) const;

 private:
  std::filesystem::path root_;  // canonical, or empty when the root does not exist
};

std::string_view content_type_for(const std::filesystem::path& file);

}  // namespace onair::app
