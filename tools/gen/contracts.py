"""The parts of a service's contract besides its models: bus topics (x-event-publications /
x-event-subscriptions), operations (paths, x-permissions, request and response models) and the
configuration properties (x-service-configuration)."""

import re

from ir import COMMON, ConfigProperty, Enum, Operation, SchemaError
from naming import description_of, field_identifier, is_identifier, pascal, snake


def load_events(schemas, svc):
    file_name = svc.files.get("events")
    if not file_name:
        return
    info = schemas.docs[file_name].get("info") or {}
    for key, target in (("x-event-publications", svc.publications), ("x-event-subscriptions", svc.subscriptions)):
        for entry in info.get(key) or []:
            if not isinstance(entry, dict) or "topic" not in entry or "event" not in entry:
                raise SchemaError("%s: info.%s entries need topic and event" % (file_name, key))
            target.append((str(entry["topic"]), str(entry["event"]), str(entry.get("description", "")).strip()))
    # A topic may be both published and subscribed (same constant); different topics must not collide.
    topics = {}
    for topic, _, _ in svc.publications + svc.subscriptions:
        other = topics.setdefault(pascal(topic), topic)
        if other != topic:
            raise SchemaError("%s: topics %s and %s map to the same constant k%s"
                              % (file_name, other, topic, pascal(topic)))


def load_operations(schemas, svc):
    file_name = svc.files.get("api")
    if not file_name:
        return
    paths = schemas.docs[file_name].get("paths") or {}
    if svc.name == COMMON:
        if paths:
            raise SchemaError("%s: common files hold shared models only; paths belong to a service" % file_name)
        return
    seen_ops = set()
    for path, item in paths.items():
        if not str(path).startswith("/%s/" % svc.name):
            raise SchemaError("%s: path %s must start with /%s/" % (file_name, path, svc.name))
        methods = [m for m in item if m in ("get", "put", "post", "delete", "patch", "head", "options", "trace")]
        if methods != ["post"]:
            raise SchemaError("%s: %s: only POST operations are allowed (found %s)" % (file_name, path, methods))
        op = item["post"]
        where = "%s: %s" % (file_name, path)
        op_id = op.get("operationId")
        if not op_id or not is_identifier(op_id):
            raise SchemaError("%s: needs an operationId that is an identifier" % where)
        if snake(op_id) in seen_ops:
            raise SchemaError("%s: operationId %s is used twice" % (where, op_id))
        seen_ops.add(snake(op_id))
        if "x-permissions" not in op:
            raise SchemaError("%s: needs x-permissions (use [] for service-internal endpoints)" % where)
        request, request_required = None, False
        if "requestBody" in op:
            body = op["requestBody"]
            request = _body_type(schemas, where + " requestBody", file_name, body)
            request_required = bool(body.get("required", False))
        responses = op.get("responses") or {}
        ok = responses.get("200", responses.get(200))
        if ok is None:
            raise SchemaError("%s: needs a 200 response" % where)
        response = _body_type(schemas, where + " 200 response", file_name, ok) if ok.get("content") else None
        svc.operations.append(Operation(str(path), op_id, str(op.get("summary", "")).strip(), request,
                                        request_required, response, _permissions(where, op["x-permissions"])))

def _body_type(schemas, where, file_name, body):
    content = (body.get("content") or {}).get("application/json")
    if not content or "schema" not in content:
        raise SchemaError("%s: needs content application/json with a schema" % where)
    schema = content["schema"]
    if set(schema) != {"$ref"}:
        raise SchemaError("%s: the schema must be a $ref to an object component" % where)
    t = schemas.ref_type(file_name, schema["$ref"])
    if t.kind != "struct":
        raise SchemaError("%s: %s is not an object" % (where, schema["$ref"]))
    return t


def load_config(schemas, svc):
    file_name = svc.files.get("configuration")
    if not file_name:
        return
    doc = schemas.docs[file_name]
    section = doc.get("x-service-configuration") or {}
    svc.config_description = str((doc.get("info") or {}).get("description", "")).strip()
    envs = {}
    for name, spec in (section.get("properties") or {}).items():
        where = "%s: %s" % (file_name, name)
        if not is_identifier(name) or not name[0].isupper():
            raise SchemaError("%s: property names are PascalCase identifiers" % where)
        ptype = spec.get("type")
        if ptype not in ("string", "integer", "number", "boolean"):
            raise SchemaError("%s: type must be string, integer, number or boolean" % where)
        env = spec.get("env")
        if not env or not re.match(r"^[A-Z][A-Z0-9_]*$", str(env)):
            raise SchemaError("%s: needs env, an UPPER_SNAKE environment variable name" % where)
        if env in envs:
            raise SchemaError("%s: env %s is also used by %s" % (where, env, envs[env]))
        envs[env] = name
        prop = ConfigProperty(name, field_identifier(name), ptype, str(env), spec.get("default"),
                              "default" in spec and spec.get("default") is not None,
                              bool(spec.get("nullable", False)), bool(spec.get("x-secret", False)),
                              description_of(spec), None, spec.get("minimum"), spec.get("maximum"),
                              spec.get("minLength"), spec.get("maxLength"))
        if "enum" in spec:
            if ptype != "string":
                raise SchemaError("%s: only string properties may have an enum" % where)
            prop.enum = [str(v) for v in spec["enum"]]
            enum = Enum(svc.name, name, prop.enum, prop.description, file_name)
            if schemas.type_name_taken(svc.name, name):
                raise SchemaError("%s: enum %s clashes with a model of that name" % (where, name))
            if len(set(enum.identifiers())) != len(enum.identifiers()):
                raise SchemaError("%s: enum values map to the same C++ name" % where)
            svc.config_enums.append(enum)
        if not prop.has_default and not prop.nullable:
            raise SchemaError("%s: needs a default or nullable: true" % where)
        _check_config_default(where, prop)
        svc.config.append(prop)


def _permissions(where, raw):
    if not isinstance(raw, list):
        raise SchemaError("%s: x-permissions must be a list" % where)
    rules = []
    for entry in raw:
        if not isinstance(entry, dict) or "role" not in entry:
            raise SchemaError("%s: each x-permissions entry needs a role" % where)
        states = entry.get("states") or {}
        if not isinstance(states, dict):
            raise SchemaError("%s: states must map service -> state" % where)
        rules.append((str(entry["role"]), [(str(k), str(v)) for k, v in states.items()]))
    return rules


def _check_config_default(where, prop):
    if not prop.has_default:
        return
    value = prop.default
    if prop.type == "boolean" and not isinstance(value, bool):
        raise SchemaError("%s: default must be true or false" % where)
    if prop.type == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        raise SchemaError("%s: default must be an integer" % where)
    if prop.type == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise SchemaError("%s: default must be a number" % where)
    if prop.type == "string":
        if not isinstance(value, str):
            raise SchemaError("%s: default must be a string (quote it)" % where)
        if prop.enum and value not in prop.enum:
            raise SchemaError("%s: default %r is not one of %s" % (where, value, prop.enum))
        if prop.min_length is not None and len(value) < prop.min_length:
            raise SchemaError("%s: default is shorter than minLength" % where)
        if prop.max_length is not None and len(value) > prop.max_length:
            raise SchemaError("%s: default is longer than maxLength" % where)
    if prop.type in ("integer", "number"):
        if prop.minimum is not None and value < prop.minimum:
            raise SchemaError("%s: default is below minimum" % where)
        if prop.maximum is not None and value > prop.maximum:
            raise SchemaError("%s: default is above maximum" % where)
