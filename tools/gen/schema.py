"""Loads schemas/*.yaml and builds the model the emitters work from.

File names carry the service: `<svc>-api.yaml`, `<svc>-events.yaml`, `<svc>-client-events.yaml`,
`<svc>-configuration.yaml`. `common-*.yaml` hold shared models (namespace `common`, never a service with
routes); `server-configuration.yaml` is the server's own configuration (namespace `server`).
"""

import os

import yaml

import contracts
from ir import (KINDS, MODEL_KINDS, REF, SERVICE_NAME, Enum, Field, SchemaError, Service, Struct,
                Type)
from naming import CPP_KEYWORDS, description_of, field_identifier, is_identifier, pascal


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver: dates stay strings, so every document is JSON-able."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def split_file_name(file_name):
    """"voice-client-events.yaml" -> ("voice", "client-events")."""
    if not file_name.endswith(".yaml"):
        raise SchemaError("%s: schema files end in .yaml" % file_name)
    stem = file_name[: -len(".yaml")]
    for kind in KINDS:
        if stem.endswith("-" + kind):
            svc = stem[: -len(kind) - 1]
            if not SERVICE_NAME.match(svc) or svc in CPP_KEYWORDS:
                raise SchemaError("%s: service name %r must match [a-z][a-z0-9_]*" % (file_name, svc))
            return svc, kind
    raise SchemaError("%s: name must end in one of %s" % (file_name, ", ".join("-%s.yaml" % k for k in KINDS)))


def list_schema_files(schema_dir):
    names = sorted(n for n in os.listdir(schema_dir) if n.endswith(".yaml"))
    return [(n,) + split_file_name(n) for n in names]


class Schemas:
    """All schema files of one directory, with $ref resolution across them."""

    def __init__(self, schema_dir):
        self.dir = schema_dir
        self.docs = {}  # file -> parsed document
        self.file_service = {}  # file -> service name
        self.services = {}  # name -> Service
        for file_name, svc, kind in list_schema_files(schema_dir):
            with open(os.path.join(schema_dir, file_name), encoding="utf-8") as fh:
                try:
                    doc = yaml.load(fh, Loader=_Loader)  # noqa: S506 (safe loader subclass)
                except yaml.YAMLError as exc:
                    raise SchemaError("%s: %s" % (file_name, exc)) from exc
            if not isinstance(doc, dict):
                raise SchemaError("%s: not a YAML mapping" % file_name)
            self.docs[file_name] = doc
            self.file_service[file_name] = svc
            self.services.setdefault(svc, Service(svc)).files[kind] = file_name
        self._named = {}  # (svc, name) -> Enum | Struct | None (alias)
        self._owner = {}  # (svc, name) -> file that declares it
        self._building = []
        for svc in self.sorted_services():
            for kind in MODEL_KINDS:
                file_name = svc.files.get(kind)
                if not file_name:
                    continue
                for name in self.components(file_name):
                    key = (svc.name, name)
                    if key in self._owner:
                        raise SchemaError("%s: component %s is also declared in %s" % (file_name, name, self._owner[key]))
                    self._owner[key] = file_name
        for svc in self.sorted_services():
            self._load_models(svc)
            contracts.load_events(self, svc)
            contracts.load_operations(self, svc)
            contracts.load_config(self, svc)

    def sorted_services(self):
        return [self.services[n] for n in sorted(self.services)]

    def components(self, file_name):
        comps = (self.docs[file_name].get("components") or {}).get("schemas") or {}
        if not isinstance(comps, dict):
            raise SchemaError("%s: components.schemas must be a mapping" % file_name)
        return comps

    def resolve_ref(self, file_name, ref):
        """'voice-api.yaml#/components/schemas/VoiceTier' -> ("voice-api.yaml", "VoiceTier")."""
        match = REF.match(str(ref))
        if not match:
            raise SchemaError("%s: unsupported $ref %r (use [file]#/components/schemas/Name)" % (file_name, ref))
        target = match.group(1) or file_name
        name = match.group(2)
        if target not in self.docs:
            raise SchemaError("%s: $ref %r names a file that is not in %s" % (file_name, ref, self.dir))
        if name not in self.components(target):
            raise SchemaError("%s: $ref %r: %s has no component %s" % (file_name, ref, target, name))
        return target, name

    def type_name_taken(self, svc, name):
        return (svc, name) in self._named or (svc, name) in self._owner

    def named(self, svc, name):
        return self._named.get((svc, name))

    def _load_models(self, svc):
        for kind in MODEL_KINDS:
            file_name = svc.files.get(kind)
            if file_name:
                for name in self.components(file_name):
                    self._component(file_name, name)

    def _component(self, file_name, name):
        """Builds (once) the Enum or Struct of a component; None for an alias (inlined where used)."""
        svc = self.file_service[file_name]
        key = (svc, name)
        if key in self._building:
            chain = " -> ".join(n for _, n in self._building[self._building.index(key):] + [key])
            raise SchemaError("%s: recursive schema %s is not supported" % (file_name, chain))
        if key in self._named:
            return self._named[key]
        schema = self.components(file_name)[name]
        self._check_supported(file_name, name, schema)
        self._building.append(key)
        try:
            if schema.get("type") == "string" and "enum" in schema:
                result = self._add_enum(svc, name, schema, file_name)
            elif schema.get("type") == "object" or "properties" in schema or "allOf" in schema:
                result = self._add_struct(svc, name, schema, file_name, top_level=True)
            else:
                result = None
        finally:
            self._building.pop()
        self._named[key] = result
        return result

    def _check_supported(self, where, name, schema):
        if not isinstance(schema, dict):
            raise SchemaError("%s: %s: a schema must be a mapping" % (where, name))
        for word in ("oneOf", "anyOf", "not", "discriminator"):
            if word in schema:
                raise SchemaError("%s: %s: %s is not supported by the generator" % (where, name, word))
        if "enum" in schema and schema.get("type") != "string":
            raise SchemaError("%s: %s: only string enums are supported" % (where, name))

    def _add_enum(self, svc, name, schema, file_name, inline=False):
        values = [str(v) for v in schema["enum"]]
        if not values:
            raise SchemaError("%s: enum %s has no values" % (file_name, name))
        enum = Enum(svc, name, values, schema.get("description", ""), file_name)
        idents = enum.identifiers()
        if len(set(idents)) != len(idents):
            raise SchemaError("%s: enum %s: values map to the same C++ name: %s" % (file_name, name, idents))
        self._register(svc, name, enum, file_name, inline)
        self.services[svc].enums.append(enum)
        return enum

    def _register(self, svc, name, item, file_name, inline):
        key = (svc, name)
        if not is_identifier(name):
            raise SchemaError("%s: type name %r is not a C++ identifier" % (file_name, name))
        if name in (pascal(svc) + "Api", pascal(svc) + "Configuration", "TopicInfo"):
            raise SchemaError("%s: type name %s is reserved for generated code" % (file_name, name))
        if inline and key in self._owner:
            raise SchemaError("%s: inline type %s clashes with the component of that name in %s"
                              % (file_name, name, self._owner[key]))
        if self._named.get(key) is not None:
            raise SchemaError("%s: type name %s is used twice in service %s" % (file_name, name, svc))
        self._named[key] = item

    def _merged_properties(self, schema, file_name, seen=()):
        """allOf parts first (in order), then own properties; returns ([(name, schema, file)], required)."""
        props = {}
        required = []
        for part in schema.get("allOf") or []:
            if "$ref" in part:
                target, ref_name = self.resolve_ref(file_name, part["$ref"])
                if (target, ref_name) in seen:
                    raise SchemaError("%s: allOf cycle through %s" % (file_name, ref_name))
                sub = self.components(target)[ref_name]
                sub_props, sub_req = self._merged_properties(sub, target, seen + ((target, ref_name),))
            else:
                self._check_supported(file_name, "allOf part", part)
                sub_props, sub_req = self._merged_properties(part, file_name, seen)
            for pname, value in sub_props.items():
                props[pname] = value
            required += [r for r in sub_req if r not in required]
        for pname, pschema in (schema.get("properties") or {}).items():
            props[pname] = (pschema, file_name)
        required += [r for r in schema.get("required") or [] if r not in required]
        return props, required

    def _add_struct(self, svc, name, schema, file_name, top_level):
        props, required = self._merged_properties(schema, file_name)
        for req in required:
            if req not in props:
                raise SchemaError("%s: %s: required property %s is not declared" % (file_name, name, req))
        addl = schema.get("additionalProperties", True)
        if isinstance(addl, dict):
            raise SchemaError("%s: %s: additionalProperties with a schema next to properties is not supported"
                              % (file_name, name))
        struct = Struct(svc, name, [], addl is not False, schema.get("description", ""), None, file_name)
        self._register(svc, name, struct, file_name, not top_level)
        used = {}
        for pname, (pschema, pfile) in props.items():
            if not isinstance(pschema, dict):
                raise SchemaError("%s: %s.%s: a property schema must be a mapping" % (pfile, name, pname))
            ftype, nullable = self._property_type(svc, name, pname, pschema, pfile)
            cpp_name = field_identifier(pname)
            if cpp_name in used:
                raise SchemaError("%s: %s: properties %s and %s both become C++ field %s"
                                  % (file_name, name, used[cpp_name], pname, cpp_name))
            used[cpp_name] = pname
            fld = Field(pname, cpp_name, ftype, pname in required, nullable,
                        pschema.get("default"), "default" in pschema, description_of(pschema))
            _check_default(pfile, name, fld)
            struct.fields.append(fld)
        if schema.get("x-client-event"):
            event_field = next((f for f in struct.fields if f.json_name == "eventName"), None)
            if event_field is None or not event_field.has_default:
                raise SchemaError("%s: client event %s needs an eventName property with a default" % (file_name, name))
            struct.event_name = str(event_field.default)
        self.services[svc].structs.append(struct)
        return struct

    def _property_type(self, svc, owner, prop, schema, file_name):
        """(Type, nullable) of a property; inline objects and enums become named types owner+Prop."""
        nullable = bool(schema.get("nullable", False))
        all_of = schema.get("allOf")
        if all_of and len(all_of) == 1 and "$ref" in all_of[0] and "properties" not in schema:
            return self.ref_type(file_name, all_of[0]["$ref"]), nullable
        return self._type(svc, owner + pascal(prop), schema, file_name), nullable

    def ref_type(self, file_name, ref):
        target, name = self.resolve_ref(file_name, ref)
        item = self._component(target, name)
        tsvc = self.file_service[target]
        if isinstance(item, Enum):
            return Type("enum", tsvc, name)
        if isinstance(item, Struct):
            return Type("struct", tsvc, name)
        alias = self.components(target)[name]
        return self._type(tsvc, name, alias, target)  # an alias (e.g. a constrained string): inline it

    def _type(self, svc, inline_name, schema, file_name):
        self._check_supported(file_name, inline_name, schema)
        if "$ref" in schema:
            return self.ref_type(file_name, schema["$ref"])
        kind = schema.get("type")
        if "allOf" in schema or (kind == "object" and "properties" in schema):
            struct = self._add_struct(svc, inline_name, schema, file_name, top_level=False)
            return Type("struct", svc, struct.name)
        if kind == "string":
            if "enum" in schema:
                enum = self._add_enum(svc, inline_name, schema, file_name, inline=True)
                return Type("enum", svc, enum.name)
            return Type("string", fmt=schema.get("format"), min_length=schema.get("minLength"),
                        max_length=schema.get("maxLength"), pattern=schema.get("pattern"))
        if kind in ("integer", "number"):
            t = Type(kind, fmt=schema.get("format"))
            _limits(t, schema)
            if kind == "integer" and t.fmt == "int32":
                t.minimum = -(2**31) if t.minimum is None else max(t.minimum, -(2**31))
                t.maximum = 2**31 - 1 if t.maximum is None else min(t.maximum, 2**31 - 1)
            return t
        if kind == "boolean":
            return Type("boolean")
        if kind == "array":
            if "items" not in schema:
                raise SchemaError("%s: %s: an array needs items" % (file_name, inline_name))
            items = self._type(svc, inline_name + "Item", schema["items"], file_name)
            return Type("array", items=items, min_items=schema.get("minItems"), max_items=schema.get("maxItems"))
        if kind == "object":
            addl = schema.get("additionalProperties", True)
            if isinstance(addl, dict):
                return Type("map", items=self._type(svc, inline_name + "Value", addl, file_name))
            return Type("object")
        if kind is None:
            return Type("any")
        raise SchemaError("%s: %s: unsupported type %r" % (file_name, inline_name, kind))


def _limits(t, schema):
    t.minimum = schema.get("minimum")
    t.maximum = schema.get("maximum")
    emin, emax = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if isinstance(emin, bool):
        t.exclusive_minimum = emin
    elif emin is not None:  # OpenAPI 3.1 style: the number itself
        t.minimum, t.exclusive_minimum = emin, True
    if isinstance(emax, bool):
        t.exclusive_maximum = emax
    elif emax is not None:
        t.maximum, t.exclusive_maximum = emax, True
    if t.kind == "integer":
        for attr in ("minimum", "maximum"):
            value = getattr(t, attr)
            if value is not None and not float(value).is_integer():
                raise SchemaError("integer limit %s=%r is not an integer" % (attr, value))
            if value is not None:
                setattr(t, attr, int(value))


def _check_default(file_name, owner, fld):
    if fld.default is None:
        fld.has_default = False
        return
    t, value, where = fld.type, fld.default, "%s: %s.%s: default %r" % (file_name, owner, fld.json_name, fld.default)
    ok = {
        "string": lambda: isinstance(value, str),
        "integer": lambda: isinstance(value, int) and not isinstance(value, bool),
        "number": lambda: isinstance(value, (int, float)) and not isinstance(value, bool),
        "boolean": lambda: isinstance(value, bool),
        "enum": lambda: isinstance(value, str),
        "array": lambda: value == [],
    }.get(t.kind, lambda: False)()
    if not ok:
        raise SchemaError("%s does not fit type %s (supported defaults: scalars, enums, [])" % (where, t.kind))
