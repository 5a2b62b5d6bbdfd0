#include "stream/service/helix_streams.hpp"

#include <boost/json.hpp>

namespace onair::stream {
namespace json = boost::json;

std::optional<HelixStreamState> parse_helix_stream(std::string_view body, const std::string& user_id) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* data = v.as_object().if_contains("data");
  if (!data || !data->is_array()) return std::nullopt;
  HelixStreamState state;
  for (const auto& item : data->as_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    const auto* id = o.if_contains("user_id");
    if (!id || !id->is_string() || id->as_string() != user_id) continue;
    if (const auto* type = o.if_contains("type"); type && type->is_string() && type->as_string() != "live") continue;
    state.live = true;
    if (const auto* n = o.if_contains("viewer_count"); n && n->is_number()) {
      const auto count = n->to_number<std::int64_t>(ec);
      state.viewer_count = !ec && count > 0 ? count : 0;
    }
  }
  return state;
}

}  // namespace onair::stream
