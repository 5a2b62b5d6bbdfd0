#pragma once
// Internal to src/net: parses one HTTP/1.1 request straight into an
// HttpRequest, for every request that fast_request_parser.hpp leaves to Beast. Beast's request_parser would first build
// its own field list (an allocation per header) that we then copied; this writes each part once.
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include "net/http_types.hpp"

namespace onair::net::detail {

// A WebSocket handshake: GET, HTTP/1.1+, Connection: upgrade, Upgrade: websocket.
inline bool is_websocket_upgrade(const HttpRequest& request, int version, bool connection_upgrade) {
  if (version < 11 || request.method != "GET" || !connection_upgrade) return false;
  for (const auto& token : boost::beast::http::token_list(request.header("upgrade"))) {
    if (boost::beast::iequals(token, "websocket")) return true;
  }
  return false;
}

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  HttpRequest& request() { return request_; }
  int version() const { return version_; }
  bool expects_continue() const { return expect_continue_; }

  bool is_websocket_upgrade() const { return detail::is_websocket_upgrade(request_, version_, upgrade()); }

 private:
  void on_request_impl(boost::beast::http::verb, string_view method, string_view target, int version,
                       error_code&) override {
    request_.method.assign(method.data(), method.size());
    request_.target.assign(target.data(), target.size());
    version_ = version;
  }
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value, error_code&) override {
    auto& [lower, text] = request_.headers.emplace_back();
    lower.assign(name_string.data(), name_string.size());
    for (auto& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    text.assign(value.data(), value.size());
    if (name == boost::beast::http::field::expect && boost::beast::iequals(value, "100-continue")) {
      expect_continue_ = true;
    }
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    if (length) request_.body.reserve(static_cast<std::size_t>(*length));  // within body_limit: checked first
  }
  std::size_t on_body_impl(string_view body, error_code&) override {
    request_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    request_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  HttpRequest request_;
  int version_ = 11;
  bool expect_continue_ = false;
};

}  // namespace onair::net::detail
