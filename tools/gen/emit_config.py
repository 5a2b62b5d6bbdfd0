"""gen/<svc>/configuration.hpp/.cpp: the typed configuration of a service, read from the environment."""

from emit_models import banner
from naming import cpp_double, cpp_int, cpp_string, enum_identifier, number_text, snake

CFG = "::onair::core::"


def _base_type(prop):
    if prop.enum:
        return prop.name
    return {"string": "std::string", "integer": "std::int64_t", "number": "double", "boolean": "bool"}[prop.type]


def _cpp_type(prop):
    base = _base_type(prop)
    return "std::optional<%s>" % base if prop.optional else base


def _literal(prop, value):
    if prop.enum:
        idx = prop.enum.index(value)
        return "%s::%s" % (prop.name, _enum_idents(prop)[idx])
    if prop.type == "string":
        return cpp_string(value)
    if prop.type == "integer":
        return cpp_int(value)
    if prop.type == "number":
        return cpp_double(value)
    return "true" if value else "false"


def _enum_idents(prop):
    return [enum_identifier(v) for v in prop.enum]


def rule_text(prop):
    """The allowed values, as docs and comments show them: "1..65535", "memory | redis", ">= 32 chars"."""
    if prop.enum:
        return " | ".join(prop.enum)
    if prop.type in ("integer", "number"):
        lo, hi = prop.minimum, prop.maximum
        if lo is not None and hi is not None:
            return "%s..%s" % (number_text(lo), number_text(hi))
        if lo is not None:
            return ">= %s" % number_text(lo)
        if hi is not None:
            return "<= %s" % number_text(hi)
    if prop.type == "string" and (prop.min_length is not None or prop.max_length is not None):
        if prop.min_length is not None and prop.max_length is not None:
            return "%d..%d characters" % (prop.min_length, prop.max_length)
        if prop.min_length is not None:
            return "at least %d characters" % prop.min_length
        return "at most %d characters" % prop.max_length
    if prop.type == "boolean":
        return "true | false"
    return ""


def struct_name(svc):
    return "%sConfiguration" % svc.pascal


def header(svc):
    name = struct_name(svc)
    out = ["#pragma once"] + banner([svc.files["configuration"]])
    out += ["#include <cstdint>", "#include <optional>", "#include <string>", "#include <string_view>",
            "#include <vector>", "", '#include "core/config_support.hpp"', ""]
    out += ["namespace onair::gen::%s {" % svc.name, ""]
    for enum in svc.config_enums:
        out.append("// %s" % enum.description if enum.description else "// Values of %s." % enum.name)
        out.append("enum class %s { %s };" % (enum.name, ", ".join(enum.identifiers())))
        out.append("std::string_view to_string(%s value);" % enum.name)
        out.append("std::optional<%s> parse_%s(std::string_view text);" % (enum.name, snake(enum.name)))
        out.append("")
    out.append("// The %s configuration (%s); load_configuration() reads it from the environment." % (
        svc.name, svc.files["configuration"]))
    out.append("struct %s {" % name)
    for prop in svc.config:
        rule = rule_text(prop)
        extra = "; ".join(x for x in (prop.env, rule, "secret" if prop.secret else "") if x)
        out.append("  // %s (%s)" % (prop.description, extra))
        init = " = " + _literal(prop, prop.default) if prop.has_default else ""
        out.append("  %s %s%s;" % (_cpp_type(prop), prop.cpp_name, init))
    out += ["", "  friend bool operator==(const %s&, const %s&) = default;" % (name, name), "};", ""]
    out.append("// Reads every variable (unset -> default; empty -> unset for nullable ones). Throws")
    out.append("// core::ConfigError naming the variable and the rule; secrets never appear in it.")
    out.append("%s load_configuration(const %sEnvLookup& env);" % (name, CFG))
    out.append("// Every property with its display value (secrets masked), for logs and `onair config`.")
    out.append("std::vector<%sConfigEntry> describe(const %s& config);" % (CFG, name))
    out += ["", "}  // namespace onair::gen::%s" % svc.name, ""]
    return "\n".join(out)


def _opt(value, kind):
    if value is None:
        return "std::nullopt"
    if kind == "integer":
        return "std::int64_t{%s}" % cpp_int(value)
    if kind == "number":
        return cpp_double(value)
    return "std::size_t{%d}" % int(value)


def _parse_expr(prop):
    env = cpp_string(prop.env)
    secret = "true" if prop.secret else "false"
    if prop.enum:
        values = ", ".join(cpp_string(v) for v in prop.enum)
        return "static_cast<%s>(cfg::parse_enum(%s, *raw, {%s}, %s))" % (prop.name, env, values, secret)
    if prop.type == "integer":
        return "cfg::parse_int(%s, *raw, %s, %s, %s)" % (env, _opt(prop.minimum, "integer"),
                                                       _opt(prop.maximum, "integer"), secret)
    if prop.type == "number":
        return "cfg::parse_number(%s, *raw, %s, %s, %s)" % (env, _opt(prop.minimum, "number"),
                                                          _opt(prop.maximum, "number"), secret)
    if prop.type == "boolean":
        return "cfg::parse_bool(%s, *raw, %s)" % (env, secret)
    if prop.min_length is None and prop.max_length is None:
        return "std::move(*raw)"
    return "cfg::parse_string(%s, *raw, %s, %s, %s)" % (env, _opt(prop.min_length, "length"),
                                                      _opt(prop.max_length, "length"), secret)


def source(svc):
    name = struct_name(svc)
    out = banner([svc.files["configuration"]]) + ['#include "gen/%s/configuration.hpp"' % svc.name, ""]
    out += ["#include <utility>", "", "namespace onair::gen::%s {" % svc.name, ""]
    for enum in svc.config_enums:
        out.append("std::string_view to_string(%s value) {" % enum.name)
        out.append("  switch (value) {")
        for value, ident in zip(enum.values, enum.identifiers()):
            out.append("    case %s::%s:" % (enum.name, ident))
            out.append("      return %s;" % cpp_string(value))
        out += ["  }", "  return {};", "}", ""]
        out.append("std::optional<%s> parse_%s(std::string_view text) {" % (enum.name, snake(enum.name)))
        for value, ident in zip(enum.values, enum.identifiers()):
            out.append("  if (text == %s) return %s::%s;" % (cpp_string(value), enum.name, ident))
        out += ["  return std::nullopt;", "}", ""]
    env_used = "" if svc.config else "[[maybe_unused]] "
    out.append("%s load_configuration(%sconst %sEnvLookup& env) {" % (name, env_used, CFG))
    if svc.config:
        out.append("  namespace cfg = ::onair::core::config;")
    out.append("  %s c;" % name)
    for prop in svc.config:
        out.append("  if (auto raw = env(%s)) {" % cpp_string(prop.env))
        if prop.nullable:
            out.append("    if (raw->empty()) {")
            out.append("      c.%s.reset();" % prop.cpp_name)
            out.append("    } else {")
            out.append("      c.%s = %s;" % (prop.cpp_name, _parse_expr(prop)))
            out.append("    }")
        else:
            out.append("    c.%s = %s;" % (prop.cpp_name, _parse_expr(prop)))
        out.append("  }")
    out += ["  return c;", "}", ""]
    cfg_used = "" if svc.config else "[[maybe_unused]] "
    out.append("std::vector<%sConfigEntry> describe(%sconst %s& config) {" % (CFG, cfg_used, name))
    if svc.config:
        out.append("  namespace cfg = ::onair::core::config;")
        out.append("  const %s defaults;" % name)
    out.append("  std::vector<%sConfigEntry> out;" % CFG)
    out.append("  out.reserve(%d);" % len(svc.config))
    for prop in svc.config:
        member = "config.%s" % prop.cpp_name
        secret = "true" if prop.secret else "false"
        if prop.enum and prop.optional:
            value = '%s ? cfg::show(to_string(*%s), %s) : std::string("(unset)")' % (member, member, secret)
        elif prop.enum:
            value = "cfg::show(to_string(%s), %s)" % (member, secret)
        else:
            value = "cfg::show(%s, %s)" % (member, secret)
        out.append("  out.push_back(%sConfigEntry{%s, %s, %s, %s, %s, %s == defaults.%s});" % (
            CFG, cpp_string(prop.name), cpp_string(prop.env), value, cpp_string(prop.description), secret,
            member, prop.cpp_name))
    out += ["  return out;", "}", "", "}  // namespace onair::gen::%s" % svc.name, ""]
    return "\n".join(out)
