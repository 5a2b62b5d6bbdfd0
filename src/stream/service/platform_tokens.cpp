#include "stream/service/platform_tokens.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

namespace onair::stream {
namespace json = boost::json;

namespace {

std::optional<json::object> object_of(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::string string_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

std::optional<TokenGrant> parse_token_grant(std::string_view body) {
  auto o = object_of(body);
  if (!o) return std::nullopt;
  TokenGrant grant;
  grant.access_token = string_at(*o, "access_token");
  if (grant.access_token.empty()) return std::nullopt;
  grant.refresh_token = string_at(*o, "refresh_token");
  if (const auto* e = o->if_contains("expires_in"); e && e->is_number()) {
    boost::system::error_code ec;
    const auto seconds = e->to_number<std::int64_t>(ec);
    if (!ec && seconds > 0) grant.expires_in = seconds;
  }
  if (const auto* s = o->if_contains("scope")) {
    if (s->is_array()) {
      for (const auto& x : s->as_array()) {
        if (x.is_string()) grant.scopes.emplace_back(x.as_string());
      }
    } else if (s->is_string()) {
      std::string_view rest = s->as_string();
      while (!rest.empty()) {
        const auto sp = rest.find(' ');
        if (sp != 0) grant.scopes.emplace_back(rest.substr(0, sp));
        rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
      }
    }
  }
  return grant;
}

RefreshVerdict read_refresh_reply(gst::StreamPlatform platform, int status, std::string_view body) {
  RefreshVerdict v;
  if (status == 200) {
    if (auto grant = parse_token_grant(body)) {
      v.outcome = RefreshOutcome::refreshed;
      v.grant = std::move(*grant);
    } else {
      v.problem = "token answer without an access token";
    }
    return v;
  }
  if (status == 0) {
    v.problem = "platform unreachable";
    return v;
  }
  if (status >= 500 || status == 429) {
    v.problem = "platform error " + std::to_string(status);
    return v;
  }
  const auto o = object_of(body);
  if (platform == gst::StreamPlatform::youtube) {
    const auto error = o ? string_at(*o, "error") : std::string();
    if (status == 400 && error == "invalid_grant") {
      v.outcome = RefreshOutcome::revoked;
      v.problem = "invalid_grant";
    } else {
      v.problem = "refresh refused (" + std::to_string(status) + (error.size() <= 40 ? " " + error : "") + ")";
    }
    return v;
  }
  // Twitch: 400 {"status":400,"message":"Invalid refresh token"}; its client errors name the client.
  const auto message = o ? lower(string_at(*o, "message")) : std::string();
  if ((status == 400 || status == 401) && message.find("client") == std::string::npos) {
    v.outcome = RefreshOutcome::revoked;
    v.problem = "invalid refresh token";
  } else {
    v.problem = "refresh refused (" + std::to_string(status) + ", client configuration?)";
  }
  return v;
}

bool refresh_due(std::int64_t expires_ms, std::int64_t now_ms, std::int64_t lead_seconds) {
  return expires_ms > 0 && expires_ms - now_ms <= lead_seconds * 1000;
}

bool validation_due(std::optional<std::int64_t> validated_ms, std::int64_t now_ms, std::int64_t interval_seconds) {
  return !validated_ms || now_ms - *validated_ms >= interval_seconds * 1000;
}

}  // namespace onair::stream
