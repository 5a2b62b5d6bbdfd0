#include "platform/raw_http.hpp"

#include <stdexcept>

namespace onair::platform {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decode_component(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string_view RawHttpRequest::header(std::string_view lowercase_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lowercase_name) return value;
  }
  return {};
}

std::optional<std::string> RawHttpRequest::query_param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    const auto key = decode_component(pair.substr(0, eq));
    if (key != name) continue;
    return eq == std::string_view::npos ? std::string() : decode_component(pair.substr(eq + 1));
  }
  return std::nullopt;
}

void RawHttpRoutes::add(std::string method, std::string path, RawHttpHandler handler) {
  auto key = std::make_pair(std::move(method), std::move(path));
  if (handlers_.contains(key))
    throw std::logic_error("raw HTTP route registered twice: " + key.first + " " + key.second);
  handlers_.emplace(std::move(key), std::move(handler));
}

const RawHttpHandler* RawHttpRoutes::find(std::string_view method, std::string_view path) const {
  if (handlers_.empty()) return nullptr;
  auto it = handlers_.find(std::make_pair(std::string(method), std::string(path)));
  return it == handlers_.end() ? nullptr : &it->second;
}

bool RawHttpRoutes::has_path(std::string_view path) const { return !methods_of(path).empty(); }

std::vector<std::string> RawHttpRoutes::methods_of(std::string_view path) const {
  std::vector<std::string> out;
  for (const auto& [key, handler] : handlers_) {
    if (key.second == path) out.push_back(key.first);
  }
  return out;
}

}  // namespace onair::platform
