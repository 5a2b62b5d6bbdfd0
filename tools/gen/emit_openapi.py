"""gen/openapi.hpp/.cpp: the merged OpenAPI 3 document of every *-api.yaml, served by the server."""

import copy
import json

from emit_models import banner
from naming import pascal
from ir import MODEL_KINDS, SchemaError

_CHUNK = 16000  # string literals stay far below the 65536 characters -Woverlength-strings allows


def component_names(schemas):
    """(svc, name) -> the name in the merged document; names used by several services get the service prefix."""
    owners = {}
    for svc in schemas.sorted_services():
        for kind in MODEL_KINDS:
            file_name = svc.files.get(kind)
            if file_name:
                for name in schemas.components(file_name):
                    owners.setdefault(name, []).append(svc.name)
    final = {}
    for name, svcs in owners.items():
        for svc in svcs:
            final[(svc, name)] = name if len(svcs) == 1 else pascal(svc) + name
    taken = {}
    for key, name in final.items():
        if name in taken and taken[name] != key:
            raise SchemaError("openapi merge: %s of %s and %s of %s both become %s"
                              % (key[1], key[0], taken[name][1], taken[name][0], name))
        taken[name] = key
    return final


def _rewrite(schemas, names, file_name, node):
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                target, name = schemas.resolve_ref(file_name, value)
                out[key] = "#/components/schemas/" + names[(schemas.file_service[target], name)]
            else:
                out[key] = _rewrite(schemas, names, file_name, value)
        return out
    if isinstance(node, list):
        return [_rewrite(schemas, names, file_name, v) for v in node]
    return copy.deepcopy(node)


def merged_document(schemas, version):
    names = component_names(schemas)
    paths, components, events = {}, {}, {}
    for svc in schemas.sorted_services():
        for kind in MODEL_KINDS:
            file_name = svc.files.get(kind)
            if not file_name:
                continue
            for name, schema in schemas.components(file_name).items():
                components[names[(svc.name, name)]] = _rewrite(schemas, names, file_name, schema)
        if svc.has_routes:
            api = svc.files["api"]
            for path, item in (schemas.docs[api].get("paths") or {}).items():
                if path in paths:
                    raise SchemaError("openapi merge: path %s is declared twice" % path)
                paths[path] = _rewrite(schemas, names, api, item)
        if svc.publications or svc.subscriptions or svc.client_events:
            events[svc.name] = {
                "publications": [{"topic": t, "event": e, "description": d} for t, e, d in svc.publications],
                "subscriptions": [{"topic": t, "event": e, "description": d} for t, e, d in svc.subscriptions],
                "clientEvents": [{"eventName": s.event_name, "model": names[(s.svc, s.name)]}
                                 for s in svc.client_events],
            }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "onair",
            "version": version,
            "description": "Merged API of every onair service (generated from schemas/*.yaml). All operations are"
                           " POST with a JSON body; x-permissions lists the roles (and session states) allowed to"
                           " call each one, [] meaning service-internal.",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
        "security": [{"bearerAuth": []}],
        "x-onair-events": events,
    }


def document_json(schemas, version):
    return json.dumps(merged_document(schemas, version), ensure_ascii=True, separators=(",", ":"),
                      allow_nan=False)


def header():
    return "\n".join(["#pragma once"] + banner(["schemas/*.yaml"]) + [
        "#include <string_view>",
        "",
        "namespace onair::gen {",
        "",
        "// The merged OpenAPI 3 document (JSON) of every service's *-api.yaml, with the",
        "// component schemas of each service's api, events and client-events files.",
        "std::string_view merged_openapi_json();",
        "",
        "}  // namespace onair::gen",
        "",
    ])


def source(text):
    delim = "onair_json"
    if (")%s\"" % delim) in text:
        raise SchemaError("openapi merge: document contains the raw-string delimiter")
    chunks = [text[i:i + _CHUNK] for i in range(0, len(text), _CHUNK)] or [""]
    out = banner(["schemas/*.yaml"]) + ['#include "gen/openapi.hpp"', "", "#include <string>", ""]
    out += ["namespace onair::gen {", "namespace {", ""]
    out.append("constexpr std::string_view kParts[] = {")
    for chunk in chunks:
        out.append('    R"%s(%s)%s",' % (delim, chunk, delim))
    out += ["};", "", "}  // namespace", ""]
    out += [
        "std::string_view merged_openapi_json() {",
        "  static const std::string text = [] {",
        "    std::string all;",
        "    for (auto part : kParts) all.append(part);",
        "    return all;",
        "  }();",
        "  return text;",
        "}",
        "",
        "}  // namespace onair::gen",
        "",
    ]
    return "\n".join(out)
