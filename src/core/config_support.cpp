#include "core/config_support.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/logging.hpp"
#include "core/validation.hpp"

namespace onair::core {

ConfigError::ConfigError(std::string env, std::string rule)
    : std::runtime_error(env + ": " + rule), env_(std::move(env)), rule_(std::move(rule)) {}

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

EnvLookup map_env(std::map<std::string, std::string, std::less<>> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

namespace config {
namespace {

constexpr std::size_t kShownChars = 80;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

[[noreturn]] void reject(std::string_view env, std::string rule, std::string_view raw, bool secret) {
  if (secret) {
    rule += " (value hidden)";
  } else {
    const bool cut = raw.size() > kShownChars;
    rule += " (got \"" + json_escape(raw.substr(0, kShownChars)) + (cut ? "...\")" : "\")");
  }
  throw ConfigError(std::string(env), std::move(rule));
}

template <class T>
std::string range_rule(std::string rule, const std::optional<T>& min, const std::optional<T>& max) {
  auto text = [](T v) {
    if constexpr (std::is_same_v<T, double>) {
      return validation::number_text(v);
    } else {
      return std::to_string(v);
    }
  };
  if (min && max) return rule + " between " + text(*min) + " and " + text(*max);
  if (min) return rule + " of at least " + text(*min);
  if (max) return rule + " of at most " + text(*max);
  return rule;
}

}  // namespace

std::int64_t parse_int(std::string_view env, std::string_view raw, std::optional<std::int64_t> min,
                       std::optional<std::int64_t> max, bool secret) {
  const auto text = trim(raw);
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data() + (!text.empty() && text[0] == '+' ? 1 : 0), end, v);
  if (text.empty() || ec != std::errc{} || ptr != end || (min && v < *min) || (max && v > *max)) {
    reject(env, range_rule("must be an integer", min, max), raw, secret);
  }
  return v;
}

double parse_number(std::string_view env, std::string_view raw, std::optional<double> min, std::optional<double> max,
                    bool secret) {
  const auto text = trim(raw);
  double v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data() + (!text.empty() && text[0] == '+' ? 1 : 0), end, v);
  if (text.empty() || ec != std::errc{} || ptr != end || !std::isfinite(v) || (min && v < *min) || (max && v > *max)) {
    reject(env, range_rule("must be a number", min, max), raw, secret);
  }
  return v;
}

bool parse_bool(std::string_view env, std::string_view raw, bool secret) {
  const auto text = trim(raw);
  for (auto yes : {"true", "1", "yes", "on"}) {
    if (iequals(text, yes)) return true;
  }
  for (auto no : {"false", "0", "no", "off"}) {
    if (iequals(text, no)) return false;
  }
  reject(env, "must be true or false", raw, secret);
}

std::string parse_string(std::string_view env, std::string_view raw, std::optional<std::size_t> min_length,
                         std::optional<std::size_t> max_length, bool secret) {
  const auto n = validation::utf8_length(raw);
  if ((min_length && n < *min_length) || (max_length && n > *max_length)) {
    auto chars = [](std::size_t c) { return std::to_string(c) + (c == 1 ? " character" : " characters"); };
    std::string rule;
    if (min_length && max_length) {
      rule = "must be between " + std::to_string(*min_length) + " and " + chars(*max_length);
    } else if (min_length) {
      rule = "must be at least " + chars(*min_length);
    } else {
      rule = "must be at most " + chars(*max_length);
    }
    reject(env, std::move(rule), raw, secret);
  }
  return std::string(raw);
}

std::size_t parse_enum(std::string_view env, std::string_view raw, std::initializer_list<std::string_view> values,
                       bool secret) {
  const auto text = trim(raw);
  std::size_t i = 0;
  for (auto v : values) {
    if (iequals(text, v)) return i;
    ++i;
  }
  std::string rule = "must be one of ";
  i = 0;
  for (auto v : values) rule.append(i++ == 0 ? "" : ", ").append(v);
  reject(env, std::move(rule), raw, secret);
}

std::string show(std::int64_t v, bool secret) { return show(std::string_view(std::to_string(v)), secret); }

std::string show(double v, bool secret) { return show(std::string_view(validation::number_text(v)), secret); }

std::string show(bool v, bool secret) { return show(std::string_view(v ? "true" : "false"), secret); }

std::string show(std::string_view v, bool secret) {
  if (!secret) return std::string(v);
  return v.empty() ? std::string("(empty)") : mask_secret(v);
}

}  // namespace config
}  // namespace onair::core
