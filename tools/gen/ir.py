"""The model the generator builds from the schemas and the emitters read: types, fields, enums,
structs, operations, configuration properties, services."""

import re
from dataclasses import dataclass, field
from typing import List, Optional

from naming import enum_identifier, pascal

KINDS = ("client-events", "events", "api", "configuration")  # longest suffix first
MODEL_KINDS = ("api", "events", "client-events")
COMMON = "common"
SERVICE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
REF = re.compile(r"^([^#]*)#/components/schemas/([A-Za-z0-9_.\-]+)$")


class SchemaError(Exception):
    pass


@dataclass
class Type:
    """A value's C++ type and the schema rules that apply to it."""
    kind: str  # string integer number boolean array map object any enum struct
    svc: Optional[str] = None  # enum / struct: owning service
    name: Optional[str] = None  # enum / struct: type name
    items: Optional["Type"] = None  # array items / map values
    fmt: Optional[str] = None
    min_length: Optional[int] = None
    max_length: Optional[int] = None
    pattern: Optional[str] = None
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    min_items: Optional[int] = None
    max_items: Optional[int] = None


@dataclass
class Field:
    json_name: str
    cpp_name: str
    type: Type
    required: bool
    nullable: bool
    default: object = None
    has_default: bool = False
    description: str = ""

    @property
    def optional(self):
        """Held as std::optional: nullable, or not required and without a default."""
        return self.nullable or (not self.required and not self.has_default)


@dataclass
class Enum:
    svc: str
    name: str
    values: List[str]
    description: str = ""
    source: str = ""

    def identifiers(self):
        return [enum_identifier(v) for v in self.values]


@dataclass
class Struct:
    svc: str
    name: str
    fields: List[Field]
    additional_properties: bool
    description: str = ""
    event_name: Optional[str] = None  # x-client-event: the eventName default
    source: str = ""


@dataclass
class Operation:
    path: str
    operation_id: str
    summary: str
    request: Optional[Type]  # a struct, or None when the operation has no requestBody
    request_required: bool
    response: Optional[Type]  # a struct, or None when the 200 response has no schema
    permissions: list  # [(role, [(service, state), ...]), ...]


@dataclass
class ConfigProperty:
    name: str  # PascalName
    cpp_name: str
    type: str  # string integer number boolean
    env: str
    default: object
    has_default: bool
    nullable: bool
    secret: bool
    description: str
    enum: Optional[List[str]] = None
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    min_length: Optional[int] = None
    max_length: Optional[int] = None

    @property
    def optional(self):
        return self.nullable


@dataclass
class Service:
    name: str
    files: dict = field(default_factory=dict)  # kind -> file name
    enums: List[Enum] = field(default_factory=list)
    structs: List[Struct] = field(default_factory=list)
    operations: List[Operation] = field(default_factory=list)
    publications: list = field(default_factory=list)  # [(topic, event, description)]
    subscriptions: list = field(default_factory=list)
    config: List[ConfigProperty] = field(default_factory=list)
    config_enums: List[Enum] = field(default_factory=list)
    config_description: str = ""

    @property
    def pascal(self):
        return pascal(self.name)

    @property
    def has_models(self):
        return any(kind in self.files for kind in MODEL_KINDS)

    @property
    def has_routes(self):
        return "api" in self.files and self.name != COMMON

    @property
    def has_config(self):
        return "configuration" in self.files

    @property
    def client_events(self):
        return [s for s in self.structs if s.event_name]
