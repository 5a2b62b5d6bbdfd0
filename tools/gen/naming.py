"""Names: schema names -> C++ identifiers, and C++ literals."""

import math
import re

CPP_KEYWORDS = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case",
    "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval",
    "constexpr", "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype",
    "default", "delete", "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern",
    "false", "float", "for", "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new",
    "noexcept", "not", "not_eq", "nullptr", "operator", "or", "or_eq", "private", "protected", "public",
    "register", "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static",
    "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local", "throw", "true",
    "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual", "void", "volatile",
    "wchar_t", "while", "xor", "xor_eq",
    # Macros from the C and POSIX headers that would break an enumerator of that name.
    "NULL", "EOF", "TRUE", "FALSE", "EDOM", "ERANGE", "EINVAL", "errno", "assert", "stdin", "stdout",
    "stderr", "major", "minor",
}

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def is_identifier(text):
    return bool(_IDENT.match(text)) and "__" not in text and not re.match(r"^_[A-Z]", text)


def words(text):
    """Splits "voice.room.tier-upgraded", "roomId", "P2PMaxParticipants" into words."""
    parts = re.split(r"[^A-Za-z0-9]+", text)
    out = []
    for part in parts:
        if not part:
            continue
        part = re.sub(r"(.)([A-Z][a-z]+)", r"\1 \2", part)
        part = re.sub(r"([a-z])([A-Z])", r"\1 \2", part)
        out.extend(w for w in part.split(" ") if w)
    return out


def snake(text):
    """camelCase / PascalCase -> snake_case: "roomId" -> "room_id", "P2PMax" -> "p2p_max"."""
    return "_".join(w.lower() for w in words(text))


def pascal(text):
    """"voice.room.tier-upgraded" -> "VoiceRoomTierUpgraded"; keeps inner capitals ("roomId" -> "RoomId")."""
    return "".join(w[0].upper() + w[1:] for w in words(text))


def safe_identifier(name):
    """Appends "_" to keywords and reserved macro names."""
    return name + "_" if name in CPP_KEYWORDS else name


def enum_identifier(value):
    """An enumerator for a string value: "p2p" -> p2p, "in-progress" -> in_progress, "delete" -> delete_."""
    ident = re.sub(r"[^A-Za-z0-9_]", "_", str(value))
    ident = re.sub(r"_+", "_", ident)
    if not ident or ident == "_":
        ident = "empty" if not str(value) else "value"
    if ident[0].isdigit():
        ident = "v" + ident
    if ident.startswith("_"):
        ident = "v" + ident
    return safe_identifier(ident)


def cpp_string(text):
    """A C++ string literal for `text` (UTF-8 kept, control characters escaped)."""
    out = ['"']
    for ch in str(text):
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F:
            out.append("\\%03o" % code)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def cpp_int(value):
    value = int(value)
    if value == -(2**63):
        return "(-9223372036854775807 - 1)"
    return str(value)


def cpp_double(value):
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise ValueError("non-finite number in schema: %r" % value)
    text = repr(value)
    if "e" not in text and "." not in text:
        text += ".0"
    return text


def number_text(value):
    """How a limit is shown in messages and docs: 10, 0.5, 1000000000."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if float(value).is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(float(value))


def comment_lines(text, indent=""):
    """A description as C++ line comments."""
    if not text:
        return []
    lines = [line.rstrip() for line in str(text).strip().splitlines()]
    return [indent + ("// " + line if line else "//") for line in lines]


def field_identifier(json_name):
    """A property name as a C++ member: snake_case, keywords and generated names get a trailing "_"."""
    name = safe_identifier(snake(json_name))
    if not name or name[0].isdigit():
        name = "f_" + name
    # Names the generated member functions and their locals use.
    if name in ("from_json", "to_json", "to_string", "v", "path") or name.startswith("g_"):
        name += "_"
    return name


def description_of(schema):
    """A schema's description on one line."""
    return " ".join(str(schema.get("description", "")).split())
