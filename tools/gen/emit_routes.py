"""gen/<svc>/routes.hpp/.cpp (the <Svc>Api interface and its route table entries), gen/<svc>/topics.hpp,
gen/topic_info.hpp and gen/services.hpp."""

from emit_models import banner, qualify
from naming import comment_lines, cpp_string, pascal, snake

P = "::onair::platform::"


def _type(t, svc):
    return qualify(t.svc, svc, t.name)


def _signature(op, svc):
    response = "void" if op.response is None else _type(op.response, svc)
    args = []
    if op.request is not None:
        args.append("%s request" % _type(op.request, svc))
    args.append("const %sCallContext& caller" % P)
    return "::onair::Task<%s> %s(%s)" % (response, snake(op.operation_id), ", ".join(args))


def routes_header(svc):
    api = svc.files["api"]
    deps = sorted({t.svc for op in svc.operations for t in (op.request, op.response) if t is not None})
    out = ["#pragma once"] + banner([api])
    out += ["#include <vector>", "", '#include "core/task.hpp"']
    out += ['#include "gen/%s/models.hpp"' % d for d in sorted(set(deps) | {svc.name})]
    out += ['#include "platform/route_table.hpp"', ""]
    out += ["namespace onair::gen::%s {" % svc.name, ""]
    out += [
        "// The %s service's API, one member per operation of %s. The hand-written service" % (svc.name, api),
        "// implements it; register_routes() validates each request body (throwing",
        "// onair::ValidationError) before calling it. Errors are thrown as onair::ApiError.",
        "class %sApi {" % svc.pascal,
        " public:",
        "  virtual ~%sApi() = default;" % svc.pascal,
        "",
    ]
    for op in svc.operations:
        out.append("  // POST %s%s" % (op.path, ": " + op.summary if op.summary else ""))
        out.append("  virtual %s = 0;" % _signature(op, svc.name))
    out += ["};", ""]
    out.append("// One spec per path of %s, with the permissions of its x-permissions." % api)
    out.append("std::vector<%sRouteSpec> route_specs();" % P)
    out.append("// Adds every route; `api` must outlive `table`.")
    out.append("void register_routes(%sRouteTable& table, %sApi& api);" % (P, svc.pascal))
    out += ["", "}  // namespace onair::gen::%s" % svc.name, ""]
    return "\n".join(out)


def _spec(op, svc):
    rules = []
    for role, states in op.permissions:
        pairs = ", ".join("{%s, %s}" % (cpp_string(k), cpp_string(v)) for k, v in states)
        rules.append("%sPermissionRule{%s, {%s}}" % (P, cpp_string(role), pairs))
    return "%sRouteSpec{%s, %s, %s, {%s}}" % (P, cpp_string(svc), cpp_string(op.path), cpp_string(op.operation_id),
                                             ", ".join(rules))


def routes_source(svc):
    name = svc.name
    out = banner([svc.files["api"]]) + ['#include "gen/%s/routes.hpp"' % name, "", "#include <utility>", ""]
    out += ["namespace onair::gen::%s {" % name, "namespace {", ""]
    for op in svc.operations:
        fn = snake(op.operation_id)
        body_unused = "" if op.request is not None else "[[maybe_unused]] "
        out.append("::onair::Task<%sApiResult> handle_%s(%sApi& api, %sconst boost::json::value& body," % (
            P, fn, svc.pascal, body_unused))
        out.append("    const %sCallContext& caller) {" % P)
        call_args = "caller"
        if op.request is not None:
            req = _type(op.request, name)
            if op.request_required:
                out.append('  auto request = %s::from_json(body, "body");' % req)
            else:  # an optional body: absent means {}
                out.append('  auto request = body.is_null() ? %s::from_json(boost::json::object{}, "body")' % req)
                out.append('                                : %s::from_json(body, "body");' % req)
            call_args = "std::move(request), caller"
        # Named locals around co_await: g++ 12 may destroy brace-initialised temporaries of a
        # co_await full-expression twice (docs/decisions.md).
        if op.response is None:
            out.append("  co_await api.%s(%s);" % (fn, call_args))
            out.append("  auto result = %sApiResult::from_text(200, \"{}\");" % P)
        else:
            out.append("  auto response = co_await api.%s(%s);" % (fn, call_args))
            out.append("  auto result = %sApiResult::from_text(200, response.to_json_text());" % P)
        out.append("  co_return result;")
        out += ["}", ""]
    out += ["}  // namespace", ""]
    out.append("std::vector<%sRouteSpec> route_specs() {" % P)
    out.append("  std::vector<%sRouteSpec> specs;" % P)
    out.append("  specs.reserve(%d);" % len(svc.operations))
    for op in svc.operations:
        out.append("  specs.push_back(%s);" % _spec(op, name))
    out += ["  return specs;", "}", ""]
    unused = "" if svc.operations else "[[maybe_unused]] "
    out.append("void register_routes(%s%sRouteTable& table, %s%sApi& api) {" % (unused, P, unused, svc.pascal))
    if svc.operations:
        out.append("  auto specs = route_specs();")
    for i, op in enumerate(svc.operations):
        out.append("  table.add(std::move(specs[%d]), [&api](const boost::json::value& body, const %sCallContext& caller) {"
                   % (i, P))
        out.append("    return handle_%s(api, body, caller);" % snake(op.operation_id))
        out.append("  });")
    out += ["}", "", "}  // namespace onair::gen::%s" % name, ""]
    return "\n".join(out)


def topics_header(svc):
    sources = [svc.files[k] for k in ("events", "client-events") if k in svc.files] or ["(no events)"]
    out = ["#pragma once"] + banner(sources)
    out += ["#include <array>", "#include <string_view>", "", '#include "gen/topic_info.hpp"', ""]
    out += ["namespace onair::gen::%s {" % svc.name, ""]
    seen = set()
    for topic, _event, description in svc.publications + svc.subscriptions:
        const = "k" + pascal(topic)
        if const in seen:
            continue
        seen.add(const)
        out += comment_lines(description)
        out.append("inline constexpr std::string_view %s = %s;" % (const, cpp_string(topic)))
    if seen:
        out.append("")
    for label, entries in (("kPublications", svc.publications), ("kSubscriptions", svc.subscriptions)):
        what = "publishes" if label == "kPublications" else "subscribes to"
        out.append("// Topics the %s service %s (info.x-event-%s)." % (
            svc.name, what, "publications" if label == "kPublications" else "subscriptions"))
        out.append("inline constexpr std::array<::onair::gen::TopicInfo, %d> %s = {{" % (len(entries), label))
        for topic, event, description in entries:
            out.append("    {k%s, %s, %s}," % (pascal(topic), cpp_string(event), cpp_string(description)))
        out.append("}};")
    events = svc.client_events
    out.append("// eventName of every client event (x-client-event) the service sends.")
    out.append("inline constexpr std::array<std::string_view, %d> kClientEvents = {{%s}};" % (
        len(events), ", ".join(cpp_string(s.event_name) for s in events)))
    out += ["", "}  // namespace onair::gen::%s" % svc.name, ""]
    return "\n".join(out)


def topic_info_header():
    return "\n".join(["#pragma once"] + banner(["schemas/*-events.yaml"]) + [
        "#include <string_view>",
        "",
        "namespace onair::gen {",
        "",
        "// One entry of an events file's x-event-publications / x-event-subscriptions.",
        "struct TopicInfo {",
        "  std::string_view topic;        // \"voice.room.created\"",
        "  std::string_view event;        // model name: \"VoiceRoomCreatedEvent\"",
        "  std::string_view description;",
        "};",
        "",
        "}  // namespace onair::gen",
        "",
    ])


def services_header(services):
    names = [s.name for s in services if s.has_routes]
    return "\n".join(["#pragma once"] + banner(["schemas/*-api.yaml"]) + [
        "#include <array>",
        "#include <string_view>",
        "",
        "namespace onair::gen {",
        "",
        "// Services with an API (schemas/<svc>-api.yaml): each has gen/<svc>/routes.hpp.",
        "inline constexpr std::array<std::string_view, %d> kServices = {{%s}};" % (
            len(names), ", ".join(cpp_string(n) for n in names)),
        "",
        "}  // namespace onair::gen",
        "",
    ])
