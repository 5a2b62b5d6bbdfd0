#include "platform/route_table.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>

namespace onair::platform {

ApiResult::ApiResult(int status_code, const boost::json::value& body)
    : status(status_code), json(boost::json::serialize(body)) {}

ApiResult ApiResult::from_text(int status_code, std::string json_text) {
  ApiResult result;
  result.status = status_code;
  result.json = std::move(json_text);
  return result;
}

boost::json::value ApiResult::body() const { return boost::json::parse(json); }

void RouteTable::add(RouteSpec spec, RouteHandler handler) {
  auto path = spec.path;
  auto [it, inserted] = routes_.emplace(path, Route{std::move(spec), std::move(handler)});
  if (!inserted) throw std::logic_error("route registered twice: " + path);
}

const Route* RouteTable::find(std::string_view path) const {
  auto it = routes_.find(path);
  return it == routes_.end() ? nullptr : &it->second;
}

std::vector<const Route*> RouteTable::all() const {
  std::vector<const Route*> out;
  out.reserve(routes_.size());
  for (const auto& [path, route] : routes_) out.push_back(&route);
  return out;
}

}  // namespace onair::platform
