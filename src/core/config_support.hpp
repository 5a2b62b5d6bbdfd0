#pragma once
// Runtime support for the configuration generated from schemas/*-configuration.yaml
// (gen/<svc>/configuration.*): environment lookup, parsing with errors that
// name the variable and the rule, and the masked description used by
// `onair config` and the startup log. A secret's value never appears in an
// error or a description.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace onair::core {

// Returns a variable's value, or nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;

// Reads the process environment (getenv).
EnvLookup process_env();
// A fixed set of variables (tests, `onair config --env-file`).
EnvLookup map_env(std::map<std::string, std::string, std::less<>> vars);

// One property as it was resolved: `value` is display text, masked for secrets.
struct ConfigEntry {
  std::string property;  // "Port"
  std::string env;       // "ONAIR_PORT"
  std::string value;     // "8080", "****(40 chars)", "(unset)"
  std::string description;
  bool secret = false;
  bool is_default = false;
};

// A variable holds a value its schema does not allow. what():
// `ONAIR_PORT: must be an integer between 1 and 65535 (got "http")`.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string env, std::string rule);
  const std::string& env() const noexcept { return env_; }
  const std::string& rule() const noexcept { return rule_; }

 private:
  std::string env_;
  std::string rule_;
};

// Parsers used by the generated load_configuration(); `secret` hides the raw
// value in the error. Absent limits are nullopt.
namespace config {

std::int64_t parse_int(std::string_view env, std::string_view raw, std::optional<std::int64_t> min,
                       std::optional<std::int64_t> max, bool secret);
double parse_number(std::string_view env, std::string_view raw, std::optional<double> min, std::optional<double> max,
                    bool secret);
// true/false, 1/0, yes/no, on/off; case-insensitive.
bool parse_bool(std::string_view env, std::string_view raw, bool secret);
// Checks minLength/maxLength (code points) and returns the value.
std::string parse_string(std::string_view env, std::string_view raw, std::optional<std::size_t> min_length,
                         std::optional<std::size_t> max_length, bool secret);
// Index of the (case-insensitively) matching value in `values`.
std::size_t parse_enum(std::string_view env, std::string_view raw, std::initializer_list<std::string_view> values,
                       bool secret);

// Display text for describe(): secrets go through mask_secret().
std::string show(std::int64_t v, bool secret);
std::string show(double v, bool secret);
std::string show(bool v, bool secret);
std::string show(std::string_view v, bool secret);
inline std::string show(const std::string& v, bool secret) { return show(std::string_view(v), secret); }
inline std::string show(const char* v, bool secret) { return show(std::string_view(v), secret); }
template <class T>
std::string show(const std::optional<T>& v, bool secret) {
  return v ? show(*v, secret) : std::string("(unset)");
}

}  // namespace config
}  // namespace onair::core
