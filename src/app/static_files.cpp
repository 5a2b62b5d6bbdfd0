#include "app/static_files.hpp"

#include <fstream>
#include <map>
#include <sstream>

namespace onair::app {
namespace fs = std::filesystem;

std::string_view content_type_for(const fs::path& file) {
  static const std::map<std::string, std::string_view> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".wasm", "application/wasm"},
  };
  auto it = kTypes.find(file.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

StaticFiles::StaticFiles(fs::path root) {
  std::error_code ec;
  auto canonical = fs::canonical(root, ec);
  if (!ec && fs::is_directory(canonical, ec)) root_ = canonical;
}

std::optional<fs::path> StaticFiles::resolve(std::string_view request_path) const {
  if (root_.empty() || request_path.empty() || request_path.front() != '/') return std::nullopt;
  if (request_path.find('\0') != std::string_view::npos || request_path.find('\\') != std::string_view::npos) {
    return std::nullopt;
  }
  std::string relative(request_path.substr(1));
  if (relative.empty() || relative.back() == '/') relative += "index.html";
  fs::path candidate = root_ / fs::path(relative).lexically_normal();
  std::error_code ec;
  auto canonical = fs::canonical(candidate, ec);
  if (ec) return std::nullopt;
  // Symlinks and ".." must not lead out of the root.
  auto [root_end, unused] = std::mismatch(root_.begin(), root_.end(), canonical.begin(), canonical.end());
  if (root_end != root_.end()) return std::nullopt;
  if (fs::is_directory(canonical, ec)) canonical /= "index.html";
  if (!fs::is_regular_file(canonical, ec)) return std::nullopt;
  return canonical;
}

net::HttpResponse StaticFiles::serve(std::string_view request_path) const {
  auto file = resolve(request_path);
  if (!file) {
    return {404, "application/json", R"({"status":404,"error":"not found"})", {}};
  }
  std::ifstream in(*file, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return {200, std::string(content_type_for(*file)), content.str(), {{"cache-control", "no-cache"}}};
}

}  // namespace onair::app
